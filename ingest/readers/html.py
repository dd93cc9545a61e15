"""Web pages (and Word documents saved as web pages) with BeautifulSoup and lxml.

- Decoding: a byte-order mark, else the ``<meta charset>`` / ``http-equiv`` or XML declaration,
  else detection (as for text). gb2312/gbk are decoded as gb18030, their superset; a declared
  encoding the bytes contradict is ignored in favour of detection.
- Every line a browser would print outside a table is a :class:`Paragraph`: block elements
  (``p``, ``div``, ``h1``…, ``li``…) and ``<br>`` end a line. Whitespace collapses as a browser
  collapses it, except that a source line break between two Chinese characters disappears (the
  CSS segment-break rule) so that wrapped HTML does not gain spaces inside sentences.
- A ``<table>`` is a :class:`Table` of its rows' ``td``/``th`` cells as printed: a cell spanning
  columns is one cell; a row covered by a cell spanning rows gets an empty cell in its place
  (as a vertically merged Word cell prints). Lines inside a cell (``<br>``, paragraphs) are
  joined with ``\\n``. A table used for page layout (a single cell, or cells holding tables) is
  read through as ordinary content. ``Table.title`` is the line right before the table.
- ``script``, ``style``, ``nav``, ``head``, form controls, comments (Word's ``<!--[if gte mso]>``
  blocks) and elements hidden with ``display:none`` are skipped.
- A CSS page break (``page-break-before/after: always``, as Word writes) starts a new page.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import ReadError
from ..model import Document, Page, Paragraph, Table
from .text import decode_text

_SKIP = {"script", "style", "nav", "head", "title", "noscript", "template", "iframe", "object",
         "embed", "svg", "math", "select", "option", "button", "input", "textarea", "map", "area",
         "audio", "video", "canvas", "meta", "link"}
_BLOCKS = {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
           "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
           "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
           "legend", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "table", "tbody",
           "td", "tfoot", "th", "thead", "tr", "ul", "xmp", "listing", "plaintext"}
_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80", "gb_2312",
               "euc-cn", "csgb2312", "chinese", "iso-ir-58", "csiso58gb231280", "gb18030"}
_BIG5_ALIASES = {"big5", "big5-hkscs", "big5hkscs", "cp950", "x-x-big5", "csbig5", "cn-big5"}
_CHARSET_RES = [
    re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-:.]+)", re.IGNORECASE),
    re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_\-:.]+)", re.IGNORECASE),
]
_WS_RE = re.compile(r"[ \t\r\n\f]+")
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BREAK_BEFORE_RE = re.compile(r"(?:page-)?break-before\s*:\s*(?:always|page)", re.IGNORECASE)
_BREAK_AFTER_RE = re.compile(r"(?:page-)?break-after\s*:\s*(?:always|page)", re.IGNORECASE)
MAX_SPAN = 1000
# Elements nested deeper than this are read as plain text (their structure flattened): no page
# as published nests so deep (a Word export: 20 to 40 levels), and walking deeper would exhaust
# the interpreter's recursion limit (each level costs up to four frames: table, row, cell, walk).
MAX_DEPTH = 100


# ---------------------------------------------------------------------------------------------
# Bytes to str
# ---------------------------------------------------------------------------------------------


def bytes_to_declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first 8 KB, lower-cased, or None."""
    head = data[:8192]
    for pattern in _CHARSET_RES:
        m = pattern.search(head)
        if m:
            return m.group(1).decode("ascii", "replace").strip().lower()
    return None


def charset_to_candidates(charset: str) -> list[str]:
    """Python codecs to try for a declared charset (supersets first)."""
    if charset in _GB_ALIASES:
        return ["gb18030"]
    if charset in _BIG5_ALIASES:
        return ["cp950", "big5hkscs"]
    try:
        return [codecs.lookup(charset).name]
    except LookupError:
        return []


