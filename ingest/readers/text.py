"""Plain text (as exported from Word): UTF-8 or GB18030, with or without BOM, LF or CRLF.

Word tables flattened to text come as one cell a line, each cell line starting with a tab; rows
are separated by blank lines; a cell with several paragraphs continues on lines without the
tab. Such runs become :class:`Table` blocks, everything else :class:`Paragraph` blocks. A form
feed starts a new page.
"""

from __future__ import annotations

import re

from ..errors import ReadError
from ..model import Document, Page, Paragraph, Table

# A line that starts a new table (a caption) or a new numbered item can never continue a cell.
_CAPTION_RE = re.compile(r"^\s*\d+\s*[.．、]\s*\S.*(?:表|此项涉密|涉密)\s*(?:TC\b.*)?$")
_HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Bytes to str, returning (text, encoding name as detected).

    gb2312/gbk are decoded as gb18030, their superset.

    Raises:
        ReadError: the bytes are not text in a known encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[3:]  # a UTF-8 mark before bytes that are not UTF-8: detect without it
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ReadError(path, f"starts with a UTF-16 byte-order mark, but byte {exc.start:,} is not "
                                  f"UTF-16 ({exc.reason}): damaged or truncated", code="bad_encoding") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = (best.encoding if best else "").lower().replace("_", "")
    if enc in ("gb2312", "gbk", "gb18030", "hz", "cp936", ""):
        enc = "gb18030"
    for candidate in dict.fromkeys([enc, "gb18030", "big5"]):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError(path, "not text in UTF-8, GB18030 or Big5", code="bad_encoding")


# Control characters other than tab, newline, form feed and carriage return; the replacement character.
_NOT_TEXT_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = len(_NOT_TEXT_RE.findall(text, 0, 20_000))
    return bad / min(len(text), 20_000) < 0.01


def lines_to_blocks(lines: list[str], page: int, first_table_index: int = 0) -> list:
    """Group text lines into paragraphs and tables (see module docstring)."""
    blocks: list = []
    rows: list[list[str]] | None = None  # current table
    row: list[str] = []
    blank_since_cell = False
    table_index = first_table_index

    def next_nonblank(i: int) -> str | None:
        for ln in lines[i + 1:]:
            if ln.strip():
                return ln
        return None

    def close_row() -> None:
        nonlocal row
        if rows is not None and row:
            rows.append(row)
        row = []

    def close_table() -> None:
        nonlocal rows, table_index
        close_row()
        if rows:
            title = None
            if blocks and isinstance(blocks[-1], Paragraph):
                title = blocks[-1].text
            blocks.append(Table(rows=rows, page=page, index=table_index, title=title))
            table_index += 1
        rows = None

    for i, line in enumerate(lines):
        if line.startswith("\t"):
            if rows is None:
                rows = []
            elif blank_since_cell:
                close_row()
            row.append(line[1:])
            blank_since_cell = False
            continue
        if not line.strip():
            if rows is not None:
                blank_since_cell = True
            continue
        if rows is not None and row:
            # A line without a tab inside a table: a further paragraph of the last cell, unless
            # it is a caption or heading, or (after a blank line) the table does not resume.
            is_break = bool(_CAPTION_RE.match(line) or _HEADING_RE.match(line))
            if not is_break and not blank_since_cell:
                row[-1] = row[-1] + "\n" + line
                continue
            nxt = next_nonblank(i)
            if not is_break and nxt is not None and nxt.startswith("\t"):
                row[-1] = row[-1] + "\n\n" + line
                continue
        close_table()
        blocks.append(Paragraph(text=line, page=page, raw=line))
        blank_since_cell = False
    close_table()
    return blocks


def text_to_document(data: bytes, path: str, settings=None) -> Document:
    """Read a text export of a disclosure.

    Raises:
        ReadError: not decodable text, or binary content.
    """
    text, encoding = decode_text(data, path)
    if not _looks_like_text(text):
        raise ReadError(path, "binary content, not text", code="unsupported_format")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(document_id="", source_path=path, source_format="text", byte_size=len(data),
                   encoding=encoding)
    table_index = 0
    for number, page_text in enumerate(text.split("\f"), start=1):
        blocks = lines_to_blocks(page_text.split("\n"), number, table_index)
        table_index += sum(1 for b in blocks if isinstance(b, Table))
        doc.pages.append(Page(number=number, blocks=blocks))
    return doc
