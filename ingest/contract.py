"""What a document's parse yields, checked against the raw contract before it is loaded.

One document never costs the others: a row that breaks the contract is set aside (not loaded)
and reported as a parse issue of severity 'error' naming the file, the page and the rule, so the
document loads as 'partial'. The rules, per row of each raw table:

- types: each value has its column's type (:data:`ingest.load.DDL`): str, int, bool, Decimal;
  text encodable as UTF-8; integers within INTEGER;
- ranges: a DECIMAL(p,s) value within its precision, an amount (``*_yuan``) within
  :data:`MAX_ABS_AMOUNT_YUAN` (so that sums over a warehouse still fit DECIMAL(20,2)), a year
  within :data:`YEAR_RANGE`, a page within the document's pages;
- keys: the natural key of the table (:data:`ingest.load.NATURAL_KEYS`) present and unique within
  the document, and the columns the marts group by (:data:`REQUIRED`) present. Of rows sharing a
  key the first is kept.

A document-level value out of range (a fiscal year of 2201) is nulled and reported the same way.
So no document's content can fail a dbt test that guards the pipeline's logic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import polars as pl

from .load import NATURAL_KEYS, PER_DOCUMENT_TABLES, columns_of
from .model import DocumentProfile, Extraction, ParseIssue

YEAR_RANGE = (1990, 2100)
MAX_ABS_AMOUNT_YUAN = Decimal(10) ** 15  # 千万亿元: ~30x China's national expenditure
INT32 = (-(2**31), 2**31 - 1)
YEAR_COLUMNS = ("fiscal_year", "reference_year", "base_year")
# Columns the marts group or key by, besides the natural keys.
REQUIRED: dict[str, tuple[str, ...]] = {
    "statements": ("statement_key", "source", "phase", "measure"),
    "classification_lines": ("table_kind", "scheme", "column_key"),
    "spending_plan": ("checkpoint",),
}
MAX_ISSUES_PER_RULE = 20  # per table and rule; the rest are counted in one more issue


@dataclasses.dataclass(frozen=True)
class Violation:
    table: str
    rule: str  # 'wrong_type' | 'out_of_range' | 'null_key' | 'duplicate_key'
    detail: str
    page: int | None


def _text_ok(value: str) -> bool:
    try:
        value.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def value_to_violation(column: str, dtype: Any, value: Any, page_count: int) -> tuple[str, str] | None:
    """(rule, detail) when ``value`` cannot stand in ``column`` of type ``dtype``; else None."""
    if value is None:
        return None
    if isinstance(dtype, pl.Decimal):
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            return "wrong_type", f"{column} is {type(value).__name__}, not a decimal"
        d = Decimal(value)
        if not d.is_finite():
            return "out_of_range", f"{column} is {d}"
        bound = Decimal(10) ** (dtype.precision - dtype.scale)
        if column.endswith("_yuan"):
            bound = min(bound, MAX_ABS_AMOUNT_YUAN)
        if abs(d) >= bound:
            return "out_of_range", f"{column} {d} is beyond ±{bound:.0E}"
        return None
    if dtype in (pl.Int32, pl.Int64):
        if isinstance(value, bool) or not isinstance(value, int):
            return "wrong_type", f"{column} is {type(value).__name__}, not an integer"
        if column in YEAR_COLUMNS and not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
            return "out_of_range", f"{column} {value} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
        if column == "page" and not 1 <= value <= max(page_count, 1):
            return "out_of_range", f"page {value} is outside the document's 1–{page_count}"
        if dtype == pl.Int32 and not INT32[0] <= value <= INT32[1]:
            return "out_of_range", f"{column} {value} does not fit an INTEGER"
        return None
    if dtype == pl.Boolean:
        return None if isinstance(value, bool) else ("wrong_type", f"{column} is {type(value).__name__}, not a boolean")
    if dtype == pl.String:
        if not isinstance(value, str):
            return "wrong_type", f"{column} is {type(value).__name__}, not text"
        if not _text_ok(value):
            return "wrong_type", f"{column} is not valid Unicode text"
    return None


def row_to_violation(table: str, row: Any, page_count: int) -> Violation | None:
    """The first contract rule a record breaks (types, ranges, required columns), or None."""
    values = dataclasses.asdict(row)
    page = values.get("page") if isinstance(values.get("page"), int) else None
    for column, dtype in columns_of(table):
        if column not in values:
            continue
        hit = value_to_violation(column, dtype, values[column], page_count)
        if hit:
            return Violation(table, hit[0], hit[1], page if hit[0] != "out_of_range" or column != "page" else None)
    nullable = NATURAL_KEYS.get(table, ((), ()))[1]
    for column in NATURAL_KEYS.get(table, ((), ()))[0] + REQUIRED.get(table, ()):
        if column in values and values[column] is None and column not in nullable:
            return Violation(table, "null_key", f"{column} is missing", page)
    return None


def rows_to_valid(table: str, rows: Iterable[Any], page_count: int) -> tuple[list[Any], list[Violation]]:
    """The rows that keep the contract, and a violation for each row set aside."""
    key_columns = NATURAL_KEYS.get(table, ((), ()))[0]
    kept, violations, seen = [], [], {}
    for row in rows:
        bad = row_to_violation(table, row, page_count)
        if bad is None and key_columns:
            key = tuple(getattr(row, c) for c in key_columns)
            if key in seen:
                first = f" (first on page {seen[key]})" if seen[key] is not None else ""
                bad = Violation(table, "duplicate_key",
                                ", ".join(f"{c}={v}" for c, v in zip(key_columns, key)) + f" repeated{first}",
                                getattr(row, "page", None))
            else:
                seen[key] = getattr(row, "page", None)
        if bad is None:
            kept.append(row)
        else:
            violations.append(bad)
    return kept, violations


def profile_to_valid(profile: DocumentProfile) -> tuple[DocumentProfile, list[Violation]]:
    """The profile with values that break the contract nulled, and what was nulled."""
    changes, violations = {}, []
    for column, dtype in columns_of("documents"):
        if not hasattr(profile, column):
            continue
        hit = value_to_violation(column, dtype, getattr(profile, column), 0 if column != "page" else 1)
        if hit:
            changes[column] = None
            violations.append(Violation("documents", hit[0], hit[1] + " (left empty)", None))
    return (dataclasses.replace(profile, **changes) if changes else profile), violations


def violations_to_issues(violations: list[Violation], path: str) -> list[ParseIssue]:
    """One parse issue per violation (at most :data:`MAX_ISSUES_PER_RULE` per table and rule)."""
    issues: list[ParseIssue] = []
    counts: dict[tuple[str, str], int] = {}
    for v in violations:
        n = counts[(v.table, v.rule)] = counts.get((v.table, v.rule), 0) + 1
        if n <= MAX_ISSUES_PER_RULE:
            what = "value" if v.table == "documents" else "row set aside"
            issues.append(ParseIssue("error", f"contract_{v.rule}",
                                     f"{path}" + (f", page {v.page}" if v.page else "")
                                     + f": raw.{v.table} {what} ({v.rule.replace('_', ' ')}): {v.detail}",
                                     page=v.page, source_path=path))
    for (table, rule), n in counts.items():
        if n > MAX_ISSUES_PER_RULE:
            issues.append(ParseIssue("error", f"contract_{rule}",
                                     f"{path}: {n - MAX_ISSUES_PER_RULE} more raw.{table} rows set aside "
                                     f"({rule.replace('_', ' ')})", source_path=path))
    return issues


def _issue_to_valid(issue: ParseIssue, page_count: int) -> ParseIssue:
    """A parse issue as loadable: text made valid Unicode, a page outside the document dropped."""
    def text(s: str | None) -> str | None:
        return s if s is None or _text_ok(s) else s.encode("utf-8", "replace").decode("utf-8")

    page = issue.page if isinstance(issue.page, int) and 1 <= issue.page <= max(page_count, 1) else None
    return dataclasses.replace(issue, message=text(issue.message) or "", code=text(issue.code) or "unknown",
                               source_path=text(issue.source_path), page=page)


def extraction_to_valid(ex: Extraction, page_count: int, path: str) -> Extraction:
    """``ex`` with every row that breaks the raw contract set aside and reported (see module doc)."""
    profile, violations = profile_to_valid(ex.profile)
    tables = {}
    for table in PER_DOCUMENT_TABLES:
        tables[table], bad = rows_to_valid(table, getattr(ex, table), page_count)
        violations.extend(bad)
    issues = [_issue_to_valid(i, page_count) for i in ex.issues] + violations_to_issues(violations, path)
    return dataclasses.replace(ex, profile=profile, issues=issues, **tables)
