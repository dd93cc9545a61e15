"""Tables the reader used to miss: rulings drawn inside Form XObjects or as one path of many
subpaths, and tables read from text positions alone (``pdf_stream``).

The regional corpus has no table printed without any ruling, so the text-position reading is
checked on real pages with their rulings ignored (``PdfSettings(read_rulings=False)``): it must
give the cells the ruled reading gives, and nothing on narrative pages.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.extract.tables import extract_tables
from ingest.extract.tables_layout import header_to_paths, rows_to_header_count
from ingest.model import Document, Extraction, Table
from ingest.normalize import normalize_document
from ingest.readers.pdf import PdfSettings, pdf_to_document
from ingest.readers.pdf_layout import Char, Line
from ingest.readers.pdf_stream import DEFAULT_STREAM_SETTINGS, StreamSettings
from ingest.readers.pdf_stream_runs import line_to_runs

ROOT = Path(__file__).parents[1]
SAMPLES = ROOT / "data" / "samples"
REGIONAL = SAMPLES / "regional"
SHENZHEN_MEDICAL = REGIONAL / "shenzhen_medical_security_2026_dept_budget.pdf"
WELFARE_LOTTERY = REGIONAL / "shanghai_welfare_lottery_2026_unit_budget.pdf"
HUZHOU_VETERANS = REGIONAL / "huzhou_veterans_2026_dept_budget.pdf"
BEIJING_CIVIL = REGIONAL / "beijing_civil_affairs_2026_dept_budget.pdf"
PUTUO_FINANCE_FINAL = SAMPLES / "sh_putuo_finance_2024_dept_final.pdf"
PUTUO_FINANCE_BUDGET = SAMPLES / "sh_putuo_finance_2025_dept_budget.pdf"

RULED = PdfSettings()
TEXT_ONLY = PdfSettings(read_rulings=False)
_cache: dict[tuple[str, bool], Document] = {}


def _read(path: Path, settings: PdfSettings = RULED) -> Document:
    key = (path.name, settings.read_rulings)
    if key not in _cache:
        doc = pdf_to_document(path.read_bytes(), str(path), settings)
        doc.document_id = path.name
        normalize_document(doc)
        _cache[key] = doc
    return _cache[key]


def _tables_on(doc: Document, page: int) -> list[Table]:
    return [t for t in doc.tables() if t.page <= page <= (t.page_end or t.page)]


def _row(table: Table, first_cell: str) -> list[str]:
    return next(r for r in table.rows if r and r[0] == first_cell)


BOTH = pytest.mark.parametrize("settings", [RULED, TEXT_ONLY], ids=["rulings", "text_positions"])


# --- 收支总表 in two halves, continued on the next page with the caption repeated -------------------


@BOTH
def test_shenzhen_summary_table_in_two_halves_reads_its_totals(settings):
    doc = _read(SHENZHEN_MEDICAL, settings)
    first, second = _tables_on(doc, 16)[0], _tables_on(doc, 17)[0]
    assert first.title == second.title == "收支总表"
    # letter-spaced '收 入 | 支 出' spans the two halves' columns; every row has the same width
    assert first.rows[0] == ["收 入", "", "支 出", ""]
    assert first.rows[1] == ["项 目", "2026年预算数", "项 目", "2026年预算数"]
    assert first.rows[2] == ["一、财政拨款", "13,607.02", "一、社会保障和就业支出", "1,101.93"]
    assert first.rows[-1] == ["", "", "行政运行", "7,517.14"]
    assert _row(second, "收入总计") == ["收入总计", "15,480.26", "支出总计", "15,480.26"]
    assert _row(second, "本年收入合计") == ["本年收入合计", "15,332.65", "本年支出合计", "15,480.26"]
    assert {len(r) for t in (first, second) for r in t.rows} == {4}


# --- 三公 table: a three-level header with labels wrapped over two lines -------------------------

SANGONG_2026 = ["66.04", "0.00", "0.00", "34.40", "0.00", "0.00", "1.44", "0.00", "0.00",
                "30.20", "0.00", "0.00", "0.00", "0.00", "0.00", "30.20", "0.00", "0.00"]
SOURCES = ["一般公共预算", "政府性基金预算", "国有资本经营预算"]
SANGONG_PATHS = [[group, *sub, src]
                 for group, sub in (("总计", []), ("因公出国(境)费", []), ("公务接待费", []),
                                    ("公务用车购置及运行维护费", ["小计"]),
                                    ("公务用车购置及运行维护费", ["公务用车购置费"]),
                                    ("公务用车购置及运行维护费", ["公务用车运行维护费"]))
                 for src in SOURCES]


@BOTH
def test_shenzhen_sangong_2026_figures_stand_under_their_header_columns(settings):
    doc = _read(SHENZHEN_MEDICAL, settings)
    table = _tables_on(doc, 32)[0]
    assert "三公" in table.title
    n_header = rows_to_header_count(table.rows)
    paths = header_to_paths(table.rows[:n_header], len(table.rows[0]))
    assert paths[:2] == [["预算单位"], ["年度"]]
    assert paths[2:] == SANGONG_PATHS  # '一般公共预' / '算' joined into one label
    row = next(r for r in table.rows if r[1] == "2026年")
    assert row[2:] == SANGONG_2026
    assert [r[1] for r in table.rows[n_header:]] == ["2025年", "2026年", "增减变化金额"]


# --- 收支总表 drawn as one path of many subpaths ---------------------------------------------------


@BOTH
def test_welfare_lottery_summary_table_gives_its_totals_to_the_extractor(settings):
    doc = _read(WELFARE_LOTTERY, settings)
    table = _tables_on(doc, 7)[0]
    assert table.title == "2026年预算单位财务收支预算总表"
    assert _row(table, "收入总计") == ["收入总计", "216,801,570", "支出总计", "216,801,570", "17,499,901",
                                   "3,362,962", "195,938,707"]
    # a label centred across two header rows ('合计') stays beside '基本支出', not under it
    assert table.rows[2][3:] == ["合计", "基本支出", "", "项目支出"]
    assert table.rows[3][3:] == ["", "人员经费", "公用经费", ""]
    ex = Extraction()
    ex.profile.fiscal_year, ex.profile.disclosure_kind = 2026, "budget"
    extract_tables(doc, ex)
    found = {(s.statement_key, s.page): s.amount_yuan for s in ex.statements}
    assert found[("revenue.total", 7)] == Decimal(216801570)
    assert found[("expenditure.total", 7)] == Decimal(216801570)


# --- text positions only: the shapes ruled tables have ---------------------------------------------


def test_text_positions_read_a_one_row_sangong_table_with_blank_cells_like_its_rulings():
    ruled = _tables_on(_read(PUTUO_FINANCE_BUDGET), 21)[0]
    text = _tables_on(_read(PUTUO_FINANCE_BUDGET, TEXT_ONLY), 21)[0]
    assert text.title == ruled.title
    assert text.rows == ruled.rows
    assert text.rows[-1] == ["0.95", "", "0.95", "", "", "", "229.43"]


def test_text_positions_join_the_end_of_a_table_on_the_next_page_without_header():
    doc = _read(PUTUO_FINANCE_FINAL, TEXT_ONLY)
    table = _tables_on(doc, 6)[0]
    assert (table.page, table.page_end) == (6, 7)
    assert table.rows[-2:] == [["年初结转和结余", "49.14", "年末结转和结余", "55.34"],
                               ["总计", "2,995.39", "总计", "2,995.39"]]
    assert table.row_pages[-1] == 7


def test_text_positions_take_columns_without_figures_from_the_column_numbers_line():
    table = _tables_on(_read(HUZHOU_VETERANS, TEXT_ONLY), 20)[0]
    ruled = _tables_on(_read(HUZHOU_VETERANS), 20)[0]
    numbers = next(r for r in table.rows if r[0] == "**")
    assert numbers == ruled.rows[2] == ["**", "**", "1", "2", "3", "4", "5", "6", "7"]
    assert _row(table, "2080501") == _row(ruled, "2080501")


def test_text_positions_find_no_table_in_a_narrative_only_document():
    doc = _read(BEIJING_CIVIL, TEXT_ONLY)
    assert doc.page_count > 5
    assert list(doc.tables()) == []


def test_text_positions_find_no_table_on_a_narrative_page_with_amounts():
    doc = _read(SHENZHEN_MEDICAL, TEXT_ONLY)
    page = doc.pages[6]
    assert "8,299.42万元" in page.text
    assert not [b for b in page.blocks if isinstance(b, Table)]


def test_ruled_reading_finds_the_tables_drawn_in_form_xobjects():
    titles = [t.title for t in _read(SHENZHEN_MEDICAL).tables()]
    assert len(titles) == 20
    assert titles.count("收支总表") == 2


# --- runs ----------------------------------------------------------------------------------------


def _line(spec: list[tuple[str, float]], size: float = 10.0) -> Line:
    chars = []
    for text, x in spec:
        for k, ch in enumerate(text):
            w = size if ord(ch) > 0x2E80 else size / 2
            chars.append(Char(ch, x + k * w, 0.0, x + (k + 1) * w, size))
    return Line(chars=chars, text="")


def test_an_amount_set_against_the_next_columns_label_is_cut_but_a_year_is_not():
    line = _line([("18,417.70", 0.0), ("一、教育支出", 47.0), ("2026", 120.0), ("年", 142.0)])
    runs = line_to_runs(line, DEFAULT_STREAM_SETTINGS, 0.3, 1.5)
    assert [r.text for r in runs] == ["18,417.70", "一、教育支出", "2026年"]
    assert [r.numeric for r in runs] == [True, False, False]


def test_stream_settings_are_validated():
    with pytest.raises(ValueError):
        StreamSettings(min_rows=0)
    with pytest.raises(ValueError):
        StreamSettings(join_ratio=-1)
