"""Performance extraction (绩效预算信息) on the real Weixian 县委办 2021 budget, against its golden key.

Every golden department goal, project (with spending plan) and indicator is compared field by
field; line items are asserted to add up to the printed totals; and the same cells laid out as
real (Word/HTML-like) tables must read the same.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.extract.performance import extract_performance
from ingest.model import Document, Extraction, Page, Paragraph, Table
from ingest.readers import read_file

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "data" / "samples" / "weixian_xwb_2021_budget.txt"
GOLDEN = ROOT / "tests" / "golden" / "weixian_xwb_2021_budget.json"
WAN = Decimal(10_000)


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def doc() -> Document:
    return read_file(str(SAMPLE))


def run(doc: Document) -> Extraction:
    ex = Extraction()
    extract_performance(doc, ex)
    return ex


@pytest.fixture(scope="module")
def ex(doc: Document) -> Extraction:
    return run(doc)


def target_of(op, value, unit) -> dict | None:
    return None if op is None and value is None and unit is None else {"op": op, "value": value, "unit": unit}


def golden_target(g: dict | None) -> dict | None:
    return None if g is None else {"op": g["op"], "value": Decimal(g["value"]), "unit": g["unit"]}


def wan_to_yuan(text: str | None) -> Decimal | None:
    return None if text is None else (Decimal(text) * WAN).quantize(Decimal("0.01"))


# -- department goals ----------------------------------------------------------------------------

def test_department_goals_match_golden(ex, golden):
    got = ex.department_goals
    assert [g.goal_seq for g in got] == [g["seq"] for g in golden["department_goals"]]
    for goal, exp in zip(got, golden["department_goals"]):
        assert goal.name == exp["name"]
        assert target_of(goal.target_op, goal.target_value, goal.target_unit) == golden_target(exp["target"]), goal
        # every goal has its three labelled texts, and the target is stated in the indicator text
        assert goal.duty and goal.annual_goal and goal.indicator_text
        assert f"{exp['target']['value']}{exp['target']['unit']}" in goal.indicator_text


def test_department_goal_with_two_targets_keeps_the_concluding_rate_and_says_so(ex):
    # goal 7 states '不少于2次' before its concluding '办结率达到90%以上'
    seven = next(g for g in ex.department_goals if g.goal_seq == 7)
    assert "不少于2次" in seven.indicator_text
    notes = [i for i in ex.issues if i.code == "goal_several_targets"]
    assert len(notes) == 1 and notes[0].severity == "info" and "查检查" in notes[0].message


# -- projects ------------------------------------------------------------------------------------

def test_projects_match_golden(ex, golden):
    assert [p.project_seq for p in ex.projects] == [p["seq"] for p in golden["projects"]]
    for project, exp in zip(ex.projects, golden["projects"]):
        assert project.is_withheld is exp["is_withheld"]
        assert project.project_code == exp["project_code"]
        assert project.project_name == exp["project_name"]
        assert project.budget_yuan == wan_to_yuan(exp["budget_wan"])
        assert project.fiscal_funds_yuan == wan_to_yuan(exp.get("fiscal_funds_wan"))
        assert project.other_funds_yuan == wan_to_yuan(exp.get("other_funds_wan"))


def test_withheld_project_has_only_its_number(ex, golden):
    withheld = [p for p in ex.projects if p.is_withheld]
    assert [p.project_seq for p in withheld] == [p["seq"] for p in golden["projects"] if p["is_withheld"]]
    for p in withheld:
        assert (p.project_code, p.project_name, p.budget_yuan, p.fiscal_funds_yuan, p.other_funds_yuan,
                p.purpose, p.goals) == (None,) * 7
    assert not [s for s in ex.spending_plan if s.project_seq in {p.project_seq for p in withheld}]
    assert not [i for i in ex.indicators if i.project_seq in {p.project_seq for p in withheld}]


def test_spending_plans_match_golden(ex, golden):
    for exp in golden["projects"]:
        plan = [s for s in ex.spending_plan if s.project_seq == exp["seq"]]
        expected = exp.get("spending_plan_cumulative_pct") or {}
        assert [s.checkpoint_seq for s in plan] == list(range(1, len(expected) + 1))
        for s, (date, pct) in zip(plan, expected.items()):
            assert s.checkpoint == f"{int(date[:2])}月底"  # kept as printed
            assert s.cumulative_pct == Decimal(pct)
            assert s.printed_value.endswith("%")


def test_spending_plans_are_cumulative_and_end_at_100(ex):
    for project in ex.projects:
        pcts = [s.cumulative_pct for s in ex.spending_plan if s.project_seq == project.project_seq]
        if project.is_withheld:
            continue
        assert pcts == sorted(pcts) and pcts[-1] == Decimal(100), project.project_seq


def test_project_tables_carry_their_text_and_unit(ex, golden):
    unit_label = golden["document"]["unit_code"] + golden["document"]["unit_name"]
    for p in ex.projects:
        if p.is_withheld:
            continue
        assert p.unit_label == unit_label
        assert p.printed_unit == golden["document"]["currency_unit_in_text"]
        assert p.purpose and p.goals and p.page == 1
    first = ex.projects[0]
    assert first.purpose.startswith("维护升级县委值班室") and first.goals.startswith("1.对全县视频监控")
    assert first.goals.count("\n") == 2  # three numbered goals, one per line


def test_every_disclosed_project_fiscal_plus_other_equals_budget(ex):
    for p in ex.projects:
        if not p.is_withheld:
            assert p.fiscal_funds_yuan + p.other_funds_yuan == p.budget_yuan, p.project_seq


def test_disclosed_budgets_plus_withheld_residual_reconcile_with_stated_project_expenditure(ex, golden):
    stated = wan_to_yuan(golden["statements_wan"]["expenditure.project"])
    disclosed = sum(p.budget_yuan for p in ex.projects if not p.is_withheld)
    note = next(p["note"] for p in golden["projects"] if p["is_withheld"])
    total_wan, disclosed_wan, residual_wan = re.search(
        r"([\d.]+)\s*-\s*([\d.]+)\s*=\s*([\d.]+)", note).groups()
    assert wan_to_yuan(total_wan) == stated
    assert disclosed == wan_to_yuan(disclosed_wan)
    assert stated - disclosed == wan_to_yuan(residual_wan)
    assert disclosed + wan_to_yuan(residual_wan) == stated


# -- indicators ----------------------------------------------------------------------------------

def test_indicators_match_golden_in_order(ex, golden):
    assert len(ex.indicators) == len(golden["indicators"]) == 108
    for ind, exp in zip(ex.indicators, golden["indicators"]):
        got = {"project_code": ind.project_code, "level1": ind.level1, "level2": ind.level2,
               "level3": ind.level3, "description": ind.description, "target_raw": ind.target_raw,
               "basis": ind.basis, "target": target_of(ind.target_op, ind.target_value, ind.target_unit)}
        want = {k: exp[k] for k in got} | {"target": golden_target(exp["target"])}
        assert got == want


def test_indicator_rows_are_numbered_within_their_project(ex):
    seq_of_code = {p.project_code: p.project_seq for p in ex.projects if not p.is_withheld}
    by_project: dict[int, list[int]] = {}
    for ind in ex.indicators:
        assert ind.project_seq == seq_of_code[ind.project_code]
        by_project.setdefault(ind.project_seq, []).append(ind.row_seq)
    assert set(by_project) == set(seq_of_code.values())
    for rows in by_project.values():
        assert rows == list(range(1, len(rows) + 1))


def test_no_warnings_or_errors_on_the_sample(ex):
    assert [i for i in ex.issues if i.severity != "info"] == []


# -- the same cells as real tables (Word / HTML rendering) ---------------------------------------

def as_real_tables(doc: Document, *, ragged: bool) -> Document:
    """Re-lay the text document's tables as a Word/HTML reader would give them: the caption and
    the unit line as paragraphs, no Table.title, the header part and the indicator part as two
    tables, merged cells repeated (python-docx) or dropped (ragged HTML rows)."""
    blocks: list = []
    index = 0
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            blocks.append(copy.deepcopy(block))
            continue
        if block.title and not (blocks and getattr(blocks[-1], "text", None) == block.title):
            blocks.append(Paragraph(text=block.title, page=block.page))
        unit_row, rows = block.rows[0], copy.deepcopy(block.rows[1:])
        blocks.extend(Paragraph(text=cell, page=block.page) for cell in unit_row)
        split = next(i for i, r in enumerate(rows) if r and r[0] == "一级指标")
        for part in (rows[:split], rows[split:]):
            out: list[list[str]] = []
            for r in part:
                if r and r[0] == "" and out:
                    r = r[1:] if ragged else [out[-1][0]] + r[1:]
                out.append(r)
            blocks.append(Table(rows=out, page=block.page, index=index))
            index += 1
    new = Document(document_id=doc.document_id, source_path=doc.source_path + "#as-tables",
                   source_format="docx", byte_size=doc.byte_size, pages=[Page(number=1, blocks=blocks)])
    new.layout()
    return new


@pytest.mark.parametrize("ragged", [False, True], ids=["merged-cells-repeated", "merged-cells-dropped"])
def test_same_cells_as_real_tables_read_the_same(doc, ex, ragged):
    again = run(as_real_tables(doc, ragged=ragged))
    key = lambda p: (p.project_seq, p.project_code, p.project_name, p.budget_yuan, p.fiscal_funds_yuan,
                     p.other_funds_yuan, p.is_withheld, p.purpose, p.goals, p.printed_unit, p.unit_label)
    assert [key(p) for p in again.projects] == [key(p) for p in ex.projects]
    assert again.spending_plan == ex.spending_plan
    assert again.indicators == ex.indicators
    assert again.department_goals == ex.department_goals


# -- what cannot be read is reported, never skipped ----------------------------------------------

def edited(doc: Document, edit) -> Document:
    new = copy.deepcopy(doc)
    edit(list(new.tables()))
    return new


def test_missing_project_code_is_an_issue_naming_the_table(doc):
    def blank_code(tables):
        tables[0].rows[1][1] = ""

    ex = run(edited(doc, blank_code))
    assert ex.projects[0].project_code is None and ex.projects[0].budget_yuan == Decimal("370000.00")
    issue = next(i for i in ex.issues if i.code == "project_code_missing")
    assert issue.severity == "warning" and issue.page == 1
    assert "project table 1" in issue.message and "值班系统保障服务费绩效目标表" in issue.message


def test_unparseable_amount_is_an_issue_not_a_zero(doc):
    def bad_amount(tables):
        tables[1].rows[2][2] = "二百四十九"

    ex = run(edited(doc, bad_amount))
    assert ex.projects[1].budget_yuan is None
    issue = next(i for i in ex.issues if i.code == "project_amount_unparseable")
    assert "project table 2" in issue.message and "预算数" in issue.message and issue.page == 1


def test_a_missing_project_table_shows_as_a_numbering_gap(doc):
    new = copy.deepcopy(doc)
    page = new.pages[0]
    dropped = next(b for b in page.blocks if isinstance(b, Table) and b.title and b.title.startswith("5."))
    page.blocks.remove(dropped)
    ex = run(new)
    assert 5 not in [p.project_seq for p in ex.projects]
    assert any(i.code == "project_seq_gap" and "4 then 6" in i.message for i in ex.issues)


# -- the other layout family: Shanghai 财政项目支出绩效目标填报表 (PDF) ---------------------------

PDF_GOLDEN = ROOT / "tests" / "golden" / "pdf_key_figures.json"
WANLI_2023 = ROOT / "data" / "samples" / "sh_putuo_wanli_2023_dept_budget.pdf"


@pytest.fixture(scope="module")
def wanli_2023():
    pytest.importorskip("ingest.readers.pdf")
    key = json.loads(PDF_GOLDEN.read_text(encoding="utf-8"))
    golden_doc = next(d for d in key["documents"] if d["file"] == WANLI_2023.name)
    return run(read_file(str(WANLI_2023))), golden_doc


def test_shanghai_forms_read_by_the_same_labels(wanli_2023):
    ex, golden_doc = wanli_2023
    finding = next(f for f in golden_doc["inconsistencies"] if f["id"] == "performance_funds")
    count, tables_total_wan = re.search(r"the (\w+) 绩效目标填报表 total ([\d.]+)万元", finding["description"]).groups()
    assert count == "five" and len(ex.projects) == 5
    total_wan = sum(p.budget_yuan for p in ex.projects) / WAN
    assert total_wan.quantize(Decimal("0.01")) == Decimal(tables_total_wan)  # the key rounds to 0.01万元
    for p in ex.projects:
        assert p.project_name and p.goals and p.printed_unit == golden_doc["table_unit"]
        assert p.fiscal_funds_yuan + p.other_funds_yuan == p.budget_yuan  # the project group, not the year's
        assert [i.row_seq for i in ex.indicators if i.project_seq == p.project_seq][:1] == [1]
    # no 项目编码 in this layout: reported, not invented
    assert {i.project_seq for i in ex.indicators} == {p.project_seq for p in ex.projects}
    assert sum(i.code == "project_code_missing" for i in ex.issues) == 5
    first = next(i for i in ex.indicators if i.project_seq == 1)
    assert (first.level1, first.target_op, first.target_unit) == ("产出指标", ">=", "平方米")
