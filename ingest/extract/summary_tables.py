"""The 收支总表 and the 财政拨款收支总表: labelled rows in two halves (收入 | 支出).

Row labels become statement keys by ``rules/tables_rows.csv``. Two things need the table as a
whole rather than one row:

- **Totals.** A table prints its year's total (本年收入合计), a grand total with the carry-over
  (收入总计 / 合计 / 总计), or only one of them, at the top or the bottom. Which key each total row
  is depends on what else the table prints (``rules/tables_totals.csv``).
- **Carry-over headings.** Under '二、上年结转结余' the rows '一般公共预算' / '政府性基金预算' are the
  carry-over of each fund, not the year's appropriation: rows are read in the context of the
  heading above them (a rule says 'main', 'carryover' or '*').

Where a 财政拨款收支总表 prints no year's total of its own (only the funds and a grand total that
includes a carry-over), the year's appropriation is the sum of its fund rows, marked derived.
Each half's figure is read from its budget-year column, chosen by header (``table_dims``): the
previous year's column gives previous-year figures, a change column changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..model import Statement
from .table_dims import labels_to_dims
from .tables_layout import TableRules, clean_label

if TYPE_CHECKING:
    from .tables import Cell, ParsedRow, TableContext

_TOP_LEVEL = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
_CARRYOVER_KEYS = ("revenue.carryover", "revenue.fiscal_carryover")
_FUND_KEYS = ("revenue.general_public_budget", "revenue.government_fund", "revenue.state_capital")


@dataclass
class _Hit:
    row: ParsedRow
    key: str  # a statement key, or '=year_total' / '=grand_total'
    col: int
    cell: Cell


def _amount_columns(ctx: TableContext, group: int) -> dict[int, tuple[int | None, str]]:
    """The half's amount columns worth reading: {col: (reference_year, measure)}, the budget
    year's first. Fund splits (一般公共预算 | 政府性基金 … beside a 合计) are not read here."""
    out: dict[int, tuple[int | None, str]] = {}
    seen: set[tuple] = set()
    for j in ctx.groups[group].amount_cols:
        dims = labels_to_dims(ctx.columns[j].path, ctx.fiscal_year)
        if dims.fund is not None:
            continue
        measure = dims.measure or "amount"
        year = dims.reference_year if measure == "amount" else ctx.fiscal_year
        k = (year or ctx.fiscal_year, measure)
        if k not in seen:
            seen.add(k)
            out[j] = (year or ctx.fiscal_year, measure)
    return out


def _rule_for(rules: TableRules, kind: str, group: int, label: str, context: str):
    half = "0" if group == 0 else "1"  # a table may print the 支出 side several times (功能 | 经济分类)
    for rule in rules.rows:
        if rule.table_kind != kind or rule.group not in ("*", half):
            continue
        if rule.context not in ("*", context):
            continue
        if rule.pattern.search(label):
            return rule
    return None


def rows_to_hits(ctx: TableContext, rows: list[ParsedRow], rules: TableRules) -> list[_Hit]:
    """Each labelled row's key and cells, read in the context of the heading above it."""
    kind = ctx.kind.table_kind
    hits: list[_Hit] = []
    context = {g: "main" for g in range(len(ctx.groups))}
    for r in rows:
        label = clean_label(r.label)
        if not label:
            continue
        if _TOP_LEVEL.match(r.label) or label.endswith(("合计", "总计")):
            context[r.group] = "main"
        rule = _rule_for(rules, kind, r.group, label, context[r.group])
        if rule is None:
            continue
        if rule.statement_key in _CARRYOVER_KEYS:
            context[r.group] = "carryover"
        for j in _amount_columns(ctx, r.group):
            if j in r.cells:
                hits.append(_Hit(r, rule.statement_key, j, r.cells[j]))
    return hits


def _total_roles(hits: list[_Hit], group: int) -> dict[int, str]:
    """Row index of each total row of one half → its role (see tables_totals.csv)."""
    totals = [h for h in hits if h.row.group == group and h.key.startswith("=")]
    rows = sorted({h.row.index for h in totals})
    year_rows = sorted({h.row.index for h in totals if h.key == "=year_total"})
    grand_rows = [i for i in rows if i not in year_rows]
    roles: dict[int, str] = {}
    if year_rows and grand_rows:
        for i in year_rows:
            roles[i] = "year"
        for i in grand_rows:
            roles[i] = "grand"
        return roles
    carried = any(h.key in _CARRYOVER_KEYS and h.cell.yuan for h in hits if h.row.group == group)
    for i in rows:
        roles[i] = "only_after_carryover" if carried and any(
            h.key in _CARRYOVER_KEYS and h.cell.yuan and h.row.index < i for h in hits if h.row.group == group
        ) else "only"
    return roles


def summary_statements(ctx: TableContext, rows: list[ParsedRow], rules: TableRules,
                       make: Callable[..., Statement]) -> list[Statement]:
    """The statements of a 收支总表 / 财政拨款收支总表 (see the module docstring).

    ``make(ctx, key, cell, phase, label)`` builds one table statement.
    """
    kind = ctx.kind.table_kind
    hits = rows_to_hits(ctx, rows, rules)
    out: list[Statement] = []
    for g in range(len(ctx.groups)):
        roles = _total_roles(hits, g)
        columns = _amount_columns(ctx, g)
        for h in (h for h in hits if h.row.group == g):
            key = h.key
            if key.startswith("="):
                key = rules.totals.get((kind, "0" if g == 0 else "1", roles.get(h.row.index, "only")))
                if key is None:
                    continue
            year, measure = columns[h.col]
            s = make(ctx, key, h.cell, ctx.columns[h.col].phase, h.row.label)
            s.reference_year, s.measure = year, measure
            if measure != "amount" and year:
                s.base_year = year - 1
            out.append(s)
    if kind == "fiscal_summary":
        out.extend(_derived_appropriation(ctx, out))
    return out


def _derived_appropriation(ctx: TableContext, statements: list[Statement]) -> list[Statement]:
    """The year's 财政拨款收入 as the sum of its fund rows, when the table prints no total of the
    year's money alone (a grand total that includes a carry-over is not one)."""
    own = [s for s in statements if s.measure == "amount" and s.reference_year == ctx.fiscal_year]
    if any(s.statement_key == "revenue.fiscal_appropriation" for s in own):
        return []
    funds = [s for s in own if s.statement_key in _FUND_KEYS and s.amount_yuan is not None]
    if not funds:
        return []
    first = funds[0]
    total = sum((s.amount_yuan for s in funds), Decimal(0))
    return [Statement(statement_key="revenue.fiscal_appropriation", amount_yuan=total,
                      printed_value=" + ".join(s.printed_value for s in funds), printed_unit=first.printed_unit,
                      reference_year=first.reference_year, phase=first.phase, source="table", page=first.page,
                      label=" + ".join(s.label or "" for s in funds), table_cell=first.table_cell,
                      is_derived=True, table_kind=first.table_kind)]
