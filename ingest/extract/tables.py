"""Figures from the budget tables of a disclosure (the Shanghai layout and its relatives).

For every table whose caption names a known kind (``rules/tables_kinds.csv``):

- classified tables (functional 类/款/项, economic 类/款) become ``classification_lines``, one
  per row and amount column, codes normalized ('201 05 07' -> '2010507', '2' -> '02') with the
  printed code kept;
- totals and labelled rows become ``statements`` with ``source='table'`` (the rules in
  ``tables_columns.csv`` and ``tables_rows.csv``);
- line items that do not add up to their printed total give a 'table_sum_mismatch' warning;
  an empty table with its '本表为空表' note gives an 'empty_table_with_note' info, and one that
  carries figures as well as the note an 'empty_note_with_figures' warning.

人员经费 + 公用经费 vs the 一般公共预算 基本支出 total is not checked here: it is computed from the
loaded statements and lines (dbt model quality_tables). The sums above stay here until
raw.classification_lines says which table and column group a line belongs to.

Figures are never corrected: what is printed is what is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..amounts import parse_table_number, to_yuan
from ..errors import AmountError
from ..model import ClassificationLine, Document, Extraction, Paragraph, ParseIssue, Statement, Table
from .sangong_tables import candidates_to_statements, table_to_candidates
from .summary_tables import summary_statements
from .table_stitch import PrintedTable, doc_to_printed_tables
from .tables_layout import (
    ColumnGroup,
    ColumnRule,
    KindRule,
    TableRules,
    clean_label,
    column_holds_text,
    header_to_paths,
    is_total_label,
    load_rules,
    parts_to_code,
    path_to_column,
    path_to_phase,
    path_to_role,
    roles_to_groups,
    rows_to_header_count,
    table_to_kind,
)

_UNIT_RE = re.compile(r"单位\s*[:：]\s*(亿元|百万元|万元|千元|元)")
_EMPTY_NOTE_RE = re.compile(r"本表为空表|本表无数据|故本表为空|本表为空")
_YEAR_KIND_RE = re.compile(r"(20\d{2})\s*年")
DEFAULT_TABLE_UNIT = "元"
DEFAULT_NOTE_LOOKAHEAD = 4  # paragraphs after a table searched for its '本表为空表' note


@dataclass
class Column:
    index: int
    path: list[str]
    role: str
    rule: ColumnRule | None
    key: str
    phase: str


@dataclass
class Cell:
    """An amount cell read from a table."""

    row: int
    col: int
    text: str
    value: Decimal | None  # in the printed unit
    yuan: Decimal | None


@dataclass
class ParsedRow:
    index: int
    group: int
    label: str
    code: str | None
    level: int | None
    printed_code: str | None
    is_total: bool
    cells: dict[int, Cell]


@dataclass
class TableContext:
    table: Table
    kind: KindRule
    unit: str
    unit_printed: bool
    fiscal_year: int | None
    default_phase: str
    columns: list[Column]
    groups: list[ColumnGroup]

    def cell_ref(self, row: int, col: int) -> str:
        return f"t{self.table.index}#r{row},c{col}"

    @property
    def title(self) -> str:
        return self.table.title or f"table {self.table.index}"


# ---------------------------------------------------------------------------------------------
# Document-level facts
# ---------------------------------------------------------------------------------------------


def doc_to_year_kind(doc: Document, ex: Extraction) -> tuple[int | None, str]:
    """Fiscal year and disclosure kind: from the profile, else from the first page's title."""
    year, kind = ex.profile.fiscal_year, ex.profile.disclosure_kind
    if year is None or kind is None:
        head = "".join(p.text for p in list(doc.paragraphs())[:6])
        if year is None:
            m = _YEAR_KIND_RE.search(head)
            year = int(m.group(1)) if m else None
        if kind is None:
            kind = "final_accounts" if "决算" in head else "budget"
    return year, kind


def table_to_unit(doc: Document, table: Table) -> tuple[str, bool]:
    """The unit printed on the table's page ('单位：元'), nearest above the table; (unit,
    printed?)."""
    page = doc.pages[table.page - 1] if 0 < table.page <= len(doc.pages) else None
    if page is None:
        return DEFAULT_TABLE_UNIT, False
    found = None
    for block in page.blocks:
        if block is table:
            if found:
                return found, True
        elif isinstance(block, Paragraph):
            m = _UNIT_RE.search(block.text)
            if m:
                found = m.group(1)
    return (found, True) if found else (DEFAULT_TABLE_UNIT, False)


