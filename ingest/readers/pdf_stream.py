"""Tables without ruling lines, read from text positions (the 'stream' idea).

Pure functions on the text lines of a page that lie outside any ruled grid (``pdf_layout.Line``);
no PDF library here. Coordinates are top-down PDF points; ratios are in x heights (the size of
the characters concerned). Runs and columns live in ``pdf_stream_runs``, the header in
``pdf_stream_header``.

1. Each line is cut into *runs* (text between wide gaps). A *figure line* has at least two runs,
   one of them a number, and one gap wider than ``column_gap_ratio``. Narrative stays out: a
   line of justified text is one run, and a sentence with amounts has no gap wider than a space.
2. Figure lines close to each other make a block (text-only lines between them: rows without
   figures, wrapped labels; a larger gap is allowed before figures that fall in the block's
   columns: blank rows). A block is a table when at least ``min_rows`` of its lines hold figures
   and at least ``min_numeric_columns`` columns hold numbers in two rows or more, lined up on
   their right, left or centre; or, shorter (a 三公 table has one row), when every figure line
   holds ``min_numeric_columns`` numbers or more, each under a header label of its own.
3. Columns are the x-extents of the runs of the figure lines, merged where they overlap (a run
   wider than ``wide_run_ratio`` of the table spans columns and is left out). A 栏次 line
   ('1 2 3 …', centred where figures are right-aligned) and the labels of columns without
   figures add columns.
4. Rows: two figure lines are two rows; a text-only line nearer to the line before than
   ``join_ratio`` x the row pitch is part of its row (a label wrapped onto two lines, figures
   centred between them), and so are such lines just above the first and below the last row.
5. Header: the lines above the first figure line, up to the caption, the '单位：' line or a
   heading (see ``pdf_stream_header``): every row has the same width, a spanning label sits in
   the first column it spans, the ruled tables' shape.
6. A page opening with a few figure lines and no header, right after a page that ended with a
   table read this way, gives them as a table: ``pdf.py`` joins it to that table when the
   columns continue it.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from itertools import pairwise

from .pdf_layout import Line, lines_to_cell_text
from .pdf_stream_header import (
    HeaderCell,
    cells_to_header_rows,
    cells_to_spans,
    header_only_columns,
    header_to_cells,
    is_leaf,
)
from .pdf_stream_runs import (
    DEFAULT_STREAM_SETTINGS,
    Run,
    StreamSettings,
    columns_to_seps,
    is_column_numbers,
    is_figure_line,
    line_to_runs,
    numeric_columns,
    overlaps,
    runs_to_columns,
    x_to_column,
)

__all__ = ["DEFAULT_STREAM_SETTINGS", "StreamSettings", "StreamTable", "lines_to_stream_tables"]

# Lines that end a header: the unit / department line, the caption, '表3', a page number.
_STOP_RE = re.compile(r"编制部门|编制单位|单位\s*[:：]|部门名称\s*[:：]|^\s*部门\s*[:：]|表\s*$|^\s*表\s*\d+"
                      r"|^\s*[-—–]?\s*\d{1,4}\s*[-—–]?\s*$|^\s*第\s*\d+\s*页")
_DIGIT_RE = re.compile(r"\d")
_PAGE_NUMBER_RE = re.compile(r"^\s*[-—–]?\s*\d{1,4}\s*[-—–]?\s*$|^\s*第\s*\d+\s*页")
# A heading or a sentence introducing the table, never a header label.
_HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十]+[)）]"
                         r"|\d+\s*[、．](?!\d))|[:：。]\s*$")



@dataclass
class StreamTable:
    """A table read from text positions: its rows, column edges and the lines it took."""

    rows: list[list[str]]
    xs: list[float]
    top: float
    bottom: float
    line_ids: list[int]


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
    return len(numbers) >= 2 and all(any(overlaps(r.x0, r.x1, a, b) for a, b in cols) for r in numbers)


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
# Body rows
# ---------------------------------------------------------------------------------------------


def _row_pitch(lines: list[Line], ids: list[int], figure: list[bool]) -> float:
    """Distance between neighbouring figure lines (the row pitch); between any lines if fewer
    than two pairs of figure lines are neighbours."""
    cy = [(lines[i].top + lines[i].bottom) / 2 for i in ids]
    pairs = [b - a for (a, i), (b, j) in pairwise(zip(cy, ids)) if figure[i] and figure[j]]
    if len(pairs) < 2:  # one pair may span blank rows
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
# Header lines
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
    leaves = [c for c in cells if is_leaf(c, cells)]
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
    # A figure line holds a digit and a gap wide enough to print as a space: cut only those into
    # runs until one is found (most pages hold none).
    if not any(is_figure_line(line_to_runs(ln, s, gap_ratio, cjk_gap_ratio), s)
               for ln in lines if " " in ln.text and _DIGIT_RE.search(ln.text)):
        return []
    runs = [line_to_runs(ln, s, gap_ratio, cjk_gap_ratio) for ln in lines]
    figure = [is_figure_line(r, s) for r in runs]
    tables = []
    taken: set[int] = set()
    start = next((i for i, ln in enumerate(lines) if not _PAGE_NUMBER_RE.match(ln.text)), 0) if after_table else None
    for block in lines_to_blocks(lines, runs, figure, s):
        table = block_to_table(lines, runs, figure, block, s, start)
        if table is not None and not taken.intersection(table.line_ids):
            tables.append(table)
            taken.update(table.line_ids)
    return tables
