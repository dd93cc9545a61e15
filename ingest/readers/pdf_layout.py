"""Page geometry for the PDF reader: characters to lines, ruling lines to table grids.

Pure functions on plain values, no PDF library here (``pdf.py`` feeds them). Coordinates are
top-down: ``top`` < ``bottom``, in PDF points.

A table is a connected set of ruling lines (thin filled rectangles or stroked segments). Its
distinct x and y positions make a fine grid; two neighbouring fine cells belong to one printed
(merged) cell when no ruling separates them. A merged cell's text goes to its top-left fine
cell, the other fine cells it covers stay '' — so every row of a table has the same length and
a column index means the same column on every row.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter, itemgetter


class Char:
    """One character and its box (top-down). Centre and height are computed once: the layout
    steps read them many times."""

    __slots__ = ("bottom", "cjk", "cx", "cy", "size", "text", "top", "x0", "x1")

    def __init__(self, text: str, x0: float, top: float, x1: float, bottom: float) -> None:
        self.text, self.x0, self.top, self.x1, self.bottom = text, x0, top, x1, bottom
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2
        self.size = bottom - top
        o = ord(text[0])  # is_cjk(text), inline: this runs for every character of every page
        self.cjk = 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x3000 <= o <= 0x303F \
            or text in _CJK_PUNCT

    def __repr__(self) -> str:
        return f"Char({self.text!r}, {self.x0:.1f}, {self.top:.1f}, {self.x1:.1f}, {self.bottom:.1f})"


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line: ``orient`` 'h' (at y=pos, from x=start to end) or 'v' (at x=pos)."""

    orient: str
    pos: float
    start: float
    end: float


@dataclass
class Line:
    """A line of text: its characters left to right and its box (computed once, when first
    read: the characters of a line do not change once it is made)."""

    chars: list[Char]
    text: str = ""

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @cached_property
    def x1(self) -> float:
        return max(c.x1 for c in self.chars)

    @cached_property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @cached_property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @cached_property
    def size(self) -> float:
        sizes = sorted(c.size for c in self.chars)
        return sizes[len(sizes) // 2]

    @classmethod
    def with_box(cls, chars: list[Char], text: str, x1: float, top: float, bottom: float, size: float) -> Line:
        """A line whose box and height were computed already (in arrays, ``pdf_chars``): the
        values its properties would compute from its characters."""
        line = cls(chars=chars, text=text)
        line.__dict__.update(x1=x1, top=top, bottom=bottom, size=size)
        return line


@dataclass
class Grid:
    """The rulings of one table and the positions of its fine grid."""

    hrules: list[Rule]
    vrules: list[Rule]
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


_CJK_PUNCT = "“”‘’…—"


def is_cjk(ch: str) -> bool:
    o = ord(ch[0])
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x3000 <= o <= 0x303F \
        or ch in _CJK_PUNCT


def chars_to_text(chars: list[Char], gap_ratio: float, cjk_gap_ratio: float) -> str:
    """Join characters of one line, inserting a space where the gap between two is wide.

    Between two CJK characters a space is inserted only for a very wide gap (two fields printed
    on one line); justified Chinese text has no spaces.
    """
    if not chars:
        return ""
    prev = chars[0]
    out = [prev.text]
    append = out.append
    for i in range(1, len(chars)):
        c = chars[i]
        # min(c.size, prev.size), then max(1.0, size): inline, this runs for every character
        size = c.size if c.size < prev.size else prev.size  # noqa: FURB136
        if size < 1.0:  # noqa: PLR1730
            size = 1.0
        if c.x0 - prev.x1 > (cjk_gap_ratio if (prev.cjk and c.cjk) else gap_ratio) * size:
            append(" ")
        append(c.text)
        prev = c
    return "".join(out)


def chars_to_lines(chars: list[Char], line_tolerance: float, gap_ratio: float,
                   cjk_gap_ratio: float) -> list[Line]:
    """Group characters into lines, top to bottom; a character joins the line whose vertical
    centre is within ``line_tolerance`` x its height."""
    groups: list[list[Char]] = []
    group: list[Char] = []
    centre = size = 0.0
    for c in sorted(chars, key=_BY_CY_X0):
        # Compare with the line's tallest char: punctuation boxes ('，') are short and low.
        cs = c.size
        tallest = cs if cs > size else size  # noqa: FURB136 - max(c.size, size, 1.0), inline
        if group and abs(c.cy - centre) <= line_tolerance * (tallest if tallest > 1.0 else 1.0):  # noqa: FURB136
            group.append(c)
            if cs > size:
                centre, size = c.cy, cs
        else:
            group = [c]
            groups.append(group)
            centre, size = c.cy, cs
    lines: list[Line] = []
    for group in groups:
        if len(group) > 1:
            group.sort(key=_BY_X0)
        lines.append(Line(chars=group, text=chars_to_text(group, gap_ratio, cjk_gap_ratio)))
    return lines


_BY_CY_X0 = attrgetter("cy", "x0")
_BY_X0 = attrgetter("x0")


def lines_to_cell_text(lines: list[Line]) -> str:
    """A cell's lines as one string: wrapped Chinese joins without a space."""
    return texts_to_cell_text([line.text for line in lines])


def texts_to_cell_text(texts: list[str]) -> str:
    """A cell's lines (their texts) as one string: wrapped Chinese joins without a space."""
    out = ""
    for text in texts:
        t = text.strip()
        if not t:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(t[0]) or out[-1] in "(（" or t[0] in ")）"):
            out += " "
        out += t
    return out