def html_bytes_to_str(data: bytes, path: str) -> tuple[str, str]:
    """Decode a page: BOM, declared charset, else detection. Returns (text, encoding).

    Raises:
        ReadError: the bytes decode in no known encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if not data.isascii():
        # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page declares (CMS templates
        # keep a 'gb2312' label long after the site moved to UTF-8); GBK text is practically
        # never valid UTF-8.
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    declared = bytes_to_declared_charset(data)
    if declared:
        for enc in charset_to_candidates(declared):
            if enc in ("latin-1", "iso8859-1", "cp1252", "ascii"):
                break  # a Western label on a Chinese page is a template default: detect instead
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                continue
    return decode_text(data, path)


# ---------------------------------------------------------------------------------------------
# DOM to lines
# ---------------------------------------------------------------------------------------------


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def collapse_whitespace(text: str) -> str:
    """Collapse whitespace as a browser does, dropping a source line break between two wide
    (Chinese) characters (CSS Text 3 segment-break transformation): HTML writers wrap Chinese
    text anywhere, and the author printed no space there."""

    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        if "\n" in run or "\r" in run:
            before = text[m.start() - 1] if m.start() > 0 else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if before and after and _wide(before) and _wide(after):
                return ""
        return " "

    return _WS_RE.sub(repl, text).strip(" ")


@dataclass
class _Flow:
    """Text accumulating into printed lines (whitespace collapsed when a line ends)."""

    lines: list[str] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)

    def text(self, s: str) -> None:
        self.buf.append(s)

    def soft_break(self) -> None:
        """End the current line if it has content (a block boundary)."""
        raw = "".join(self.buf)
        self.buf = []
        if raw.strip(" \t\r\n\f"):
            self.lines.append(collapse_whitespace(raw))

    def hard_break(self) -> None:
        """End the current line even if empty (``<br>``)."""
        raw = "".join(self.buf)
        self.buf = []
        self.lines.append(collapse_whitespace(raw))


def _is_hidden(tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_RE.search(tag.get("style") or ""))


def _children(tag, names: set[str]):
    for child in tag.children:
        if getattr(child, "name", None) in names:
            yield child


def table_to_tr_list(table) -> list:
    """The table's own rows (not those of nested tables), in order."""
    rows = []
    for child in _children(table, {"tr", "thead", "tbody", "tfoot"}):
        if child.name == "tr":
            rows.append(child)
        else:
            rows.extend(_children(child, {"tr"}))
    return rows


def _span(tag, attr: str) -> int:
    try:
        value = int(re.sub(r"[^\d]", "", str(tag.get(attr) or "1")) or 1)
    except ValueError:
        value = 1
    return min(value, MAX_SPAN) if value > 0 else (MAX_SPAN if attr == "rowspan" else 1)


def _fill_covered(pending: dict[int, list[int]], out: list[str], col: int, until: int | None) -> int:
    """Append one empty cell for each rowspan covering ``col`` onwards (up to ``until``);
    return the next free grid column."""
    while col in pending and (until is None or col <= until):
        left, width = pending[col]
        out.append("")
        if left <= 1:
            del pending[col]
        else:
            pending[col][0] = left - 1
        col += width
    return col


def is_layout_table(table) -> bool:
    """A table used to lay out a page: one cell, or cells holding tables."""
    cells = [c for tr in table_to_tr_list(table) for c in _children(tr, {"td", "th"})]
    if len(cells) <= 1:
        return True
    return any(c.find("table") is not None for c in cells)


