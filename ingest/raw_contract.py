"""The raw contract: every table and column of the DuckDB schema ``raw``, written once.

This module is the one source of the contract between ingest and dbt. DESIGN.md's list ("The
contract between ingest and dbt: schema ``raw``") is a summary of it; where they differ, this wins.
Everything else is derived from it:

- the DDL that :func:`ingest.load.ensure_schema` runs (:func:`table_ddl`, :func:`column_ddl`);
- the polars types the loader builds its frames with (:func:`polars_type`);
- the rules :mod:`ingest.contract` checks a document's rows against before they are loaded: types,
  ranges (a year within :data:`YEAR_RANGE`, an amount within :data:`MAX_ABS_AMOUNT_YUAN`, a page
  within the document), columns that must not be null, and the natural key within a document;
- the dbt source declarations (dbt_project/models/staging/disclosures/_disclosures__sources.yml):
  columns with their type and description and, on the tables a document owns,
  ``unique_combination`` on the natural key and ``not_null_columns`` on the other columns that are
  not nullable, every test of severity ``warn`` (content never fails a build).
  ``python -m ingest.dbt_sources`` writes the file; a test keeps it in sync.

Column names may grow; a column is never renamed. Tables and columns keep their order here, the
order of the DDL (a new column goes at the end of its table: ``ensure_schema`` adds it with
``alter table``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

YEAR_RANGE = (1990, 2100)
MAX_ABS_AMOUNT_YUAN = Decimal(10) ** 15  # 千万亿元: ~30x China's national expenditure; sums still fit DECIMAL(20,2)
AMOUNT = "DECIMAL(20,2)"


@dataclass(frozen=True)
class Column:
    """One column of a raw table.

    Attributes:
        name: the column name (never renamed).
        type: its DuckDB type ('VARCHAR', 'INTEGER', 'BIGINT', 'BOOLEAN', 'TIMESTAMP', 'DECIMAL(p,s)').
        description: what it means (also the dbt source column's description).
        nullable: False for a column every row has (checked before loading; tested by dbt).
        bounds: the inclusive range of an integer (a year), or None.
        max_abs: an exclusive bound on the absolute value of a decimal (an amount), or None.
        is_page: a page number, within the document's pages.
        primary_key: the table's primary key (DDL ``PRIMARY KEY``).
        default: the DDL default, as SQL.
    """

    name: str
    type: str
    description: str
    nullable: bool = True
    bounds: tuple[int, int] | None = None
    max_abs: Decimal | None = None
    is_page: bool = False
    primary_key: bool = False
    default: str | None = None


@dataclass(frozen=True)
class RawTable:
    """One raw table.

    Attributes:
        name: the table name in schema ``raw``.
        description: what one row is (also the dbt source table's description).
        columns: in DDL order.
        key: the natural key, unique over the table (dbt ``unique_combination``).
        key_nullable: key columns that may be null (a department-level indicator has no project).
        seq_column: the column the loader numbers a document's rows by (not in the records).
        per_document: rows owned by one document, checked against the contract before loading
            (an :class:`~ingest.model.Extraction` attribute of the same name holds them).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    key_nullable: tuple[str, ...] = ()
    seq_column: str | None = None
    per_document: bool = False

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"raw.{self.name} has no column {name}")

    @property
    def record_key(self) -> tuple[str, ...]:
        """The natural key within one document, as the records carry it: the key without
        document_id; empty when the loader numbers the rows (unique by construction)."""
        if self.seq_column and self.seq_column in self.key:
            return ()
        return tuple(c for c in self.key if c != "document_id")


def text(name: str, description: str, **kw: Any) -> Column:
    return Column(name, "VARCHAR", description, **kw)


def integer(name: str, description: str, **kw: Any) -> Column:
    return Column(name, "INTEGER", description, **kw)


def flag(name: str, description: str, **kw: Any) -> Column:
    return Column(name, "BOOLEAN", description, **kw)


def timestamp(name: str, description: str, **kw: Any) -> Column:
    return Column(name, "TIMESTAMP", description, **kw)


def year(name: str, description: str, **kw: Any) -> Column:
    return Column(name, "INTEGER", description, bounds=YEAR_RANGE, **kw)


def amount(name: str, description: str, **kw: Any) -> Column:
    return Column(name, AMOUNT, description, max_abs=MAX_ABS_AMOUNT_YUAN, **kw)


def page(description: str = "Page the row was read from (1-based).", **kw: Any) -> Column:
    return Column("page", "INTEGER", description, is_page=True, **kw)


def document_id(description: str = "The document the row belongs to (raw.documents.document_id).",
                **kw: Any) -> Column:
    return Column("document_id", "VARCHAR", description, **{"nullable": False, **kw})


TABLES: tuple[RawTable, ...] = (
    RawTable("documents", "One row per disclosure file (document_id = sha256 of its bytes).", (
        document_id("sha256 (hex) of the file's bytes.", primary_key=True),
        text("source_path", "Path of the file when it was read (raw.document_paths lists every name)."),
        text("source_format", "Format read from the bytes (text, pdf, docx, doc, html, xlsx, xls)."),
        Column("byte_size", "BIGINT", "Size of the file in bytes."),
        integer("page_count", "Pages as the reader sees them."),
        text("encoding", "Text encoding detected (text and web pages)."),
        text("parser_version", "Version of the parser that read it; a new version reads it again."),
        timestamp("ingested_at", "When it was loaded."),
        text("issuer_name", "The issuing body as printed."),
        text("unit_name", "The unit as printed (a unit budget's unit)."),
        text("unit_code", "The unit code as printed."),
        text("region_code", "6-digit GB/T 2260 code of the region where known."),
        year("fiscal_year", "The fiscal year the disclosure is about."),
        text("disclosure_kind", "The kind of disclosure, 'budget' or 'final_accounts'."),
        text("scope", "Whose budget, 'department' or 'unit' (null when the document does not say)."),
        text("consolidation", "The consolidation marker printed, 'consolidated' (汇总), 'own_level' (本级) or null."),
        text("status", "How it was read, 'parsed', 'partial' (rows set aside, see raw.parse_issues) or 'rejected'."),
        text("error", "Why the document is partial or rejected."),
        text("title", "The title as printed."),
        text("currency_unit", "The unit the narrative states amounts in (元, 万元)."),
        flag("is_current", "The current document of its file; false when a later version superseded it.",
             default="TRUE"),
        text("superseded_by", "The document_id of the version that superseded it."),
    ), key=("document_id",)),
    RawTable("document_paths", "Every path a document was found under, and whether it is still there.", (
        document_id(),
        text("source_path", "A path the document's bytes were found under.", nullable=False),
        timestamp("first_seen", "First run that saw the path."),
        timestamp("last_seen", "Last run that saw the path."),
        flag("is_present", "Whether the path still holds the document."),
    ), key=("document_id", "source_path")),
    RawTable("statements", "One stated figure per row, as printed, with its printed value and unit and its page.", (
        document_id(),
        integer("statement_seq", "Position of the statement in the document (numbered by the loader).",
                nullable=False),
        text("statement_key", "What the figure is, in the dotted vocabulary (revenue.total, sangong.reception …).",
             nullable=False),
        year("reference_year", "The year the figure is about."),
        year("base_year", "For a change, the year compared against."),
        text("phase", "The phase of the figure, 'budget', 'actual' or 'execution'.", nullable=False),
        text("measure", "What the figure measures, 'amount', 'change', 'change_pct', 'quantity' or 'share_pct'.", nullable=False),
        amount("amount_yuan", "The amount in yuan (exact), null for a percent or a count."),
        Column("percent", "DECIMAL(12,4)", "For change_pct and share_pct, the percent as printed."),
        Column("quantity", "DECIMAL(20,4)", "For measure 'quantity', the count or quantity."),
        text("quantity_unit", "Unit of the quantity (辆, 人 …)."),
        text("printed_value", "The figure exactly as printed."),
        text("printed_unit", "The unit as printed (元, 万元 …)."),
        text("label", "The printed label the figure was read under."),
        text("source", "Where it was read, 'narrative' or 'table'.", nullable=False),
        text("section_key", "The section the figure was read in (rules/sections.csv)."),
        page(),
        integer("char_start", "Start of the figure's text in the page's normalized text."),
        integer("char_end", "End of the figure's text in the page's normalized text."),
        text("table_cell", "The cell of a table figure (table#row,col)."),
        flag("is_derived", "Implied by the text ('全部为财政拨款收入'), not printed."),
        text("context", "For a function item, the text of its explanation."),
        text("table_kind", "The kind of table a table figure was read from ('summary', 'sangong' …)."),
    ), key=("document_id", "statement_seq"), seq_column="statement_seq", per_document=True),
    RawTable("classification_lines", "Rows of the classified tables (function / economic classification).", (
        document_id(),
        integer("line_seq", "Position of the line in the document (numbered by the loader).", nullable=False),
        text("table_kind", "The kind of table the line was read from.", nullable=False),
        text("scheme", "The classification, 'function', 'economic_department' or 'economic_government'.", nullable=False),
        text("code", "The classification code, normalized ('2010101')."),
        text("printed_code", "The code as printed ('201 01 01')."),
        integer("level", "Level of the code (1 class, 2 section, 3 item)."),
        text("name", "The line's name as printed."),
        text("column_key", "The column (total, basic, project, personnel, public …).",
             nullable=False),
        text("phase", "The phase of the column, 'budget' or 'actual'."),
        amount("amount_yuan", "The amount in yuan (exact)."),
        text("printed_value", "The amount as printed."),
        integer("row_seq", "The row of the table the line was read from."),
        flag("is_total", "A total row (合计 / 总计)."),
        page(),
        integer("table_seq", "The printed table the line was read from (raw.printed_tables)."),
        integer("column_group", "The table's column group (0, or 0 and 1 where a table prints two "
                "classifications side by side, e.g. 人员经费 | 公用经费)."),
        integer("column_index", "The table's column the amount was read from (0-based)."),
    ), key=("document_id", "line_seq"), seq_column="line_seq", per_document=True),
    RawTable("printed_tables", "The tables the reader recognised, one row per printed table (its pieces "
             "over several pages stitched): kind, title, page, unit and the note an empty table prints.", (
        document_id(),
        integer("table_seq", "The table's position in the document (statements' table_cell 't<n>#…').",
                nullable=False),
        text("table_kind", "The kind of table (rules/tables.csv).", nullable=False),
        text("title", "The table's title as printed (null when it prints none)."),
        text("printed_unit", "The unit the table's amounts are printed in."),
        text("note", "The note saying the table is empty ('本表为空表…'), as printed; null when none."),
        integer("rows_with_figures", "Rows of the table that carry at least one figure."),
        page("The page the table starts on."),
    ), key=("document_id", "table_seq"), per_document=True),
    RawTable("projects", "Project tables (项目支出绩效目标表), one row per printed project.", (
        document_id(),
        integer("project_seq", "The table's printed number.", nullable=False),
        text("project_code", "The project code as printed."),
        text("project_name", "The project name as printed."),
        amount("budget_yuan", "The project's budget in yuan."),
        amount("fiscal_funds_yuan", "Of which fiscal funds, in yuan."),
        amount("other_funds_yuan", "Of which other funds, in yuan."),
        text("purpose", "The project's purpose (项目概述 / 立项依据)."),
        text("goals", "The project's annual goals as printed."),
        flag("is_withheld", "A 涉密 table disclosed only by its number."),
        text("unit_label", "The unit line printed on the table ('201001中国共产党…')."),
        text("printed_unit", "The unit the table's amounts are printed in."),
        page(),
    ), key=("document_id", "project_seq"), per_document=True),
    RawTable("spending_plan", "Cumulative spending plan of each project (checkpoint as printed).", (
        document_id(),
        integer("project_seq", "The project's printed number (raw.projects.project_seq).", nullable=False),
        text("checkpoint", "The checkpoint as printed ('3月底').", nullable=False),
        integer("checkpoint_seq", "Position of the checkpoint in the plan.", nullable=False),
        Column("cumulative_pct", "DECIMAL(9,4)", "Cumulative share of the budget spent by the checkpoint, in percent."),
        text("printed_value", "The share as printed."),
    ), key=("document_id", "project_seq", "checkpoint_seq"), per_document=True),
    RawTable("indicators", "Performance indicators (绩效指标) of projects and of the department.", (
        document_id(),
        integer("project_seq", "The project's printed number; null for a department-level indicator."),
        text("project_code", "The project code as printed."),
        integer("row_seq", "Position of the indicator in its table.", nullable=False),
        text("level1", "First-level indicator (产出指标, 效益指标, 满意度指标 …)."),
        text("level2", "Second-level indicator (数量指标, 质量指标 …)."),
        text("level3", "Third-level indicator as printed."),
        text("description", "The indicator's description as printed."),
        text("target_raw", "The target as printed."),
        text("target_op", "The target's comparison (>=, <=, >, <, =)."),
        Column("target_value", "DECIMAL(20,4)", "The target's number."),
        text("target_unit", "The target's unit."),
        text("basis", "The basis of the target (指标值设定依据) as printed."),
        page(),
    ), key=("document_id", "project_seq", "row_seq"), key_nullable=("project_seq",), per_document=True),
    RawTable("department_goals", "Department-level performance goals.", (
        document_id(),
        integer("goal_seq", "Position of the goal in the document.", nullable=False),
        text("name", "The goal's name as printed."),
        text("duty", "The duty it serves (职责描述)."),
        text("annual_goal", "The annual goal (年度绩效目标) as printed."),
        text("indicator_text", "The indicator text as printed."),
        text("target_op", "The target's comparison (>=, <=, >, <, =)."),
        Column("target_value", "DECIMAL(20,4)", "The target's number."),
        text("target_unit", "The target's unit."),
        page(),
    ), key=("document_id", "goal_seq"), per_document=True),
    RawTable("sections", "The document's numbered sections, by their headings.", (
        document_id(),
        integer("section_seq", "Position of the section in the document.", nullable=False),
        text("heading", "The heading as printed."),
        integer("level", "Heading level (1 一、, 2 (一), 3 1、)."),
        text("section_key", "What the section is (rules/sections.csv), or null."),
        integer("parent_seq", "The enclosing section."),
        text("state", "Whether the section has content, 'present' or 'empty_with_note'."),
        page(),
        integer("char_start", "Start of the heading in the page's normalized text."),
        integer("char_end", "End of the section in its page's normalized text."),
        text("lead", "The start of the section's first paragraph."),
    ), key=("document_id", "section_seq"), per_document=True),
    RawTable("parse_issues", "What could not be parsed, with severity, code, message and page.", (
        text("document_id", "The document, or null for a file that could not be hashed or read."),
        text("source_path", "The file."),
        integer("issue_seq", "Position of the issue in the document's issues."),
        text("severity", "How serious, 'error', 'warning' or 'info'."),
        text("code", "What kind of issue (contract_duplicate_key, parse_timeout …)."),
        text("message", "The issue, naming the file and page."),
        page("The page the issue is on, where it has one."),
        text("run_id", "The run that raised it (raw.ingest_runs)."),
    ), key=("source_path", "document_id", "code", "issue_seq"),
        key_nullable=("source_path", "document_id", "code", "issue_seq")),
    RawTable("ingest_runs", "One row per run of `budgetwh ingest` or `budgetwh refresh`.", (
        text("run_id", "The run.", primary_key=True, nullable=False),
        text("command", "The command, 'ingest' or 'refresh'."),
        timestamp("started_at", "When the run started."),
        timestamp("finished_at", "When the run finished."),
        integer("files_seen", "Files listed."),
        integer("files_new", "Files read for the first time."),
        integer("files_changed", "Files whose bytes changed."),
        integer("files_unchanged", "Files already read (or duplicates of another)."),
        integer("files_failed", "Files that could not be taken."),
        integer("files_removed", "Paths gone since the run before."),
        text("status", "How the run ended, 'running', 'succeeded' or 'failed'."),
        integer("warehouse_version", "Version of the warehouse the run made."),
        text("parser_version", "Version of the parser."),
        text("message", "What the run noted."),
        text("build_fingerprint", "Hash of what a rebuild depends on besides the data."),
        integer("files_skipped", "Files under the corpus not taken (README, hidden files …)."),
    ), key=("run_id",)),
    # What the last run under each corpus folder did not take, and why (README, hidden files,
    # links not followed, folders that cannot be read): replaced by every run that walks the folder.
    RawTable("skipped_files", "Files the last run under a folder did not take, and why.", (
        text("source_path", "The file or folder.", nullable=False),
        text("reason", "Why it was not taken."),
        text("run_id", "The run that saw it."),
        timestamp("seen_at", "When."),
    ), key=("source_path",)),
)

_TABLES = {t.name: t for t in TABLES}
PER_DOCUMENT_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.per_document)