def table_to_note(doc: Document, table: Table, lookahead: int = DEFAULT_NOTE_LOOKAHEAD) -> str | None:
    """The '本表为空表' note printed right after the table, if any."""
    last = table.page_end or table.page
    blocks = doc.pages[last - 1].blocks if 0 < last <= len(doc.pages) else []
    after = False
    seen = 0
    for block in blocks:
        if block is table:
            after = True
            continue
        if not after:
            continue
        if isinstance(block, Table) or seen >= lookahead:
            break
        seen += 1
        if _EMPTY_NOTE_RE.search(block.text):
            return block.text
    return None


# ---------------------------------------------------------------------------------------------
# One table
# ---------------------------------------------------------------------------------------------


def table_to_context(doc: Document, printed: PrintedTable, kind: KindRule, rules: TableRules,
                     fiscal_year: int | None, default_phase: str) -> tuple[TableContext, int]:
    table = printed.table
    width = max(len(r) for r in table.rows)
    n_header = rows_to_header_count(table.rows)
    paths = header_to_paths(table.rows[:n_header], width)
    columns: list[Column] = []
    for j, path in enumerate(paths):
        role = path_to_role(path)
        if kind.layout == "sangong" and role != "code":
            role = "amount"  # 三公 headers name parts, not 名称; sangong_tables reads them by label
        if role == "amount" and column_holds_text(table.rows[n_header:], j):
            role = "name"  # labels under a header that names no 名称 ('支出功能分类科目(按大类)', '年度')
        rule = path_to_column(path, kind.table_kind, rules) if role == "amount" else None
        columns.append(Column(j, path, role, rule, rule.column_key if rule else f"col{j}",
                              path_to_phase(path, default_phase)))
    unit, unit_printed = table_to_unit(doc, printed.first)
    ctx = TableContext(table, kind, unit, unit_printed, fiscal_year, default_phase, columns,
                       roles_to_groups([c.role for c in columns]))
    return ctx, n_header


def row_to_parsed(ctx: TableContext, i: int, row: list[str], prev_codes: dict[int, str | None],
                  issues: list[ParseIssue], path: str) -> list[ParsedRow]:
    """One table row as one ParsedRow per column group."""
    out: list[ParsedRow] = []
    row = row + [""] * (len(ctx.columns) - len(row))
    page = ctx.table.row_page(i)
    for gi, g in enumerate(ctx.groups):
        parts = [row[j] for j in g.code_cols]
        code = parts_to_code(parts, prev_codes.get(gi)) if parts else None
        name = row[g.name_col].strip() if g.name_col is not None else ""
        label = name or (code.printed if code and code.code is None and code.printed else "")
        if code and code.issue:
            issues.append(ParseIssue("warning", "table_code_misprinted",
                                     f"{path}: {ctx.title}, page {page}, row {label!r}: {code.issue}",
                                     page=page))
        cells: dict[int, Cell] = {}
        for j in g.amount_cols:
            text = row[j].strip()
            try:
                value = parse_table_number(text)
            except AmountError:
                if text:
                    issues.append(ParseIssue("warning", "table_cell_unreadable",
                                             f"{path}: {ctx.title}, page {page}, row {label!r}, column "
                                             f"{'/'.join(ctx.columns[j].path)!r}: cannot read {text!r}",
                                             page=page))
                continue
            if value is None:
                continue
            cells[j] = Cell(i, j, text, value, to_yuan(value, ctx.unit))
        if not label and not cells and not (code and code.code):
            continue
        c = code.code if code else None
        if c:
            prev_codes[gi] = c
        out.append(ParsedRow(i, gi, label, c, code.level if code and c else None,
                             code.printed if code else None, is_total_label(clean_label(label)) and not c, cells))
    return out


def rows_to_lines(ctx: TableContext, rows: list[ParsedRow]) -> list[ClassificationLine]:
    lines = []
    for r in rows:
        if not (r.code or r.is_total):
            continue
        for j, cell in r.cells.items():
            col = ctx.columns[j]
            lines.append(ClassificationLine(
                table_kind=ctx.kind.table_kind, scheme=ctx.kind.scheme, code=r.code, level=r.level,
                name=r.label, column_key=col.key, amount_yuan=cell.yuan, page=ctx.table.row_page(r.index),
                printed_value=cell.text, printed_code=r.printed_code, row_seq=r.index, phase=col.phase,
                is_total=r.is_total))
    return lines


