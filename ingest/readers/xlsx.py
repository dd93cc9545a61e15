"""Workbooks: .xlsx with openpyxl, .xls with xlrd. Each visible sheet is one :class:`Page`.

- The sheet's rows become one :class:`Table`: empty rows are dropped, trailing empty cells
  stripped, and columns left of the first used column dropped. A merged area is printed once:
  its top-left cell keeps the text, the other columns of the area are left out, and each further
  row of the area gets one empty cell (as a vertically merged Word cell prints).
- Rows at the top of the sheet with a single filled cell (a title, '单位：万元') are printed
  lines, not table rows: each is a :class:`Paragraph`, and the title (the last of them that is
  not a unit line) is ``Table.title``. Without such a line, a sheet name that is not a default
  ('Sheet1') is the title.
- Numbers are strings as Excel prints them: the cell's number format decides decimals, percent
  and thousands separators (``0.00`` → '37.00', ``0.00%`` → '30.00%', ``#,##0`` → '1,234');
  under the General format a float prints without binary noise (37.0 → '37', 0.1+0.2 → '0.3').
  Amounts are never floats downstream: the amounts module parses these strings.
- Formula cells give the value cached by the program that last saved the file.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import ReadError
from ..model import Document, Page, Paragraph, Table

_QUOTED_RE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DECIMALS_RE = re.compile(r"\.([0#?]+)")
_UNIT_LINE_RE = re.compile(r"^\s*(?:金额)?单位\s*[:：]")
_DEFAULT_SHEET_RE = re.compile(r"^(?:sheet|工作表)\s*\d*$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Values to printed strings
# ---------------------------------------------------------------------------------------------


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def general_number_to_text(value: float | Decimal) -> str:
    """A number under the General format: no binary noise, no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return _plain(Decimal(f"{value:.15g}"))
    return _plain(value)


def number_to_text(value: float | Decimal, number_format: str | None) -> str:
    """A number as the cell's number format prints it (decimals, %, thousands separator).

    Only the first section of the format is read; a negative number gets a leading '-'. Date,
    scientific and other formats print as General.
    """
    section = (number_format or "General").split(";")[0]
    cleaned = _QUOTED_RE.sub("", section)
    if "general" in cleaned.lower() or not re.search(r"[0#?]", cleaned) or re.search(r"[Ee][+-]", cleaned):
        return general_number_to_text(value)
    percent = "%" in cleaned
    m = _DECIMALS_RE.search(cleaned)
    min_places = m.group(1).count("0") if m else 0
    max_places = len(m.group(1)) if m else 0
    integer_part = cleaned[: m.start()] if m else cleaned
    thousands = "," in integer_part and re.search(r"[0#?],[0#?]", integer_part) is not None
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return str(value)
    if percent:
        d = d * 100
    negative = d < 0
    q = abs(d).quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    text = format(q, ",f" if thousands else "f")
    if max_places > min_places and "." in text:  # '#' places: optional digits
        head, tail = text.split(".")
        tail = tail.rstrip("0").ljust(min_places, "0")
        text = head + ("." + tail if tail else "")
    if negative and q != 0:
        text = "-" + text
    return text + ("%" if percent else "")


def value_to_text(value, number_format: str | None = None) -> str:
    """Any cell value as printed text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return number_to_text(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# Grids to blocks
# ---------------------------------------------------------------------------------------------


def merges_to_covered(merges: list[tuple[int, int, int, int]]) -> dict[tuple[int, int], str | None]:
    """Merged areas (first_row, first_col, last_row, last_col; inclusive, 0-based) to the cells
    they cover: None = left out, '' = printed as one empty cell."""
    covered: dict[tuple[int, int], str | None] = {}
    for r1, c1, r2, c2 in merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) == (r1, c1):
                    continue
                covered[(r, c)] = "" if c == c1 else None
    return covered


def grid_to_rows(grid: list[list[str]], covered: dict[tuple[int, int], str | None]) -> list[list[str]]:
    """A sheet's printed cells (0-based grid) to ragged rows (see module docstring)."""
    first_col = min((next((c for c, v in enumerate(row) if v.strip()), len(row)) for row in grid),
                    default=0)
    rows: list[list[str]] = []
    for r, row in enumerate(grid):
        out: list[str] = []
        for c in range(first_col, len(row)):
            key = (r, c)
            if key in covered:
                if covered[key] is None:
                    continue
                out.append("")
            else:
                out.append(row[c])
        while out and not out[-1].strip():
            out.pop()
        if out:
            rows.append(out)
    return rows


