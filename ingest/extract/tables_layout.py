"""How a budget table is laid out: its rules (CSV), header paths, column roles and codes.

Pure helpers for ``tables.py``. The rules live in ``rules/tables_*.csv``:

- ``tables_kinds.csv``: caption regex -> table_kind, scheme, layout (first match wins);
- ``tables_columns.csv``: header label -> column_key (and, for some, a statement_key);
- ``tables_rows.csv``: row label -> statement_key, per table kind and half (0 收入, 1 支出).
"""

from __future__ import annotations

import csv
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


@dataclass(frozen=True)
class TableRules:
    kinds: tuple[KindRule, ...]
    columns: tuple[ColumnRule, ...]
    rows: tuple[RowRule, ...]


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(RULES_DIR / name, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if not next(iter(r.values()), "").startswith("#")]


@lru_cache(maxsize=1)
def load_rules() -> TableRules:
    """Read the three rule files (cached)."""
    kinds = tuple(KindRule(re.compile(r["pattern"]), r["table_kind"], r["scheme"] or None, r["layout"])
                  for r in _read_csv("tables_kinds.csv"))
    columns = tuple(ColumnRule(r["table_kind"], r["pattern"], r["column_key"], r["statement_key"] or None,
                               r["on_row"] or None) for r in _read_csv("tables_columns.csv"))
    rows = tuple(RowRule(r["table_kind"], r["group"], re.compile(r["pattern"]), r["statement_key"])
                 for r in _read_csv("tables_rows.csv"))
    return TableRules(kinds, columns, rows)


def title_to_kind(title: str | None, rules: TableRules) -> KindRule | None:
    if not title:
        return None
    t = re.sub(r"\s+", "", title)
    for rule in rules.kinds:
        if rule.pattern.search(t):
            return rule
    return None


def clean_label(text: str) -> str:
    """A header or row label without spaces, quotes, the year and the numbering ('一、')."""
    t = re.sub(r"[\s“”\"']", "", text)
    t = _ENUM_PREFIX.sub("", t)
    return _YEAR_PREFIX.sub("", t)


def is_number_cell(text: str) -> bool:
    return bool(_NUMBER_CELL.match(text.replace(" ", ""))) if text else False


def rows_to_header_count(rows: list[list[str]]) -> int:
    """Rows before the first row holding a number (codes count: they are digits too)."""
    for i, row in enumerate(rows):
        if any(is_number_cell(c) for c in row):
            return i
    return len(rows)


def header_to_paths(header: list[list[str]], width: int) -> list[list[str]]:
    """Each column's header labels, top to bottom.

    A merged header cell's text sits in its first column only; it is carried right over the
    empty cells after it as long as the label above stays the same (so '公务用车购置及运行费'
    covers 小计/购置费/运行费 but not the next group's column).
    """
    filled: list[list[str]] = []
    for r, row in enumerate(header):
        row = (row + [""] * width)[:width]
        out: list[str] = []
        for j, text in enumerate(row):
            t = clean_label(text)
            if not t and j > 0 and (r == 0 or filled[r - 1][j] == filled[r - 1][j - 1]):
                t = out[j - 1]
            out.append(t)
        filled.append(out)
    return [[filled[r][j] for r in range(len(filled)) if filled[r][j]] for j in range(width)]


def path_to_role(path: list[str]) -> str:
    """'code', 'name' or 'amount'."""
    leaf = path[-1] if path else ""
    if leaf in CODE_LEAVES or (any("编码" in p for p in path) and "名称" not in leaf):
        return "code"
    if "名称" in leaf or leaf == "项目":
        return "name"
    return "amount"


def path_to_column(path: list[str], table_kind: str, rules: TableRules) -> ColumnRule | None:
    """The column rule for a header path: the kind's own rules first (leaf label up), then the
    general ones."""
    for kinds in ((table_kind,), ("*",)):
        for label in reversed(path):
            for rule in rules.columns:
                if rule.table_kind in kinds and rule.pattern in label:
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

    A 类 part that is not 3 digits ('7' for 210) is read from the row above when that row's
    款 matches, and reported.
    """
    parts = [p.strip() for p in parts]
    present = [p for p in parts if p]
    if not present or not all(_DIGITS.match(p) for p in present):
        return Code(None, None, " ".join(present) or None)
    printed = " ".join(present)
    if len(parts) == 1:
        code = present[0]
        level = {3: 1, 5: 2, 7: 3}.get(len(code))
        return Code(code, level, printed, None if level else f"code {code!r} has an unexpected length")
    lei, rest = parts[0], [p for p in parts[1:] if p]
    issue = None
    rest = [p.zfill(2) for p in rest]
    if len(lei) != 3:
        if prev_code and len(prev_code) >= 5 and rest and prev_code[3:5] == rest[0]:
            issue = f"类 code printed {lei!r}, read as {prev_code[:3]!r} from the rows above"
            lei = prev_code[:3]
        else:
            issue = f"类 code printed {lei!r} is not 3 digits"
    code = lei + "".join(rest)
    return Code(code, 1 + len(rest), printed, issue)
