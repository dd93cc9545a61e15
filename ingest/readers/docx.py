"""Word 2007+ (.docx) with python-docx: the body in order, paragraphs and tables interleaved.

- A body paragraph becomes one :class:`Paragraph` per printed line (a manual line break starts a
  new line, as in Word's text export, which the text reader reads); empty lines are dropped.
- A ``w:tbl`` becomes a :class:`Table` whose rows are the row's ``w:tc`` cells, read from the XML
  rather than from python-docx's ``row.cells`` (which repeats a horizontally merged cell once per
  grid column and a vertically merged cell once per row). So a cell spanning columns appears
  once, and the continuation of a vertically merged cell is an empty cell, as Word prints it.
  A cell's paragraphs are joined with ``\\n``.
- ``Table.title`` is the paragraph right before the table on the same page.
- A manual page break (``w:br w:type="page"``, "page break before", a section break that starts
  a new page) starts a new :class:`Page`. Word's *rendered* page numbers are not in the file.
- Deleted revisions, field instructions, text boxes and alternate-content fallbacks are skipped;
  inserted revisions, hyperlinks, content controls and field results are kept.

Before anything is parsed the zip is checked against the reader limits (zip bombs).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Iterator

from ..errors import ReadError
from ..model import Document, Page, Paragraph, Table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W_NS}}}"

# Subtrees whose text Word does not print in the flow of the paragraph.
_SKIP_TAGS = {
    _W + "del", _W + "moveFrom", _W + "txbxContent", _W + "pPr", _W + "rPr", _W + "instrText",
    _W + "delText", _W + "fldData", f"{{{MC_NS}}}Fallback",
}
# Containers whose children are read as if they stood in their place.
_TRANSPARENT = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag", _W + "ins",
                _W + "moveTo", _W + "hyperlink", _W + "fldSimple", _W + "r", _W + "bdo", _W + "dir",
                f"{{{MC_NS}}}AlternateContent", f"{{{MC_NS}}}Choice"}

PAGE_BREAK = "\f"
_DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_OTHER_MAIN_TYPES = re.compile(
    rb"application/vnd\.(?:ms-word\.document\.macroEnabled\.main\+xml"
    rb"|ms-word\.template\.macroEnabledTemplate\.main\+xml"
    rb"|openxmlformats-officedocument\.wordprocessingml\.template\.main\+xml)"
)


# ---------------------------------------------------------------------------------------------
# Zip limits (shared with the xlsx reader)
# ---------------------------------------------------------------------------------------------


_XML_SUFFIXES = (".xml", ".rels", ".vml")

#: What opening a damaged zip raises: besides BadZipFile, a mangled header raises
#: NotImplementedError ("zip file version 20.3", an unknown compression method), RuntimeError
#: (an encrypted member), EOFError, ValueError or OSError (offsets past the end).
ZIP_OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
                   ValueError, OSError, EOFError)


def zip_to_checked_archive(data: bytes, path: str, settings) -> zipfile.ZipFile:
    """Open ``data`` as a zip, refusing archives that would unpack beyond the reader limits.

    The sizes checked are those the archive declares; Python's zipfile never inflates a member
    beyond its declared size, so a lying header cannot get past this check either. Besides the
    ratio (a zip bomb), what the archive unpacks to is bounded in all, per member, and per XML
    part that would be parsed, so an archive that stays under the ratio (0.5 MB unpacking to
    53 MB of XML) is refused before any parse starts.

    Raises:
        ReadError: ``corrupt`` for a damaged zip; ``zip_bomb`` when the declared uncompressed
            size exceeds ``settings.max_unzipped_bytes`` or the ratio of uncompressed size to
            file size exceeds ``settings.max_zip_ratio``; ``too_large`` when one member exceeds
            ``settings.max_member_bytes``, or an XML part ``settings.max_xml_bytes``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_OPEN_ERRORS as exc:
        raise ReadError(path, f"a damaged zip archive ({exc})", code="corrupt") from exc
    total = sum(info.file_size for info in infos)
    if total > settings.max_unzipped_bytes:
        raise ReadError(
            path, f"zip archive would unpack to {total:,} bytes, over the limit of "
                  f"{settings.max_unzipped_bytes:,} (zip bomb?)", code="zip_bomb")
    ratio = total / max(len(data), 1)
    if ratio > settings.max_zip_ratio:
        raise ReadError(
            path, f"zip archive expands {ratio:,.0f} times its size, over the limit of "
                  f"{settings.max_zip_ratio} (zip bomb?)", code="zip_bomb")
    for info in infos:
        is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
        limit = min(settings.max_member_bytes, settings.max_xml_bytes) if is_xml else settings.max_member_bytes
        if info.file_size > limit:
            what = "XML part" if is_xml else "member"
            raise ReadError(
                path, f"{what} {info.filename} would unpack to {info.file_size:,} bytes, over the limit of "
                      f"{limit:,} for one {what}; it is not parsed", code="too_large")
    return archive


