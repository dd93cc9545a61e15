"""Stated changes, shares and ratios against the amounts they are computed from.

- ``change_pct_mismatch``: 'X万元, 比2022年执行数增加314.82%' where the two amounts give +289.12%.
- ``change_mismatch``: a stated change (万元) that is not the difference of the two stated amounts.
- ``change_implies_negative_base``: '0万元, 比上年增加1421.25万元' (the base year would be negative).
- ``change_wrong_base_year``: a change stated against the document's own year ('2026年预算 比2026年
  预算增加…' in a 2026 budget; base_year == reference_year).
- ``share_pct_mismatch``: a stated share (占比) that is not the item over its total.
- ``completion_pct_mismatch``: a stated completion rate (完成年初预算的95.89%) that is not the actual
  over the budget it names (年初预算 0).
- ``across_years:stated_vs_computed_change``: main.rpt_department_trend's gap between the change
  the text states and the change computed from the previous year's own disclosure (read only when
  that mart exists).

Tolerances follow the printed precision: amounts rounded to their last printed digit and
percentages to theirs, propagated through the ratio.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import great_expectations as gx
import pandas as pd

from .frame import (
    as_checks,
    clean,
    decimal_of,
    decimals_of,
    excess_suite,
    page_of,
    pct,
    printed_step,
    rows_of,
    wan,
    yuan,
)

CONCERN = "changes"
CHANGE_PCT = "change_pct_mismatch"
CHANGE = "change_mismatch"
NEGATIVE_BASE = "change_implies_negative_base"
WRONG_BASE = "change_wrong_base_year"
SHARE = "share_pct_mismatch"
COMPLETION = "completion_pct_mismatch"
ACROSS_YEARS = "across_years:stated_vs_computed_change"
# Denominator of a stated share, by the statement_key of the share.
SHARE_TOTALS = {
    "revenue.": "revenue.total",
    "expenditure.basic": "expenditure.total",
    "expenditure.project": "expenditure.total",
    "expenditure.function_item": "expenditure.general_public_budget",
}
# Figures of the trend mart are printed to 0.01万元: a gap up to this many yuan is rounding.
TREND_ROUNDING_YUAN = Decimal(200)


def _half_step(r: dict[str, Any]) -> Decimal:
    return printed_step(r["printed_value"], r["printed_unit"]) / 2


def _pct_half_step(r: dict[str, Any]) -> Decimal:
    return Decimal(1) / (Decimal(10) ** decimals_of(r["printed_value"])) / 2


def _row(check: str, r: dict[str, Any], *, severity: str, observed: Any, expected: Any, unit: str,
         excess: float, message: str, subject: str | None = None) -> dict[str, Any]:
    label = clean(r.get("printed_label"))
    return {"concern": CONCERN, "document_id": r["document_id"], "check_name": check,
            "subject": subject or (f"{r['statement_key']} {label}" if label else r["statement_key"]),
            "severity": severity, "observed": observed, "expected": expected, "observed_unit": unit,
            "page": page_of(r.get("page")), "excess": excess, "message": message}


def _nearest(candidates: list[dict[str, Any]], seq: int) -> dict[str, Any] | None:
    """The amount printed closest before ``seq`` (else the first after it)."""
    before = [c for c in candidates if int(c["statement_seq"]) < seq]
    if before:
        return max(before, key=lambda c: int(c["statement_seq"]))
    return min(candidates, key=lambda c: int(c["statement_seq"])) if candidates else None


def _amounts_by_subject(records: list[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    out: dict[tuple, list[dict[str, Any]]] = {}
    for r in records:
        if r["measure"] == "amount" and decimal_of(r["amount_yuan"]) is not None and r["source"] == "narrative":
            out.setdefault((r["document_id"], r["statement_key"], clean(r["printed_label"])
                            if r["statement_key"] == "expenditure.function_item" else None), []).append(r)
    return out


def _subject(r: dict[str, Any]) -> tuple:
    return (r["document_id"], r["statement_key"],
            clean(r["printed_label"]) if r["statement_key"] == "expenditure.function_item" else None)


def change_rows(statements: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for stated changes (amount and percent) against their own amounts."""
    records = rows_of(statements)
    amounts = _amounts_by_subject(records)
    rows = []
    for r in records:
        if r["measure"] not in ("change", "change_pct") or r["source"] != "narrative":
            continue
        ref, base_year, seq = clean(r["reference_year"]), clean(r["base_year"]), int(r["statement_seq"])
        ref = int(ref) if ref is not None else None
        base_year = int(base_year) if base_year is not None else None
        stated = decimal_of(r["amount_yuan"] if r["measure"] == "change" else r["percent"])
        if stated is None:
            continue
        shown = wan(stated) if r["measure"] == "change" else pct(stated)
        if base_year is not None and ref is not None and base_year == ref:
            rows.append(_row(WRONG_BASE, r, severity="warning", observed=Decimal(int(base_year)),
                             expected=Decimal(int(ref) - 1), unit="year", excess=1.0,
                             message=f"The change of {r['statement_key']} ({shown}, page "
                                     f"{page_of(r['page']) or '?'}) is stated against {int(base_year)}, the "
                                     f"year the figure is about; it should compare with {int(ref) - 1}."))
            continue
        pool = amounts.get(_subject(r), [])
        current = _nearest([a for a in pool if clean(a["reference_year"]) == ref and a["phase"] == r["phase"]], seq)
        if current is None:
            continue
        cur = decimal_of(current["amount_yuan"])
        if r["measure"] == "change" and stated > 0 and cur >= 0 and stated > cur + _half_step(current):
            rows.append(_row(NEGATIVE_BASE, r, severity="error", observed=stated, expected=cur, unit="yuan",
                             excess=float(stated - cur),
                             message=f"{r['printed_label'] or r['statement_key']} is {wan(cur)} in "
                                     f"{ref}, yet the text (page {page_of(r['page']) or '?'}) says it grew "
                                     f"by {wan(stated)} against {base_year or 'the previous year'}: the "
                                     f"base year would be {wan(cur - stated)}, which cannot be. The "
                                     "increase probably belongs to another line."))
            continue
        if base_year is None:
            continue
        base = _nearest([a for a in pool if clean(a["reference_year"]) == base_year], seq)
        if base is None:
            continue
        prior = decimal_of(base["amount_yuan"])
        tol_cur, tol_base = _half_step(current), _half_step(base)
        if r["measure"] == "change":
            computed = cur - prior
            tolerance = tol_cur + tol_base + _half_step(r)
            what = f"{wan(cur)} - {wan(prior)} = {wan(computed)}"
        else:
            if prior <= 0:
                continue
            computed = (cur - prior) / prior * 100
            tolerance = (Decimal(100) * (tol_cur / prior + cur.copy_abs() * tol_base / prior ** 2)
                         + _pct_half_step(r))
            what = f"({wan(cur)} - {wan(prior)}) / {wan(prior)} = {pct(computed)}"
        gap = (stated - computed).copy_abs()
        severity = "error" if (r["measure"] == "change_pct" and (gap > 5 or (stated > 0) != (computed > 0))) \
            or (r["measure"] == "change" and gap > abs(computed) / 10) else "warning"
        rows.append(_row(CHANGE_PCT if r["measure"] == "change_pct" else CHANGE, r, severity=severity,
                         observed=stated.quantize(Decimal("0.01")), expected=computed.quantize(Decimal("0.01")),
                         unit="pct" if r["measure"] == "change_pct" else "yuan", excess=float(gap - tolerance),
                         message=f"{r['printed_label'] or r['statement_key']}: the text (page "
                                 f"{page_of(r['page']) or '?'}) states a change of {shown} from "
                                 f"{base_year} to {ref}, but its own amounts give {what}."))
    return rows


