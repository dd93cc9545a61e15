"""The narrative of the regional corpus (data/samples/regional): the phrasings other layout
families print their key figures in, read as the budget year's amounts under the right key.

The golden key (tests/golden/regional_key_figures.json) quotes the sentence of every figure the
narrative states; for each, the first budget-year mention of its key must be that figure, on that
page (the marts take the first mention). The named tests guard one phrasing each, on its page."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.conftest import GOLDEN_DIR, SAMPLES

REGIONAL = SAMPLES / "regional"
GOLDEN = json.loads((GOLDEN_DIR / "regional_key_figures.json").read_text(encoding="utf-8"))
GOLDEN_KEYS = {"fiscal_appropriation.total": "revenue.fiscal_appropriation", "sangong.outbound": "sangong.overseas_travel",
               "operating_expense.total": "operating_expenses.total"}
# Golden figures quoted from a sentence (a table figure is quoted as 'row/column labels value').
SENTENCE_FIGURES = [(doc["file"], doc["fiscal_year"], fig) for doc in GOLDEN["documents"] for fig in doc["figures"]
                    if fig["unit"] == "万元" and "万元" in fig["printed"]]

_cache: dict[str, tuple] = {}


def extraction(name: str):
    if name not in _cache:
        from ingest.extract import extract
        from ingest.readers import read_file

        doc = read_file(str(REGIONAL / name))
        _cache[name] = (doc, extract(doc))
    return _cache[name]


def narrative(name: str, key: str, *, measure: str = "amount", page: int | None = None) -> list:
    """The narrative statements of ``key`` in document order (of ``page`` only when given)."""
    ex = extraction(name)[1]
    found = [s for s in ex.statements if s.source == "narrative" and s.statement_key == key and s.measure == measure
             and (page is None or s.page == page)]
    return sorted(found, key=lambda s: (s.page, s.char_start))


def budget_amounts(name: str, key: str, page: int | None = None) -> list[Decimal]:
    """The budget year's amounts the narrative states for ``key``, in document order."""
    year = extraction(name)[1].profile.fiscal_year
    return [s.amount_yuan for s in narrative(name, key, page=page) if s.phase == "budget" and s.reference_year == year]


def wan(value: str) -> Decimal:
    return (Decimal(value) * 10000).quantize(Decimal("0.01"))


@pytest.mark.parametrize(("name", "year", "figure"), SENTENCE_FIGURES,
                         ids=[f"{n.split('_20')[0]}-{f['key']}" for n, _, f in SENTENCE_FIGURES])
def test_golden_sentence_figure_is_the_first_budget_year_mention(name, year, figure):
    key = GOLDEN_KEYS.get(figure["key"], figure["key"])
    stmts = [s for s in narrative(name, key) if s.phase == "budget" and s.reference_year == year]
    assert stmts, f"{name}: no narrative {key} for {figure['printed']!r}"
    first = stmts[0]
    assert (first.amount_yuan, first.page) == (Decimal(figure["yuan"]), figure["page"]), \
        f"{name}: {key} first read as {first.amount_yuan} p{first.page} ({first.label!r}), printed {figure['printed']!r}"


def test_heading_label_is_the_subject_of_the_bare_amount_after_it():
    # '(一)因公出国(境)费用。2026年预算数14.85万元' / '(二)公务接待费。2026年预算数2.85万元' /
    # '(三)公务用车购置和运行维护费。2026年预算数0万元，包括公务用车购置费预算0万元、…'
    name = "beijing_petition_2026_dept_budget.pdf"
    assert budget_amounts(name, "sangong.overseas_travel") == [wan("14.85")]
    assert budget_amounts(name, "sangong.reception", page=6) == [wan("2.85")]
    assert budget_amounts(name, "sangong.vehicle_total", page=6) == [Decimal("0.00")]
    assert budget_amounts(name, "sangong.vehicle_purchase", page=6) == [Decimal("0.00")]
    assert budget_amounts(name, "sangong.vehicle_operation", page=6) == [Decimal("0.00")]


def test_heading_label_does_not_claim_the_named_items_after_it():
    # '(二)支出预算。2026年年初预算数19,230.18万元，其中：一般公共服务支出15,958.96万元，…'
    name = "chongqing_govoffice_2026_dept_budget.pdf"
    assert budget_amounts(name, "expenditure.total", page=3) == [wan("19230.18")]
    # '(一)收入预算。2026年年初预算数19,230.18万元，其中：一般公共预算拨款18,417.70万元' (上年结转 included)
    assert budget_amounts(name, "revenue.total", page=2) == [wan("19230.18")]
    assert budget_amounts(name, "revenue.general_public_budget", page=2) == [wan("18417.70")]
    assert wan("18417.70") not in budget_amounts(name, "revenue.fiscal_appropriation")


