"""The department's itemised goals (（二）分项绩效目标) → :class:`DepartmentGoal` records.

Two layouts are read, both by their labels (see :mod:`.performance_labels`):

- paragraphs: a numbered item line ('1、参谋协调运转') followed by labelled paragraphs
  ('职责描述：…', '年度绩效目标：…', '工作活动绩效指标：…'); an unlabelled paragraph continues
  the field above it;
- a table whose header row names the same fields (序号 / 名称 / 职责描述 / 年度绩效目标 / 绩效指标).

The numeric target is the one the 工作活动绩效指标 text states ('…合格率达到90%以上'); when it
states several, the last (the concluding rate) is kept and an info issue lists the others.
"""

from __future__ import annotations

import re

from ..model import DepartmentGoal, Document, Extraction, ParseIssue, Table
from .performance_labels import (
    GOAL_LABELS,
    GOAL_TABLE_COLUMNS,
    GOALS_HEADING_KEYS,
    NUMBERED_RE,
    cell_text,
    heading_key,
    is_heading,
    label_key,
)
from .targets import find_targets

_LABELLED_RE = re.compile(r"^\s*(?P<label>[^：:]{1,12})\s*[：:]\s*(?P<value>.*)$", re.DOTALL)
_MAX_NAME_LEN = 40


def extract_department_goals(doc: Document, ex: Extraction) -> None:
    """Append the department's 分项绩效目标 to ``ex.department_goals``."""
    goals: list[DepartmentGoal] = []
    in_section = False
    found_heading = False
    heading_page: int | None = None
    current: DepartmentGoal | None = None
    field: str | None = None
    for block in doc.blocks():
        if isinstance(block, Table):
            if in_section or _is_goal_table(block):
                goals.extend(_goals_from_table(block, start=len(goals) + 1))
                current, field = None, None
            continue
        text = block.text.strip()
        if not text:
            continue
        if is_heading(text):
            if heading_key(text) in GOALS_HEADING_KEYS:
                in_section, found_heading, heading_page = True, True, block.page
                current, field = None, None
            elif in_section:
                in_section = False
            continue
        if not in_section:
            continue
        item = NUMBERED_RE.match(text)
        if (item and int(item.group("seq")) == len(goals) + 1 and len(item.group("text")) <= _MAX_NAME_LEN
                and not _LABELLED_RE.match(item.group("text"))):
            current = DepartmentGoal(goal_seq=int(item.group("seq")), name=item.group("text"), duty=None,
                                     annual_goal=None, indicator_text=None, target_op=None,
                                     target_value=None, target_unit=None, page=block.page)
            goals.append(current)
            field = None
            continue
        if current is None:
            continue
        m = _LABELLED_RE.match(text)
        key = GOAL_LABELS.get(label_key(m.group("label"))) if m else None
        if key:
            field = key
            _append_field(current, field, m.group("value").strip())
        elif field:
            _append_field(current, field, text)
    for goal in goals:
        _set_target(goal, doc, ex)
    if found_heading and not goals:
        ex.issues.append(ParseIssue(
            severity="warning", code="department_goals_unparsed",
            message=f"{doc.source_path}: page {heading_page}: a 分项绩效目标 heading but no numbered goal "
                    f"items or goal table under it", page=heading_page, source_path=doc.source_path))
    ex.department_goals.extend(goals)


def _append_field(goal: DepartmentGoal, field: str, text: str) -> None:
    if not text:
        return
    old = getattr(goal, field)
    setattr(goal, field, f"{old}\n{text}" if old else text)


def _set_target(goal: DepartmentGoal, doc: Document, ex: Extraction) -> None:
    targets = find_targets(goal.indicator_text)
    if not targets:
        return
    t = targets[-1]
    goal.target_op, goal.target_value, goal.target_unit = t.op, t.value, t.unit
    if len(targets) > 1:
        others = "; ".join(f"{x.label or ''}{x.op}{x.value}{x.unit or ''}" for x in targets[:-1])
        ex.issues.append(ParseIssue(
            severity="info", code="goal_several_targets",
            message=f"{doc.source_path}: page {goal.page}: department goal {goal.goal_seq} "
                    f"({goal.name}) states several targets; kept the last "
                    f"({t.label or ''}{t.op}{t.value}{t.unit or ''}), also stated: {others}",
            page=goal.page, source_path=doc.source_path))


def _goal_columns(row: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, cell in enumerate(row):
        key = GOAL_TABLE_COLUMNS.get(label_key(cell))
        if key and key not in cols:
            cols[key] = j
    return cols


def _is_goal_table(table: Table) -> bool:
    return any({"duty", "annual_goal"} <= _goal_columns(r).keys() for r in table.rows[:3])


def _goals_from_table(table: Table, start: int) -> list[DepartmentGoal]:
    goals: list[DepartmentGoal] = []
    cols: dict[str, int] | None = None
    for i, row in enumerate(table.rows):
        found = _goal_columns(row)
        if {"duty", "annual_goal"} <= found.keys() or {"name", "indicator_text"} <= found.keys():
            cols = found
            continue
        if cols is None or not any(c.strip() for c in row):
            continue

        def cell(name: str, row: list[str] = row, cols: dict[str, int] = cols) -> str | None:
            return cell_text(row, cols, name)

        name = cell("name")
        if name is None:
            continue
        seq_text = cell("seq")
        seq = int(seq_text) if seq_text and seq_text.isdigit() else start + len(goals)
        goals.append(DepartmentGoal(goal_seq=seq, name=name, duty=cell("duty"), annual_goal=cell("annual_goal"),
                                    indicator_text=cell("indicator_text"), target_op=None, target_value=None,
                                    target_unit=None, page=table.row_page(i)))
    return goals