def share_rows(statements: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for stated shares (share_pct) and completion rates (completion_pct)."""
    records = rows_of(statements)
    amounts = _amounts_by_subject(records)
    by_key: dict[tuple, list[dict[str, Any]]] = {}
    for (document_id, key, _), members in amounts.items():
        by_key.setdefault((document_id, key), []).extend(members)
    rows = []
    for r in records:
        if r["measure"] not in ("share_pct", "completion_pct") or decimal_of(r["percent"]) is None:
            continue
        stated, seq = decimal_of(r["percent"]), int(r["statement_seq"])
        pool = amounts.get(_subject(r), [])
        if r["measure"] == "share_pct":
            total_key = next((v for k, v in SHARE_TOTALS.items() if r["statement_key"].startswith(k)), None)
            if total_key is None or total_key == r["statement_key"]:
                continue
            part = _nearest([a for a in pool if a["reference_year"] == r["reference_year"]
                             and a["phase"] == r["phase"]], seq)
            total = _nearest([a for a in by_key.get((r["document_id"], total_key), [])
                              if a["reference_year"] == r["reference_year"] and a["phase"] == r["phase"]], seq)
            check, what = SHARE, f"a share of {pct(stated)} of {total_key}"
        else:
            part = _nearest([a for a in pool if a["reference_year"] == r["reference_year"]
                             and a["phase"] == "actual"], seq)
            total = _nearest([a for a in pool if a["reference_year"] == r["reference_year"]
                              and a["phase"] == r["phase"]], seq)
            check, what = COMPLETION, f"a completion rate of {pct(stated)} of the {r['phase']}"
        if part is None or total is None:
            continue
        a, t = decimal_of(part["amount_yuan"]), decimal_of(total["amount_yuan"])
        label = r["printed_label"] or r["statement_key"]
        if t == 0:
            if stated != 0 and a != 0:
                rows.append(_row(check, r, severity="error", observed=stated, expected=None, unit="pct",
                                 excess=float(stated),
                                 message=f"{label}: the text (page {page_of(r['page']) or '?'}) states "
                                         f"{what}, but that figure is {wan(t)} (page "
                                         f"{page_of(total['page']) or '?'}): no rate of {wan(a)} against "
                                         "zero exists; the rate was computed against another figure."))
            continue
        computed = a / t * 100
        tolerance = (Decimal(100) * (_half_step(part) / t + a.copy_abs() * _half_step(total) / t ** 2)
                     + _pct_half_step(r))
        gap = (stated - computed).copy_abs()
        rows.append(_row(check, r, severity="warning" if gap > Decimal("0.05") else "info",
                         observed=stated, expected=computed.quantize(Decimal("0.01")), unit="pct",
                         excess=float(gap - tolerance),
                         message=f"{label}: the text (page {page_of(r['page']) or '?'}) states {what}, "
                                 f"but {wan(a)} / {wan(t)} = {pct(computed)} (difference "
                                 f"{gap.quantize(Decimal('0.01'))} percentage points, more than rounding)."))
    return rows


def trend_rows(trend: pd.DataFrame | None, documents: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows from main.rpt_department_trend (stated vs computed change); none when it is absent."""
    if trend is None or not len(trend) or "fiscal_change_gap_yuan" not in trend.columns:
        return []
    docs = {}
    for d in rows_of(documents):
        if clean(d.get("is_current")) is False:
            continue
        docs.setdefault((clean(d.get("department_id")), clean(d.get("fiscal_year")),
                         clean(d.get("disclosure_kind"))), d["document_id"])
    rows = []
    for r in rows_of(trend):
        gap = decimal_of(r.get("fiscal_change_gap_yuan"))
        if gap is None:
            continue
        document_id = clean(r.get("document_id")) or docs.get(
            (clean(r.get("department_id")), clean(r.get("fiscal_year")), clean(r.get("disclosure_kind"))))
        stated = decimal_of(r.get("stated_fiscal_change_yuan"))
        computed = decimal_of(r.get("computed_fiscal_change_yuan"))
        name = clean(r.get("department_name")) or clean(r.get("department_id"))
        rows.append({
            "concern": CONCERN, "document_id": document_id, "check_name": ACROSS_YEARS,
            "subject": f"{name} {r.get('fiscal_year')} {clean(r.get('disclosure_kind')) or ''}".strip(),
            "severity": "warning", "observed": stated, "expected": computed, "observed_unit": "yuan",
            "page": page_of(r.get("page")), "excess": float(gap.copy_abs() - TREND_ROUNDING_YUAN),
            "message": f"{name} {r.get('fiscal_year')}: the text states a change of 财政拨款 of {wan(stated)} "
                       f"against the previous year, but the previous year's own disclosure gives "
                       f"{wan(computed)} ({yuan(gap)} apart, beyond rounding).",
        })
    return rows


def changes_frame(statements: pd.DataFrame, documents: pd.DataFrame,
                  trend: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check rows for stated changes, shares, completion rates and the trend mart's gaps."""
    return as_checks(change_rows(statements) + share_rows(statements) + trend_rows(trend, documents))


def build_changes_suite() -> gx.ExpectationSuite:
    """Stated changes and ratios agree with their amounts within printed precision."""
    meaning = {
        CHANGE_PCT: "A stated change in % equals (current - base) / base of the stated amounts.",
        CHANGE: "A stated change in 万元 equals current - base of the stated amounts.",
        NEGATIVE_BASE: "A stated increase is not larger than the amount it increased to.",
        WRONG_BASE: "A change is stated against an earlier year than the figure's own.",
        SHARE: "A stated share equals the item over its total.",
        COMPLETION: "A stated completion rate equals actual over the budget it names.",
        ACROSS_YEARS: "The change a text states equals the change computed from last year's disclosure.",
    }
    return excess_suite("changes", CONCERN, meaning)