def rows_to_blocks(rows: list[list[str]], page: int, table_index: int, sheet_name: str) -> list:
    """Leading single-cell rows are printed lines (paragraphs); the rest is the table."""
    blocks: list = []
    start = 0
    while start < len(rows) and sum(1 for c in rows[start] if c.strip()) == 1:
        line = next(c for c in rows[start] if c.strip())
        blocks.append(Paragraph(text=line, page=page, raw=line))
        start += 1
    body = rows[start:]
    if body:
        lines = [b.text for b in blocks]
        titles = [t for t in lines if not _UNIT_LINE_RE.match(t)]
        title = titles[-1] if titles else (lines[-1] if lines else None)
        if title is None and not _DEFAULT_SHEET_RE.match(sheet_name.strip()):
            title = sheet_name.strip() or None
        blocks.append(Table(rows=body, page=page, index=table_index, title=title))
    return blocks


# ---------------------------------------------------------------------------------------------
# Workbooks to documents
# ---------------------------------------------------------------------------------------------


def _sheets_to_pages(sheets, path: str) -> list[Page]:
    """``sheets``: iterable of (name, callable returning (grid, merges)) for visible sheets."""
    pages: list[Page] = []
    table_index = 0
    for name, read in sheets:
        number = len(pages) + 1
        try:
            grid, merges = read()
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(path, f"sheet {name!r} cannot be read ({type(exc).__name__}: {exc})",
                            page=number, code="corrupt") from exc
        rows = grid_to_rows(grid, merges_to_covered(merges))
        blocks = rows_to_blocks(rows, number, table_index, name)
        table_index += sum(1 for b in blocks if isinstance(b, Table))
        pages.append(Page(number=number, blocks=blocks))
    return pages


def _openpyxl_sheet_reader(ws):
    def read():
        grid = [[value_to_text(cell.value, cell.number_format) for cell in row]
                for row in ws.iter_rows()]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        return grid, merges
    return read


def xlsx_to_document(data: bytes, path: str, settings) -> Document:
    """Read an .xlsx workbook: one page per visible sheet.

    Raises:
        ReadError: a zip bomb, or a workbook openpyxl cannot open (named by sheet if it fails
            on one).
    """
    import openpyxl

    from .docx import zip_to_checked_archive

    zip_to_checked_archive(data, path, settings)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    except Exception as exc:
        raise ReadError(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                        code="corrupt") from exc
    sheets = [(ws.title, _openpyxl_sheet_reader(ws)) for ws in wb.worksheets
              if getattr(ws, "sheet_state", "visible") == "visible"]
    pages = _sheets_to_pages(sheets, path)
    return Document(document_id="", source_path=path, source_format="xlsx", byte_size=len(data),
                    pages=pages or [Page(number=1)])


def _xlrd_sheet_reader(book, sheet):
    import xlrd

    def fmt(cell) -> str | None:
        try:
            xf = book.xf_list[cell.xf_index]
            return book.format_map[xf.format_key].format_str
        except (AttributeError, IndexError, KeyError, TypeError):
            return None

    def text(cell) -> str:
        kind = cell.ctype
        if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        if kind == xlrd.XL_CELL_NUMBER:
            return value_to_text(cell.value, fmt(cell))
        if kind == xlrd.XL_CELL_DATE:
            try:
                return value_to_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return general_number_to_text(cell.value)
        if kind == xlrd.XL_CELL_BOOLEAN:
            return "TRUE" if cell.value else "FALSE"
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERR")
        return str(cell.value)

    def read():
        grid = [[text(sheet.cell(r, c)) for c in range(sheet.row_len(r))] for r in range(sheet.nrows)]
        merges = [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in getattr(sheet, "merged_cells", [])]
        return grid, merges
    return read


def xls_to_document(data: bytes, path: str, settings) -> Document:
    """Read an .xls (BIFF) workbook: one page per visible sheet.

    Raises:
        ReadError: a workbook xlrd cannot open (encrypted, damaged), named by sheet if it fails
            on one.
    """
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
        except NotImplementedError:
            book = xlrd.open_workbook(file_contents=data, formatting_info=False)
    except Exception as exc:
        raise ReadError(path, f"not a readable .xls workbook ({type(exc).__name__}: {exc})",
                        code="corrupt") from exc
    sheets = [(sheet.name, _xlrd_sheet_reader(book, sheet)) for sheet in book.sheets()
              if getattr(sheet, "visibility", 0) == 0]
    pages = _sheets_to_pages(sheets, path)
    return Document(document_id="", source_path=path, source_format="xls", byte_size=len(data),
                    pages=pages or [Page(number=1)])