def _statement(ctx: TableContext, key: str, cell: Cell, phase: str, label: str) -> Statement:
    return Statement(statement_key=key, amount_yuan=cell.yuan, printed_value=cell.text,
                     printed_unit=ctx.unit, reference_year=ctx.fiscal_year, phase=phase, source="table",
                     page=ctx.table.row_page(cell.row), label=label, table_cell=ctx.cell_ref(cell.row, cell.col),
                     table_kind=ctx.kind.table_kind)


def rows_to_statements(ctx: TableContext, rows: list[ParsedRow], rules: TableRules) -> list[Statement]:
    """Labelled rows (tables_rows.csv) and total/any-row columns (tables_columns.csv)."""
    out: list[Statement] = []
    kind = ctx.kind.table_kind
    row_rules = [r for r in rules.rows if r.table_kind == kind]
    for r in rows:
        label = clean_label(r.label)
        group = ctx.groups[r.group]
        if label and group.amount_cols:
            for rule in row_rules:
                if rule.group in ("*", str(r.group)) and rule.pattern.search(label):
                    first = group.amount_cols[0]
                    if first in r.cells:
                        out.append(_statement(ctx, rule.statement_key, r.cells[first],
                                              ctx.columns[first].phase, r.label))
                    break
        for j, cell in r.cells.items():
            col = ctx.columns[j]
            rule = col.rule
            if rule is None or rule.statement_key is None or rule.table_kind != kind:
                continue
            if rule.on_row == "any" or (rule.on_row == "total" and r.is_total):
                out.append(_statement(ctx, rule.statement_key, cell, col.phase, "/".join(col.path)))
    return out


def sangong_statements(ctx: TableContext, n_header: int) -> list[Statement]:
    """The 三公 (and 机关运行经费) figures of a 三公 table, in whichever layout (sangong_tables)."""
    paths = [c.path for c in ctx.columns]
    candidates = table_to_candidates(ctx.table.rows, n_header, paths, ctx.fiscal_year)
    return candidates_to_statements(candidates, fiscal_year=ctx.fiscal_year, default_phase=ctx.default_phase,
                                    unit=ctx.unit, page_of=ctx.table.row_page, cell_ref=ctx.cell_ref,
                                    table_kind=ctx.kind.table_kind)


def _sum_issue(ctx: TableContext, path: str, what: str, page: int, total: Decimal, parts: Decimal,
               column: Column) -> ParseIssue:
    return ParseIssue("warning", "table_sum_mismatch",
                      f"{path}: {ctx.title}, page {page}, column {'/'.join(column.path) or column.key!r}: "
                      f"{what} add up to {parts:,.2f} yuan but the printed total is {total:,.2f} yuan",
                      page=page)


def rows_to_sum_issues(ctx: TableContext, rows: list[ParsedRow], path: str) -> list[ParseIssue]:
    """Check every printed total against its parts: 合计 = sum of 类 rows, 类 = sum of its 款,
    款 = sum of its 项 (per column group and amount column)."""
    issues: list[ParseIssue] = []
    for gi, group in enumerate(ctx.groups):
        grows = [r for r in rows if r.group == gi]
        coded = [r for r in grows if r.code]
        if not coded:
            continue
        totals = [r for r in grows if r.is_total]
        for j in group.amount_cols:
            col = ctx.columns[j]

            def amount(r: ParsedRow, j: int = j) -> Decimal:
                return r.cells[j].yuan if j in r.cells else Decimal(0)

            for t in totals:
                if j not in t.cells:
                    continue
                parts = sum((amount(r) for r in coded if r.level == 1), Decimal(0))
                if parts != t.cells[j].yuan:
                    issues.append(_sum_issue(ctx, path, f"the {len([r for r in coded if r.level == 1])} "
                                             f"top-level rows", ctx.table.row_page(t.index),
                                             t.cells[j].yuan, parts, col))
            for parent in coded:
                if parent.level not in (1, 2):
                    continue
                children = [r for r in coded if r.level == parent.level + 1 and r.code.startswith(parent.code)]
                if not children or (j not in parent.cells and not any(j in c.cells for c in children)):
                    continue
                parts = sum((amount(c) for c in children), Decimal(0))
                if parts != amount(parent):
                    issues.append(_sum_issue(ctx, path, f"the items of {parent.code} {parent.label}",
                                             ctx.table.row_page(parent.index), amount(parent), parts, col))
    return issues


