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

import numpy as np

from .pdf_layout import _CJK_PUNCT, Char, Grid, Line, grid_to_anchors, texts_to_cell_text

# What each code point of the Basic Multilingual Plane is: visible (not whitespace: spaces are
# re-derived from gaps) and CJK (``is_cjk``), looked up in one step for a page's characters.
_BMP = np.arange(0x10000, dtype=np.uint32)
_VISIBLE_BMP = (_BMP > 0x20) & ~np.isin(_BMP, [ord(c) for c in "\u00a0\u3000\ufeff\ufffe\uffff"])
_CJK_BMP = (((_BMP >= 0x2E80) & (_BMP <= 0x9FFF)) | ((_BMP >= 0xF900) & (_BMP <= 0xFAFF))
            | ((_BMP >= 0xFF00) & (_BMP <= 0xFFEF)) | ((_BMP >= 0x3000) & (_BMP <= 0x303F))
            | np.isin(_BMP, [ord(c) for c in _CJK_PUNCT]))
del _BMP


def visible(codes: np.ndarray) -> np.ndarray:
    """Mask of the code points that are not whitespace (any beyond the BMP is visible)."""
    return np.where(codes <= 0xFFFF, _VISIBLE_BMP[np.minimum(codes, 0xFFFF)], True)


def cjk_mask(codes: np.ndarray) -> np.ndarray:
    """``is_cjk`` of each code point (none beyond the BMP is)."""
    return np.where(codes <= 0xFFFF, _CJK_BMP[np.minimum(codes, 0xFFFF)], False)


class PageChars:
    """The visible characters of a page: ``texts`` (one-character strings) and, index for index,
    float64 arrays of their boxes (top-down: ``x0``, ``top``, ``x1``, ``bottom``), centres
    (``cx``, ``cy``) and heights (``size``), and the bool array ``cjk``: a :class:`Char`'s
    attributes, column by column."""

    __slots__ = ("bottom", "cjk", "cx", "cy", "size", "texts", "top", "x0", "x1")

    def __init__(self, texts: list[str], codes: np.ndarray, x0: np.ndarray, top: np.ndarray, x1: np.ndarray,
                 bottom: np.ndarray) -> None:
        self.texts, self.x0, self.top, self.x1, self.bottom = texts, x0, top, x1, bottom
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2
        self.size = bottom - top
        self.cjk = cjk_mask(codes)

    def __len__(self) -> int:
        return len(self.texts)

    def chars(self, idx: np.ndarray | None = None) -> list[Char]:
        """The characters at ``idx`` (all by default) as :class:`Char` objects, in that order."""
        if idx is None:
            idx = np.arange(len(self.texts))
        texts = self.texts
        return list(map(_char, [texts[i] for i in idx.tolist()],
                        *(a[idx].tolist() for a in (self.x0, self.top, self.x1, self.bottom, self.cx, self.cy,
                                                     self.size, self.cjk))))


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
    value (a cell) always starts a new line."""
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


def _line_texts(pc: PageChars, flat: np.ndarray, starts: list[int], gap_ratio: float,
                cjk_gap_ratio: float) -> list[str]:
    """``chars_to_text`` of each line: ``flat`` the characters of all lines, one after the other,
    ``starts`` where each line begins in it."""
    x0, x1, size, cjk = pc.x0[flat], pc.x1[flat], pc.size[flat], pc.cjk[flat]
    gap_size = np.maximum(np.minimum(size[1:], size[:-1]), 1.0)
    ratio = np.where(cjk[1:] & cjk[:-1], cjk_gap_ratio, gap_ratio)
    space = np.empty(len(flat), dtype=bool)
    space[0] = False
    space[1:] = x0[1:] - x1[:-1] > ratio * gap_size
    space[starts] = False
    texts = pc.texts
    pieces = [" " + texts[i] if s else texts[i] for i, s in zip(flat.tolist(), space.tolist())]
    ends = [*starts[1:], len(pieces)]
    return ["".join(pieces[a:b]) for a, b in zip(starts, ends)]


def _flatten(order: np.ndarray, groups: list[list[int]]) -> tuple[np.ndarray, list[int]]:
    """The characters of ``groups`` (positions into ``order``) one line after the other, and where
    each line starts."""
    starts: list[int] = []
    positions: list[int] = []
    for g in groups:
        starts.append(len(positions))
        positions.extend(g)
    return order[np.array(positions, dtype=np.intp)], starts


def free_lines(pc: PageChars, idx: np.ndarray, line_tolerance: float, gap_ratio: float,
               cjk_gap_ratio: float) -> list[Line]:
    """``chars_to_lines`` of the characters ``idx`` (in that order), their ``Char`` objects made
    here."""
    if not len(idx):
        return []
    order = idx[np.lexsort((pc.x0[idx], pc.cy[idx]))]  # stable: ties keep the order of idx
    groups = _line_groups(order, pc, line_tolerance)
    flat, starts = _flatten(order, groups)
    texts = _line_texts(pc, flat, starts, gap_ratio, cjk_gap_ratio)
    chars = pc.chars(flat)
    ends = [*starts[1:], len(chars)]
    # each line's box (Line.x1, top, bottom) and height (the median of its characters', the upper
    # one of an even count: Line.size), computed for all lines at once
    at = np.array(starts, dtype=np.intp)
    x1 = np.maximum.reduceat(pc.x1[flat], at).tolist()
    top = np.minimum.reduceat(pc.top[flat], at).tolist()
    bottom = np.maximum.reduceat(pc.bottom[flat], at).tolist()
    counts = np.diff(np.append(at, len(flat)))
    sizes = pc.size[flat]
    by_size = sizes[np.lexsort((sizes, np.repeat(np.arange(len(at)), counts)))]
    median = by_size[at + counts // 2].tolist()
    return [Line.with_box(chars[a:b], t, *box) for a, b, t, box in zip(starts, ends, texts, zip(x1, top, bottom, median))]


def grid_cells_text(grid: Grid, pc: PageChars, idx: np.ndarray, tolerance: float, line_tolerance: float,
                    gap_ratio: float, cjk_gap_ratio: float) -> list[list[str]]:
    """``grid_to_rows`` of the characters ``idx`` (in that order): the table's rows of cell texts,
    empty rows dropped."""
    anchors = grid_to_anchors(grid, tolerance)
    nrows, ncols = len(grid.ys) - 1, len(grid.xs) - 1
    if not len(idx):
        return []
    # the fine cell of each character (bisect_right, clamped to the grid), then its printed cell's
    i = np.clip(np.searchsorted(np.array(grid.ys), pc.cy[idx], side="right") - 1, 0, nrows - 1)
    j = np.clip(np.searchsorted(np.array(grid.xs), pc.cx[idx], side="right") - 1, 0, ncols - 1)
    anchor = np.array([a * ncols + b for row in anchors for a, b in row], dtype=np.intp)
    cell = anchor[i * ncols + j]
    sort = np.lexsort((pc.x0[idx], pc.cy[idx], cell))  # stable: ties keep the order of idx
    order, cells = idx[sort], cell[sort]
    groups = _line_groups(order, pc, line_tolerance, cells)
    flat, starts = _flatten(order, groups)
    texts = _line_texts(pc, flat, starts, gap_ratio, cjk_gap_ratio)
    group_cells = cells[[g[0] for g in groups]].tolist()
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