# ---------------------------------------------------------------------------------------------
# Rulings to grids
# ---------------------------------------------------------------------------------------------


def rects_to_rules(rects: list[tuple[float, float, float, float]], max_thickness: float, min_length: float,
                   snap_tolerance: float, join_tolerance: float) -> list[Rule]:
    """Thin boxes (x0, top, x1, bottom) to ruling lines, anything thicker (cell shading, boxes) is
    not a ruling; nearly equal positions snapped together (``snap_tolerance``) and collinear
    pieces that touch joined (``join_tolerance``). The pieces are plain tuples until joined: a
    page draws some 70 of them."""
    hs: list[tuple[float, float, float]] = []  # (pos, start, end)
    vs: list[tuple[float, float, float]] = []
    for x0, top, x1, bottom in rects:
        w, h = x1 - x0, bottom - top
        if h <= max_thickness and w >= min_length:
            hs.append(((top + bottom) / 2, x0, x1))
        elif w <= max_thickness and h >= min_length:
            vs.append(((x0 + x1) / 2, top, bottom))
    merged: list[Rule] = []
    for orient, group in (("h", hs), ("v", vs)):
        snap = cluster_positions([piece[0] for piece in group], snap_tolerance)
        by_pos: dict[float, list[tuple[float, float]]] = {}
        for pos, a, b in group:
            by_pos.setdefault(snap[pos], []).append((a, b))
        for pos, items in by_pos.items():
            items.sort(key=_START)  # stable: pieces of one start keep their order
            start, end = items[0]
            for a, b in items[1:]:
                if a <= end + join_tolerance:
                    end = max(end, b)
                else:
                    merged.append(Rule(orient, pos, start, end))
                    start, end = a, b
            merged.append(Rule(orient, pos, start, end))
    return merged


_START = itemgetter(0)


def cluster_positions(values: list[float], tolerance: float) -> dict[float, float]:
    """Map each value to the mean of its cluster (values within ``tolerance`` of the previous)."""
    mapping: dict[float, float] = {}
    group: list[float] = []

    def flush() -> None:
        if group:
            mean = sum(group) / len(group)
            for v in group:
                mapping[v] = mean

    for v in sorted(set(values)):
        if group and v - group[-1] > tolerance:
            flush()
            group = []
        group.append(v)
    flush()
    return mapping


def _crossings(hs: list[Rule], vs: list[Rule], tol: float) -> list[tuple[int, int]]:
    """The pairs (i, j) of ``hs[i]`` and ``vs[j]`` that cross (``h.start - tol <= v.pos <= h.end +
    tol`` and ``v.start - tol <= h.pos <= v.end + tol``), i then j ascending: every pair tested at
    once in numpy."""
    import numpy as np

    if not hs or not vs:
        return []
    hpos, hstart, hend = np.array([(h.pos, h.start, h.end) for h in hs], dtype=np.float64).T
    vpos, vstart, vend = np.array([(v.pos, v.start, v.end) for v in vs], dtype=np.float64).T
    hpos, hstart, hend = hpos[:, None], hstart[:, None], hend[:, None]
    cross = (hstart - tol <= vpos) & (vpos <= hend + tol) & (vstart - tol <= hpos) & (hpos <= vend + tol)
    i, j = np.nonzero(cross)
    return list(zip(i.tolist(), j.tolist()))


def rules_to_grids(rules: list[Rule], tolerance: float) -> list[Grid]:
    """Connected sets of crossing rulings, each with at least 2 rows and 1 column of cells."""
    hs = [r for r in rules if r.orient == "h"]
    vs = [r for r in rules if r.orient == "v"]
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _crossings(hs, vs, tolerance):
        a, b = find(i), find(len(hs) + j)
        if a != b:
            parent[a] = b
    comps: dict[int, Grid] = {}
    for i, h in enumerate(hs):
        comps.setdefault(find(i), Grid([], [])).hrules.append(h)
    for j, v in enumerate(vs):
        comps.setdefault(find(len(hs) + j), Grid([], [])).vrules.append(v)
    grids = []
    for g in comps.values():
        g.xs = sorted({v.pos for v in g.vrules})
        g.ys = sorted({h.pos for h in g.hrules})
        if len(g.xs) >= 2 and len(g.ys) >= 2:
            grids.append(g)
    grids.sort(key=lambda g: g.ys[0])
    return grids


