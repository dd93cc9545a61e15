"""The narrative of the Shanghai PDFs: stated totals and changes, the per-item explanations of the
functional classification, 三公, 机关运行经费, procurement, assets and performance counts, read
as printed (source='narrative'), against tests/golden/pdf_key_figures.json."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import SAMPLES

PDFS = sorted(p.name for p in SAMPLES.glob("*.pdf"))
# Key figures of figures_yuan the narrative states exactly (the rest it rounds to 万元, or only the
# tables print them): file -> keys.
NARRATIVE_KEYS = {
    "sh_putuo_wanli_2023_dept_budget.pdf": [
        "sangong.total", "sangong.overseas_travel", "sangong.reception", "sangong.vehicle_total",
        "sangong.vehicle_purchase", "sangong.vehicle_operation", "operating_expenses.total", "procurement.total"],
    "sh_putuo_wanli_2024_dept_budget.pdf": [
        "sangong.total", "sangong.overseas_travel", "sangong.reception", "sangong.vehicle_total",
        "sangong.vehicle_purchase", "sangong.vehicle_operation", "operating_expenses.total", "procurement.total"],
    "sh_putuo_finance_2025_dept_budget.pdf": [
        "sangong.total", "sangong.reception", "operating_expenses.total", "procurement.total"],
    "sh_putuo_finance_2024_dept_final.pdf": [
        "revenue.total", "expenditure.total", "expenditure.basic", "expenditure.project", "expenditure.personnel",
        "expenditure.public_operating", "sangong.total@budget", "operating_expenses.total", "procurement.total"],
    "sh_putuo_govoffice_2025_dept_budget.pdf": [
        "sangong.total", "sangong.overseas_travel", "sangong.reception", "operating_expenses.total",
        "procurement.total"],
    "sh_putuo_welfarehome_2024_unit_budget.pdf": [
        "sangong.total", "sangong.overseas_travel", "sangong.reception", "sangong.vehicle_total",
        "sangong.vehicle_operation", "operating_expenses.total", "procurement.total"],
    "sh_putuo_socialwork_2024_dept_final.pdf": [
        "revenue.total", "expenditure.total", "expenditure.basic", "expenditure.project", "expenditure.personnel",
        "expenditure.public_operating", "operating_expenses.total", "procurement.total"],
    "sh_putuo_justice_2026_dept_budget.pdf": [
        "sangong.total", "sangong.overseas_travel", "sangong.reception", "sangong.vehicle_total",
        "sangong.vehicle_purchase", "sangong.vehicle_operation", "operating_expenses.total", "procurement.total"],
}
WANLI_2024 = "sh_putuo_wanli_2024_dept_budget.pdf"
ITEM_1 = "一般公共服务支出(类)统计信息事务(款)专项普查活动(项)"

_cache: dict[str, list] = {}


def narrative(name: str):
    if name not in _cache:
        from ingest.extract import extract
        from ingest.readers import read_file

        doc = read_file(str(SAMPLES / name))
        ex = extract(doc)
        _cache[name] = (doc, ex, [s for s in ex.statements if s.source == "narrative"])
    return _cache[name]


def wan(v: str) -> Decimal:
    return (Decimal(v) * 10000).quantize(Decimal("0.01"))


@pytest.mark.parametrize("name", PDFS)
def test_stated_key_figures_are_read_from_the_narrative(name, pdf_golden):
    figures = next(d for d in pdf_golden["documents"] if d["file"] == name)["figures_yuan"]
    stmts = narrative(name)[2]
    for gkey in NARRATIVE_KEYS[name]:
        key, _, phase = gkey.partition("@")
        want = Decimal(figures[gkey])
        hits = [s for s in stmts if s.statement_key == key and s.measure == "amount" and s.amount_yuan == want
                and (not phase or s.phase == phase)]
        assert hits, f"{name}: {gkey}={want} not in {[(s.phase, s.amount_yuan) for s in stmts if s.statement_key == key]}"


@pytest.mark.parametrize("name", PDFS)
def test_procurement_total_is_stated_once_per_document(name, pdf_golden):
    figures = next(d for d in pdf_golden["documents"] if d["file"] == name)["figures_yuan"]
    totals = [s for s in narrative(name)[2] if s.statement_key == "procurement.total" and s.measure == "amount"]
    assert [s.amount_yuan for s in totals] == [Decimal(figures["procurement.total"])]


@pytest.mark.parametrize("name", PDFS)
def test_provenance_points_at_the_printed_figure(name):
    doc, _, stmts = narrative(name)
    pages = {p.number: p.text for p in doc.pages}
    for s in stmts:
        if s.is_derived:
            continue
        printed = pages[s.page][s.char_start:s.char_end]
        assert printed.replace("\n", "").replace(" ", "") == s.printed_value.replace(" ", ""), s


def test_wanli_2024_function_item_budget_execution_and_change():
    items = [s for s in narrative(WANLI_2024)[2] if s.statement_key == "expenditure.function_item" and s.label == ITEM_1]
    got = {(s.measure, s.phase, s.reference_year, s.base_year, s.amount_yuan, s.percent) for s in items}
    assert ("amount", "budget", 2024, None, wan("25.77"), None) in got
    assert ("amount", "execution", 2023, None, wan("60.13"), None) in got
    assert ("change_pct", "budget", 2024, 2023, None, Decimal("-57.14")) in got
    # 33 items, each with its budget and its prior-year execution figure
    stmts = narrative(WANLI_2024)[2]
    labels = {s.label for s in stmts if s.statement_key == "expenditure.function_item"}
    assert len(labels) == 33
    execution = [s for s in stmts if s.statement_key == "expenditure.function_item" and s.phase == "execution"]
    assert len(execution) == 33 and {s.reference_year for s in execution} == {2023}


def test_wanli_2024_housing_fund_sentence_kept_as_printed():
    """Heading 350.35万元, sentence '2024年预算安排352.67万元': both are kept."""
    label = "住房保障支出(类)住房改革支出(款)住房公积金(项)"
    got = sorted(s.amount_yuan for s in narrative(WANLI_2024)[2]
                 if s.label == label and s.measure == "amount" and s.phase == "budget")
    assert got == [wan("350.35"), wan("352.67")]


def test_wanli_2024_fiscal_appropriation_change_against_2023():
    stmts = narrative(WANLI_2024)[2]
    for key in ("revenue.fiscal_appropriation", "expenditure.fiscal_appropriation",
                "expenditure.general_public_budget"):
        changes = [s for s in stmts if s.statement_key == key and s.measure == "change"]
        assert [(s.amount_yuan, s.reference_year, s.base_year) for s in changes] == [(wan("-876.75"), 2024, 2023)]


def test_finance_2025_item_887_kept_as_printed():
    label = "社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位职业年金缴费支出(项)"
    got = {s.amount_yuan for s in narrative("sh_putuo_finance_2025_dept_budget.pdf")[2] if s.label == label}
    assert got == {wan("887.36")}


def test_justice_2026_base_year_kept_as_printed():
    changes = [s for s in narrative("sh_putuo_justice_2026_dept_budget.pdf")[2]
               if s.statement_key == "revenue.fiscal_appropriation" and s.measure == "change"]
    assert [(s.amount_yuan, s.base_year) for s in changes] == [(wan("793.14"), 2026)]


def test_final_accounts_keep_budget_adjusted_budget_and_actual_apart():
    stmts = narrative("sh_putuo_finance_2024_dept_final.pdf")[2]
    gpb = {(s.phase, s.amount_yuan) for s in stmts
           if s.statement_key == "expenditure.general_public_budget" and s.measure == "amount"}
    assert ("budget", wan("2993.92")) in gpb and ("actual", wan("2940.05")) in gpb
    item = "一般公共服务支出(类)财政事务(款)行政运行(项)"
    got = {(s.phase, s.reference_year, s.amount_yuan) for s in stmts if s.label == item and s.measure == "amount"}
    assert got == {("budget", 2024, wan("1560.05")), ("actual", 2024, wan("1511.89"))}
    sangong = {(s.phase, s.amount_yuan) for s in stmts if s.statement_key == "sangong.total" and s.measure == "amount" and not s.is_derived}
    assert sangong == {("budget", wan("0.95")), ("actual", wan("0.00"))}

    social = narrative("sh_putuo_socialwork_2024_dept_final.pdf")[2]
    gpb = {(s.phase, s.measure, s.amount_yuan if s.measure == "amount" else s.percent) for s in social
           if s.statement_key == "expenditure.general_public_budget" and s.measure in ("amount", "completion_pct")}
    assert {("budget", "amount", wan("0")), ("adjusted_budget", "amount", wan("321.02")),
            ("actual", "amount", wan("307.82")), ("budget", "completion_pct", Decimal("95.89"))} <= gpb


def test_socialwork_item_path_broken_over_lines_is_joined():
    labels = {s.label for s in narrative("sh_putuo_socialwork_2024_dept_final.pdf")[2]
              if s.statement_key == "expenditure.function_item"}
    assert "一般公共服务支出(类)社会工作事务(款)其他社会工作事务支出(项)" in labels
    assert "社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)" in labels


def test_wanli_2024_procurement_assets_and_performance():
    stmts = narrative(WANLI_2024)[2]
    amounts = {s.statement_key: s.amount_yuan for s in stmts if s.measure == "amount" and s.amount_yuan is not None}
    assert amounts["procurement.goods"] + amounts["procurement.works"] + amounts["procurement.services"] \
        == amounts["procurement.total"]
    assert amounts["procurement.sme_reserved"] == wan("664.98")
    assert amounts["procurement.small_micro_reserved"] == wan("465.49")
    assert amounts["performance.project_funds"] == wan("5634.81")
    qty = {(s.statement_key, s.reference_year, s.phase): s.quantity for s in stmts if s.measure == "quantity"}
    assert qty[("performance.project_count", 2024, "budget")] == 50
    assert qty[("assets.vehicles", 2023, "actual")] == 7
    assert qty[("assets.vehicle_purchases", 2024, "budget")] == 1


def test_unattributed_amounts_remain_parse_issues():
    _, ex, _ = narrative("sh_putuo_finance_2025_dept_budget.pdf")
    issues = [i.message for i in ex.issues if i.code == "unlabelled_amount"]
    assert any("中介机构服务费418.80万元" in m for m in issues)
