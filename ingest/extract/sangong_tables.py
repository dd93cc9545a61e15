"""三公经费 tables in any layout: parts across or down, in any order, years and funds side by side.

The layouts seen (and read by the same steps):

- parts across, one row of figures ('合计 | 因公出国(境)费 | 公务接待费 | 公务用车购置及运行费 (小计 |
  购置费 | 运行费)'), possibly with the 机关运行经费, 会议费 and 培训费 beside them;
- parts across, one row per unit under a '合计' row (the 合计 row is the department's);
- parts across, one row per year ('2025年' / '2026年' / '增减变化金额') and one column per fund
  (一般公共预算 / 政府性基金预算 / 国有资本经营预算) under each part;
- parts across in blocks per year side by side ('2025年预算数 | 2026年预算数', '上年 | 当年 | 增减');
- parts down ('合计', '1、因公出国(境)费用', '其中：(1)公务用车购置费' …) with one column per
  fund or phase.

A column's (or row's) part comes from its label or, for '合计' / '小计', from the label above it
(``rules/sangong_parts.csv``); its year, measure, phase and fund from ``table_dims``. A blank cell
is no figure (the narrative may state it); a printed 0 is a figure. Where the funds are printed
apart and more than one holds money, the figure is their sum, marked derived.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..amounts import parse_table_number, to_yuan
from ..errors import AmountError
from ..model import Statement
from .table_dims import FUNDS, Dims, label_to_dims, labels_to_dims
from .tables_layout import clean_header

RULES_DIR = Path(__file__).parent / "rules"
PART_KEYS = {
    "total": "sangong.total",
    "overseas_travel": "sangong.overseas_travel",
    "vehicle_total": "sangong.vehicle_total",
    "vehicle_purchase": "sangong.vehicle_purchase",
    "vehicle_operation": "sangong.vehicle_operation",
    "reception": "sangong.reception",
    "operating_expenses": "operating_expenses.total",
}
OTHER_PARTS = ("meeting", "training")
_SUBTOTAL = re.compile(r"^(?:其中[:：]?)?(?:小计|合计|总计|计)$")
_TOTAL_ROW = re.compile(r"(?:合计|总计)$")
_DIM_ONLY = re.compile(r"^(?:20\d{2}年(?:度)?)?(?:预算数?|决算数?|预\(决\)算数?|执行数|金额|本年|当年|上年|"
                       r"上年预算数|本年预算数|当年预算数|财政拨款)?$")


@lru_cache(maxsize=1)
def _part_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    with open(RULES_DIR / "sangong_parts.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["pattern"].startswith("#")]
    return tuple((re.compile(r["pattern"]), r["part"]) for r in rows)


def label_to_part(label: str) -> str | None:
    """The part a label names ('公务用车购置费' → 'vehicle_purchase'), or None."""
    text = clean_header(label)
    for pattern, part in _part_rules():
        if pattern.search(text):
            return part
    return None


def path_to_part(path: list[str]) -> tuple[str | None, bool]:
    """(part, is_total_candidate) of a column from its header labels, leaf first.

    A '合计' / '小计' leaf means the part of the nearest label above it that names one; with none
    above, the column is a candidate for the table's total (``is_total_candidate``).
    """
    subtotal = False
    for label in reversed(path):
        t = clean_header(label)
        part = label_to_part(t)
        if part:
            return part, False
        if _SUBTOTAL.match(t):
            subtotal = True
        elif not _DIM_ONLY.match(t) and label_to_dims(t, None) == Dims():
            return None, False  # a label column (单位名称, 项目 …)
    return None, subtotal


@dataclass
class _Candidate:
    part: str
    dims: Dims
    row: int
    col: int
    text: str
    value: Decimal
    label: str


def _number(text: str) -> Decimal | None:
    try:
        return parse_table_number(text)
    except AmountError:
        return None


def _row_label(row: list[str], label_cols: list[int]) -> str:
    return " ".join(row[j].strip() for j in label_cols if j < len(row) and row[j].strip())


def _across(rows: list[list[str]], first: int, paths: list[list[str]], fiscal_year: int | None
            ) -> list[_Candidate]:
    """Parts in the columns: one figure per part column from the department's row of each year."""
    col_parts: dict[int, str] = {}
    total_candidates: list[int] = []
    for j, path in enumerate(paths):
        part, candidate = path_to_part(path)
        if part:
            col_parts[j] = part
        elif candidate:
            total_candidates.append(j)
    mixed = any(p in OTHER_PARTS or p == "operating_expenses" for p in col_parts.values())
    named_total = any(p == "total" for p in col_parts.values())
    if not mixed and not named_total:
        for j in total_candidates:
            col_parts[j] = "total"
    label_cols = [j for j in range(len(paths)) if j not in col_parts and j not in total_candidates]
    col_dims = {j: labels_to_dims(paths[j], fiscal_year) for j in col_parts}
    groups: dict[tuple, list[tuple[int, str, bool]]] = defaultdict(list)
    for i in range(first, len(rows)):
        row = rows[i]
        if not any(_number(row[j]) is not None for j in col_parts if j < len(row)):
            continue
        label = _row_label(row, label_cols)
        rd = label_to_dims(label, fiscal_year)
        is_total = not label or bool(_TOTAL_ROW.search(re.sub(r"\s+", "", label)))
        groups[(rd.reference_year, rd.measure)].append((i, label, is_total))
    out: list[_Candidate] = []
    for (year, measure), members in groups.items():
        # the department's row: its 合计 row, else the first (a single unit, or the unit itself)
        i, label, _ = next((m for m in members if m[2]), members[0])
        row_dims = Dims(year, measure)
        for j, part in col_parts.items():
            if part in OTHER_PARTS or j >= len(rows[i]):
                continue
            value = _number(rows[i][j])
            if value is None:
                continue
            out.append(_Candidate(part, col_dims[j].over(row_dims), i, j, rows[i][j].strip(), value,
                                  "/".join(paths[j]) + (f" [{label}]" if label else "")))
    return out