@pytest.mark.parametrize(("name", "page", "printed"), [
    ("beijing_petition_2026_dept_budget.pdf", 6, "1698.15"),  # 部门机关运行经费财政拨款预算1698.15万元
    ("shenzhen_civil_affairs_2026_dept_budget.pdf", 12, "976.21"),  # 机关运行经费财政拨款预算 976.21 万元
    ("huzhou_finance_2026_dept_budget.pdf", 11, "598.67"),  # 的机关运行经费财政拨款预算598.67万元
    ("hangzhou_police_2026_dept_budget.pdf", 13, "46732.12"),
])
def test_funding_source_after_operating_expenses_qualifies_them(name, page, printed):
    assert budget_amounts(name, "operating_expenses.total", page=page) == [wan(printed)]
    assert wan(printed) not in budget_amounts(name, "revenue.fiscal_appropriation")


@pytest.mark.parametrize(("name", "page", "printed"), [
    ("xian_propaganda_2021_dept_budget.pdf", 13, "124"),  # 本部门当年机关运行经费预算安排124万元
    ("yantai_civil_affairs_2026_dept_budget.pdf", 31, "102.18"),  # 2026年本部门机关运行经费安排102.18万元
    ("quanzhou_govoffice_2026_dept_budget.pdf", 38, "758.24"),  # 一般公共预算拨款安排的机关运行经费支出 758.24 万元
    ("chongqing_govoffice_2026_dept_budget.pdf", 4, "1815"),  # (一)机关运行经费。2026年一般公共预算财政拨款运行经费1,815万元
    ("zhuhai_commerce_2026_dept_budget.pdf", 31, "10884.55"),  # 本部门机关运行经费安排10,884.55万元
])
def test_operating_expenses_in_each_phrasing(name, page, printed):
    assert budget_amounts(name, "operating_expenses.total", page=page)[:1] == [wan(printed)]
    assert wan(printed) not in budget_amounts(name, "revenue.general_public_budget")


def test_funding_source_after_carryover_is_the_carryover():
    # '上年结转财政拨款 16.49 万元' before '2019 年本部门财政拨款收入 203091.65 万元'
    name = "xian_development_reform_2019_dept_budget.pdf"
    assert budget_amounts(name, "revenue.carryover", page=23) == [wan("16.49")]
    assert budget_amounts(name, "revenue.fiscal_appropriation")[0] == wan("203091.65")


@pytest.mark.parametrize(("name", "page", "printed"), [
    ("yantai_civil_affairs_2026_dept_budget.pdf", 31, "349"),  # 委托业务费财政拨款预算为349万元
    ("chongqing_govoffice_2026_dept_budget.pdf", 5, "6265.73"),  # 委托业务费涉及财政拨款资金6,265.73万元
])
def test_funding_source_after_a_cost_item_is_no_revenue(name, page, printed):
    assert wan(printed) not in budget_amounts(name, "revenue.fiscal_appropriation")


def test_funding_source_as_part_of_project_funds_is_no_revenue():
    # '涉及预算资金75万元，其中财政' / '—27—' / '拨款75万元' (a sentence broken over a page)
    name = "yantai_petition_2026_dept_budget.pdf"
    assert budget_amounts(name, "revenue.fiscal_appropriation") == []


def test_funding_source_as_part_of_an_expenditure_is_that_funds_expenditure():
    # '本部门当年预算支出2,838.42万元，其中：一般公共预算拨款2,838.42万元，较上年增加145.22万元'
    name = "xian_petition_2026_dept_budget_consolidated.pdf"
    ex = extraction(name)[1]
    page = sorted((s for s in ex.statements if s.source == "narrative" and s.page == 8 and s.measure != "quantity"),
                  key=lambda s: s.char_start)
    at = next(i for i, s in enumerate(page) if s.statement_key == "expenditure.total" and s.measure == "amount")
    assert [(s.statement_key, s.measure, s.amount_yuan) for s in page[at:at + 3]] == [
        ("expenditure.total", "amount", wan("2838.42")),
        ("expenditure.general_public_budget", "amount", wan("2838.42")),
        ("expenditure.general_public_budget", "change", wan("145.22"))]


def test_label_shared_with_other_items_labels_nothing():
    # '一般公共预算“三公”经费及会议费、培训费预算支出共263.72万元，其中：1、“三公”经费预算 18.6 万元'
    name = "xian_development_reform_2019_dept_budget.pdf"
    assert budget_amounts(name, "sangong.total") == [wan("18.6")]


def test_change_against_the_previous_year_stays_a_change():
    # '2026年财政拨款“三公”经费预算282.16万元，比2025年财政拨款“三公”经费年初预算增加33.50 万元'
    name = "beijing_civil_affairs_2026_dept_budget.pdf"
    assert budget_amounts(name, "sangong.total") == [wan("282.16")]
    change = narrative(name, "sangong.total", measure="change")
    assert [(s.amount_yuan, s.reference_year, s.base_year) for s in change] == [(wan("33.50"), 2026, 2025)]


