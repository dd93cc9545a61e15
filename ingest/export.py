"""Export marts as Parquet (partitioned by fiscal year where a mart has one), CSV or one Excel
workbook laid out for finance staff.

The workbook (``budgetwh.xlsx``) has a 说明 sheet first (what each sheet holds, the units, where
the figures come from, each column's name and description) and one sheet per mart: Chinese headers
for every column, Chinese values where a code is shown (phase, source, kind, severity ...; yes/no
for booleans), the department's and the region's name beside their ids, ``#,##0.00`` for 元
columns and ``#,##0.0000`` for 万元 columns, the header row frozen, filters on, column widths
fitted. What is said in Chinese comes from one source each: the headers and what each sheet holds
from the marts' dbt yml (``config.meta`` ``label_zh`` of each column, ``description_zh`` of each
model: :mod:`ingest.labels`), the code values from ``export_values.csv`` beside this module
(column, code -> label; a column may be a pattern such as ``*_source``). CSV files start with a
UTF-8 byte order mark, so that Excel opens them as UTF-8.

The warehouse is read in the query sandbox (:mod:`ingest.sandbox`) with the one folder ``--out``
names as the only place it may write; the paths written are query parameters, never SQL text,
so any folder name works (``O'Brien``) and none can add SQL of its own. The workbook is written
by Python from the rows fetched."""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import os
import shutil
import unicodedata
from functools import lru_cache
from pathlib import Path

import duckdb

from .errors import BudgetWarehouseError
from .labels import column_descriptions, column_labels, table_description_zh
from .sandbox import connect_sandboxed, quote_identifier

HERE = Path(__file__).parent
VALUES = HERE / "export_values.csv"
MART_PREFIXES = ("dim_", "fct_", "rpt_")
EXTRA_MARTS = ("quality_findings", "disclosure_completeness")
XLSX_MAX_ROWS = 1_048_575
WORKBOOK = "budgetwh.xlsx"
README_SHEET = "说明"
YUAN_FORMAT = "#,##0.00"
WAN_YUAN_FORMAT = "#,##0.0000"
BOOLEAN_LABELS = {True: "是", False: "否"}
WIDTH_MIN, WIDTH_MAX, WIDTH_SAMPLE = 6, 60, 500
BOM = "\ufeff".encode()


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def value_labels() -> list[tuple[str, dict[str, str]]]:
    """(column name or pattern, {code: Chinese label}) from export_values.csv, exact names first."""
    table: dict[str, dict[str, str]] = {}
    for r in _read(VALUES):
        table.setdefault(r["column"], {})[r["value"]] = r["label_zh"]
    return sorted(table.items(), key=lambda kv: "*" in kv[0])


def values_of(column: str) -> dict[str, str] | None:
    """The code -> label table of ``column`` (an exact entry wins over a pattern), or None."""
    for pattern, labels in value_labels():
        if pattern == column or ("*" in pattern and fnmatch.fnmatchcase(column, pattern)):
            return labels
    return None


def number_format(column: str) -> str | None:
    """``#,##0.0000`` for a 万元 column (``*_wan_yuan``), ``#,##0.00`` for a 元 column (``*_yuan``)."""
    if column.endswith("_wan_yuan"):
        return WAN_YUAN_FORMAT
    if column.endswith("_yuan"):
        return YUAN_FORMAT
    return None


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema='main' "
                       "order by table_name").fetchall()
    return [r[0] for r in rows if r[0].startswith(MART_PREFIXES) or r[0] in EXTRA_MARTS]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema='main' and table_name=? "
        "order by ordinal_position", [table]).fetchall()]


def _comments(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str | None, dict[str, str]]:
    """The table's comment and its columns' comments (dbt persist_docs), where the warehouse has them."""
    table_comment = con.execute("select comment from duckdb_tables() where schema_name='main' and table_name=?",
                                [table]).fetchall()
    columns = dict(con.execute("select column_name, comment from duckdb_columns() where schema_name='main' "
                               "and table_name=? and comment is not null", [table]).fetchall())
    return (table_comment[0][0] if table_comment else None), columns


