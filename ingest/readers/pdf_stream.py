"""Tables without ruling lines, read from text positions (the 'stream' idea).

Pure functions on the text lines of a page that lie outside any ruled grid (``pdf_layout.Line``);
no PDF library here. Coordinates are top-down PDF points; ratios are in x heights (the size of
the characters concerned).

1. Each line is cut into *runs*: text separated by a gap wider than a space next to a digit or a
   Latin letter, or wider than ``run_gap_ratio`` between two Chinese characters.
2. A *figure line* has at least two runs, one of them a number, and one gap wider than
   ``column_gap_ratio``. Figure lines close to each other (lines between them may hold text
   only: rows without figures, wrapped labels) make a block; a block is a table when at least
   ``min_rows`` of its lines hold figures and at least ``min_numeric_columns`` columns hold
   numbers in two rows or more, aligned on their right, left or centre. Narrative stays out: a
   line of justified text is one run, and a sentence with amounts has no gap wider than a space.
3. Columns are the x-extents of the runs of the figure lines, merged where they overlap (a run
   wider than ``wide_run_ratio`` of the table spans columns and is left out); a header label at
   the bottom of the header standing over no figures makes a column of its own.
4. Rows: a text-only line nearer to its neighbour than ``join_ratio`` x the row pitch is part of
   that neighbour's row (a label wrapped onto two lines, figures centred between them).
5. Header: the lines above the first figure line, up to the caption, the '单位：' line or a
   heading. Letter-spaced words ('收  入') and the lines of a wrapped label ('一般公共预' / '算')
   are joined; a label centred over several columns spans them. Its text goes to the first
   column it spans, '' to the others, on the header row of its level (the number of labels
   above it): the shape ruled tables have, so every row has the same width.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from itertools import pairwise

from ..amounts import NUMBER_RE, to_ascii_digits
from .pdf_layout import Char, Line, chars_to_text, lines_to_cell_text

DEFAULT_RUN_GAP_RATIO = 0.5  # a gap this wide between two Chinese characters ends a run
DEFAULT_NUMBER_GAP_RATIO = 0.3  # ... between two digits or Latin letters
DEFAULT_MIXED_GAP_RATIO = 0.15  # ... between a Chinese character and an amount
DEFAULT_COLUMN_GAP_RATIO = 1.0  # a figure line has at least one gap this wide
DEFAULT_GUTTER_RATIO = 0.15  # the narrowest gap between two columns
DEFAULT_WIDE_RUN_RATIO = 0.4  # a run wider than this share of the table spans columns
DEFAULT_MIN_ROWS = 3  # lines holding figures
DEFAULT_MIN_NUMERIC_COLUMNS = 2
DEFAULT_ALIGN_RATIO = 1.5  # numbers of one column line up within this
DEFAULT_ROW_GAP_RATIO = 6.0  # a larger vertical gap between figure lines ends the table
DEFAULT_BLANK_GAP_RATIO = 20.0  # ... unless the figures below it fall in the table's columns
DEFAULT_TEXT_GAP_RATIO = 3.0  # ... around a text-only line
DEFAULT_JOIN_RATIO = 0.65  # x the row pitch: a text-only line this close joins a row
DEFAULT_WRAP_GAP_RATIO = 0.7  # a header label's next line starts within this gap
DEFAULT_SPAN_TOLERANCE_RATIO = 0.8  # a spanning label's centre is this close to its columns' centre
DEFAULT_MAX_HEADER_LINES = 16
DEFAULT_MAX_LABEL_CHARS = 24  # a longer run above a table is a sentence, not a header label
DEFAULT_HEADER_GAP_RATIO = 4.0  # a larger vertical gap ends the header
DEFAULT_LETTER_GAP_RATIO = 6.0  # letter-spaced characters are at most this far apart

_NUMBER = re.compile(rf"^(?:{NUMBER_RE})%?$")
# Lines that end a header: the unit / department line, the caption, '表3', a page number.
_STOP_RE = re.compile(r"编制部门|编制单位|单位\s*[:：]|部门名称\s*[:：]|^\s*部门\s*[:：]|表\s*$|^\s*表\s*\d+"
                      r"|^\s*[-—–]?\s*\d{1,4}\s*[-—–]?\s*$|^\s*第\s*\d+\s*页")
_PAGE_NUMBER_RE = re.compile(r"^\s*[-—–]?\s*\d{1,4}\s*[-—–]?\s*$|^\s*第\s*\d+\s*页")
# A heading or a sentence introducing the table, never a header label.
_HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）]"
                         r"|\d+\s*[、．](?!\d))|[:：。]\s*$")


@dataclass(frozen=True)
class StreamSettings:
    """How tables are read from text positions (see the DEFAULT_ constants)."""

    run_gap_ratio: float = DEFAULT_RUN_GAP_RATIO
    number_gap_ratio: float = DEFAULT_NUMBER_GAP_RATIO
    mixed_gap_ratio: float = DEFAULT_MIXED_GAP_RATIO
    column_gap_ratio: float = DEFAULT_COLUMN_GAP_RATIO
    gutter_ratio: float = DEFAULT_GUTTER_RATIO
    wide_run_ratio: float = DEFAULT_WIDE_RUN_RATIO
    min_rows: int = DEFAULT_MIN_ROWS
    min_numeric_columns: int = DEFAULT_MIN_NUMERIC_COLUMNS
    align_ratio: float = DEFAULT_ALIGN_RATIO
    row_gap_ratio: float = DEFAULT_ROW_GAP_RATIO
    blank_gap_ratio: float = DEFAULT_BLANK_GAP_RATIO
    text_gap_ratio: float = DEFAULT_TEXT_GAP_RATIO
    join_ratio: float = DEFAULT_JOIN_RATIO
    wrap_gap_ratio: float = DEFAULT_WRAP_GAP_RATIO
    span_tolerance_ratio: float = DEFAULT_SPAN_TOLERANCE_RATIO
    max_header_lines: int = DEFAULT_MAX_HEADER_LINES
    max_label_chars: int = DEFAULT_MAX_LABEL_CHARS
    header_gap_ratio: float = DEFAULT_HEADER_GAP_RATIO
    letter_gap_ratio: float = DEFAULT_LETTER_GAP_RATIO

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"StreamSettings.{name} must be positive")
        if self.min_numeric_columns < 1 or self.min_rows < 1:
            raise ValueError("StreamSettings.min_rows and min_numeric_columns must be at least 1")


DEFAULT_STREAM_SETTINGS = StreamSettings()


@dataclass
class Run:
    """Text of one line between two wide gaps."""

    chars: list[Char]
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    numeric: bool

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def size(self) -> float:
        return max(1.0, max(c.size for c in self.chars))


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


@dataclass
class StreamTable:
    """A table read from text positions: its rows, column edges and the lines it took."""

    rows: list[list[str]]
    xs: list[float]
    top: float
    bottom: float
    line_ids: list[int]


# ---------------------------------------------------------------------------------------------
# Lines to runs
# ---------------------------------------------------------------------------------------------


def is_number_text(text: str) -> bool:
    return bool(_NUMBER.match(to_ascii_digits(text).replace(" ", "")))


def chars_to_run(chars: list[Char], gap_ratio: float, cjk_gap_ratio: float) -> Run:
    text = chars_to_text(chars, gap_ratio, cjk_gap_ratio)
    return Run(chars, text, chars[0].x0, max(c.x1 for c in chars), min(c.top for c in chars),
               max(c.bottom for c in chars), is_number_text(text))


_AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+\.\d+|\d{5,})%?$")


def _split_amounts(group: list[Char], ratio: float) -> list[list[Char]]:
    """Cut a group where an amount ('18,417.70', '812.48') meets Chinese text across a gap wider
    than ``ratio`` x height: figures right-aligned against the next column's label. A year
    ('2026 年') stays whole."""
    cuts = [0]
    for k in range(1, len(group)):
        prev, c = group[k - 1], group[k]
        if prev.cjk == c.cjk or c.x0 - prev.x1 <= ratio * max(1.0, min(prev.size, c.size)):
            continue
        if c.cjk:  # the amount ends at prev
            j = k
            while j > cuts[-1] and not group[j - 1].cjk:
                j -= 1
            token = "".join(ch.text for ch in group[j:k])
        else:  # the amount starts at c
            j = k
            while j < len(group) and not group[j].cjk:
                j += 1
            token = "".join(ch.text for ch in group[k:j])
        if _AMOUNT.match(to_ascii_digits(token)):
            cuts.append(k)
    return [group[a:b] for a, b in pairwise([*cuts, len(group)])]


def line_to_runs(line: Line, s: StreamSettings, gap_ratio: float, cjk_gap_ratio: float) -> list[Run]:
    """The line's runs, left to right (see the module docstring)."""
    gaps = [c.x0 - prev.x1 for prev, c in pairwise(line.chars) if prev.cjk and c.cjk]
    # Justified text spreads every gap of a long line: only a gap well above the usual one counts.
    usual = 3 * sorted(gaps)[len(gaps) // 4] if len(gaps) >= 10 else 0.0
    groups: list[list[Char]] = [[line.chars[0]]]
    for prev, c in pairwise(line.chars):
        size = max(1.0, min(prev.size, c.size))
        limit = max(s.run_gap_ratio * size, usual) if prev.cjk and c.cjk else s.number_gap_ratio * size
        if c.x0 - prev.x1 > limit:
            groups.append([c])
        else:
            groups[-1].append(c)
    pieces = [p for g in groups for p in _split_amounts(g, s.mixed_gap_ratio)]
    return [chars_to_run(g, gap_ratio, cjk_gap_ratio) for g in pieces]


def is_figure_line(runs: list[Run], s: StreamSettings) -> bool:
    """Two runs or more, one a number, one gap as wide as a column gap."""
    if len(runs) < 2 or not any(r.numeric for r in runs):
        return False
    return any(b.x0 - a.x1 >= s.column_gap_ratio * min(a.size, b.size) for a, b in pairwise(runs))


def is_column_numbers(runs: list[Run]) -> bool:
    """A 栏次 line numbering the columns ('1 2 3 4'): no figures, and centred where figures are
    right-aligned, so it says nothing about where columns are."""
    numbers = [r.text for r in runs if r.numeric]
    if len(numbers) < 3 or not all(n.isdigit() for n in numbers):
        return False
    return all(int(b) == int(a) + 1 for a, b in pairwise(numbers))


# ---------------------------------------------------------------------------------------------
# Blocks of figure lines
# ---------------------------------------------------------------------------------------------


def _is_prose(runs: list[Run], x0: float, x1: float, ratio: float, margin: float = 2.0) -> bool:
    """A line that reads as text, not as a table row: one run wider than ``ratio`` of the
    table, or text sticking out of it by more than ``margin`` x height."""
    width = max(x1 - x0, 1.0)
    if any(r.x1 - r.x0 > ratio * width and not r.numeric for r in runs):
        return True
    out = margin * runs[0].size
    return runs[0].x0 < x0 - out or runs[-1].x1 > x1 + out


def _fits(runs: list[Run], rows: list[list[Run]], s: StreamSettings) -> bool:
    """Do the figures of a line fall in the figure columns of ``rows`` (a line after blank rows)?"""
    size = runs[0].size
    cols = runs_to_columns(rows, float("inf"), s.gutter_ratio * size)
    numbers = [r for r in runs if r.numeric]
    return len(numbers) >= 2 and all(any(_overlaps(r.x0, r.x1, a, b) for a, b in cols) for r in numbers)


def lines_to_blocks(lines: list[Line], runs: list[list[Run]], figure: list[bool],
                    s: StreamSettings) -> list[list[int]]:
    """Runs of line indices from a figure line to a figure line, each holding at least
    ``min_rows`` figure lines; text-only lines between them must not read as prose."""
    blocks: list[list[int]] = []
    block: list[int] = []
    x0 = x1 = 0.0

    def close() -> None:
        while block and not figure[block[-1]]:
            block.pop()
        if block:
            blocks.append(list(block))
        block.clear()

    for i, line in enumerate(lines):
        gap = line.top - lines[i - 1].bottom if i else 0.0
        size = max(line.size, 1.0)
        if figure[i]:
            if block and gap > s.row_gap_ratio * size and not (
                    gap <= s.blank_gap_ratio * size and _fits(runs[i], [runs[k] for k in block if figure[k]], s)):
                close()
            if not block:
                x0, x1 = runs[i][0].x0, runs[i][-1].x1
            block.append(i)
            x0, x1 = min(x0, runs[i][0].x0), max(x1, runs[i][-1].x1)
        elif block:
            if gap > s.text_gap_ratio * size or _STOP_RE.search(line.text) \
                    or _is_prose(runs[i], x0, x1, s.wide_run_ratio):
                close()
            else:
                block.append(i)
    close()
    return blocks


# ---------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------


def runs_to_columns(rows: list[list[Run]], max_width: float, gutter: float) -> list[list[float]]:
    """Column extents [x0, x1]: the x-extents of the runs merged where they overlap or nearly
    touch; runs wider than ``max_width`` span columns and are left out."""
    spans = sorted((r.x0, r.x1) for row in rows for r in row if r.x1 - r.x0 <= max_width)
    cols: list[list[float]] = []
    for a, b in spans:
        if cols and a - cols[-1][1] < gutter:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    return cols


def columns_to_seps(cols: list[list[float]]) -> list[float]:
    """Separators between neighbouring columns: the middle of the gap."""
    return [(a[1] + b[0]) / 2 for a, b in pairwise(cols)]


def _slot(x: float, seps: list[float]) -> int:
    k = 0
    while k < len(seps) and x >= seps[k]:
        k += 1
    return k


def x_to_column(x0: float, x1: float, cols: list[list[float]], seps: list[float]) -> int:
    """The column of a run: the first column it overlaps when it overlaps several (a label
    spanning columns), else the one whose slot holds its centre."""
    hit = [j for j, (a, b) in enumerate(cols) if x0 < b and x1 > a]
    if len(hit) > 1:
        return hit[0]
    return _slot((x0 + x1) / 2, seps)


def numeric_columns(rows: list[list[Run]], cols: list[list[float]], seps: list[float],
                    align: float) -> int:
    """Columns holding numbers in two rows or more, lined up on their right, left or centre."""
    by_col: dict[int, list[Run]] = {}
    for row in rows:
        for r in row:
            if r.numeric:
                by_col.setdefault(x_to_column(r.x0, r.x1, cols, seps), []).append(r)
    count = 0
    for found in by_col.values():
        if len(found) < 2:
            continue
        tol = align * statistics.median(r.size for r in found)
        for key in (lambda r: r.x1, lambda r: r.x0, lambda r: r.cx):
            values = [key(r) for r in found]
            if max(values) - min(values) <= tol:
                count += 1
                break
    return count


# ---------------------------------------------------------------------------------------------
# Body rows
# ---------------------------------------------------------------------------------------------


def _row_pitch(lines: list[Line], ids: list[int], figure: list[bool]) -> float:
    """Distance between neighbouring figure lines (the row pitch); between any lines if no
    two figure lines are neighbours."""
    cy = [(lines[i].top + lines[i].bottom) / 2 for i in ids]
    pairs = [b - a for (a, i), (b, j) in pairwise(zip(cy, ids)) if figure[i] and figure[j]]
    if not pairs:
        pairs = [b - a for a, b in pairwise(cy)]
    return statistics.median(pairs) if pairs else 2.0 * lines[ids[0]].size


def lines_to_row_groups(lines: list[Line], ids: list[int], figure: list[bool], join: float) -> list[list[int]]:
    """Lines grouped into table rows: two figure lines are never one row; a text-only line
    closer than ``join`` x the row pitch to the line before joins its row."""
    pitch = _row_pitch(lines, ids, figure)
    groups: list[list[int]] = []
    for i in ids:
        if groups:
            prev = groups[-1][-1]
            dist = (lines[i].top + lines[i].bottom - lines[prev].top - lines[prev].bottom) / 2
            both = figure[i] and any(figure[k] for k in groups[-1])
            if not both and dist <= join * pitch:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def group_to_cells(group: list[list[Run]], cols: list[list[float]], seps: list[float]) -> list[str]:
    """One row's cell texts: each run to its column, a column's lines joined."""
    per_col: list[list[Line]] = [[] for _ in cols]
    for runs in group:
        line_parts: dict[int, list[Run]] = {}
        for r in runs:
            line_parts.setdefault(x_to_column(r.x0, r.x1, cols, seps), []).append(r)
        for j, parts in line_parts.items():
            per_col[j].append(Line(chars=parts[0].chars, text=" ".join(p.text for p in parts)))
    return [lines_to_cell_text(ls) for ls in per_col]


# ---------------------------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------------------------


def header_line_ids(lines: list[Line], runs: list[list[Run]], first: int, x0: float, x1: float,
                    s: StreamSettings) -> list[int]:
    """The lines above the first figure line that make the header, top to bottom."""
    ids: list[int] = []
    i = first - 1
    while i >= 0 and len(ids) < s.max_header_lines:
        line, below = lines[i], lines[i + 1]
        size = max(line.size, 1.0)
        if below.top - line.bottom > s.header_gap_ratio * size or _STOP_RE.search(line.text):
            break
        if len(runs[i]) == 1 and _HEADING_RE.search(runs[i][0].text):
            break
        # Labels may stand wider than the figures under them (short figures in wide columns,
        # columns without figures): only a lone label is held to the table's width.
        if any(r.numeric for r in runs[i]) or any(len(r.text) > s.max_label_chars for r in runs[i]) \
                or (len(runs[i]) == 1 and _is_prose(runs[i], x0, x1, 0.6, 6.0)):
            break
        ids.append(i)
        i -= 1
    return ids[::-1]


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
    """Is ``b`` under ``a`` (its top at or below a's bottom, give or take a little)?"""
    return b.top >= a.bottom - 0.3 * (a.bottom - a.top)


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and a1 > b0


def _is_leaf(c: HeaderCell, cells: list[HeaderCell]) -> bool:
    return not any(d is not c and _below(c, d) and _overlaps(c.x0, c.x1, d.x0, d.x1) for d in cells)


def _owned_leaves(leaves: list[HeaderCell], cols: list[list[float]]) -> set[int]:
    """Ids of the leaves labelling a figure column that no label stands over: figures set
    right-aligned in a wide column sit right of their label (left of it when none is)."""
    owned: set[int] = set()
    for k, (a, b) in enumerate(cols):
        if any(_overlaps(c.x0, c.x1, a, b) for c in leaves):
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
    leaves = [c for c in cells if _is_leaf(c, cells)] + numbering
    owned = _owned_leaves(leaves, cols)
    out = [list(c) for c in cols]
    labels = [c for c in leaves if c not in numbering]
    for c in numbering + labels:  # the 栏次 numbers first: they tell columns apart
        if c in labels and c.bottom <= header_mid:
            continue
        if id(c) in owned or any(_overlaps(c.x0, c.x1, a, b) for a, b in out):
            continue
        if c in numbering and any(_overlaps(c.x0, c.x1, d.x0, d.x1) and any(_overlaps(d.x0, d.x1, a, b) for a, b in cols)
                                  for d in labels):
            continue  # the number of a column its label already stands for
        if all(c.x0 - b >= gutter or a - c.x1 >= gutter for a, b in out):
            out.append([c.x0, c.x1])
    return sorted(out)


def _base(c: HeaderCell, cols: list[list[float]], seps: list[float]) -> tuple[int, int]:
    hit = [j for j, (a, b) in enumerate(cols) if _overlaps(c.x0, c.x1, a, b)]
    if hit:
        return hit[0], hit[-1]
    k = _slot(c.cx, seps)
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
        if a == b and _is_leaf(c, cells) and (a not in leaves or c.top > leaves[a].top):
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


# ---------------------------------------------------------------------------------------------
# One block to a table; a page's lines to tables
# ---------------------------------------------------------------------------------------------


def block_to_table(lines: list[Line], runs: list[list[Run]], figure: list[bool], block: list[int],
                   s: StreamSettings, page_start: int | None = None) -> StreamTable | None:
    """The table a block of lines makes, or None when its figures do not line up in columns.

    ``page_start``: the page's first line when the page before ended with a table. A block
    starting there, too short to stand alone and without a header, is taken as the end of that
    table (its text-only lines are rows, not a header); ``pdf.py`` keeps it only if its columns
    continue that table's.
    """
    fig_rows = [runs[i] for i in block if figure[i] and not is_column_numbers(runs[i])]
    if not fig_rows:
        return None
    x0 = min(r[0].x0 for r in fig_rows)
    x1 = max(r[-1].x1 for r in fig_rows)
    size = statistics.median(lines[i].size for i in block)
    cols = runs_to_columns(fig_rows, s.wide_run_ratio * (x1 - x0), s.gutter_ratio * size)
    seps = columns_to_seps(cols)
    short = len(fig_rows) < s.min_rows
    if len(cols) < 2 or (not short and numeric_columns(fig_rows, cols, seps, s.align_ratio) < s.min_numeric_columns):
        return None
    block = _with_wrapped_labels(lines, runs, figure, block, s)
    every = [runs[i] for i in block if figure[i]]  # the 栏次 line too: it spans all the columns
    head_ids = header_line_ids(lines, runs, block[0], min(r[0].x0 for r in every), max(r[-1].x1 for r in every), s)
    cells = header_to_cells([runs[i] for i in head_ids], cols, s)
    numbering = [HeaderCell([r], r.x0, r.x1, r.top, r.bottom) for i in block if is_column_numbers(runs[i])
                 for r in runs[i] if r.numeric]
    head_cols = cols
    if cells or numbering:
        mid = (lines[head_ids[0]].top + lines[head_ids[-1]].bottom) / 2 if head_ids else 0.0
        head_cols = header_only_columns(cells, cols, s.gutter_ratio * size, mid, numbering)
    if cells:
        cells_to_spans(cells, head_cols, s.span_tolerance_ratio)
    if short and not is_labelled_short_table(fig_rows, cells, head_cols, columns_to_seps(head_cols), s):
        top = head_ids[0] if head_ids else block[0]
        if top != page_start or any(sum(r.numeric for r in row) < 2 for row in fig_rows):
            return None
        block, head_ids, cells, head_cols = head_ids + block, [], [], cols
    cols, seps = head_cols, columns_to_seps(head_cols)
    rows = cells_to_header_rows(cells, len(cols))
    for group in lines_to_row_groups(lines, block, figure, s.join_ratio):
        row = group_to_cells([runs[i] for i in group], cols, seps)
        if any(row):
            rows.append(row)
    ids = head_ids + block
    return StreamTable(rows=rows, xs=[cols[0][0], *seps, cols[-1][1]], top=min(lines[i].top for i in ids),
                       bottom=max(lines[i].bottom for i in ids), line_ids=ids)


def _with_wrapped_labels(lines: list[Line], runs: list[list[Run]], figure: list[bool], block: list[int],
                        s: StreamSettings) -> list[int]:
    """The block with the text-only lines right above its first and below its last figure line
    (closer than ``join_ratio`` x the row pitch): a label wrapped around its figures."""
    pitch = _row_pitch(lines, block, figure)
    first, last = block[0], block[-1]

    def near(i: int, j: int) -> bool:
        ln = lines[i]
        return not figure[i] and not _STOP_RE.search(ln.text) and len(runs[i]) <= 3 \
            and abs(ln.top + ln.bottom - lines[j].top - lines[j].bottom) / 2 <= s.join_ratio * pitch
    while first > 0 and near(first - 1, first):
        first -= 1
    while last + 1 < len(lines) and near(last + 1, last):
        last += 1
    return list(range(first, block[0])) + block + list(range(block[-1] + 1, last + 1))


def is_labelled_short_table(fig_rows: list[list[Run]], cells: list[HeaderCell], cols: list[list[float]],
                            seps: list[float], s: StreamSettings) -> bool:
    """A table of fewer than ``min_rows`` figure lines (a 三公 table has one): only when every
    figure line holds ``min_numeric_columns`` numbers or more and each number stands in a
    column under a header label of its own."""
    leaves = [c for c in cells if _is_leaf(c, cells)]
    if len(cells) < 3 or not leaves:
        return False
    for row in fig_rows:
        numbers = [r for r in row if r.numeric]
        if len(numbers) < s.min_numeric_columns:
            return False
        for r in numbers:
            j = x_to_column(r.x0, r.x1, cols, seps)
            if not any(c.span[0] <= j <= c.span[1] for c in leaves):
                return False
    return True


def lines_to_stream_tables(lines: list[Line], s: StreamSettings, gap_ratio: float,
                           cjk_gap_ratio: float, after_table: bool = False) -> list[StreamTable]:
    """The tables among a page's lines (top to bottom), read from text positions.

    ``after_table``: the previous page ended with a table read this way, which the first lines
    of this one may continue without a header.
    """
    if not any(any(ch.isdigit() for ch in ln.text) and " " in ln.text for ln in lines):
        return []  # no figures set apart here: not worth cutting lines into runs
    runs = [line_to_runs(ln, s, gap_ratio, cjk_gap_ratio) for ln in lines]
    figure = [is_figure_line(r, s) for r in runs]
    if not any(figure):
        return []
    tables = []
    taken: set[int] = set()
    start = next((i for i, ln in enumerate(lines) if not _PAGE_NUMBER_RE.match(ln.text)), 0) if after_table else None
    for block in lines_to_blocks(lines, runs, figure, s):
        table = block_to_table(lines, runs, figure, block, s, start)
        if table is not None and not taken.intersection(table.line_ids):
            tables.append(table)
            taken.update(table.line_ids)
    return tables