def docm_to_docx_bytes(data: bytes, archive: zipfile.ZipFile) -> bytes:
    """Relabel a macro-enabled document or a template as a plain .docx (python-docx refuses
    them by content type; their body is the same). Macros are never run: they are not read."""
    types = archive.read("[Content_Types].xml")
    fixed = _OTHER_MAIN_TYPES.sub(_DOCX_MAIN_TYPE.encode(), types)
    if fixed == types:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in archive.infolist():
            dst.writestr(info, fixed if info.filename == "[Content_Types].xml" else archive.read(info))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# XML to text
# ---------------------------------------------------------------------------------------------


def _on(el, attr: str = "val") -> bool:
    """A WordprocessingML on/off property: present and not explicitly off."""
    if el is None:
        return False
    return el.get(_W + attr, "true") not in ("0", "false", "off")


def _run_content_to_text(el, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            out.append("\t")
        elif tag == _W + "br":
            out.append(PAGE_BREAK if child.get(_W + "type") == "page" else "\n")
        elif tag == _W + "cr":
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        elif tag in _TRANSPARENT:
            _run_content_to_text(child, out)


def paragraph_to_text(p) -> str:
    """The printed text of a ``w:p``: ``\\n`` for line breaks, ``\\f`` for page breaks."""
    out: list[str] = []
    ppr = p.find(_W + "pPr")
    if ppr is not None and _on(ppr.find(_W + "pageBreakBefore")):
        out.append(PAGE_BREAK)
    _run_content_to_text(p, out)
    return "".join(out)


def _iter_block_elements(parent) -> Iterator:
    """``w:p`` and ``w:tbl`` children of ``parent`` in order, looking inside content controls."""
    for child in parent:
        tag = child.tag
        if tag in (_W + "p", _W + "tbl"):
            yield child
        elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _iter_block_elements(child)


def _iter_children(parent, wanted: str) -> Iterator:
    for child in parent:
        if child.tag == wanted:
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _iter_children(child, wanted)


def cell_to_text(tc) -> str:
    """A ``w:tc``'s paragraphs joined with ``\\n`` (a nested table: one line per row, cells
    separated by a tab)."""
    lines: list[str] = []
    for el in _iter_block_elements(tc):
        if el.tag == _W + "p":
            lines.append(paragraph_to_text(el).replace(PAGE_BREAK, "\n"))
        else:
            lines.extend("\t".join(row) for row in table_to_rows(el))
    return "\n".join(lines)


def table_to_rows(tbl) -> list[list[str]]:
    """Rows of a ``w:tbl`` as cell texts, one entry per ``w:tc`` (see module docstring)."""
    rows: list[list[str]] = []
    for tr in _iter_children(tbl, _W + "tr"):
        cells = [cell_to_text(tc) for tc in _iter_children(tr, _W + "tc")]
        if cells:
            rows.append(cells)
    return rows


def _section_breaks(body) -> set:
    """Paragraph-level ``w:sectPr`` elements whose following section starts on a new page."""
    sect_prs = list(body.iter(_W + "sectPr"))
    breaking = set()
    for this, following in itertools.pairwise(sect_prs):
        kind = following.find(_W + "type")
        if kind is None or kind.get(_W + "val") not in ("continuous", "nextColumn"):
            breaking.add(this)
    return breaking


# ---------------------------------------------------------------------------------------------
# Body to pages
# ---------------------------------------------------------------------------------------------


def body_to_pages(body) -> list[Page]:
    """Walk the document body in order into pages of paragraphs and tables."""
    pages = [Page(number=1)]
    table_index = 0
    section_breaks = _section_breaks(body)

    def new_page() -> None:
        pages.append(Page(number=len(pages) + 1))

    for el in _iter_block_elements(body):
        if el.tag == _W + "tbl":
            rows = table_to_rows(el)
            if not rows:
                continue
            page = pages[-1]
            title = page.blocks[-1].text if page.blocks and isinstance(page.blocks[-1], Paragraph) else None
            page.blocks.append(Table(rows=rows, page=page.number, index=table_index, title=title))
            table_index += 1
            continue
        text = paragraph_to_text(el)
        for i, chunk in enumerate(text.split(PAGE_BREAK)):
            if i:
                new_page()
            for line in chunk.split("\n"):
                if line.strip():
                    pages[-1].blocks.append(Paragraph(text=line, page=pages[-1].number, raw=line))
        ppr = el.find(_W + "pPr")
        if ppr is not None and ppr.find(_W + "sectPr") in section_breaks:
            new_page()
    while len(pages) > 1 and not pages[-1].blocks:
        pages.pop()
    return pages


def docx_to_document(data: bytes, path: str, settings) -> Document:
    """Read a .docx (or .docm/.dotx) into a Document.

    Raises:
        ReadError: a zip bomb, a damaged archive, or a package python-docx cannot open.
    """
    import docx  # python-docx

    archive = zip_to_checked_archive(data, path, settings)
    try:
        package = docm_to_docx_bytes(data, archive)
        word = docx.Document(io.BytesIO(package))
    except Exception as exc:
        raise ReadError(path, f"not a readable Word document ({type(exc).__name__}: {exc})",
                        code="corrupt") from exc
    pages = body_to_pages(word.element.body)
    return Document(document_id="", source_path=path, source_format="docx", byte_size=len(data),
                    pages=pages, encoding="utf-8")
