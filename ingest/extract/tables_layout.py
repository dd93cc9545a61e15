"""How a budget table is laid out: its rules (CSV), header paths, column roles and codes.

Pure helpers for ``tables.py``. The rules live in ``rules/tables_*.csv``:

- ``tables_kinds.csv``: caption regex -> table_kind, scheme, layout (first match wins);
- ``tables_columns.csv``: header label -> column_key (and, for some, a statement_key);
- ``tables_rows.csv``: row label -> statement_key, per table kind and half (0 收入, 1 支出);
- ``tables_totals.csv``: what a table's total rows are (the year's total, the grand total);
- ``tables_dimensions.csv`` (``table_dims``) and ``sangong_parts.csv`` (``sangong_tables``).
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..amounts import NUMBER_RE

RULES_DIR = Path(__file__).parent / "rules"

_NUMBER_CELL = re.compile(rf"^\s*(?:{NUMBER_RE})\s*$")
_ENUM_PREFIX = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]|[(（][一二三四五六七八九十\d]+[)）])\s*")
_YEAR_PREFIX = re.compile(r"20\d{2}\s*年(?:度)?")
_TOTAL_LABEL = re.compile(r"(?:合计|总计)$")
CODE_LEAVES = ("类", "款", "项")


@dataclass(frozen=True)
class KindRule:
    pattern: re.Pattern[str]
    table_kind: str
    scheme: str | None
    layout: str
    where: str = "title"  # 'title' | 'header'


@dataclass(frozen=True)
class ColumnRule:
    table_kind: str
    pattern: str
    column_key: str
    statement_key: str | None
    on_row: str | None


@dataclass(frozen=True)
class RowRule:
    table_kind: str
    group: str
    pattern: re.Pattern[str]
    statement_key: str
    context: str = "*"  # 'main' | 'carryover' | '*'


@dataclass(frozen=True)
class TableRules:
    kinds: tuple[KindRule, ...]
    columns: tuple[ColumnRule, ...]
    rows: tuple[RowRule, ...]
    totals: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (kind, group, role) -> key


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(RULES_DIR / name, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if not next(iter(r.values()), "").startswith("#")]


@lru_cache(maxsize=1)
def load_rules() -> TableRules:
    """Read the rule files (cached)."""
    kinds = tuple(KindRule(re.compile(r["pattern"]), r["table_kind"], r["scheme"] or None, r["layout"],
                           r["where"] or "title")
                  for r in _read_csv("tables_kinds.csv"))
    columns = tuple(ColumnRule(r["table_kind"], r["pattern"], r["column_key"], r["statement_key"] or None,
                               r["on_row"] or None) for r in _read_csv("tables_columns.csv"))
    rows = tuple(RowRule(r["table_kind"], r["group"], re.compile(r["pattern"]), r["statement_key"],
                         r["context"] or "*")
                 for r in _read_csv("tables_rows.csv"))
    totals = {(r["table_kind"], r["group"], r["role"]): r["statement_key"] for r in _read_csv("tables_totals.csv")}
    return TableRules(kinds, columns, rows, totals)


def title_to_kind(title: str | None, rules: TableRules) -> KindRule | None:
    """The kind a caption names (rules where=title), or None."""
    if not title:
        return None
    t = re.sub(r"\s+", "", title)
    for rule in rules.kinds:
        if rule.where == "title" and rule.pattern.search(t):
            return rule
    return None


def header_to_kind(rows: list[list[str]], rules: TableRules) -> KindRule | None:
    """The kind a table's header vocabulary names (rules where=header), for a table whose
    caption is missing or names no kind."""
    n = rows_to_header_count(rows)
    text = "".join(re.sub(r"\s+", "", c) for row in rows[:n] for c in row)
    for rule in rules.kinds:
        if rule.where == "header" and rule.pattern.search(text):
            return rule
    return None


def table_to_kind(title: str | None, rows: list[list[str]], rules: TableRules) -> KindRule | None:
    """The kind of a table: by its caption, else by its header; None for kinds not read."""
    kind = title_to_kind(title, rules) or header_to_kind(rows, rules)
    return None if kind is None or kind.layout == "ignore" else kind


def clean_label(text: str) -> str:
    """A header or row label without spaces, quotes, the year and the numbering ('一、')."""
    t = re.sub(r"[\s“”\"']", "", text)
    t = _ENUM_PREFIX.sub("", t)
    return _YEAR_PREFIX.sub("", t)


def is_number_cell(text: str) -> bool:
    return bool(_NUMBER_CELL.match(text.replace(" ", ""))) if text else False


_NUMBERING_LABEL = re.compile(r"^(?:栏次|行次|栏号|序号|\*+|[A-Za-z]|[甲乙丙丁])$")


def is_numbering_row(row: list[str]) -> bool:
    """A 栏次 / 行次 row: the columns' printed numbers (1, 2, 3 … or A, B, **), never amounts.

    Its number cells are small integers increasing by one from left to right (a blank cell or a
    label such as '栏次' or '**' may sit beside them).
    """
    numbers: list[int] = []
    labelled = False
    for cell in row:
        t = re.sub(r"\s+", "", cell)
        if not t:
            continue
        if t.isdigit() and len(t) <= 2:
            numbers.append(int(t))
        elif _NUMBERING_LABEL.match(t):
            labelled = True
        else:
            return False
    if len(numbers) < 2:
        return labelled and numbers == [1]  # '** | 1' over a one-column table
    return all(b == a + 1 for a, b in itertools.pairwise(numbers))


def rows_to_header_count(rows: list[list[str]]) -> int:
    """Rows before the first row holding a number (codes count: they are digits too). A 栏次
    row (``is_numbering_row``) belongs to the header."""
    for i, row in enumerate(rows):
        if any(is_number_cell(c) for c in row) and not is_numbering_row(row):
            return i
    return len(rows)


def clean_header(text: str) -> str:
    """A header label without spaces, quotes and numbering, keeping its year ('2026年预算数')."""
    t = re.sub(r"[\s“”\"']", "", text)
    return _ENUM_PREFIX.sub("", t)


def header_to_paths(header: list[list[str]], width: int) -> list[list[str]]:
    """Each column's header labels, top to bottom.

    A merged header cell's text sits in its first column only; it is carried right over the
    empty cells after it as long as the label above stays the same (so '公务用车购置及运行费'
    covers 小计/购置费/运行费 but not the next group's column). Labels keep their year
    ('2025年预算数'); 栏次 rows are left out.
    """
    filled: list[list[str]] = []
    header = [row for row in header if not is_numbering_row(row)]
    for r, row in enumerate(header):
        row = (row + [""] * width)[:width]
        out: list[str] = []
        for j, text in enumerate(row):
            t = clean_header(text)
            if not t and j > 0 and (r == 0 or filled[r - 1][j] == filled[r - 1][j - 1]):
                t = out[j - 1]
            out.append(t)
        filled.append(out)
    return [[filled[r][j] for r in range(len(filled)) if filled[r][j]] for j in range(width)]


def path_to_role(path: list[str]) -> str:
    """'code', 'name' or 'amount'."""
    leaf = path[-1] if path else ""
    if leaf in CODE_LEAVES or (any("编码" in p or "代码" in p for p in path) and "名称" not in leaf):
        return "code"
    if "名称" in leaf or leaf == "项目":
        return "name"
    return "amount"


def column_holds_text(body: list[list[str]], j: int) -> bool:
    """Does column ``j`` hold labels rather than figures (more text cells than number cells)?"""
    text = numbers = 0
    for row in body:
        cell = row[j].strip() if j < len(row) else ""
        if not cell:
            continue
        if is_number_cell(cell) or cell in ("-", "—", "--", "/"):
            numbers += 1
        else:
            text += 1
    return (text >= 2 and text > numbers) or (text >= 1 and numbers == 0)


def path_to_column(path: list[str], table_kind: str, rules: TableRules) -> ColumnRule | None:
    """The column rule for a header path, from the leaf label up: for each label the kind's own
    rules, then the general ones. A '合计' / '小计' leaf is the column of a kind rule above it
    ('基本支出 / 合计' is the 基本支出 column), else the total; a leaf that names its own column
    keeps it ('基本支出 / 人员经费' is the 人员经费 column, not the 基本支出 one)."""
    subtotal = None
    for label in reversed(path):
        if label in ("合计", "小计", "计", "总计"):
            subtotal = subtotal or label
            continue
        for kinds in ((table_kind,),) if subtotal else ((table_kind,), ("*",)):
            for rule in rules.columns:
                if rule.table_kind in kinds and rule.pattern in label:
                    return rule
    if subtotal:
        for rule in rules.columns:
            if rule.table_kind == "*" and rule.pattern in subtotal:
                return rule
    return None


def path_to_phase(path: list[str], default: str) -> str:
    if any("决算" in p for p in path):
        return "actual"
    if any("预算数" in p or "年初预算" in p for p in path):
        return "budget"
    return default


@dataclass
class ColumnGroup:
    """One half of a table: its code columns, its name column and its amount columns."""

    code_cols: list[int] = field(default_factory=list)
    name_col: int | None = None
    amount_cols: list[int] = field(default_factory=list)


def roles_to_groups(roles: list[str]) -> list[ColumnGroup]:
    """Split the columns into groups: a code or name column after an amount column opens a new
    group (side-by-side halves such as 收入 | 支出)."""
    groups: list[ColumnGroup] = [ColumnGroup()]
    for j, role in enumerate(roles):
        g = groups[-1]
        if role in ("code", "name") and g.amount_cols:
            g = ColumnGroup()
            groups.append(g)
        if role == "code" and g.name_col is not None:
            continue  # a second classification beside the first (政府经济科目 after 部门经济科目)
        if role == "code":
            g.code_cols.append(j)
        elif role == "name":
            if g.name_col is None:
                g.name_col = j
        else:
            g.amount_cols.append(j)
    return [g for g in groups if g.amount_cols or g.name_col is not None or g.code_cols]


def is_total_label(label: str) -> bool:
    return bool(_TOTAL_LABEL.search(label))


@dataclass
class Code:
    code: str | None
    level: int | None
    printed: str | None
    issue: str | None = None


_DIGITS = re.compile(r"^\d+$")


def parts_to_code(parts: list[str], prev_code: str | None) -> Code:
    """Codes printed in one column ('2010101', '30101') or split into 类/款/项 columns
    ('201' '05' '07'; a 款/项 printed '2' means '02').

    Split columns often print the 类 (and 款) once per group and leave it blank on the rows below
    ('' '08' '' for 20508): a blank leading part is the row above's. A 类 part that is printed but
    is not 3 digits ('7' for 210) is read from the row above when that row's 款 matches, and
    reported.
    """
    parts = [p.strip() for p in parts]
    present = [p for p in parts if p]
    if not present or not all(_DIGITS.match(p) for p in present):
        return Code(None, None, " ".join(present) or None)
    printed = " ".join(present)
    if len(parts) == 1:
        code = present[0]
        if len(code) == 6 or len(code) > 7:
            return Code(None, None, printed)  # a unit or project code (201001), not a 类/款/项 code
        level = {3: 1, 5: 2, 7: 3}.get(len(code))
        return Code(code, level, printed, None if level else f"code {code!r} has an unexpected length")
    segments = [parts[0]] + [p.zfill(2) if p else "" for p in parts[1:]]
    last = max(i for i, p in enumerate(segments) if p)
    above = [prev_code[:3], prev_code[3:5], prev_code[5:7]] if prev_code else []
    issue = None
    for i in range(last):
        if not segments[i]:
            if i < len(above) and above[i]:
                segments[i] = above[i]
            else:
                return Code(None, None, printed, f"code {printed!r} leaves a higher level blank with no row above")
    lei = segments[0]
    if len(lei) != 3:
        if above and len(prev_code) >= 5 and last >= 1 and above[1] == segments[1]:
            issue = f"类 code printed {lei!r}, read as {above[0]!r} from the rows above"
            segments[0] = above[0]
        else:
            issue = f"类 code printed {lei!r} is not 3 digits"
    code = "".join(segments[:last + 1])
    return Code(code, last + 1, printed, issue)
