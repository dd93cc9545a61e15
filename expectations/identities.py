"""Identities: parts add up to totals (from main.rpt_identity_residuals, computed in dbt).

One row per document and identity that could be evaluated; the suite asserts diff = 0. A failure
is a finding named after the identity ('identity:sangong_parts', 'withheld_residual', ...).
"""

from __future__ import annotations

from decimal import Decimal

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, decimal_of, page_of, wan, yuan

CONCERN = "identities"
# Figures printed to 0.01万元 are rounded to 100 yuan: a sum of n such parts may miss its printed
# total by up to (n + 1) * 50 yuan. A difference that small is reported as a warning, not an error.
ROUNDING_YUAN_PER_FIGURE = Decimal(50)


def identity_frame(residuals: pd.DataFrame) -> pd.DataFrame:
    """Check rows from main.rpt_identity_residuals, with the message each failure would carry."""
    rows = []
    for r in residuals.to_dict("records"):
        severity = clean(r["severity_if_failed"]) or "error"
        observed, expected = decimal_of(r["observed_yuan"]), decimal_of(r["expected_yuan"])
        diff = (observed - expected) if observed is not None and expected is not None else None
        page = page_of(r["page"])
        where = f" (page {page})" if page else ""
        if r["check_name"] == "withheld_residual":
            message = (
                f"Disclosed project tables add up to {wan(expected)} ({r['parts_text']}), but the "
                f"document states project expenditure (项目支出) of {wan(observed)}{where}: "
                f"{wan(diff)} is not covered by a disclosed project table"
                + (" (withheld 涉密 projects are disclosed only by number)."
                   if r["severity_if_failed"] == "info" else ".")
            )
        else:
            rounding = ROUNDING_YUAN_PER_FIGURE * (int(r["n_parts"] or 1) + 1)
            if diff is not None and severity == "error" and abs(diff) <= rounding:
                severity = "warning"
            message = (
                f"{r['rule_text']} does not hold for {r['subject']}{where}: the stated total is "
                f"{wan(observed)} ({yuan(observed)}), its parts add up to {wan(expected)} "
                f"({r['parts_text']}); difference {wan(diff)} ({yuan(diff)})."
                + (" The difference is within the rounding of figures printed to 0.01万元."
                   if severity == "warning" else "")
            )
        rows.append({
            "concern": CONCERN, "document_id": r["document_id"], "check_name": r["check_name"],
            "subject": r["subject"], "severity": severity,
            "observed": observed, "expected": expected, "observed_unit": "yuan", "page": page,
            "message": message, "diff": float(diff) if diff is not None else None,
        })
    return as_checks(rows)


def build_identities_suite() -> gx.ExpectationSuite:
    """Every evaluable identity holds exactly (diff 0 yuan)."""
    return gx.ExpectationSuite(
        name="identities",
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="diff", min_value=0, max_value=0,
                row_condition=Column("concern") == CONCERN,
                meta={"concern": CONCERN,
                      "notes": "Totals equal the sum of their stated parts: revenue = expenditure, "
                               "personnel + public operating + project = total, 三公 items = total, "
                               "vehicle purchase + operation = vehicle total, procurement items = "
                               "total, fiscal + other = project budget."},
            ),
        ],
    )


