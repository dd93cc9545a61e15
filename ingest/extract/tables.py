"""Figures from the budget tables of a disclosure (the Shanghai layout and its relatives).

For every table whose caption names a known kind (``rules/tables_kinds.csv``):

- classified tables (functional 类/款/项, economic 类/款) become ``classification_lines``, one
  per row and amount column, codes normalized ('201 05 07' -> '2010507', '2' -> '02') with the
  printed code kept;
- totals and labelled rows become ``statements`` with ``source='table'`` (the rules in
  ``tables_columns.csv`` and ``tables_rows.csv``);
- every table read is a ``printed_tables`` row: its kind, title, page, unit, how many rows carry
  figures, and the note an empty table prints ('本表为空表…'); each classification line names its
  table, column group and column.

The extractor only reads. Whether a 合计 is the sum of its line items, whether a table noted as
empty carries figures, 人员经费 + 公用经费 vs the 基本支出 total: the dbt model quality_tables
computes them from these rows. What it notices while reading (a code printed wrongly, an
unreadable cell, a missing unit line) is a parse issue.

Figures are never corrected: what is printed is what is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..amounts import parse_table_number, to_yuan
from ..errors import AmountError
from ..model import (
    ClassificationLine,
    Document,
    Extraction,
    Paragraph,
    ParseIssue,
    PrintedTableRecord,
    Statement,
    Table,
)
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
                is_total=r.is_total, table_seq=ctx.table.index, column_group=r.group, column_index=j))
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
    ex.printed_tables.append(PrintedTableRecord(
        table_seq=table.index, table_kind=kind.table_kind, title=table.title, page=table.page,
        printed_unit=ctx.unit if ctx.unit_printed else None, note=table_to_note(doc, printed.last_piece),
        rows_with_figures=len({r.index for r in parsed if r.cells})))
    if kind.scheme:
        ex.classification_lines.extend(rows_to_lines(ctx, parsed))
    if kind.layout == "sangong":
        statements = sangong_statements(ctx, n_header)
    elif kind.layout == "summary":
        statements = summary_statements(ctx, parsed, rules, _statement)
    else:
        statements = rows_to_statements(ctx, parsed, rules)
    ex.statements.extend(statements)


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

