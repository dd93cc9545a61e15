"""What a document's parse yields, checked against the raw contract before it is loaded.

One document never costs the others: a row that breaks the contract is set aside (not loaded)
and reported as a parse issue of severity 'error' naming the file, the page and the rule, so the
document loads as 'partial'. The rules come from the contract (:mod:`ingest.raw_contract`), per
row of each raw table:

- types: each value has its column's type: str, int, bool, Decimal; text encodable as UTF-8;
  integers within INTEGER;
- ranges: a DECIMAL(p,s) value within its precision, an amount within its column's ``max_abs``
  (so that sums over a warehouse still fit DECIMAL(20,2)), a year within its column's ``bounds``,
  a page within the document's pages;
- keys: the natural key of the table within the document (``RawTable.record_key``) unique, and
  every column the contract says is not nullable present. Of rows sharing a key the first is kept.

A document-level value out of range (a fiscal year of 2201) is nulled and reported the same way.
So no document's content can fail a dbt test that guards the pipeline's logic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from .model import DocumentProfile, Extraction, ParseIssue
from .raw_contract import (
    MAX_ABS_AMOUNT_YUAN,
    PER_DOCUMENT_TABLES,
    YEAR_RANGE,
    Column,
    decimal_type,
    raw_table,
)

__all__ = ["MAX_ABS_AMOUNT_YUAN", "YEAR_RANGE", "extraction_to_valid", "rows_to_valid", "value_to_violation"]

INT32 = (-(2**31), 2**31 - 1)
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


def value_to_violation(column: Column, value: Any, page_count: int) -> tuple[str, str] | None:
    """(rule, detail) when ``value`` cannot stand in ``column``; else None."""
    if value is None:
        return None
    name, dtype, decimal = column.name, column.type, decimal_type(column.type)
    if decimal is not None:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            return "wrong_type", f"{name} is {type(value).__name__}, not a decimal"
        d = Decimal(value)
        if not d.is_finite():
            return "out_of_range", f"{name} is {d}"
        bound = Decimal(10) ** (decimal[0] - decimal[1])
        if column.max_abs is not None:
            bound = min(bound, column.max_abs)
        if abs(d) >= bound:
            return "out_of_range", f"{name} {d} is beyond ±{bound:.0E}"
        return None
    if dtype in ("INTEGER", "BIGINT"):
        if isinstance(value, bool) or not isinstance(value, int):
            return "wrong_type", f"{name} is {type(value).__name__}, not an integer"
        if column.bounds and not column.bounds[0] <= value <= column.bounds[1]:
            return "out_of_range", f"{name} {value} is outside {column.bounds[0]}–{column.bounds[1]}"
        if column.is_page and not 1 <= value <= max(page_count, 1):
            return "out_of_range", f"page {value} is outside the document's 1–{page_count}"
        if dtype == "INTEGER" and not INT32[0] <= value <= INT32[1]:
            return "out_of_range", f"{name} {value} does not fit an INTEGER"
        return None
    if dtype == "BOOLEAN":
        return None if isinstance(value, bool) else ("wrong_type", f"{name} is {type(value).__name__}, not a boolean")
    if dtype == "VARCHAR":
        if not isinstance(value, str):
            return "wrong_type", f"{name} is {type(value).__name__}, not text"
        if not _text_ok(value):
            return "wrong_type", f"{name} is not valid Unicode text"
    return None


def _fast_check(column: Column) -> Callable[[Any, int], bool]:
    """A quick test that a (non-null) value keeps ``column``'s rules; when it says no,
    :func:`value_to_violation` tells which rule the value breaks (it may break none)."""
    dtype, decimal = column.type, decimal_type(column.type)
    if decimal is not None:
        bound = Decimal(10) ** (decimal[0] - decimal[1])
        if column.max_abs is not None:
            bound = min(bound, column.max_abs)
        return lambda v, _: type(v) is Decimal and v.is_finite() and abs(v) < bound
    if dtype in ("INTEGER", "BIGINT"):
        low, high = column.bounds or (INT32 if dtype == "INTEGER" else (-(2**63), 2**63 - 1))
        if column.is_page:
            return lambda v, pages: type(v) is int and 1 <= v <= max(pages, 1) and low <= v <= high
        return lambda v, _: type(v) is int and low <= v <= high
    if dtype == "BOOLEAN":
        return lambda v, _: type(v) is bool
    if dtype == "VARCHAR":
        return lambda v, _: type(v) is str and (v.isascii() or _text_ok(v))
    return lambda v, _: False


@cache
def _record_columns(table_name: str, record_type: type) -> tuple[tuple[tuple[Column, Callable], ...],
                                                                 tuple[str, ...]]:
    """The contract's columns a record type carries (with their quick test), and those of them
    that must not be null."""
    fields = {f.name for f in dataclasses.fields(record_type)}
    spec = raw_table(table_name)
    columns = tuple((c, _fast_check(c)) for c in spec.columns if c.name in fields)
    required = tuple(c.name for c, _ in columns if not c.nullable and c.name not in spec.key_nullable)
    return columns, required


def row_to_violation(table_name: str, row: Any, page_count: int) -> Violation | None:
    """The first contract rule a record breaks (types, ranges, columns not nullable), or None."""
    columns, required = _record_columns(table_name, type(row))
    page = None
    for column, fast_ok in columns:
        value = getattr(row, column.name)
        if value is None or fast_ok(value, page_count):
            continue
        hit = value_to_violation(column, value, page_count)
        if hit:
            page = getattr(row, "page", None)
            page = page if isinstance(page, int) else None
            return Violation(table_name, hit[0], hit[1], page if hit[0] != "out_of_range" or not column.is_page
                             else None)
    for name in required:
        if getattr(row, name) is None:
            page = getattr(row, "page", None)
            return Violation(table_name, "null_key", f"{name} is missing", page if isinstance(page, int) else None)
    return None


def rows_to_valid(table_name: str, rows: Iterable[Any], page_count: int) -> tuple[list[Any], list[Violation]]:
    """The rows that keep the contract, and a violation for each row set aside."""
    key_columns = raw_table(table_name).record_key
    kept, violations, seen = [], [], {}
    for row in rows:
        bad = row_to_violation(table_name, row, page_count)
        if bad is None and key_columns:
            key = tuple(getattr(row, c) for c in key_columns)
            if key in seen:
                first = f" (first on page {seen[key]})" if seen[key] is not None else ""
                bad = Violation(table_name, "duplicate_key",
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
    for column in raw_table("documents").columns:
        if not hasattr(profile, column.name):
            continue
        hit = value_to_violation(column, getattr(profile, column.name), 0 if not column.is_page else 1)
        if hit:
            changes[column.name] = None
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