def raw_table(name: str) -> RawTable:
    """The contract of ``raw.<name>``."""
    try:
        return _TABLES[name]
    except KeyError:
        raise KeyError(f"the raw contract has no table {name}") from None


# ---------------------------------------------------------------------------------------------
# Derived: DDL and polars types
# ---------------------------------------------------------------------------------------------


def column_ddl(column: Column, *, with_key: bool = True) -> str:
    """``name TYPE [PRIMARY KEY] [DEFAULT x]``."""
    parts = [column.name, column.type]
    if with_key and column.primary_key:
        parts.append("PRIMARY KEY")
    if column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    return " ".join(parts)


def table_ddl(name: str) -> str:
    """``create table if not exists raw.<name> (...)``."""
    cols = ", ".join(column_ddl(c) for c in raw_table(name).columns)
    return f"create table if not exists raw.{name} ({cols})"


def decimal_type(sql_type: str) -> tuple[int, int] | None:
    """(precision, scale) of a ``DECIMAL(p,s)`` type of the contract; None for any other type.
    (The parser workers check and quantize by it without importing polars.)"""
    if sql_type.startswith("DECIMAL(") and sql_type.endswith(")"):
        precision, scale = sql_type[len("DECIMAL("):-1].split(",")
        return int(precision), int(scale)
    return None


@cache
def polars_type(sql_type: str) -> Any:
    """The polars dtype of a DuckDB type of the contract."""
    import polars as pl  # here: the loader needs it, the parser workers do not

    decimal = decimal_type(sql_type)
    if decimal is not None:
        return pl.Decimal(*decimal)
    return {"VARCHAR": pl.String, "INTEGER": pl.Int32, "BIGINT": pl.Int64, "BOOLEAN": pl.Boolean,
            "TIMESTAMP": pl.Datetime("us")}[sql_type]


@cache
def column_scales(name: str) -> tuple[tuple[str, int | None], ...]:
    """(name, scale) of each column of ``raw.<name>``, in DDL order: the scale of a DECIMAL
    column, None for the others."""
    return tuple((c.name, (decimal_type(c.type) or (None, None))[1]) for c in raw_table(name).columns)


@cache
def columns_of(name: str) -> tuple[tuple[str, Any], ...]:
    """(name, polars dtype) of each column of ``raw.<name>``, in DDL order."""
    return tuple((c.name, polars_type(c.type)) for c in raw_table(name).columns)