@pytest.mark.parametrize(("name", "page", "printed"), [
    ("huzhou_veterans_2026_dept_budget.pdf", 10, "0.00"),  # 其中，公务用车购置支出0.00万元(含购置税等附加费用)
    ("hangzhou_justice_2026_dept_budget.pdf", 14, "151.68"),  # 公务用车购置支出151.68万元
])
def test_vehicle_purchase_printed_as_an_expenditure(name, page, printed):
    assert budget_amounts(name, "sangong.vehicle_purchase", page=page) == [wan(printed)]


def test_page_number_between_two_halves_of_a_sentence_is_left_out():
    # '…律师管理(项)' / '6' (the page number) / '25.00万元，主要用于…': not 625.00万元
    name = "hangzhou_justice_2026_dept_budget.pdf"
    items = [s for s in narrative(name, "expenditure.function_item") if "律师管理" in (s.label or "")]
    assert [s.amount_yuan for s in items][:1] == [wan("25.00")]
    # '2026年收入预算99,230.46万元，比上年执行数增加' / '3' / '7,331.92万元'
    assert [s.amount_yuan for s in narrative(name, "revenue.total", measure="change")] == [wan("7331.92")]


def test_fiscal_appropriation_grand_total_is_not_the_appropriation():
    # '2026年财政拨款收支总预算91,842.80万元。收入包括：一般公共预算收入91,495.48万元、上年结转结余收入…'
    name = "hangzhou_justice_2026_dept_budget.pdf"
    assert budget_amounts(name, "revenue.fiscal_appropriation_grand_total", page=5) == [wan("91842.80")]
    assert budget_amounts(name, "revenue.fiscal_appropriation") == []
    assert set(budget_amounts(name, "revenue.general_public_budget", page=5)) == {wan("91495.48")}


def test_procurement_and_fund_expenditure_are_not_the_expenditure_total():
    # '政府性基金支出预算支出4,400.33万元', '政府采购支出预算总额21,940.28万元'
    name = "suzhou_water_2026_unit_budget.pdf"
    assert set(budget_amounts(name, "expenditure.total")) == {wan("92596.24")}
    assert budget_amounts(name, "procurement.total") == [wan("21940.28")]
    assert budget_amounts(name, "expenditure.government_fund", page=37) == [wan("44003.26")]


def test_department_budget_revenue_and_expenditure():
    # '2026 年深圳市医疗保障局(本级)部门预算收入15,480.26万元，…部门预算支出15,480.26万元'
    name = "shenzhen_medical_security_2026_dept_budget.pdf"
    assert budget_amounts(name, "revenue.total") == [wan("15480.26")]
    assert budget_amounts(name, "expenditure.total", page=6) == [wan("15480.26")]


def text_layer_document(name: str, page: int):
    """The page as its PDF text layer prints it, letter-spacing and all ('2 0 2 6年 … 6 6 , 3 0 7 . 9 8万元'),
    one paragraph a line: what a reader that keeps the layer's spaces would give."""
    import pypdfium2 as pdfium

    from ingest.model import Document, Page, Paragraph
    from ingest.normalize import normalize_document

    pdf = pdfium.PdfDocument(str(REGIONAL / name))
    try:
        text = pdf[page - 1].get_textpage().get_text_range()
    finally:
        pdf.close()
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    doc = Document(document_id="0" * 64, source_path=name, source_format="pdf", byte_size=0,
                   pages=[Page(number=page, blocks=[Paragraph(text=line, page=page) for line in lines])])
    normalize_document(doc)
    return doc


@pytest.mark.parametrize(("name", "page", "key", "printed", "as_printed"), [
    ("zhuhai_commerce_2026_dept_budget.pdf", 30, "revenue.total", "66307.98", "6 6 , 3 0 7 . 9 8万元"),
    ("shenzhen_medical_security_2026_dept_budget.pdf", 6, "revenue.total", "15480.26", "15,480.26 万元"),  # 部 门 预 算 收 入
    ("yantai_civil_affairs_2026_dept_budget.pdf", 30, "sangong.overseas_travel", "5", "5万元"),  # 其 中 ： 1. 因公出国
], ids=["digit-spaced", "letter-spaced-label", "letter-spaced-lead"])
def test_letter_spaced_text_is_read_through_its_spaces(name, page, key, printed, as_printed):
    from ingest.extract import extract

    doc = text_layer_document(name, page)
    assert " " in "".join(p.text for p in doc.paragraphs())
    stmts = [s for s in extract(doc).statements if s.source == "narrative" and s.statement_key == key
             and s.measure == "amount" and s.reference_year == 2026]
    assert stmts and stmts[0].amount_yuan == wan(printed)
    assert doc.pages[0].text[stmts[0].char_start:stmts[0].char_end] == as_printed  # provenance: the printed figure
