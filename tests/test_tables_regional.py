"""Budget tables in the regional layouts: one regression test per layout feature, each on the
real page of a real file in data/samples/regional/ (the figures are the printed ones)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from ingest.extract.sangong_tables import label_to_part, path_to_part
from ingest.extract.table_dims import label_to_dims
from ingest.extract.tables import extract_tables
from ingest.extract.tables_layout import is_numbering_row, load_rules, title_to_kind
from ingest.model import Extraction
from ingest.readers import read_file

REGIONAL = Path(__file__).parents[1] / "data" / "samples" / "regional"


@cache
def _tables(name: str, year: int) -> Extraction:
    doc = read_file(str(REGIONAL / name))
    ex = Extraction()
    ex.profile.fiscal_year, ex.profile.disclosure_kind = year, "budget"
    extract_tables(doc, ex)
    return ex


def _figures(name: str, year: int, key: str, *, ref: int | None = None, measure: str = "amount") -> set[Decimal]:
    ex = _tables(name, year)
    return {s.amount_yuan for s in ex.statements if s.statement_key == key and s.measure == measure
            and s.phase == "budget" and (s.reference_year or year) == (ref or year)}


def _one(name: str, year: int, key: str, **kw) -> Decimal:
    got = _figures(name, year, key, **kw)
    assert len(got) == 1, f"{name} {key}: {sorted(got)}"
    return got.pop()


def test_numbering_row_is_header_not_amounts():
    # huzhou_finance p28: '** | 1 | 2 | 3 | 4 | 5 | 6' under the 三公 header
    assert is_numbering_row(["**", "1", "2", "3", "4", "5", "6"])
    assert is_numbering_row(["栏次", "1", "2", "3"])
    assert not is_numbering_row(["合计", "9.30", "", "3.50"])
    assert not is_numbering_row(["2", "5"])  # an amount row may hold small numbers
    name = "huzhou_finance_2026_dept_budget.pdf"
    assert _one(name, 2026, "sangong.total") == Decimal("93000.00")  # 9.30 万元, not the 栏次 '1'
    assert _one(name, 2026, "sangong.reception") == Decimal("58000.00")


def test_blank_cell_is_no_figure_and_printed_zero_is_one():
    # huzhou_finance p28: 因公出国 and 购置费 cells are blank; hangzhou p34 the same for 因公出国
    assert _figures("huzhou_finance_2026_dept_budget.pdf", 2026, "sangong.overseas_travel") == set()
    # wuxi_petition p21: 0.00 printed under 因公出国
    assert _one("wuxi_petition_2025_dept_budget.pdf", 2025, "sangong.overseas_travel") == Decimal("0.00")


def test_table_split_over_pages_with_repeated_caption_is_one_table():
    # shenzhen_civil_affairs 收支总表 pp.16-18: caption and header repeated on each page
    name = "shenzhen_civil_affairs_2026_dept_budget.pdf"
    ex = _tables(name, 2026)
    grand = [s for s in ex.statements if s.statement_key == "revenue.grand_total"]
    year = [s for s in ex.statements if s.statement_key == "revenue.total"]
    assert {s.amount_yuan for s in grand} == {Decimal("282834600.00")} and grand[0].page == 18
    assert {s.amount_yuan for s in year} == {Decimal("280974800.00")} and year[0].page == 17
    assert grand[0].table_cell.split("#")[0] == year[0].table_cell.split("#")[0]  # one table


def test_letter_spaced_total_labels():
    # huzhou_veterans p18: '收 入 总 计 6256.31' / '支 出 总 计 6256.31' on the continuation page
    name = "huzhou_veterans_2026_dept_budget.pdf"
    total = _figures(name, 2026, "revenue.total") | _figures(name, 2026, "revenue.grand_total")
    assert Decimal("62563100.00") in total
    assert Decimal("62563100.00") in (_figures(name, 2026, "expenditure.total")
                                      | _figures(name, 2026, "expenditure.grand_total"))


def test_year_total_and_grand_total_are_told_apart():
    # zhuhai_commerce p7: 本年收入合计 46,403.97 + 上年结转结余 19,904.01 = 收入总计 66,307.98
    name = "zhuhai_commerce_2026_dept_budget.pdf"
    assert _one(name, 2026, "revenue.total") == Decimal("464039700.00")
    assert _one(name, 2026, "revenue.grand_total") == Decimal("663079800.00")
    assert _one(name, 2026, "expenditure.grand_total") == Decimal("663079800.00")


def test_total_printed_at_the_top_of_the_table():
    # chongqing_govoffice p9: '合计 19,230.18 | 合计 19,230.18' is the first row
    name = "chongqing_govoffice_2026_dept_budget.pdf"
    assert _one(name, 2026, "revenue.total") == Decimal("192301800.00")
    assert _one(name, 2026, "expenditure.total") == Decimal("192301800.00")


def test_fund_rows_under_a_carryover_heading_are_not_the_years_money():
    # hangzhou_justice p28 财政拨款收支总表: '二、上年结转结余 347.32 / 一般公共预算 347.32'
    name = "hangzhou_justice_2026_dept_budget.pdf"
    assert Decimal("3473200.00") not in _figures(name, 2026, "revenue.general_public_budget")
    assert _figures(name, 2026, "revenue.fiscal_appropriation") == {Decimal("914954800.00")}
    assert _one(name, 2026, "revenue.fiscal_appropriation_grand_total") == Decimal("918428000.00")


def test_fiscal_appropriation_is_the_years_income_without_carryover():
    # chongqing_govoffice p14: '一、本年收入 17,552.65', '二、上年结转 865.06', '收入合计 18,417.70'
    name = "chongqing_govoffice_2026_dept_budget.pdf"
    assert _figures(name, 2026, "revenue.fiscal_appropriation") == {Decimal("175526500.00")}


def test_fiscal_appropriation_from_fund_rows_is_derived():
    # zhuhai_commerce p11 (表4): fund rows and a 收入总计 that includes 上年结转
    ex = _tables("zhuhai_commerce_2026_dept_budget.pdf", 2026)
    fa = [s for s in ex.statements if s.statement_key == "revenue.fiscal_appropriation"]
    assert {s.amount_yuan for s in fa} == {Decimal("464023300.00")}


def test_several_expenditure_halves():
    # xian_audit p22: 收入 | 支出功能分类 | 部门经济分类 | 政府经济分类, each with 支出总计
    name = "xian_audit_2026_dept_budget_consolidated.pdf"
    assert _one(name, 2026, "expenditure.grand_total") == Decimal("42034723.58")
    assert _one(name, 2026, "revenue.grand_total") == Decimal("42034723.58")
    assert _one(name, 2026, "revenue.total") == Decimal("41052896.08")  # 上年实户资金余额 below it


def test_sangong_years_side_by_side_take_the_budget_years_block():
    # chongqing_govoffice p20: '2025年预算数 | 2026年预算数' blocks
    name = "chongqing_govoffice_2026_dept_budget.pdf"
    assert _one(name, 2026, "sangong.total") == Decimal("3944900.00")
    assert _one(name, 2026, "sangong.vehicle_total") == Decimal("2000000.00")
    assert _one(name, 2026, "sangong.total", ref=2025) == Decimal("3969700.00")  # kept as 2025's


def test_sangong_years_down_and_funds_across():
    # shenzhen_civil_affairs p33: rows 2025年 / 2026年 / 增减变化金额, three fund columns per part
    name = "shenzhen_civil_affairs_2026_dept_budget.pdf"
    assert _one(name, 2026, "sangong.total") == Decimal("660000.00")
    assert _one(name, 2026, "sangong.overseas_travel") == Decimal("468000.00")
    assert _one(name, 2026, "sangong.reception") == Decimal("150000.00")
    assert _one(name, 2026, "sangong.total", ref=2025) == Decimal("330000.00")
    assert _one(name, 2026, "sangong.total", measure="change") == Decimal("330000.00")


def test_sangong_blocks_previous_current_change_with_meeting_and_training():
    # xian_propaganda p41: 2020年 | 2021年 | 增减 blocks, each 合计 (三公+会议费+培训费) then 三公
    name = "xian_propaganda_2021_dept_budget.pdf"
    assert _one(name, 2021, "sangong.total") == Decimal("65100.00")  # not the block's 合计 1,171,100
    assert _one(name, 2021, "sangong.reception") == Decimal("65100.00")
    assert _one(name, 2021, "sangong.total", measure="change") == Decimal("-94900.00")


def test_sangong_parts_down_in_any_order():
    # quanzhou_govoffice p22: 合计 / 1、因公出国 / 2、公务接待费 / 3、公务用车购置及运行费 / 其中…
    name = "quanzhou_govoffice_2026_dept_budget.pdf"
    assert _one(name, 2026, "sangong.total") == Decimal("3127500.00")
    assert _one(name, 2026, "sangong.vehicle_purchase") == Decimal("2619000.00")
    assert _one(name, 2026, "sangong.vehicle_operation") == Decimal("320000.00")
    # guangzhou_govoffice p17: 行政经费 row (the 机关运行经费) above the 三公 rows, fund columns
    name = "guangzhou_govoffice_2026_dept_budget.pdf"
    assert _one(name, 2026, "operating_expenses.total") == Decimal("14434100.00")
    assert _one(name, 2026, "sangong.total") == Decimal("2268600.00")


def test_sangong_subtotal_means_the_part_above_it():
    # changsha_police p21: '三公经费预(决)算数(财政拨款)' over '小计' is the 三公 total
    assert path_to_part(["三公经费预(决)算数(财政拨款)", "小计"])[0] == "total"
    assert path_to_part(["公务用车购置及运行费", "小计"])[0] == "vehicle_total"
    assert path_to_part(["2026年预算数", "合计"]) == (None, True)
    assert label_to_part("其中：公务用车购置") == "vehicle_purchase"
    name = "changsha_police_2025_dept_budget.pdf"
    assert _one(name, 2025, "sangong.total") == Decimal("4585000.00")
    assert _one(name, 2025, "sangong.vehicle_total") == Decimal("4000000.00")


def test_table_unit_differs_from_the_documents():
    # shanghai_tcm_library: tables in 元, the 三公 table (p16) in 万元
    name = "shanghai_tcm_library_2026_unit_budget.pdf"
    assert _one(name, 2026, "sangong.total") == Decimal("34800.00")
    assert Decimal("84009800.00") in _figures(name, 2026, "revenue.total")


def test_caption_printed_on_the_unit_line():
    # hangzhou_justice p34: '表7：…“三公”经费预算表部门名称：杭州市司法局 单位：万元'
    name = "hangzhou_justice_2026_dept_budget.pdf"
    assert _one(name, 2026, "sangong.vehicle_purchase") == Decimal("1516800.00")


def test_operating_expenses_economic_table():
    # suzhou_water p25: 一般公共预算机关运行经费支出预算表, 合计 205.97
    assert _one("suzhou_water_2026_unit_budget.pdf", 2026, "operating_expenses.total") == Decimal("2059700.00")


def test_header_dimensions():
    assert label_to_dims("2025年预算数", 2026).reference_year == 2025
    assert label_to_dims("上年", 2026).reference_year == 2025
    assert label_to_dims("上年结转结余", 2026).reference_year is None
    assert label_to_dims("增减变化金额", 2026).measure == "change"
    assert label_to_dims("政府性基金预算", 2026).fund == "government_fund"
    assert label_to_dims("三公经费预(决)算数", 2026).phase is None


def test_table_kinds_by_caption_in_regional_wording():
    rules = load_rules()
    kinds = {t: (title_to_kind(t, rules).table_kind if title_to_kind(t, rules) else None) for t in (
        "收支总体情况表", "2026年度收支预算总表", "部门综合预算收支总表", "表1：2026年市级部门收支预算总表",
        "财政拨款收支总表", "2026年财政拨款收支总体情况表", "收入总体情况表", "本年支出总体情况表",
        "财政拨款安排的行政经费及“三公”经费预算表", "一般公共预算机关运行经费支出预算表",
        "2026年项目支出绩效目标表")}
    assert kinds == {
        "收支总体情况表": "summary", "2026年度收支预算总表": "summary", "部门综合预算收支总表": "summary",
        "表1：2026年市级部门收支预算总表": "summary", "财政拨款收支总表": "fiscal_summary",
        "2026年财政拨款收支总体情况表": "fiscal_summary", "收入总体情况表": "revenue_by_function",
        "本年支出总体情况表": "expenditure_by_function",
        "财政拨款安排的行政经费及“三公”经费预算表": "sangong",
        "一般公共预算机关运行经费支出预算表": "operating_economic", "2026年项目支出绩效目标表": "other"}


def test_split_codes_print_the_class_once_per_group():
    # yantai_civil_affairs p15: '205 | | | 教育支出', '| 08 | | 进修及培训', '| | 03 | 培训支出'
    from ingest.extract.tables_layout import parts_to_code
    assert parts_to_code(["", "08", ""], "205").code == "20508"
    assert parts_to_code(["", "", "03"], "20508").code == "2050803"
    assert parts_to_code(["", "", "03"], "20508").issue is None
    ex = _tables("yantai_civil_affairs_2026_dept_budget.pdf", 2026)
    codes = {ln.code for ln in ex.classification_lines if ln.table_kind == "gpb_function"}
    assert {"205", "20508", "2050803", "2080201", "2081001"} <= codes
    assert not [i for i in ex.issues if i.code == "table_code_misprinted"]


def test_second_classification_beside_the_first_is_not_a_split_code():
    # xian_audit p27: 部门经济科目编码 | 名称 | 政府经济科目编码 | 名称 | amounts
    ex = _tables("xian_audit_2026_dept_budget_consolidated.pdf", 2026)
    lines = [ln for ln in ex.classification_lines if ln.table_kind == "gpb_economic" and ln.code == "30101"]
    assert lines and lines[0].name == "基本工资"
    assert not [i for i in ex.issues if i.code == "table_code_misprinted"]


def test_numbering_row_of_an_empty_one_column_table_is_no_figure():
    # hangzhou_justice p36: '** | 1' then '合计 |' and the note '故本表无数据': empty, not 'with figures'
    ex = _tables("hangzhou_justice_2026_dept_budget.pdf", 2026)
    empty = [t for t in ex.printed_tables if t.page == 36 and t.note]
    assert empty and all(t.rows_with_figures == 0 for t in empty)


def test_rotated_page_reads_upright():
    # yantai_petition pp.7-24 are landscape tables on pages rotated 90° (/Rotate 90): read upright,
    # p7's 收入总体情况表 has its rows left to right ('行政运行 | 507.97'), not its text reversed.
    from ingest.extract.table_stitch import doc_to_printed_tables
    from ingest.readers.pdf import PageFrame

    assert PageFrame(595, 842, 90).box(100, 200, 110, 212) == (200, 100, 212, 110)
    assert PageFrame(595, 842, 0).box(100, 200, 110, 212) == (100, 630, 110, 642)
    doc = read_file(str(REGIONAL / "yantai_petition_2026_dept_budget.pdf"))
    income = next(t for t in doc_to_printed_tables(doc) if t.title == "收入总体情况表")
    assert (income.table.page, income.table.page_end) == (7, 8)
    assert any(r[3:5] == ["行政运行", "507.97"] for r in income.table.rows)
    ex = _tables("yantai_petition_2026_dept_budget.pdf", 2026)
    assert _one("yantai_petition_2026_dept_budget.pdf", 2026, "sangong.total") == Decimal("170000.00")
    assert [ln for ln in ex.classification_lines if ln.code == "2014001"]


def test_caption_wrapped_over_two_lines():
    # xian_propaganda p24: '…一般公共预算支出明细表(按支出功能分类科' + '目-不含上年结转)' above the table
    from ingest.extract.table_stitch import doc_to_printed_tables

    doc = read_file(str(REGIONAL / "xian_propaganda_2021_dept_budget.pdf"))
    titles = {t.table.page: t.title for t in doc_to_printed_tables(doc)}
    assert titles[24] == "2021年部门综合预算一般公共预算支出明细表(按支出功能分类科目-不含上年结转)"
    ex = _tables("xian_propaganda_2021_dept_budget.pdf", 2021)
    assert [ln for ln in ex.classification_lines if ln.table_kind == "gpb_function" and ln.code == "2013301"]


def test_basic_expenditure_by_economic_class_in_every_wording():
    # hangzhou_justice p32 '一般公共预算基本支出预算表' (names only, 人员经费 | 日常公用支出 columns)
    name = "hangzhou_justice_2026_dept_budget.pdf"
    assert _one(name, 2026, "expenditure.personnel") == Decimal("584863500.00")
    assert _one(name, 2026, "expenditure.public_operating") == Decimal("122379400.00")
    rules = load_rules()
    assert title_to_kind("基本支出预算情况表", rules).table_kind == "basic_economic"
    assert title_to_kind("部门综合预算一般公共预算基本支出明细表(按支出功能分类科目)", rules).table_kind == \
        "gpb_basic_function"