def _down(rows: list[list[str]], first: int, paths: list[list[str]], fiscal_year: int | None
          ) -> list[_Candidate]:
    """Parts in the rows ('1、因公出国(境)费用 | 0.00'): each part row's figure per column."""
    amount_cols = sorted({j for i in range(first, len(rows)) for j, c in enumerate(rows[i])
                          if _number(c) is not None})
    label_cols = [j for j in range(len(paths)) if j not in amount_cols]
    parts_seen: set[str] = set()
    row_parts: list[tuple[int, str, str]] = []
    for i in range(first, len(rows)):
        label = _row_label(rows[i], label_cols)
        t = re.sub(r"\s+", "", label)
        part = label_to_part(t)
        if part is None and _TOTAL_ROW.search(t):
            part = "total"
        if part and part not in OTHER_PARTS:
            row_parts.append((i, part, label))
            parts_seen.add(part)
    if len(parts_seen) < 2:
        return []
    out: list[_Candidate] = []
    for i, part, label in row_parts:
        for j in amount_cols:
            if j >= len(rows[i]):
                continue
            value = _number(rows[i][j])
            if value is None:
                continue
            dims = labels_to_dims(paths[j], fiscal_year) if j < len(paths) else Dims()
            out.append(_Candidate(part, dims, i, j, rows[i][j].strip(), value,
                                  label + (f" [{'/'.join(paths[j])}]" if j < len(paths) and paths[j] else "")))
    return out


def is_across(paths: list[list[str]]) -> bool:
    parts = {path_to_part(p)[0] for p in paths} - {None}
    return len(parts - set(OTHER_PARTS)) >= 2


def table_to_candidates(rows: list[list[str]], first: int, paths: list[list[str]],
                        fiscal_year: int | None) -> list[_Candidate]:
    if is_across(paths):
        return _across(rows, first, paths, fiscal_year)
    return _down(rows, first, paths, fiscal_year)


def _fund_choice(members: list[_Candidate]) -> tuple[_Candidate, Decimal, bool]:
    """One figure from the candidates of one part and year: an all-funds column if printed,
    else the one fund holding money (or the 一般公共预算 one when none does), else their sum."""
    whole = [c for c in members if c.dims.fund is None]
    if whole:
        return whole[0], whole[0].value, False
    by_fund = sorted(members, key=lambda c: FUNDS.index(c.dims.fund) if c.dims.fund in FUNDS else 9)
    nonzero = [c for c in by_fund if c.value != 0]
    if len(nonzero) <= 1:
        pick = nonzero[0] if nonzero else by_fund[0]
        return pick, pick.value, False
    return nonzero[0], sum((c.value for c in nonzero), Decimal(0)), True


def candidates_to_statements(candidates: list[_Candidate], *, fiscal_year: int | None, default_phase: str,
                             unit: str, page_of, cell_ref, table_kind: str = "sangong") -> list[Statement]:
    """One statement per part, year, measure and phase (funds combined, see ``_fund_choice``)."""
    grouped: dict[tuple, list[_Candidate]] = defaultdict(list)
    for c in candidates:
        measure = c.dims.measure or "amount"
        year = c.dims.reference_year
        if measure != "amount" and fiscal_year is not None and (year is None or year < fiscal_year):
            year = fiscal_year
        grouped[(c.part, year or fiscal_year, measure, c.dims.phase or default_phase)].append(c)
    out: list[Statement] = []
    for (part, year, measure, phase), members in grouped.items():
        pick, value, derived = _fund_choice(members)
        printed = pick.text if not derived else " + ".join(c.text for c in members if c.value != 0)
        out.append(Statement(
            statement_key=PART_KEYS[part], amount_yuan=to_yuan(value, unit), printed_value=printed,
            printed_unit=unit, reference_year=year, phase=phase, measure=measure, source="table",
            page=page_of(pick.row), label=pick.label, table_cell=cell_ref(pick.row, pick.col),
            base_year=(year - 1) if measure != "amount" and year else None, is_derived=derived,
            table_kind=table_kind))
    return out
