"""Tables as printed, not as paged: a table continued over pages becomes one table.

The readers join a continuation when it follows directly (no caption of its own). Many layouts
print the caption, the unit line and the header again on every page ('表1 收支总表 … 单位：万元'),
so the continuation arrives as a table of its own. Here consecutive tables on consecutive pages
are one table when the later one repeats the earlier one's caption (or has none) and starts with
the earlier one's header rows (or with data); the repeated header rows are dropped and each row
keeps its page.

A caption printed on the same line as the unit line ('表7：…预算表部门名称：杭州市司法局 单位：万元')
is cut from it, and a caption wrapped over two lines ('…支出明细表(按支出功能分类科' + '目-不含上年
结转)') is joined, when the reader found no caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Document, Paragraph, Table
from .tables_layout import rows_to_header_count

DEFAULT_CAPTION_LOOKBACK = 3  # paragraphs above a table searched for a caption
_UNIT_MARK = re.compile(r"(?:编制部门|编制单位|部门名称|单位名称|预算单位|部门\(单位\)|部门（单位）|单位\s*[:：]|部门\s*[:：])")
_PAGE_OR_NUMBER = re.compile(r"^(?:[-—–]?\s*\d{1,4}\s*[-—–]?|(?:公开)?表\s*[0-9一二三四五六七八九十]+)$")
_CAPTION_NOISE = re.compile(r"^(?:公开)?(?:表|附表)\s*[0-9一二三四五六七八九十]+\s*[:：.、]?|[（(]\s*续\s*[）)]|续表|\s+")


@dataclass
class PrintedTable:
    """One table as printed: its rows over all its pages, its caption, and the block it starts
    with (the reader's first piece, whose page holds its unit line)."""

    table: Table
    first: Table
    title: str | None
    last: Table | None = None  # the reader's last piece (the block its notes follow)

    @property
    def last_piece(self) -> Table:
        return self.last or self.first


def caption_key(title: str | None) -> str:
    """A caption without its number ('表1：', '公开02表'), '(续)' and spaces, for comparison."""
    return _CAPTION_NOISE.sub("", title or "")


def table_to_title(doc: Document, table: Table, lookback: int = DEFAULT_CAPTION_LOOKBACK) -> str | None:
    """The reader's caption, else the caption part of a line that also holds the unit line."""
    if table.title:
        return table.title
    page = doc.pages[table.page - 1] if 0 < table.page <= len(doc.pages) else None
    if page is None:
        return None
    before: list[Paragraph] = []
    for block in page.blocks:
        if block is table:
            break
        before = [] if isinstance(block, Table) else before + [block]
    below: list[str] = []  # lines between a caption and the table: a caption wrapped over lines
    for para in reversed(before[-lookback:]):
        text = para.text.strip()
        m = _UNIT_MARK.search(text)
        head = text[:m.start()].strip() if m else ""
        if head and "表" in head and len(head) <= 60:
            return head
        if m or _PAGE_OR_NUMBER.match(text):
            continue
        if "表" in text and len(text) <= 60 and below and len(text + "".join(below)) <= 80:
            return text + "".join(reversed(below))
        below.append(text)
    return None


def _width(table: Table) -> int:
    return max((len(r) for r in table.rows), default=0)


def _norm(row: list[str]) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", "", c) for c in row)


def _continues(prev: PrintedTable, table: Table, title: str | None) -> bool:
    last_page = prev.table.page_end or prev.table.page
    if table.page != last_page + 1 or _width(table) != _width(prev.table):
        return False
    if title is not None and caption_key(title) != caption_key(prev.title):
        return False
    return _repeated_header(prev, table) is not None


def _repeated_header(prev: PrintedTable, table: Table) -> int | None:
    """How many of ``table``'s first rows repeat ``prev``'s header (0: it starts with data, as a
    continuation does); None when they differ from it."""
    n = rows_to_header_count(table.rows)
    if n == 0:
        return 0
    prev_head = [_norm(r) for r in prev.table.rows[:rows_to_header_count(prev.table.rows)]]
    head = [_norm(r) for r in table.rows[:len(prev_head)]]
    return len(prev_head) if prev_head and head == prev_head else None


def _join(prev: PrintedTable, table: Table) -> None:
    base = prev.table
    n = _repeated_header(prev, table) or 0
    if base.row_pages is None:
        base.row_pages = [base.page] * len(base.rows)
    rows = table.rows[n:]
    base.rows.extend(rows)
    base.row_pages.extend(table.row_pages[n:] if table.row_pages else [table.page] * len(rows))
    base.page_end = table.page_end or table.page
    prev.last = table


def doc_to_printed_tables(doc: Document) -> list[PrintedTable]:
    """The document's tables as printed, continuations joined (see the module docstring)."""
    out: list[PrintedTable] = []
    for table in doc.tables():
        if not table.rows:
            continue
        title = table_to_title(doc, table)
        if out and _continues(out[-1], table, title):
            _join(out[-1], table)
            continue
        copy = Table(rows=[list(r) for r in table.rows], page=table.page, index=table.index, title=title,
                     page_end=table.page_end, char_start=table.char_start, char_end=table.char_end,
                     row_pages=list(table.row_pages) if table.row_pages else None)
        out.append(PrintedTable(copy, table, title))
    return out
