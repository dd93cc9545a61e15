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
def test_lines_name_their_table_column_group_and_column(name, extracted):
    """What a sum check needs (quality_tables): each line's printed table, column group and column;
    every table read is a printed_tables record."""
    _, ex = extracted[name]
    tables = {t.table_seq: t for t in ex.printed_tables}
    assert len(tables) == len(ex.printed_tables) and tables
    assert all(ln.table_seq in tables and ln.column_group is not None and ln.column_index is not None
               for ln in ex.classification_lines)
    assert all(tables[ln.table_seq].table_kind == ln.table_kind for ln in ex.classification_lines)
    totals = {(ln.table_seq, ln.column_group, ln.column_index) for ln in ex.classification_lines
              if ln.scheme == "function" and ln.is_total and ln.amount_yuan is not None}
    assert len(totals) >= 4
    # the reader does not check: no sum or empty-table verdicts among its issues
    assert not {i.code for i in ex.issues} & {"table_sum_mismatch", "empty_note_with_figures", "empty_table_with_note"}


def test_sangong_table_with_figures_and_empty_note_is_recorded_and_kept(extracted):
    _, ex = extracted["sh_putuo_wanli_2024_dept_budget.pdf"]
    noted = [t for t in ex.printed_tables if t.note and t.rows_with_figures > 0]
    assert [(t.table_kind, t.page) for t in noted] == [("sangong", 31)]
    assert "空表" in noted[0].note
    total = next(s for s in ex.statements if s.statement_key == "sangong.total")
    assert (total.amount_yuan, total.printed_value, total.printed_unit, total.page) == (
        Decimal("479100.00"), "47.91", "万元", 31)
    assert re.fullmatch(r"t\d+#r\d+,c\d+", total.table_cell)
    assert total.table_cell.startswith(f"t{noted[0].table_seq}#")


def test_empty_fund_tables_are_recorded_as_empty_with_note(extracted):
    _, ex = extracted["sh_putuo_wanli_2024_dept_budget.pdf"]
    empty = [t for t in ex.printed_tables if t.note and t.rows_with_figures == 0]
    assert {t.page for t in empty} == {27, 28}
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