_SANGONG_SUMS = (("sangong.total", ("sangong.overseas_travel", "sangong.vehicle_total", "sangong.reception")),
                 ("sangong.vehicle_total", ("sangong.vehicle_purchase", "sangong.vehicle_operation")))


def statements_to_sangong_issues(ctx: TableContext, statements: list[Statement], path: str) -> list[ParseIssue]:
    issues = []
    slots = sorted({(s.phase, s.reference_year, s.measure) for s in statements}, key=str)
    for phase, year, measure in slots:
        by_key = {s.statement_key: s for s in statements
                  if (s.phase, s.reference_year, s.measure) == (phase, year, measure)}
        for total_key, part_keys in _SANGONG_SUMS:
            total = by_key.get(total_key)
            parts = [by_key[k].amount_yuan for k in part_keys if k in by_key]
            if total is None or total.amount_yuan is None or not parts:
                continue
            s = sum(parts, Decimal(0))
            if s != total.amount_yuan:
                issues.append(ParseIssue("warning", "table_sum_mismatch",
                                         f"{path}: {ctx.title}, page {total.page}: {', '.join(part_keys)} "
                                         f"({phase} {year}{'' if measure == 'amount' else ' ' + measure}) add up "
                                         f"to {s:,.2f} yuan but {total_key} is printed as "
                                         f"{total.amount_yuan:,.2f} yuan", page=total.page))
    return issues


def table_to_records(doc: Document, printed: PrintedTable, kind: KindRule, ex: Extraction, rules: TableRules,
                     fiscal_year: int | None, default_phase: str) -> None:
    """Everything one known table yields, appended to ``ex``."""
    path = doc.source_path
    table = printed.table
    ctx, n_header = table_to_context(doc, printed, kind, rules, fiscal_year, default_phase)
    if not ctx.unit_printed:
        ex.issues.append(ParseIssue("warning", "table_unit_missing",
                                    f"{path}: {ctx.title}, page {table.page}: no '单位：' line found, "
                                    f"amounts read as {DEFAULT_TABLE_UNIT}", page=table.page))
    prev_codes: dict[int, str | None] = {}
    parsed: list[ParsedRow] = []
    for i in range(n_header, len(table.rows)):
        parsed.extend(row_to_parsed(ctx, i, table.rows[i], prev_codes, ex.issues, path))
    has_figures = any(r.cells for r in parsed)
    note = table_to_note(doc, printed.last_piece)
    if note is not None:
        if has_figures:
            ex.issues.append(ParseIssue("warning", "empty_note_with_figures",
                                        f"{path}: {ctx.title}, page {table.page}: the table carries figures "
                                        f"but also the note {note!r}", page=table.page))
        else:
            ex.issues.append(ParseIssue("info", "empty_table_with_note",
                                        f"{path}: {ctx.title}, page {table.page}: empty, as its note says: "
                                        f"{note!r}", page=table.page))
    if kind.scheme:
        ex.classification_lines.extend(rows_to_lines(ctx, parsed))
        ex.issues.extend(rows_to_sum_issues(ctx, parsed, path))
    if kind.layout == "sangong":
        statements = sangong_statements(ctx, n_header)
    elif kind.layout == "summary":
        statements = summary_statements(ctx, parsed, rules, _statement)
    else:
        statements = rows_to_statements(ctx, parsed, rules)
    ex.statements.extend(statements)
    if kind.layout == "sangong":
        ex.issues.extend(statements_to_sangong_issues(ctx, statements, path))


def extract_tables(doc: Document, ex: Extraction) -> None:
    """Read every known budget table of ``doc`` into ``ex`` (see the module docstring)."""
    rules = load_rules()
    fiscal_year, disclosure_kind = doc_to_year_kind(doc, ex)
    default_phase = "actual" if disclosure_kind == "final_accounts" else "budget"
    first_statement = len(ex.statements)
    for printed in doc_to_printed_tables(doc):
        kind = table_to_kind(printed.title, printed.table.rows, rules)
        if kind is None:
            continue
        table_to_records(doc, printed, kind, ex, rules, fiscal_year, default_phase)
    ex.statements[first_statement:] = statements_to_distinct(ex.statements[first_statement:])


def statements_to_distinct(statements: list[Statement]) -> list[Statement]:
    """The same figure printed in two tables (收入总计 in the 收支总表 and the 财政拨款收支总表)
    is kept once, from the first table; differing figures for one key are all kept."""
    seen: set[tuple] = set()
    out = []
    for s in statements:
        k = (s.statement_key, s.phase, s.measure, s.reference_year, s.amount_yuan)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out

