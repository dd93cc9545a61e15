"""Runs and columns for tables read from text positions (see ``pdf_stream``), and the
settings of that reading.

A line is cut into *runs*: text between gaps wider than a space next to a digit or a Latin
letter, or wider than ``run_gap_ratio`` x height between two Chinese characters (well above the
usual gap in a long justified line), and where an amount meets Chinese text. Columns are the
x-extents of runs merged where they overlap. Pure functions, no PDF library here.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from itertools import pairwise

from ..amounts import NUMBER_RE, to_ascii_digits
from .pdf_layout import Char, Line, chars_to_text

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
# Columns
# ---------------------------------------------------------------------------------------------


def overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and a1 > b0


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


def x_to_slot(x: float, seps: list[float]) -> int:
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
    return x_to_slot((x0 + x1) / 2, seps)


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