class _Walker:
    def __init__(self) -> None:
        self.pages: list[Page] = [Page(number=1)]
        self.table_index = 0

    # -- main flow -------------------------------------------------------------------------

    def flush(self, flow: _Flow) -> None:
        flow.soft_break()
        page = self.pages[-1]
        for line in flow.lines:
            if line.strip():
                page.blocks.append(Paragraph(text=line, page=page.number, raw=line))
        flow.lines = []

    def new_page(self, flow: _Flow) -> None:
        self.flush(flow)
        if self.pages[-1].blocks:
            self.pages.append(Page(number=len(self.pages) + 1))

    def walk(self, node, flow: _Flow, main: bool, depth: int = 0) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import PreformattedString

        if depth >= MAX_DEPTH:  # flattened: its text in order, as one run of the flow
            flow.soft_break()
            flow.text(" ".join(node.get_text(" ").split()))
            flow.soft_break()
            return
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, CDATA, doctype…
                    flow.text(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = (child.name or "").lower()
            if name in _SKIP or ":" in name and name.startswith(("v:", "w:")) or _is_hidden(child):
                continue
            style = child.get("style") or ""
            if main and _BREAK_BEFORE_RE.search(style):
                self.new_page(flow)
            if name == "br":
                if not (main and _BREAK_BEFORE_RE.search(style)):
                    flow.hard_break()
            elif name == "table":
                self.table(child, flow, main, depth + 1)
            elif name == "pre":
                flow.soft_break()
                for line in child.get_text().split("\n"):
                    flow.buf = [line.replace(" ", "\u00a0")]  # keep preformatted spacing
                    flow.soft_break()
            elif name in _BLOCKS:
                flow.soft_break()
                self.walk(child, flow, main, depth + 1)
                flow.soft_break()
            else:
                self.walk(child, flow, main, depth + 1)
            if main and _BREAK_AFTER_RE.search(style):
                self.new_page(flow)

    # -- tables ----------------------------------------------------------------------------

    def cell_to_text(self, cell, depth: int) -> str:
        flow = _Flow()
        self.walk(cell, flow, False, depth)
        flow.soft_break()
        # Word writes an empty paragraph as <p>&nbsp;</p>: an empty line, as in the .docx.
        return "\n".join(line if line.strip() else "" for line in flow.lines).strip("\n")

    def table_to_rows(self, table, depth: int = 0) -> list[list[str]]:
        """Cells as printed; a position covered from above by a rowspan gets one empty cell."""
        rows: list[list[str]] = []
        pending: dict[int, list[int]] = {}  # grid column -> [rows still covered, colspan]
        for tr in table_to_tr_list(table):
            out: list[str] = []
            col = 0
            for cell in _children(tr, {"td", "th"}):
                col = _fill_covered(pending, out, col, None)
                colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
                out.append(self.cell_to_text(cell, depth + 1))
                if rowspan > 1:
                    pending[col] = [rowspan - 1, colspan]
                col += colspan
            for start in sorted(c for c in pending if c >= col):
                col = _fill_covered(pending, out, start, start)
            if out:
                rows.append(out)
        return rows

    def table(self, table, flow: _Flow, main: bool, depth: int = 0) -> None:
        if is_layout_table(table):
            for tr in table_to_tr_list(table):
                for cell in _children(tr, {"td", "th"}):
                    flow.soft_break()
                    self.walk(cell, flow, main, depth + 1)
                    flow.soft_break()
            return
        caption = table.find("caption")
        if caption is not None and caption.find_parent("table") is table:
            flow.soft_break()
            self.walk(caption, flow, main, depth + 1)
        rows = self.table_to_rows(table, depth)
        if not main:
            flow.soft_break()
            flow.lines.extend("\t".join(row) for row in rows)
            return
        self.flush(flow)
        if not rows:
            return
        page = self.pages[-1]
        title = page.blocks[-1].text if page.blocks and isinstance(page.blocks[-1], Paragraph) else None
        page.blocks.append(Table(rows=rows, page=page.number, index=self.table_index, title=title))
        self.table_index += 1


def soup_to_pages(soup) -> list[Page]:
    """Walk a parsed page into pages of paragraphs and tables."""
    walker = _Walker()
    flow = _Flow()
    root = soup.body or soup
    walker.walk(root, flow, main=True)
    walker.flush(flow)
    pages = walker.pages
    while len(pages) > 1 and not pages[-1].blocks:
        pages.pop()
    return pages


def html_to_document(data: bytes, path: str, settings=None) -> Document:
    """Read a web page (or Word 'web page' export) into a Document.

    Raises:
        ReadError: undecodable bytes, or markup the parser cannot read.
    """
    from bs4 import BeautifulSoup

    text, encoding = html_bytes_to_str(data, path)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:
        raise ReadError(path, f"cannot parse HTML ({type(exc).__name__}: {exc})", code="corrupt") from exc
    pages = soup_to_pages(soup)
    return Document(document_id="", source_path=path, source_format="html", byte_size=len(data),
                    pages=pages, encoding=encoding)