def _named_select(con: duckdb.DuckDBPyConnection, mart: str, cols: list[str],
                  available: set[str]) -> tuple[str, list[str], list[tuple[str, str]]]:
    """SELECT of ``mart`` with the names beside the ids: the department's name after
    ``department_id`` (or after ``document_id`` when there is no department column), the region's
    full name after ``region_code``, unless the mart has them already. Returns (sql, columns, and
    for each column the (mart, column) it is taken from, whose label and description it has)."""
    out, names, origins = [], [], []
    has_department_name = "department_name" in cols or "department_names" in cols
    has_region_name = bool({"region_full_name", "region_name", "full_name"} & set(cols))
    for c in cols:
        out.append(f"m.{quote_identifier(c)}")
        names.append(c)
        origins.append((mart, c))
        if has_department_name:
            pass
        elif c == "department_id" and "dim_department" in available:
            out.append("(select min(x.department_name) from main.dim_department as x "
                       "where x.department_id = m.department_id)")
            names.append("department_name")
            origins.append(("dim_department", "department_name"))
            has_department_name = True
        elif c == "document_id" and "department_id" not in cols and "dim_document" in available:
            out.append("(select min(x.department_name) from main.dim_document as x "
                       "where x.document_id = m.document_id)")
            names.append("department_name")
            origins.append(("dim_document", "department_name"))
            has_department_name = True
        if c == "region_code" and not has_region_name and "dim_region" in available:
            out.append("(select min(x.full_name) from main.dim_region as x where x.region_code = m.region_code)")
            names.append("region_full_name")
            origins.append(("dim_region", "full_name"))
    sql = f"select {', '.join(out)} from main.{quote_identifier(mart)} as m"  # names list_marts gave
    return sql, names, origins


