"""PDF: text with positions from pypdfium2, tables rebuilt from character positions and the
page's ruling lines.

Each page becomes :class:`Paragraph` blocks (narrative lines joined into paragraphs) and
:class:`Table` blocks (rows of cell texts, see ``pdf_layout``), in reading order (top to
bottom). Text outside any ruled grid may still make tables, read from text positions (see
``pdf_stream``): the same shape, a spanning header label in its first column, '' elsewhere. A
table continued on the next page is joined into the first one (``page_end``, ``row_pages``),
dropping the header rows the continuation repeats. ``Table.title`` is the
caption printed above the table ('2024年部门财务收支预算总表'), skipping the '编制部门…单位：元'
line.

Rulings are searched in the page's paths and in those of its Form XObjects; a path drawing many
rulings at once (one subpath each) is cut into its subpaths. Encrypted PDFs that open without a
password (owner-password only) are read; those that need a password are refused.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ..errors import ReadError
from ..model import Document, Page, Paragraph, Table
from . import pdfium_calls
from .pdf_layout import (
    Char,
    Grid,
    Line,
    lines_to_paragraphs,
    rects_to_rules,
    rules_to_grids,
)
from .pdf_stream import DEFAULT_STREAM_SETTINGS, StreamSettings, StreamTable, lines_to_stream_tables

DEFAULT_RULE_MAX_THICKNESS = 2.5  # points: a filled box thinner than this is a ruling line
DEFAULT_RULE_MIN_LENGTH = 3.0
DEFAULT_SNAP_TOLERANCE = 2.0  # rulings this close are one
DEFAULT_JOIN_TOLERANCE = 3.0  # collinear pieces this close are one ruling
DEFAULT_GRID_TOLERANCE = 2.5  # a ruling ends this close to another still meets it
DEFAULT_LINE_TOLERANCE = 0.5  # chars whose centres differ by < this x height share a line
DEFAULT_GAP_RATIO = 0.3  # gap (x height) that becomes a space between Latin/digits
DEFAULT_CJK_GAP_RATIO = 1.5  # gap (x height) that becomes a space between Chinese chars
DEFAULT_PARA_INDENT_RATIO = 1.0  # a line starting this far (x height) right of the margin opens a paragraph
DEFAULT_PARA_GAP_RATIO = 1.0  # a vertical gap larger than this (x height) opens a paragraph
DEFAULT_COLUMN_MATCH_TOLERANCE = 4.0  # column edges of a continued table match within this
DEFAULT_TITLE_LOOKBACK = 3  # paragraphs above a table searched for its caption
DEFAULT_REQUIRE_EOF_MARKER = True  # refuse files without '%%EOF' at the end (truncated downloads)
DEFAULT_READ_RULINGS = True  # False: every table is read from text positions
DEFAULT_MIN_SEGMENTS_TO_SPLIT = 8  # a path of fewer segments is not cut into subpaths

_FPDF_ERR_FILE, _FPDF_ERR_FORMAT, _FPDF_ERR_PASSWORD, _FPDF_ERR_SECURITY = 2, 3, 4, 5
_UNIT_LINE_RE = re.compile(r"(编制部门|编制单位|单位\s*[:：]|^\s*部门\s*[:：]|公开\s*\d+\s*表\s*$)")
_PAGE_NUMBER_RE = re.compile(r"^\s*[-—–]?\s*\d{1,4}\s*[-—–]?\s*$|^\s*第\s*\d+\s*页")
_NUMBER_CELL_RE = re.compile(r"^[-−]?\d[\d,，]*(?:\.\d+)?$")


@dataclass(frozen=True)
class PdfSettings:
    """How pages are cut into lines, paragraphs and tables (see the DEFAULT_ constants)."""

    rule_max_thickness: float = DEFAULT_RULE_MAX_THICKNESS
    rule_min_length: float = DEFAULT_RULE_MIN_LENGTH
    snap_tolerance: float = DEFAULT_SNAP_TOLERANCE
    join_tolerance: float = DEFAULT_JOIN_TOLERANCE
    grid_tolerance: float = DEFAULT_GRID_TOLERANCE
    line_tolerance: float = DEFAULT_LINE_TOLERANCE
    gap_ratio: float = DEFAULT_GAP_RATIO
    cjk_gap_ratio: float = DEFAULT_CJK_GAP_RATIO
    para_indent_ratio: float = DEFAULT_PARA_INDENT_RATIO
    para_gap_ratio: float = DEFAULT_PARA_GAP_RATIO
    column_match_tolerance: float = DEFAULT_COLUMN_MATCH_TOLERANCE
    title_lookback: int = DEFAULT_TITLE_LOOKBACK
    require_eof_marker: bool = DEFAULT_REQUIRE_EOF_MARKER
    read_rulings: bool = DEFAULT_READ_RULINGS
    stream: StreamSettings | None = DEFAULT_STREAM_SETTINGS  # None: no tables without rulings

    def __post_init__(self) -> None:
        for name in ("rule_max_thickness", "rule_min_length", "snap_tolerance", "join_tolerance",
                     "grid_tolerance", "line_tolerance", "gap_ratio", "cjk_gap_ratio",
                     "column_match_tolerance"):
            if getattr(self, name) <= 0:
                raise ValueError(f"PdfSettings.{name} must be positive")
        if self.para_indent_ratio < 0 or self.para_gap_ratio < 0 or self.title_lookback < 0:
            raise ValueError("PdfSettings ratios and lookback must not be negative")


DEFAULT_PDF_SETTINGS = PdfSettings()


@dataclass
class _PageTable:
    """A table found on one page, with the geometry needed to join continuations."""

    table: Table
    xs: list[float]
    has_caption: bool
    header_rows: int = 0
    stream: bool = False  # read from text positions: its column edges are estimates


@dataclass
class _PageResult:
    number: int
    blocks: list = field(default_factory=list)
    tables: list[_PageTable] = field(default_factory=list)
    has_text: bool = True


# ---------------------------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------------------------


def bytes_to_pdfium(data: bytes, path: str, settings: PdfSettings = DEFAULT_PDF_SETTINGS):
    """Open the bytes with PDFium.

    Raises:
        ReadError: code 'encrypted' (a password is needed), 'corrupt' (truncated or damaged).
    """
    import pypdfium2 as pdfium

    if settings.require_eof_marker and b"%%EOF" not in data[-2048:]:
        raise ReadError(path, "PDF is truncated or damaged: no '%%EOF' marker at the end",
                        code="corrupt")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (_FPDF_ERR_PASSWORD, _FPDF_ERR_SECURITY):
            raise ReadError(path, "PDF is encrypted and needs a password", code="encrypted") from exc
        what = {_FPDF_ERR_FORMAT: "not a valid PDF structure", _FPDF_ERR_FILE: "file cannot be parsed"}
        raise ReadError(path, f"PDF is damaged: {what.get(code, str(exc))}", code="corrupt") from exc


# ---------------------------------------------------------------------------------------------
# One page: characters and rulings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFrame:
    """The page as it is displayed: PDF user-space boxes (left, bottom, right, top) turned into
    top-down boxes (x0, top, x1, bottom) of the page shown upright, its /Rotate applied (a
    landscape table printed on a page rotated by 90° reads left to right, not bottom to top).

    ``width`` and ``height`` are the unrotated page's (its media box).
    """

    width: float
    height: float
    rotation: int = 0  # 0 | 90 | 180 | 270, clockwise

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        w, h = self.width, self.height
        if self.rotation == 90:
            return bottom, left, top, right
        if self.rotation == 180:
            return w - right, bottom, w - left, top
        if self.rotation == 270:
            return h - top, w - right, h - bottom, w - left
        return left, h - top, right, h - bottom


_QUARTER_TURNS = {0: 0, 1: 90, 2: 180, 3: 270}  # FPDFPage_GetRotation -> degrees (pypdfium2's)


def page_to_frame(page) -> PageFrame:
    """The page's frame: its unrotated size and its rotation. ``page``: a page handle of
    :mod:`pdfium_calls`."""
    lib = pdfium_calls.lib
    rotation = _QUARTER_TURNS[lib.FPDFPage_GetRotation(page)]
    width, height = lib.FPDF_GetPageWidthF(page), lib.FPDF_GetPageHeightF(page)  # already rotated by pdfium
    if rotation in (90, 270):
        width, height = height, width
    return PageFrame(width, height, rotation)


def textpage_to_page_chars(textpage, frame: PageFrame):
    """Every visible character with its loose box, top-down coordinates of the upright page, as a
    :class:`~ingest.readers.pdf_chars.PageChars`; whitespace dropped (spaces are re-derived from
    gaps). None when the page has no character. ``textpage``: a text page handle of
    :mod:`pdfium_calls`."""
    import numpy as np

    from .pdf_chars import PageChars, visible

    lib = pdfium_calls.lib
    n = lib.FPDFText_CountChars(textpage)
    if n <= 0:
        return None
    # All the text in one call; one character per index unless the page has characters
    # outside the BMP (UTF-16 surrogates), then one call per character.
    buf = pdfium_calls.utf16(n + 1)
    lib.FPDFText_GetText(textpage, 0, n, buf)
    text = pdfium_calls.buffer(buf, n * 2)[:].decode("utf-16-le", errors="replace")
    if len(text) != n:
        text = "".join(chr(lib.FPDFText_GetUnicode(textpage, i)) for i in range(n))
    codes = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    idx = visible(codes).nonzero()[0]
    # one box call per visible character (through cffi, see pdfium_calls), each into its own
    # four floats of one array (reused from page to page): FS_RECTF, left, top, right, bottom
    m = len(idx)
    rects, slots = pdfium_calls.box_slots(m)
    get_box = lib.FPDFText_GetLooseCharBox
    ok = np.fromiter(map(get_box, itertools.repeat(textpage, m), idx.tolist(), slots), dtype=np.intc, count=m) != 0
    box = np.frombuffer(pdfium_calls.buffer(rects), dtype=np.float32, count=4 * m).reshape(m, 4).astype(np.float64)
    left, top, right, bottom = box.T
    keep = ok & ~(right <= left) & ~(top <= bottom)  # a box of no width or height is no character
    if not keep.all():
        idx, left, top, right, bottom = idx[keep], left[keep], top[keep], right[keep], bottom[keep]
    x0, y0, x1, y1 = frame.box(left, bottom, right, top)
    return PageChars(codes[idx], x0, y0, x1, y1)


def textpage_to_chars(textpage, frame: PageFrame) -> list[Char]:
    """Every visible character with its loose box, top-down coordinates of the upright page;
    whitespace dropped (spaces are re-derived from gaps)."""
    page_chars = textpage_to_page_chars(textpage, frame)
    return page_chars.chars() if page_chars is not None else []


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def matrix_multiply(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def points_to_box(points: list[tuple[float, float]], m: Matrix) -> tuple[float, float, float, float]:
    """Bounding box (x0, y0, x1, y1) of ``points`` mapped through ``m`` (PDF space, y up)."""
    a, b, c, d, e, f = m
    xs = [a * x + c * y + e for x, y in points]
    ys = [b * x + d * y + f for x, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _obj_matrix(obj) -> Matrix:
    m = pdfium_calls.floats(6)  # FS_MATRIX: a, b, c, d, e, f
    if not pdfium_calls.lib.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    a, b, c, d, e, f = m
    return (a, b, c, d, e, f)


def path_to_subpath_boxes(obj, stroked: bool) -> list[tuple[float, float, float, float]] | None:
    """Boxes (PDF space of the path's parent) of the pieces of a path holding several subpaths
    (one path object drawing a whole table's rulings): each subpath of a filled path, each
    straight segment of a stroked one. None for a path of one subpath (its bounds serve).
    ``obj`` is a page object handle of :mod:`pdfium_calls`."""
    from pypdfium2 import raw

    lib = pdfium_calls.lib
    n = lib.FPDFPath_CountSegments(obj)
    if n < DEFAULT_MIN_SEGMENTS_TO_SPLIT:
        return None  # a box, or a line or two: its bounds serve
    point = pdfium_calls.floats(2)
    px, py = point + 0, point + 1
    get_segment, get_point = lib.FPDFPath_GetPathSegment, lib.FPDFPathSegment_GetPoint
    get_kind, get_close, moveto = lib.FPDFPathSegment_GetType, lib.FPDFPathSegment_GetClose, raw.FPDF_SEGMENT_MOVETO
    subpaths: list[list[tuple[float, float]]] = []
    for i in range(n):
        seg = get_segment(obj, i)
        if not get_point(seg, px, py):
            continue
        if get_kind(seg) == moveto or not subpaths:
            subpaths.append([])
        subpaths[-1].append((point[0], point[1]))
        if get_close(seg) and subpaths[-1]:
            subpaths[-1].append(subpaths[-1][0])
    if len(subpaths) < 2:
        return None
    m = _obj_matrix(obj)
    if not stroked:
        return [points_to_box(sp, m) for sp in subpaths if len(sp) >= 2]
    return [points_to_box([p, q], m) for sp in subpaths for p, q in itertools.pairwise(sp)]


def _objects_to_boxes(parent, count, get, m: Matrix | None, thin: float, out: list) -> None:
    """Boxes (PDF space) of the drawn paths among ``count`` objects, recursing into forms; a path
    thicker than ``thin`` both ways is cut into its subpaths when it has several. ``parent``,
    ``count`` and ``get`` are of :mod:`pdfium_calls`."""
    from pypdfium2 import raw

    lib = pdfium_calls.lib
    bounds, modes = pdfium_calls.floats(4), pdfium_calls.ints(2)
    pl, pb, pr, pt = bounds + 0, bounds + 1, bounds + 2, bounds + 3  # left, bottom, right, top
    pfill, pstroke = modes + 0, modes + 1
    get_type, form, path = lib.FPDFPageObj_GetType, raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_PATH
    get_mode, get_bounds = lib.FPDFPath_GetDrawMode, lib.FPDFPageObj_GetBounds
    for i in range(count(parent)):
        obj = get(parent, i)
        kind = get_type(obj)
        if kind == form:
            inner = _obj_matrix(obj)
            _objects_to_boxes(obj, lib.FPDFFormObj_CountObjects, lib.FPDFFormObj_GetObject,
                              inner if m is None else matrix_multiply(inner, m), thin, out)
            continue
        if kind != path:
            continue
        if not get_mode(obj, pfill, pstroke):
            continue
        fill, stroke = modes
        if not fill and not stroke:
            continue
        if not get_bounds(obj, pl, pb, pr, pt):
            continue
        box = tuple(bounds)
        boxes = None
        if min(box[2] - box[0], box[3] - box[1]) > thin:  # not itself a ruling: maybe many
            boxes = path_to_subpath_boxes(obj, stroked=not fill)
        if boxes is None:
            boxes = [box]
        if m is not None:
            boxes = [points_to_box([(x0, y0), (x1, y1)], m) for x0, y0, x1, y1 in boxes]
        out.extend(boxes)


def page_to_rects(page, frame: PageFrame,
                  thin: float = DEFAULT_RULE_MAX_THICKNESS) -> list[tuple[float, float, float, float]]:
    """Bounding boxes (x0, top, x1, bottom) of the page's drawn (filled or stroked) paths, those
    inside Form XObjects included; a path of several subpaths gives one box per subpath. ``page``:
    a page handle of :mod:`pdfium_calls`."""
    lib = pdfium_calls.lib
    boxes: list[tuple[float, float, float, float]] = []
    _objects_to_boxes(page, lib.FPDFPage_CountObjects, lib.FPDFPage_GetObject, None, thin,
                      boxes)
    return [frame.box(x0, y0, x1, y1) for x0, y0, x1, y1 in boxes]


def rects_to_grids(rects, settings: PdfSettings) -> list[Grid]:
    rules = rects_to_rules(rects, settings.rule_max_thickness, settings.rule_min_length, settings.snap_tolerance,
                           settings.join_tolerance)
    return rules_to_grids(rules, settings.grid_tolerance)


def _grid_bounds(g: Grid, tol: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) within which a character's centre is inside the grid."""
    x0, top, x1, bottom = g.bbox
    return x0 - tol, top - tol, x1 + tol, bottom + tol


def _header_row_count(rows: list[list[str]]) -> int:
    """Rows before the first row holding a number: the table's header."""
    for i, row in enumerate(rows):
        if any(_NUMBER_CELL_RE.match(c.replace(" ", "")) for c in row if c):
            return i
    return len(rows)


def _caption(blocks: list, lookback: int) -> str | None:
    """The caption above a table: the nearest short paragraph with '表' in it, skipping the
    '编制部门：… 单位：元' line."""
    seen = 0
    for block in reversed(blocks):
        if not isinstance(block, Paragraph) or seen >= lookback:
            return None
        seen += 1
        text = block.text.strip()
        if _UNIT_LINE_RE.search(text) or _PAGE_NUMBER_RE.match(text):
            continue
        if "表" in text and len(text) <= 60:
            return text
        return None
    return None


def page_to_result(page, number: int, settings: PdfSettings, after_stream: bool = False) -> _PageResult:
    """One page (a page handle of :mod:`pdfium_calls`) to its blocks, in reading order.
    ``after_stream``: the page before ended with a table read from text positions (see
    ``lines_to_stream_tables``)."""
    import numpy as np
    import pypdfium2 as pdfium

    from .pdf_chars import free_lines, grid_cells_text, grid_owners

    frame = page_to_frame(page)
    textpage = pdfium_calls.lib.FPDFText_LoadPage(page)
    if pdfium_calls.is_null(textpage):
        raise pdfium.PdfiumError("Failed to load text page.")
    try:
        chars = textpage_to_page_chars(textpage, frame)
    finally:
        pdfium_calls.lib.FPDFText_ClosePage(textpage)
    result = _PageResult(number=number, has_text=chars is not None and len(chars) > 0)
    if not result.has_text:
        return result
    grids = rects_to_grids(page_to_rects(page, frame, settings.rule_max_thickness), settings) \
        if settings.read_rulings else []
    if grids:  # each character to the first grid holding its centre, the others free
        owner = grid_owners(chars, [_grid_bounds(g, settings.grid_tolerance) for g in grids])
        free = [(owner < 0).nonzero()[0]]
    else:
        owner, free = None, [np.arange(len(chars))]
    items: list[tuple[float, object]] = []  # (top, Line-paragraph | (xs, rows, stream?))
    for k, g in enumerate(grids):
        tc = (owner == k).nonzero()[0]
        rows = grid_cells_text(g, chars, tc, settings.grid_tolerance, settings.line_tolerance,
                               settings.gap_ratio, settings.cjk_gap_ratio)
        if rows:
            items.append((g.ys[0], (g.xs, rows, False)))
        else:
            free.append(tc)  # a ruled box with no text inside is no table
    lines = free_lines(chars, np.concatenate(free), settings.line_tolerance, settings.gap_ratio,
                       settings.cjk_gap_ratio)
    if lines and settings.stream is not None:
        streams = lines_to_stream_tables(lines, settings.stream, settings.gap_ratio, settings.cjk_gap_ratio,
                                         after_stream)
        lines = _stream_to_items(streams, lines, items)
    if lines:
        right = max(ln.x1 for ln in lines)
        left = min(ln.x0 for ln in lines)
        # Paragraphs never run across a table: cut the lines at each table's top.
        cuts = sorted(top for top, _ in items)
        segment: list[Line] = []
        segments: list[list[Line]] = []
        ci = 0
        for ln in lines:
            while ci < len(cuts) and ln.top >= cuts[ci]:
                if segment:
                    segments.append(segment)
                segment = []
                ci += 1
            segment.append(ln)
        if segment:
            segments.append(segment)
        for seg in segments:
            for para in lines_to_paragraphs(seg, right, left, settings.para_indent_ratio,
                                            settings.para_gap_ratio):
                items.append((para[0].top, para))
    items.sort(key=lambda it: it[0])
    for _, item in items:
        if isinstance(item, list):
            text = "".join(_join_wrapped(item))
            result.blocks.append(Paragraph(text=text, page=number, raw=text))
        else:
            xs, rows, stream = item
            title = _caption(result.blocks, settings.title_lookback)
            table = Table(rows=rows, page=number, title=title)
            result.blocks.append(table)
            result.tables.append(_PageTable(table=table, xs=xs, has_caption=title is not None,
                                            header_rows=_header_row_count(rows), stream=stream))
    return result


def _stream_to_items(streams: list[StreamTable], lines: list[Line], items: list) -> list[Line]:
    """Add the tables read from text positions to ``items``; the lines they did not take."""
    if not streams:
        return lines
    taken: set[int] = set()
    for t in streams:
        items.append((t.top, (t.xs, t.rows, True)))
        taken.update(t.line_ids)
    return [ln for i, ln in enumerate(lines) if i not in taken]


def _ends_with_stream(results: list[_PageResult]) -> bool:
    """Does the last page read end with a table read from text positions?"""
    if not results:
        return False
    blocks = [b for b in results[-1].blocks if not _is_noise(b)]
    return bool(blocks and results[-1].tables and blocks[-1] is results[-1].tables[-1].table
                and results[-1].tables[-1].stream)


def _join_wrapped(lines: list[Line]) -> list[str]:
    """Texts of a paragraph's lines, joined: no space between wrapped Chinese, one otherwise."""
    out: list[str] = []
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        if i and out and t and out[-1] and out[-1][-1].isascii() and t[0].isascii() \
                and out[-1][-1].isalpha() and t[0].isalpha():
            out.append(" ")
        out.append(t)
    return out


# ---------------------------------------------------------------------------------------------
# Across pages
# ---------------------------------------------------------------------------------------------


def _is_noise(block) -> bool:
    return isinstance(block, Paragraph) and bool(_PAGE_NUMBER_RE.match(block.text))


def columns_to_map(base: list[float], cont: list[float], tol: float) -> list[int] | None:
    """Map each column edge of a continuation to the base table's column edge at the same x.

    The continuation may lack some inner edges (a '合计' row merged over the code columns) but
    must share the outer edges; None when the edges do not fit.
    """
    mapping: list[int] = []
    for x in cont:
        k = min(range(len(base)), key=lambda i: abs(base[i] - x))
        if abs(base[k] - x) > tol or (mapping and k <= mapping[-1]):
            return None
        mapping.append(k)
    if mapping[0] != 0 or mapping[-1] != len(base) - 1:
        return None
    return mapping


def stream_columns_to_map(base: list[float], cont: list[float]) -> list[int] | None:
    """Map each column of a continuation read from text positions to the base table's column
    whose span holds its middle; None when two fall in one column or the tables do not
    overlap."""
    if cont[0] >= base[-1] or cont[-1] <= base[0]:
        return None
    mapping: list[int] = []
    for a, b in itertools.pairwise(cont):
        mid = (a + b) / 2
        k = next((i for i in range(len(base) - 2) if mid < base[i + 1]), len(base) - 2)
        if mapping and k <= mapping[-1]:
            return None
        mapping.append(k)
    return mapping


def table_to_continued(base: _PageTable, cont: Table, page: int, col_map: list[int]) -> None:
    """Append a continuation's rows to ``base`` (minus the header rows it repeats), each cell
    moved to the base table's column at the same x."""
    head = base.table.rows[:base.header_rows]
    width = len(base.xs) - 1
    rows = []
    for row in cont.rows:
        out = [""] * width
        for j, text in enumerate(row):
            out[col_map[j]] = text
        rows.append(out)
    drop = 0
    while drop < len(rows) and drop < len(head) and rows[drop] == head[drop]:
        drop += 1
    table = base.table
    if table.row_pages is None:
        table.row_pages = [table.page] * len(table.rows)
    table.rows.extend(rows[drop:])
    table.row_pages.extend([page] * (len(rows) - drop))
    table.page_end = page


def results_to_pages(results: list[_PageResult], settings: PdfSettings) -> list[Page]:
    """Join tables continued across pages, number the tables, and build the pages.

    A page's first block continues the previous page's last block when both are tables, the
    continuation has no caption of its own and the column edges match; the header rows it
    repeats are dropped.
    """
    open_table: _PageTable | None = None  # the previous page's last block, if a table
    for res in results:
        blocks = [b for b in res.blocks if not _is_noise(b)]
        cont = res.tables[0] if res.tables else None
        col_map = None
        if open_table is not None and cont is not None and blocks and blocks[0] is cont.table \
                and not cont.has_caption:
            if open_table.stream and cont.stream:
                col_map = stream_columns_to_map(open_table.xs, cont.xs)
            elif not (open_table.stream or cont.stream):
                col_map = columns_to_map(open_table.xs, cont.xs, settings.column_match_tolerance)
        if col_map is not None:
            table_to_continued(open_table, cont.table, res.number, col_map)
            res.blocks.remove(cont.table)
            res.tables.pop(0)
            if len(blocks) == 1:
                continue  # the whole page continues the table, which stays open
        blocks = [b for b in res.blocks if not _is_noise(b)]
        if blocks and res.tables and blocks[-1] is res.tables[-1].table:
            open_table = res.tables[-1]
        else:
            open_table = None
    pages: list[Page] = []
    index = 0
    for res in results:
        for block in res.blocks:
            if isinstance(block, Table):
                block.index = index
                index += 1
        pages.append(Page(number=res.number, blocks=res.blocks, has_text_layer=res.has_text))
    return pages


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def pdf_to_document(data: bytes, path: str, settings=None) -> Document:
    """Read a PDF into a Document (not yet normalized).

    ``settings`` may be a :class:`PdfSettings`; anything else (the readers' ReaderSettings)
    means the defaults.

    Raises:
        ReadError: 'encrypted', 'corrupt' (truncated, damaged, a page that cannot be loaded), or
            'no_text_layer' (no page has text: a scan, OCR needed).
    """
    pdf_settings = settings if isinstance(settings, PdfSettings) else DEFAULT_PDF_SETTINGS
    pdf = bytes_to_pdfium(data, path, pdf_settings)
    results: list[_PageResult] = []
    lib = pdfium_calls.lib
    try:
        handle = pdfium_calls.handle(pdf)
        for i in range(len(pdf)):
            page = lib.FPDF_LoadPage(handle, i)  # closed before the next is loaded, and before the document
            if pdfium_calls.is_null(page):
                raise ReadError(path, "page cannot be loaded (Failed to load page.)", page=i + 1, code="corrupt")
            try:
                results.append(page_to_result(page, i + 1, pdf_settings, _ends_with_stream(results)))
            finally:
                lib.FPDF_ClosePage(page)
    finally:
        pdf.close()
    if not any(r.has_text for r in results):
        raise ReadError(path, "no text layer; OCR needed", code="no_text_layer")
    doc = Document(document_id="", source_path=path, source_format="pdf", byte_size=len(data))
    doc.pages = results_to_pages(results, pdf_settings)
    return doc