def _covered(rules: list[Rule], positions: list[float], a: list[float], b: list[float], tol: float):
    """For each span ``a[s]..b[s]`` and position ``positions[k]``: is the span at that position
    covered by one of ``rules`` (a ruling within ``tol`` of the position that runs over the span's
    middle and over all of it but a tenth at each end, give or take ``tol``)? A bool array
    [span, position], every rule, span and position tested at once in numpy."""
    import numpy as np

    if not rules:
        return np.zeros((len(a), len(positions)), dtype=bool)
    pos, start, end = np.array([(r.pos, r.start, r.end) for r in rules], dtype=np.float64).T[:, :, None]
    near = np.abs(pos - np.array(positions, dtype=np.float64)) <= tol  # [rule, position]
    a, b = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
    mid = (a + b) / 2
    lo, hi = start - tol, end + tol
    runs = (lo <= mid) & (mid <= hi) & (lo <= a + (b - a) * 0.1) & (b - (b - a) * 0.1 <= hi)  # [rule, span]
    return (runs[:, :, None] & near[:, None, :]).any(axis=0)


def grid_to_anchor_ids(grid: Grid, tolerance: float) -> list[int]:
    """For each fine cell (i, j), as ``i * ncols + j``, the fine cell holding the text of the
    printed cell it is in: the top-left one of the fine cells joined to it across boundaries no
    ruling covers."""
    import numpy as np

    nrows, ncols = len(grid.ys) - 1, len(grid.xs) - 1
    parent = list(range(nrows * ncols))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # the boundary right of (i, j) is at xs[j + 1] over the row's span, the one below at ys[i + 1]
    vcov = _covered(grid.vrules, grid.xs[1:-1], grid.ys[:-1], grid.ys[1:], tolerance)  # [row, x]
    hcov = _covered(grid.hrules, grid.ys[1:-1], grid.xs[:-1], grid.xs[1:], tolerance)  # [column, y]
    i, j = (~vcov).nonzero()
    joins = [(k, k + 1) for k in (i * ncols + j).tolist()]
    j, i = (~hcov).nonzero()
    joins += [(k, k + ncols) for k in (i * ncols + j).tolist()]
    for a, b in joins:
        ra, rb = find(a), find(b)
        if ra != rb:  # the top-left one stays the root
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
    # every parent is a smaller id (a root is its cell's top-left one): jump to the roots at once
    roots = np.array(parent, dtype=np.intp)
    while True:
        up = roots[roots]
        if (up == roots).all():
            return up.tolist()
        roots = up


def grid_to_anchors(grid: Grid, tolerance: float) -> list[list[tuple[int, int]]]:
    """For each fine cell (i, j), the fine cell holding the text of the printed cell it is in."""
    ncols = len(grid.xs) - 1
    ids = grid_to_anchor_ids(grid, tolerance)
    return [[divmod(k, ncols) for k in ids[r:r + ncols]] for r in range(0, len(ids), ncols)]


def grid_to_rows(grid: Grid, chars: list[Char], tolerance: float, line_tolerance: float,
                 gap_ratio: float, cjk_gap_ratio: float) -> list[list[str]]:
    """The table's rows of cell texts (see the module docstring); empty rows dropped."""
    anchors = grid_to_anchors(grid, tolerance)
    nrows, ncols = len(grid.ys) - 1, len(grid.xs) - 1
    by_cell: dict[tuple[int, int], list[Char]] = {}
    ys, xs, last_i, last_j, find = grid.ys, grid.xs, nrows - 1, ncols - 1, bisect.bisect_right
    for c in chars:
        # the fine cell, clamped to the grid (min/max inline: this runs for every character)
        i = find(ys, c.cy) - 1
        i = 0 if i < 0 else last_i if i > last_i else i  # noqa: FURB136
        j = find(xs, c.cx) - 1
        j = 0 if j < 0 else last_j if j > last_j else j  # noqa: FURB136
        by_cell.setdefault(anchors[i][j], []).append(c)
    rows: list[list[str]] = []
    for i in range(nrows):
        row = [""] * ncols
        for j in range(ncols):
            if anchors[i][j] == (i, j) and (i, j) in by_cell:
                cell = by_cell[(i, j)]
                if len(cell) == 1:  # one character: one line of it
                    row[j] = cell[0].text.strip()
                    continue
                lines = chars_to_lines(cell, line_tolerance, gap_ratio, cjk_gap_ratio)
                row[j] = lines_to_cell_text(lines)
        if any(row):
            rows.append(row)
    return rows


def lines_to_paragraphs(lines: list[Line], right_margin: float, left_margin: float,
                        indent_ratio: float, gap_ratio: float) -> list[list[Line]]:
    """Group lines into paragraphs: a line continues the previous one when the previous runs to
    the right margin, this one is not indented, and the gap between them is small."""
    paras: list[list[Line]] = []
    for line in lines:
        if paras:
            prev = paras[-1][-1]
            size = max(prev.size, 1.0)
            full = prev.x1 >= right_margin - 1.5 * size
            indented = line.x0 > left_margin + indent_ratio * size
            close = line.top - prev.bottom <= gap_ratio * size
            if full and not indented and close:
                paras[-1].append(line)
                continue
        paras.append([line])
    return paras
