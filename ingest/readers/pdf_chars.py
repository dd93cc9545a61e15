"""A PDF page's characters in arrays (numpy): the geometry of ``pdf_layout`` without an object per
character where none is needed.

The reader used to make a :class:`~ingest.readers.pdf_layout.Char` for every character of a page
(some 615,000 in the regional corpus), test each against every grid, find each one's cell with two
bisections and sort each cell's characters by attribute. Here the page's characters are one
:class:`PageChars` (their texts, boxes, centres, heights and CJK flags in arrays); what is the same
for every character is done once per page in numpy: which grid a character falls in, its fine
cell, the order of a cell's or of the free text's characters, the spaces between neighbours.
What stays a loop in Python is what is sequential by nature (a line takes a character when its
centre is near the line's tallest character so far), on plain floats. A ``Char`` is made only for
the characters of the free text, which the text read from positions (``pdf_stream``) and the
paragraphs still read as objects.

Every step gives what its per-object counterpart in ``pdf_layout`` gives, character for character:
:func:`grid_cells_text` as ``grid_to_rows``, :func:`free_lines` as ``chars_to_lines`` (the same
stable sorts, the same float arithmetic in float64, the same comparisons).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .pdf_layout import _CJK_PUNCT, Char, Grid, Line, grid_to_anchor_ids, texts_to_cell_text

# What each code point is: visible (not whitespace: spaces are re-derived from gaps; any beyond the
# Basic Multilingual Plane is visible) and CJK (``is_cjk``; none beyond the BMP is), looked up in
# one step for a page's characters (a code point of a str is below 0x110000).
_BMP = np.arange(0x10000, dtype=np.uint32)
_VISIBLE = np.ones(0x110000, dtype=bool)
_VISIBLE[:0x10000] = (_BMP > 0x20) & ~np.isin(_BMP, [ord(c) for c in "\u00a0\u3000\ufeff\ufffe\uffff"])
_CJK = np.zeros(0x110000, dtype=bool)
_CJK[:0x10000] = (((_BMP >= 0x2E80) & (_BMP <= 0x9FFF)) | ((_BMP >= 0xF900) & (_BMP <= 0xFAFF))
                  | ((_BMP >= 0xFF00) & (_BMP <= 0xFFEF)) | ((_BMP >= 0x3000) & (_BMP <= 0x303F))
                  | np.isin(_BMP, [ord(c) for c in _CJK_PUNCT]))
del _BMP


def visible(codes: np.ndarray) -> np.ndarray:
    """Mask of the code points that are not whitespace (any beyond the BMP is visible)."""
    return _VISIBLE[codes]


def cjk_mask(codes: np.ndarray) -> np.ndarray:
    """``is_cjk`` of each code point (none beyond the BMP is)."""
    return _CJK[codes]


class PageChars:
    """The visible characters of a page: ``codes`` (their code points, uint32) and, index for
    index, float64 arrays of their boxes (top-down: ``x0``, ``top``, ``x1``, ``bottom``), centres
    (``cx``, ``cy``) and heights (``size``), and the bool array ``cjk``: a :class:`Char`'s
    attributes, column by column (a character's text is ``chr`` of its code)."""

    __slots__ = ("bottom", "cjk", "codes", "cx", "cy", "size", "top", "x0", "x1")

    def __init__(self, codes: np.ndarray, x0: np.ndarray, top: np.ndarray, x1: np.ndarray,
                 bottom: np.ndarray) -> None:
        self.codes, self.x0, self.top, self.x1, self.bottom = codes, x0, top, x1, bottom
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2
        self.size = bottom - top
        self.cjk = cjk_mask(codes)

    def __len__(self) -> int:
        return len(self.codes)

    def text(self, idx: np.ndarray) -> str:
        """The characters at ``idx``, in that order, as one string."""
        return _decode(self.codes[idx])

    def chars(self, idx: np.ndarray | None = None) -> list[Char]:
        """The characters at ``idx`` (all by default) as :class:`Char` objects, in that order."""
        if idx is None:
            idx = np.arange(len(self.codes))
        return list(map(_char, self.text(idx),
                        *(a[idx].tolist() for a in (self.x0, self.top, self.x1, self.bottom, self.cx, self.cy,
                                                     self.size, self.cjk))))


def _decode(codes: np.ndarray) -> str:
    """Code points (uint32) to a string; a lone surrogate (a character PDFium could not map) as it
    came."""
    return codes.astype(np.uint32, copy=False).tobytes().decode("utf-32-le", "surrogatepass")


_new_char = Char.__new__


def _char(text: str, x0: float, top: float, x1: float, bottom: float, cx: float, cy: float, size: float,
          cjk: bool) -> Char:
    """A Char with the attributes its ``__init__`` would compute, computed already (in arrays)."""
    c = _new_char(Char)
    c.text, c.x0, c.top, c.x1, c.bottom, c.cx, c.cy, c.size, c.cjk = text, x0, top, x1, bottom, cx, cy, size, cjk
    return c


def grid_owners(pc: PageChars, bounds: list[tuple[float, float, float, float]]) -> np.ndarray:
    """For each character, the first grid (index into ``bounds``: left, top, right, bottom) whose
    bounds hold its centre, or -1."""
    owner = np.full(len(pc), -1, dtype=np.intp)
    cx, cy = pc.cx, pc.cy
    for k, (left, top, right, bottom) in enumerate(bounds):
        inside = (owner < 0) & (left <= cx) & (cx <= right) & (top <= cy) & (cy <= bottom)
        owner[inside] = k
    return owner


def _line_groups(order: np.ndarray, pc: PageChars, line_tolerance: float,
                 keys: np.ndarray | None = None) -> list[list[int]]:
    """``chars_to_lines``' grouping of the characters ``order`` (already sorted by centre, then
    left edge): each line a list of positions into ``order``, sorted by left edge. A new ``keys``
    value (a cell) always starts a new line. (One step per character: what :func:`_line_order`
    does when a box is not finite.)"""
    cys = pc.cy[order].tolist()
    sizes = pc.size[order].tolist()
    # without keys, every character is in the one "cell" None (the first starts a line anyway)
    cells = keys.tolist() if keys is not None else [None] * len(sizes)
    groups: list[list[int]] = []
    group: list[int] = []
    centre = size = 0.0
    cell = None
    for p, cs in enumerate(sizes):
        tallest = cs if cs > size else size  # noqa: FURB136
        if group and cells[p] == cell \
                and abs(cys[p] - centre) <= line_tolerance * (tallest if tallest > 1.0 else 1.0):  # noqa: FURB136
            group.append(p)
            if cs > size:
                centre, size = cys[p], cs
        else:
            group = [p]
            groups.append(group)
            centre, size, cell = cys[p], cs, cells[p]
    x0s = pc.x0[order].tolist()
    key = x0s.__getitem__
    for group in groups:
        if len(group) > 1:
            group.sort(key=key)
    return groups


def _line_order(order: np.ndarray, pc: PageChars, line_tolerance: float,
                keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``chars_to_lines``' grouping of the characters ``order`` (already sorted by centre, then
    left edge; a new ``keys`` value, a cell, always starts a new line): the characters one line
    after the other, each line by left edge, and where each line starts.

    The grouping is sequential (a character joins the line when its centre is near that of the
    line's tallest character so far), but a character with the centre, height and key of the one
    before it always joins that one's line (it is as near as that one was, or it is that line's
    tallest): the loop runs once per run of such characters, not per character."""
    n = len(order)
    cy, size, x0 = pc.cy[order], pc.size[order], pc.x0[order]
    if not (np.isfinite(cy).all() and np.isfinite(size).all() and np.isfinite(x0).all()):
        return _flatten(order, _line_groups(order, pc, line_tolerance, keys))
    head = np.ones(n, dtype=bool)  # the first character of a run
    head[1:] = (cy[1:] != cy[:-1]) | (size[1:] != size[:-1])
    if keys is not None:
        head[1:] |= keys[1:] != keys[:-1]
    heads = head.nonzero()[0]
    hcys, hsizes = cy[heads].tolist(), size[heads].tolist()
    hkeys = keys[heads].tolist() if keys is not None else [None] * len(heads)
    new_line = [True] * len(heads)
    centre, tall, cell = hcys[0], hsizes[0], hkeys[0]
    for k in range(1, len(heads)):
        cs = hsizes[k]
        tallest = cs if cs > tall else tall  # noqa: FURB136
        if hkeys[k] == cell and abs(hcys[k] - centre) <= line_tolerance * (tallest if tallest > 1.0 else 1.0):  # noqa: FURB136
            new_line[k] = False
            if cs > tall:
                centre, tall = hcys[k], cs
        else:
            centre, tall, cell = hcys[k], cs, hkeys[k]
    starts = heads[np.array(new_line, dtype=bool)]
    line = np.zeros(n, dtype=np.intp)
    line[starts] = 1
    line = line.cumsum()
    # within a line, by left edge (stable: ties keep their order, as list.sort does)
    return order[np.lexsort((x0, line))], starts


def _line_texts(pc: PageChars, flat: np.ndarray, starts: np.ndarray, gap_ratio: float,
                cjk_gap_ratio: float) -> list[str]:
    """``chars_to_text`` of each line: ``flat`` the characters of all lines, one after the other,
    ``starts`` where each line begins in it. The characters and the spaces between them are put
    into one array of code points, a newline between lines (no visible character is one), and
    decoded at once."""
    x0, x1, size, cjk = pc.x0[flat], pc.x1[flat], pc.size[flat], pc.cjk[flat]
    gap_size = np.maximum(np.minimum(size[1:], size[:-1]), 1.0)
    ratio = np.where(cjk[1:] & cjk[:-1], cjk_gap_ratio, gap_ratio)
    before = np.zeros(len(flat), dtype=np.intp)  # a space (or, at a line's start, a newline) before it
    before[1:] = x0[1:] - x1[:-1] > ratio * gap_size
    before[starts] = 0
    before[starts[1:]] = 1
    at = np.arange(len(flat)) + before.cumsum()
    codes = np.full(int(at[-1]) + 1, 0x20, dtype=np.uint32)
    codes[at] = pc.codes[flat]
    codes[at[starts[1:]] - 1] = 0x0A
    return _decode(codes).split("\n")


def _flatten(order: np.ndarray, groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """The characters of ``groups`` (positions into ``order``) one line after the other, and where
    each line starts."""
    starts: list[int] = []
    positions: list[int] = []
    for g in groups:
        starts.append(len(positions))
        positions.extend(g)
    return order[np.array(positions, dtype=np.intp)], np.array(starts, dtype=np.intp)


class _ArrayLine(Line):
    """A line of the free text whose :class:`Char` objects are made when first read: the
    paragraphs read a line's text, box and height (computed in arrays), the text read from
    positions reads the characters of few lines."""

    @property
    def x0(self) -> float:
        return self.__dict__["_x0"]

    @cached_property
    def chars(self) -> list[Char]:
        return self.__dict__.pop("_pc").chars(self.__dict__.pop("_idx"))


_new_line = _ArrayLine.__new__


def free_lines(pc: PageChars, idx: np.ndarray, line_tolerance: float, gap_ratio: float,
               cjk_gap_ratio: float) -> list[Line]:
    """``chars_to_lines`` of the characters ``idx`` (in that order); their ``Char`` objects made
    when a line's characters are first read."""
    if not len(idx):
        return []
    order = idx[np.lexsort((pc.x0[idx], pc.cy[idx]))]  # stable: ties keep the order of idx
    flat, at = _line_order(order, pc, line_tolerance)
    texts = _line_texts(pc, flat, at, gap_ratio, cjk_gap_ratio)
    starts = at.tolist()
    ends = [*starts[1:], len(flat)]
    # each line's box (Line.x0, x1, top, bottom) and height (the median of its characters', the
    # upper one of an even count: Line.size), computed for all lines at once
    x0 = pc.x0[flat[at]].tolist()
    x1 = np.maximum.reduceat(pc.x1[flat], at).tolist()
    top = np.minimum.reduceat(pc.top[flat], at).tolist()
    bottom = np.maximum.reduceat(pc.bottom[flat], at).tolist()
    counts = np.diff(np.append(at, len(flat)))
    sizes = pc.size[flat]
    by_size = sizes[np.lexsort((sizes, np.repeat(np.arange(len(at)), counts)))]
    median = by_size[at + counts // 2].tolist()
    lines: list[Line] = []
    for a, b, t, left, right, high, low, height in zip(starts, ends, texts, x0, x1, top, bottom, median):
        line = _new_line(_ArrayLine)
        line.__dict__.update(text=t, _x0=left, x1=right, top=high, bottom=low, size=height, _pc=pc,
                             _idx=flat[a:b])
        lines.append(line)
    return lines


def grid_cells_text(grid: Grid, pc: PageChars, idx: np.ndarray, tolerance: float, line_tolerance: float,
                    gap_ratio: float, cjk_gap_ratio: float) -> list[list[str]]:
    """``grid_to_rows`` of the characters ``idx`` (in that order): the table's rows of cell texts,
    empty rows dropped."""
    nrows, ncols = len(grid.ys) - 1, len(grid.xs) - 1
    if not len(idx):
        return []
    # the fine cell of each character (bisect_right, clamped to the grid), then its printed cell's
    i = np.minimum(np.maximum(np.array(grid.ys).searchsorted(pc.cy[idx], side="right") - 1, 0), nrows - 1)
    j = np.minimum(np.maximum(np.array(grid.xs).searchsorted(pc.cx[idx], side="right") - 1, 0), ncols - 1)
    anchor = np.array(grid_to_anchor_ids(grid, tolerance), dtype=np.intp)
    cell = anchor[i * ncols + j]
    sort = np.lexsort((pc.x0[idx], pc.cy[idx], cell))  # stable: ties keep the order of idx
    order, cells = idx[sort], cell[sort]
    flat, starts = _line_order(order, pc, line_tolerance, cells)
    texts = _line_texts(pc, flat, starts, gap_ratio, cjk_gap_ratio)
    group_cells = cells[starts].tolist()
    by_cell: dict[int, list[str]] = {}
    for c, t in zip(group_cells, texts):
        by_cell.setdefault(c, []).append(t)
    rows: list[list[str]] = []
    for r in range(nrows):
        row = [""] * ncols
        for k in range(ncols):
            lines = by_cell.get(r * ncols + k)
            if lines is not None:
                row[k] = texts_to_cell_text(lines)
        if any(row):
            rows.append(row)
    return rows
