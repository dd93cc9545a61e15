"""Plausibility: values within the range they can take.

Amounts are non-negative; fiscal years lie in 2000..2100; percentage targets and spending-plan
percentages lie in 0..100; a spending plan never decreases and ends at 100%.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, decimal_of, page_of, rows_of, wan, yuan

CONCERN = "plausibility"
NEGATIVE_AMOUNT = "plausibility:negative_amount"
FISCAL_YEAR = "plausibility:fiscal_year_range"
PERCENTAGE = "plausibility:percentage_range"
PLAN_DECREASES = "plausibility:spending_plan_decreasing"
PLAN_FINAL = "plausibility:spending_plan_final"

# check_name -> (min, max, severity, what it means)
RULES: dict[str, tuple[float | None, float | None, str, str]] = {
    NEGATIVE_AMOUNT: (0, None, "error", "stated amounts are not negative"),
    FISCAL_YEAR: (2000, 2100, "error", "fiscal years lie in 2000..2100"),
    PERCENTAGE: (0, 100, "warning", "percentages (targets in %, spending plan) lie in 0..100"),
    PLAN_DECREASES: (0, None, "warning", "a cumulative spending plan never decreases"),
    PLAN_FINAL: (100, 100, "warning", "a cumulative spending plan ends at 100%"),
}


def _row(check: str, document_id: Any, subject: str, observed: Decimal | None, expected: Decimal | None,
         unit: str, page: Any, message: str) -> dict[str, Any]:
    return {"concern": CONCERN, "document_id": document_id, "check_name": check, "subject": subject,
            "severity": RULES[check][2], "observed": observed, "expected": expected,
            "observed_unit": unit, "page": page_of(page), "message": message,
            "value": float(observed) if observed is not None else None}


def plausibility_frame(amounts: pd.DataFrame, documents: pd.DataFrame, percentages: pd.DataFrame,
                       plans: pd.DataFrame) -> pd.DataFrame:
    """Check rows for amounts, fiscal years, percentages and spending plans.

    Args:
        amounts: document_id, source_table, subject, amount_yuan, page (stated amounts).
        documents: main.dim_document (document_id, fiscal_year, source_path).
        percentages: document_id, subject, pct, page, what (percent values to keep in 0..100).
        plans: main.fct_project joined with its plan summary (project_seq, project_code,
            plan_min_step_pct, plan_final_pct, plan_final_checkpoint, plan_text, page).
    """
    rows = []
    for r in rows_of(amounts):
        amount = decimal_of(r["amount_yuan"])
        if amount is None:
            continue
        rows.append(_row(NEGATIVE_AMOUNT, r["document_id"], r["subject"], amount, Decimal(0), "yuan",
                         r["page"], f"{r['subject']} ({r['source_table']}) is negative: {wan(amount)} "
                         f"({yuan(amount)}), page {page_of(r['page']) or '?'}. An amount stated in a "
                         "disclosure cannot be negative; check the sign as printed."))
    for r in rows_of(documents):
        year = clean(r["fiscal_year"])
        if year is None:
            continue
        rows.append(_row(FISCAL_YEAR, r["document_id"], "fiscal_year", Decimal(int(year)), None, "year",
                         None, f"The document's fiscal year {int(year)} is outside 2000..2100 "
                         f"({clean(r.get('source_path')) or r['document_id']})."))
    for r in rows_of(percentages):
        pct = decimal_of(r["pct"])
        if pct is None:
            continue
        rows.append(_row(PERCENTAGE, r["document_id"], r["subject"], pct, None, "pct", r["page"],
                         f"{r['what']} {r['subject']} is {pct.normalize():f}%, outside 0..100%."))
    for r in rows_of(plans):
        if not clean(r.get("n_plan_checkpoints")):
            continue
        code = clean(r["project_code"])
        subject = f"project {r['project_seq']}" + (f" {code}" if code else "")
        step = decimal_of(r["plan_min_step_pct"])
        if step is not None:
            rows.append(_row(PLAN_DECREASES, r["document_id"], subject, step, Decimal(0), "pct", r["page"],
                             f"The spending plan of {subject} decreases by {(-step).normalize():f} "
                             f"percentage points between two checkpoints ({r['plan_text']}); a "
                             "cumulative plan cannot go down."))
        final = decimal_of(r["plan_final_pct"])
        if final is not None:
            rows.append(_row(PLAN_FINAL, r["document_id"], subject, final, Decimal(100), "pct", r["page"],
                             f"The spending plan of {subject} ends at {final.normalize():f}% "
                             f"({r['plan_final_checkpoint']}), not 100% ({r['plan_text']})."))
    return as_checks(rows)


def build_plausibility_suite() -> gx.ExpectationSuite:
    """One expectation per rule of :data:`RULES`, each on its own rows."""
    expectations = []
    for check, (low, high, severity, meaning) in RULES.items():
        expectations.append(gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=low, max_value=high,
            row_condition=Column("check_name") == check,
            meta={"concern": CONCERN, "check_name": check, "severity": severity, "notes": meaning},
        ))
    return gx.ExpectationSuite(name="plausibility", expectations=expectations)
