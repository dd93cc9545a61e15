"""The header of a table read from text positions (see ``pdf_stream``): its labels, the
columns they span and the header rows they make.

Letter-spaced words ('收  入') and the lines of a wrapped label ('一般公共预' / '算') are joined
into one label. A label with no label under it (a leaf) in the lower half of the header,
standing over no figures, is a column without figures. A label spans the widest run of columns,
around the columns its text stands over, whose centre is its own centre, inside the label above
it and clear of the labels beside it; its text goes to the first column it spans, '' to the
others, on the header row of its level (the number of labels above it): the shape of a ruled
table's header. Pure functions, no PDF library here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pdf_layout import Line, lines_to_cell_text
from .pdf_stream_runs import Run, StreamSettings, columns_to_seps, overlaps, x_to_slot


@dataclass
class HeaderCell:
    """A header label: its runs (one or more lines) and box; ``span`` the columns it covers."""

    runs: list[Run]
    x0: float
    x1: float
    top: float
    bottom: float
    span: tuple[int, int] = (0, 0)
    level: int = 0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        lines: list[Line] = []
        for run in self.runs:
            if lines and abs(lines[-1].chars[0].cy - run.chars[0].cy) < 0.5 * run.size:
                lines[-1].text += " " + run.text
            else:
                lines.append(Line(chars=run.chars, text=run.text))
        return lines_to_cell_text(lines)


def _merge_runs(parts: list[Run]) -> Run:
    chars = [c for p in parts for c in p.chars]
    return Run(chars, " ".join(p.text for p in parts), min(p.x0 for p in parts), max(p.x1 for p in parts),
               min(p.top for p in parts), max(p.bottom for p in parts), False)


def _single_cjk(r: Run) -> bool:
    return len(r.chars) == 1 and r.chars[0].cjk


def letter_spaced_to_words(runs: list[Run], cols: list[list[float]], ratio: float) -> list[Run]:
    """Join single Chinese characters set apart at even gaps ('收  入') into one run, unless
    each stands over a column of its own (the '类 款 项' of a code column)."""
    out: list[Run] = []
    i = 0
    while i < len(runs):
        j = i + 1
        if _single_cjk(runs[i]):
            while j < len(runs) and _single_cjk(runs[j]) \
                    and runs[j].x0 - runs[j - 1].x1 <= ratio * runs[j].size \
                    and (j == i + 1 or abs((runs[j].x0 - runs[j - 1].x1) - (runs[i + 1].x0 - runs[i].x1))
                         <= 0.25 * max(runs[i + 1].x0 - runs[i].x1, runs[j].size)):
                j += 1
        seq = runs[i:j]
        own = [next((k for k, (a, b) in enumerate(cols) if a <= r.cx <= b), None) for r in seq]
        if len(seq) > 1 and not (None not in own and len(set(own)) == len(own)):
            out.append(_merge_runs(seq))
        else:
            out.extend(seq)
        i = j
    return out


def header_to_cells(header: list[list[Run]], cols: list[list[float]], s: StreamSettings) -> list[HeaderCell]:
    """Header labels, top to bottom: letter-spaced words joined, a label's wrapped lines joined
    (the next line starts right under it and stays within its width)."""
    cells: list[HeaderCell] = []
    for runs in header:
        line_cells: list[HeaderCell] = []
        for p in letter_spaced_to_words(runs, cols, s.letter_gap_ratio):
            size = p.size
            above = [c for c in cells if c.top + 0.5 * size <= p.top <= c.bottom + s.wrap_gap_ratio * size
                     and p.x0 >= c.x0 - 0.5 * size and p.x1 <= c.x1 + 0.5 * size]
            if len(above) == 1:
                above[0].runs.append(p)
                above[0].bottom = max(above[0].bottom, p.bottom)
            else:
                line_cells.append(HeaderCell([p], p.x0, p.x1, p.top, p.bottom))
        cells.extend(line_cells)
    return cells


def _below(a: HeaderCell, b: HeaderCell) -> bool:
    """Is ``b`` under ``a``: its top at or below a's bottom (give or take a little) and its middle
    a line lower or more? A label centred across two header rows is beside the label of the
    upper row, not under it."""
    size = max(r.size for r in (*a.runs, *b.runs))
    return b.top >= a.bottom - 0.1 * (a.bottom - a.top) and b.cy - a.cy >= size


def is_leaf(c: HeaderCell, cells: list[HeaderCell]) -> bool:
    return not any(d is not c and _below(c, d) and overlaps(c.x0, c.x1, d.x0, d.x1) for d in cells)


def _owned_leaves(leaves: list[HeaderCell], cols: list[list[float]]) -> set[int]:
    """Ids of the leaves labelling a figure column that no label stands over: figures set
    right-aligned in a wide column sit right of their label (left of it when none is)."""
    owned: set[int] = set()
    for k, (a, b) in enumerate(cols):
        if any(overlaps(c.x0, c.x1, a, b) for c in leaves):
            continue
        prev_end = cols[k - 1][1] if k else float("-inf")
        next_start = cols[k + 1][0] if k + 1 < len(cols) else float("inf")
        left = [c for c in leaves if prev_end <= c.x0 and c.x1 <= a]
        right = [c for c in leaves if b <= c.x0 and c.x1 <= next_start]
        if left:
            owned.add(id(max(left, key=lambda c: c.x0)))
        elif right:
            owned.add(id(min(right, key=lambda c: c.x0)))
    return owned


def header_only_columns(cells: list[HeaderCell], cols: list[list[float]], gutter: float,
                        header_mid: float, numbering: list[HeaderCell] | None = None) -> list[list[float]]:
    """Columns of ``cols`` plus one per label of a column without figures: a header label in
    the lower half of the header with no label under it, or a number of the 栏次 line
    (``numbering``), standing over no figure column and labelling none."""
    numbering = numbering or []
    leaves = [c for c in cells if is_leaf(c, cells)] + numbering
    owned = _owned_leaves(leaves, cols)
    out = [list(c) for c in cols]
    labels = [c for c in leaves if c not in numbering]
    for c in numbering + labels:  # the 栏次 numbers first: they tell columns apart
        if c in labels and c.bottom <= header_mid:
            continue
        if id(c) in owned or any(overlaps(c.x0, c.x1, a, b) for a, b in out):
            continue
        if c in numbering and any(overlaps(c.x0, c.x1, d.x0, d.x1) and any(overlaps(d.x0, d.x1, a, b) for a, b in cols)
                                  for d in labels):
            continue  # the number of a column its label already stands for
        if all(c.x0 - b >= gutter or a - c.x1 >= gutter for a, b in out):
            out.append([c.x0, c.x1])
    return sorted(out)


def _base(c: HeaderCell, cols: list[list[float]], seps: list[float]) -> tuple[int, int]:
    hit = [j for j, (a, b) in enumerate(cols) if overlaps(c.x0, c.x1, a, b)]
    if hit:
        return hit[0], hit[-1]
    k = x_to_slot(c.cx, seps)
    return k, k


def _bands(cells: list[HeaderCell]) -> list[list[HeaderCell]]:
    """Labels side by side: their vertical extents overlap by half the smaller height."""
    bands: list[list[HeaderCell]] = []
    for c in sorted(cells, key=lambda c: c.top):
        for band in bands:
            if any(min(c.bottom, d.bottom) - max(c.top, d.top) >= 0.5 * min(c.bottom - c.top, d.bottom - d.top)
                   for d in band):
                band.append(c)
                break
        else:
            bands.append([c])
    return bands


def _choose_spans(cands: list[list[tuple[int, int]]]) -> list[tuple[int, int]] | None:
    """One candidate span per label, left to right, spans not overlapping, covering the most
    columns (dynamic programming over the labels)."""
    best: list[dict[int, tuple[int, list[tuple[int, int]]]]] = []
    for k, options in enumerate(cands):
        row: dict[int, tuple[int, list[tuple[int, int]]]] = {}
        for o, (a, b) in enumerate(options):
            if k == 0:
                row[o] = (b - a + 1, [(a, b)])
                continue
            prev = [v for po, v in best[k - 1].items() if cands[k - 1][po][1] < a]
            if prev:
                score, path = max(prev, key=lambda v: v[0])
                row[o] = (score + b - a + 1, [*path, (a, b)])
        if not row:
            return None
        best.append(row)
    return max(best[-1].values(), key=lambda v: v[0])[1]


def columns_to_edges(cells: list[HeaderCell], cols: list[list[float]]) -> tuple[list[float], list[float]]:
    """Estimated left and right edges of each column's cells: centred on the label standing
    over the column alone (a leaf), else on the column's text, wide enough to hold its text;
    two neighbouring cells meet halfway."""
    seps = columns_to_seps(cols)
    leaves: dict[int, HeaderCell] = {}
    for c in cells:
        a, b = _base(c, cols, seps)
        if a == b and is_leaf(c, cells) and (a not in leaves or c.top > leaves[a].top):
            leaves[a] = c
    left, right = [], []
    for j, (a, b) in enumerate(cols):
        leaf = leaves.get(j)
        if leaf is not None:
            a, b = min(a, leaf.x0), max(b, leaf.x1)
        centre = leaf.cx if leaf is not None else (a + b) / 2
        half = max(centre - a, b - centre)
        left.append(centre - half)
        right.append(centre + half)
    # Neighbouring cells meet halfway between their texts.
    for j in range(len(cols) - 1):
        left[j + 1] = right[j] = (right[j] + left[j + 1]) / 2
    return left, right


def cells_to_spans(cells: list[HeaderCell], cols: list[list[float]], tol_ratio: float) -> None:
    """Set each label's column span and header level (see the module docstring).

    A label spans the widest run of columns, around the columns its text stands over, whose
    centre is its own centre; it stays inside the label above it and clear of the labels beside
    it.
    """
    seps = columns_to_seps(cols)
    left, right = columns_to_edges(cells, cols)
    done: list[HeaderCell] = []
    for band in _bands(cells):
        band.sort(key=lambda c: c.cx)
        cands: list[list[tuple[int, int]]] = []
        for c in band:
            a0, b0 = _base(c, cols, seps)
            lo, hi = 0, len(cols) - 1
            for u in done:
                if not _below(u, c):
                    continue
                ua, ub = u.span
                if ua <= b0 and a0 <= ub:
                    lo, hi = max(lo, ua), min(hi, ub)
                elif ub < a0:
                    lo = max(lo, ub + 1)
                else:
                    hi = min(hi, ua - 1)
            # Labels beside this one (neither above nor under it) keep their columns.
            beside = [_base(d, cols, seps) for d in cells if d is not c and not _below(c, d) and not _below(d, c)]
            tol = tol_ratio * max(r.size for r in c.runs)
            options = [(a, b) for a in range(min(lo, a0), a0 + 1) for b in range(b0, max(hi, b0) + 1)
                       if abs((left[a] + right[b]) / 2 - c.cx) <= tol and lo <= a and b <= hi
                       and not any(a <= db and da <= b for da, db in beside)]
            if (a0, b0) not in options:
                options.append((a0, b0))
            cands.append(sorted(options))
        chosen = _choose_spans(cands) or [_base(c, cols, seps) for c in band]
        for c, span in zip(band, chosen):
            c.span = span
        done.extend(band)
    for c in sorted(cells, key=lambda c: c.top):
        above = [u.level + 1 for u in cells if u is not c and _below(u, c) and u.top < c.top
                 and u.span[0] <= c.span[1] and c.span[0] <= u.span[1]]
        c.level = max(above, default=0)


def cells_to_header_rows(cells: list[HeaderCell], width: int) -> list[list[str]]:
    if not cells:
        return []
    rows = [[""] * width for _ in range(max(c.level for c in cells) + 1)]
    for c in sorted(cells, key=lambda c: (c.level, c.x0)):
        row = rows[c.level]
        j = c.span[0]
        row[j] = f"{row[j]} {c.text}".strip()
    return [r for r in rows if any(r)]


