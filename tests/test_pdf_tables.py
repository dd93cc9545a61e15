"""Table figures of the Shanghai PDFs against the golden key (tests/golden/pdf_key_figures.json)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.extract.tables import extract_tables
from ingest.model import Extraction
from ingest.readers import read_file

ROOT = Path(__file__).parents[1]
SAMPLES = ROOT / "data" / "samples"
GOLDEN = json.loads((ROOT / "tests" / "golden" / "pdf_key_figures.json").read_text(encoding="utf-8"))
DOCS = {d["file"]: d for d in GOLDEN["documents"]}

# Key figures printed only in the narrative (another extractor's job): 政府采购 has no table, and
# final accounts print 机关运行经费 only in the text.
NARRATIVE_ONLY = {"procurement.total"}
NARRATIVE_ONLY_FINAL = {"operating_expenses.total"}


def _extract(name: str, with_profile: bool = True) -> tuple:
    doc = read_file(str(SAMPLES / name))
    ex = Extraction()
    if with_profile:
        ex.profile.fiscal_year = DOCS[name]["fiscal_year"]
        ex.profile.disclosure_kind = DOCS[name]["kind"]
    extract_tables(doc, ex)
    return doc, ex


@pytest.fixture(scope="module")
def extracted():
    return {name: _extract(name) for name in DOCS}


def _table_keys(entry: dict) -> dict[str, str]:
    skip = NARRATIVE_ONLY | (NARRATIVE_ONLY_FINAL if entry["kind"] == "final_accounts" else set())
    return {k: v for k, v in entry["figures_yuan"].items() if k.split("@")[0] not in skip}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_golden_key_figures_from_tables(name, extracted):
    entry = DOCS[name]
    _, ex = extracted[name]
    default_phase = "actual" if entry["kind"] == "final_accounts" else "budget"
    found = defaultdict(set)
    for s in ex.statements:
        assert s.source == "table"
        found[(s.statement_key, s.phase)].add(s.amount_yuan)
    for key, amount in _table_keys(entry).items():
        stmt_key, _, phase = key.partition("@")
        got = found.get((stmt_key, phase or default_phase), set())
        assert Decimal(amount) in got, f"{name}: {key} = {amount}, tables gave {sorted(got)}"


@pytest.mark.parametrize("name", sorted(DOCS))
def test_function_table_xiang_rows(name, extracted):
    _, ex = extracted[name]
    rows = {ln.row_seq for ln in ex.classification_lines if ln.table_kind == "gpb_function" and ln.level == 3}
    assert len(rows) == DOCS[name]["function_table_xiang_rows"]


@pytest.mark.parametrize("name", sorted(DOCS))
def test_line_items_add_up_to_printed_totals_or_an_issue_is_raised(name, extracted):
    doc, ex = extracted[name]
    titles = {t.index: t.title for t in doc.tables()}
    mismatch_messages = [i.message for i in ex.issues if i.code == "table_sum_mismatch"]
    by_table = defaultdict(list)
    for ln in ex.classification_lines:
        if ln.scheme == "function":
            by_table[(ln.table_kind, ln.column_key, ln.phase)].append(ln)
    checked = 0
    for (kind, column, _), lines in by_table.items():
        totals = [ln for ln in lines if ln.is_total and ln.amount_yuan is not None]
        for total in totals:
            parts = sum((ln.amount_yuan for ln in lines if ln.level == 1), Decimal(0))
            checked += 1
            if parts != total.amount_yuan:
                assert any(f"{parts:,.2f}" in m and f"{total.amount_yuan:,.2f}" in m for m in mismatch_messages), \
                    f"{name}: {kind}/{column} parts {parts} != total {total.amount_yuan}, no issue"
    assert checked >= 4
    assert titles  # tables were read


def test_rounded_final_accounts_raise_sum_mismatch(extracted):
    _, ex = extracted["sh_putuo_finance_2024_dept_final.pdf"]
    msgs = [i.message for i in ex.issues if i.code == "table_sum_mismatch"]
    assert any("收入决算表" in m and "page 8" in m for m in msgs)
    assert any("一般公共预算财政拨款基本支出决算表" in m and "302 商品和服务支出" in m for m in msgs)
    assert all(i.severity == "warning" for i in ex.issues if i.code == "table_sum_mismatch")


def test_socialwork_economic_subtotal_differs_and_basic_is_left_to_the_warehouse(extracted):
    _, ex = extracted["sh_putuo_socialwork_2024_dept_final.pdf"]
    assert any(i.code == "table_sum_mismatch" and "302 商品和服务支出" in i.message for i in ex.issues)
    # 人员经费 + 公用经费 vs the 基本支出 total is computed in SQL (quality_tables), not by the reader
    assert not [i for i in ex.issues if "人员经费" in i.message and "基本支出" in i.message]
    kept = {(s.statement_key, s.amount_yuan) for s in ex.statements if s.source == "table"}
    assert {("expenditure.personnel", Decimal("953600.00")),
            ("expenditure.public_operating", Decimal("102300.00"))} <= kept
    assert any(ln.table_kind == "gpb_function" and ln.is_total and ln.column_key == "basic"
               and ln.amount_yuan == Decimal("1055800.00") for ln in ex.classification_lines)


def test_sangong_table_with_figures_and_empty_note_is_flagged_and_kept(extracted):
    _, ex = extracted["sh_putuo_wanli_2024_dept_budget.pdf"]
    flagged = [i for i in ex.issues if i.code == "empty_note_with_figures"]
    assert len(flagged) == 1 and flagged[0].severity == "warning" and flagged[0].page == 31
    total = next(s for s in ex.statements if s.statement_key == "sangong.total")
    assert (total.amount_yuan, total.printed_value, total.printed_unit, total.page) == (
        Decimal("479100.00"), "47.91", "万元", 31)
    assert re.fullmatch(r"t\d+#r\d+,c\d+", total.table_cell)


def test_empty_fund_tables_are_recorded_as_empty_with_note(extracted):
    _, ex = extracted["sh_putuo_wanli_2024_dept_budget.pdf"]
    empty = [i for i in ex.issues if i.code == "empty_table_with_note"]
    assert {i.page for i in empty} == {27, 28}
    assert all(i.severity == "info" for i in empty)
    assert not [ln for ln in ex.classification_lines if ln.table_kind in ("gov_fund_function", "soe_function")]


def test_short_economic_codes_are_padded_and_printed_code_kept(extracted):
    # regression: the 2024 万里 economic table prints 款 '2' and '7' for 02 / 07
    _, ex = extracted["sh_putuo_wanli_2024_dept_budget.pdf"]
    lines = [ln for ln in ex.classification_lines if ln.table_kind == "gpb_basic_economic"
             and ln.column_key == "total" and ln.name in ("津贴补贴", "绩效工资")]
    assert {(ln.code, ln.printed_code, ln.level) for ln in lines} == {("30102", "301 2", 2), ("30107", "301 7", 2)}
    assert all(ln.scheme == "economic_department" for ln in lines)


def test_misprinted_class_code_is_read_from_context_and_reported(extracted):
    # regression: the 福利院 tables print 类 '7' for 210 on the 事业单位医疗 row
    _, ex = extracted["sh_putuo_welfarehome_2024_unit_budget.pdf"]
    line = next(ln for ln in ex.classification_lines if ln.table_kind == "gpb_function" and ln.name == "事业单位医疗"
                and ln.column_key == "total")
    assert (line.code, line.printed_code, line.level, line.amount_yuan) == ("2101102", "7 11 02", 3, Decimal("503724.00"))
    assert any(i.code == "table_code_misprinted" and i.page == 11 for i in ex.issues)


def test_seven_digit_codes_in_one_column(extracted):
    _, ex = extracted["sh_putuo_socialwork_2024_dept_final.pdf"]
    line = next(ln for ln in ex.classification_lines if ln.table_kind == "gpb_function" and ln.code == "2013901"
                and ln.column_key == "total")
    assert (line.level, line.amount_yuan, line.phase) == (3, Decimal("513200.00"), "actual")


def test_final_accounts_keep_budget_and_actual_apart(extracted):
    _, ex = extracted["sh_putuo_finance_2024_dept_final.pdf"]
    sangong = {(s.statement_key, s.phase): s.amount_yuan for s in ex.statements if s.statement_key.startswith("sangong")}
    assert sangong == {("sangong.total", "budget"): Decimal("9500.00"),
                       ("sangong.reception", "budget"): Decimal("9500.00")}
    assert all(s.reference_year == 2024 for s in ex.statements)
    revenue = next(s for s in ex.statements if s.statement_key == "revenue.total")
    assert (revenue.phase, revenue.printed_value, revenue.printed_unit) == ("actual", "2,946.25", "万元")


def test_year_and_kind_derived_from_the_title_without_a_profile():
    _, ex = _extract("sh_putuo_justice_2026_dept_budget.pdf", with_profile=False)
    total = next(s for s in ex.statements if s.statement_key == "revenue.total")
    assert (total.reference_year, total.phase, total.amount_yuan) == (2026, "budget", Decimal("96282213.44"))


def test_narrative_only_figures_are_not_invented(extracted):
    for name, (_, ex) in extracted.items():
        assert not [s for s in ex.statements if s.statement_key.startswith("procurement")], name