def export_marts(db_path: str, out_dir: str, fmt: str, marts: list[str] | None = None,
                 labels: str | None = None) -> list[Path]:
    """Write the marts to ``out_dir``; returns the paths written.

    Parquet and CSV: one file (or a folder of fiscal_year partitions) per mart. XLSX: one
    workbook, a sheet per mart. ``labels``: ``zh`` (Chinese headers and values; the default for
    XLSX) or ``en`` (the warehouse's names and codes; the default for CSV).

    Raises:
        BudgetWarehouseError: unknown mart, or a mart too large for one XLSX sheet.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    real = Path(os.path.realpath(out))  # the folder the sandbox compares paths against
    con = connect_sandboxed(db_path, writable_dir=real)
    try:
        available = list_marts(con)
        chosen = marts or available
        unknown = [m for m in chosen if m not in available]
        if unknown:
            raise BudgetWarehouseError(f"no mart named {', '.join(unknown)}; marts are: {', '.join(available)}")
        if fmt == "xlsx":
            return [_write_workbook(con, db_path, out, chosen, set(available), (labels or "zh") == "zh")]
        written: list[Path] = []
        for mart in chosen:
            cols = _columns(con, mart)
            source = f"select * from main.{quote_identifier(mart)}"  # a name list_marts gave
            if fmt == "parquet":
                if "fiscal_year" in cols:
                    target = out / mart
                    con.execute(f"copy ({source}) to $1 "
                                f"(format parquet, partition_by (fiscal_year), overwrite_or_ignore true)",
                                [str(real / target.name)])
                else:
                    target = out / f"{mart}.parquet"
                    con.execute(f"copy ({source}) to $1 (format parquet)", [str(real / target.name)])
            elif fmt == "csv":
                target = out / f"{mart}.csv"
                if labels == "zh":
                    names = column_labels(mart)
                    source = "select " + ", ".join(
                        f"{quote_identifier(c)} as {quote_identifier(names.get(c, c))}" for c in cols
                    ) + f" from main.{quote_identifier(mart)}"
                partial = real / f".{mart}.csv.part"
                con.execute(f"copy ({source}) to $1 (header, delimiter ',')", [str(partial)])
                _with_bom(partial, real / target.name)
            else:
                raise BudgetWarehouseError(f"unknown export format {fmt!r}")
            written.append(target)
        return written
    finally:
        con.close()


def _with_bom(partial: Path, target: Path) -> None:
    """``partial`` with a UTF-8 byte order mark in front, as ``target`` (``partial`` removed)."""
    try:
        with open(partial, "rb") as src, open(target, "wb") as dst:
            dst.write(BOM)
            shutil.copyfileobj(src, dst, 1 << 20)
    finally:
        partial.unlink(missing_ok=True)


def _display_width(value) -> int:
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text.split("\n")[0])


def _cell_value(value, codes: dict[str, str] | None, chinese: bool):
    """What a cell shows: in Chinese, booleans as 是/否 and codes as their label."""
    if chinese and isinstance(value, bool):
        return BOOLEAN_LABELS[value]
    if codes is not None and isinstance(value, str):
        return codes.get(value, value)
    return value


def _write_workbook(con: duckdb.DuckDBPyConnection, db_path: str, out: Path, marts: list[str],
                    available: set[str], chinese: bool) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    readme = wb.create_sheet(README_SHEET)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    documentation: list[tuple[str, str, str, str]] = []  # sheet, header, column, description
    overview: list[tuple[str, str, int]] = []
    used_titles: set[str] = {README_SHEET}
    for mart in marts:
        sql, cols, origins = _named_select(con, mart, _columns(con, mart), available)
        rows = con.execute(sql).fetchall()
        if len(rows) > XLSX_MAX_ROWS:
            raise BudgetWarehouseError(f"{mart} has {len(rows):,} rows, more than one Excel sheet holds; "
                                       f"export it as parquet or csv")
        table_comment, col_comments = _comments(con, mart)
        title = mart[:31]
        while title in used_titles:
            title = title[:29] + f"_{len(used_titles)}"
        used_titles.add(title)
        overview.append((title, table_description_zh(mart) or table_comment or "", len(rows)))
        headers, seen = [], set()
        for c, (model, column) in zip(cols, origins):
            h = column_labels(model).get(column, c) if chinese else c
            if h in seen:  # two columns of one sheet never share a header
                h = f"{h}({c})"
            seen.add(h)
            headers.append(h)
            described = col_comments.get(c) if model == mart else None
            documentation.append((title, h, c, described or column_descriptions(model).get(column) or ""))
        codes = [values_of(c) if chinese else None for c in cols]
        formats = [number_format(c) for c in cols]
        shown = [[_cell_value(v, codes[i], chinese) for i, v in enumerate(r)] for r in rows]
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"
        for i, h in enumerate(headers):
            sample = [r[i] for r in shown[:WIDTH_SAMPLE] if r[i] is not None]
            width = max([_display_width(h) + 3] + [_display_width(v) + 1 for v in sample])
            if formats[i]:
                width += 3  # thousands separators
            ws.column_dimensions[get_column_letter(i + 1)].width = max(WIDTH_MIN, min(WIDTH_MAX, width))
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=False, vertical="center")
            header_cells.append(cell)
        ws.append(header_cells)
        for r in shown:
            cells = []
            for i, v in enumerate(r):
                if isinstance(v, str):
                    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", v))
                    cell.data_type = "s"  # text from documents is never a formula
                else:
                    cell = WriteOnlyCell(ws, value=v)
                    if formats[i] and v is not None:
                        cell.number_format = formats[i]
                cells.append(cell)
            ws.append(cells)
    _write_readme(readme, db_path, overview, documentation, bold, header_fill, WriteOnlyCell)
    target = out / WORKBOOK
    partial = out / f".{WORKBOOK}.part"
    wb.save(partial)
    os.replace(partial, target)
    return target


def _write_readme(ws, db_path: str, overview, documentation, bold, fill, cell_type) -> None:
    """The 说明 sheet: the sheets, the units, where the figures come from, then every column."""
    def row(*values, style=None):
        cells = []
        for v in values:
            c = cell_type(ws, value=v)
            if isinstance(v, str):
                c.data_type = "s"
            if style:
                c.font, c.fill = bold, fill
            cells.append(c)
        ws.append(cells)

    for letter, width in zip("ABCD", (30, 34, 34, 90)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    row("budgetwh 导出说明", style=True)
    row("导出时间", f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}")
    row("数据仓库", str(Path(db_path).resolve()))
    row()
    row("单位", "列名带(元)的为人民币元,精确到分,格式 #,##0.00;带(万元)的为万元,格式 #,##0.0000。"
        "各公开文件原文多以万元印出,仓库按元保存;原文数值与原文单位另列。")
    row("数据来源", "所有数值取自各部门公开的预算、决算文件(见 dim_document 工作表:源文件路径及其 sha256 文档编号);"
        "页码列为该数值在原文中的页码,来源列标明取自表格还是文字说明。文件中相互矛盾之处不作更正,"
        "列在 quality_findings 工作表。")
    row("代码值", "阶段、来源、公开类型、口径、严重程度等代码已译为中文;是/否列为布尔值。")
    row()
    row("工作表", "内容", "行数", style=True)
    for title, description, n in overview:
        row(title, description, n)
    row()
    row("工作表", "列名", "字段名", "说明", style=True)
    for sheet, header, column, description in documentation:
        row(sheet, header, column, description)
