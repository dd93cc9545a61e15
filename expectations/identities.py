"""The text's items add up to its total ('identity:narrative_items_sum').

The other identities (parts add up to totals) are declared in seeds/identity_rules.csv and
checked by the dbt model quality_identities.
"""

from __future__ import annotations

from decimal import Decimal

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, decimal_of, page_of, rows_of, wan

CONCERN = "identities"


def build_identities_suite() -> gx.ExpectationSuite:
    """The text's items add up to the total it states (diff 0 yuan; the parts-add-up-to-totals
    identities are dbt models: seeds/identity_rules.csv, quality_identities)."""
    return gx.ExpectationSuite(
        name="identities",
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="diff", min_value=0, max_value=0,
                row_condition=Column("concern") == CONCERN,
                meta={"concern": CONCERN,
                      "notes": "The items (项) the text explains add up to the expenditure total it "
                               "states."},
            ),
        ],
    )


ITEMS_SUM = "identity:narrative_items_sum"
ITEM_TOTAL_KEYS = ("expenditure.general_public_budget", "expenditure.fiscal_appropriation")


def narrative_items_frame(statements: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The text's per-item explanations (项 level) add up to the total the text states.

    One row per document, phase and year whose text explains two or more 项 items: the sum of the
    items (each item once, as first printed) vs the text's 一般公共预算 (else 财政拨款) expenditure of
    the same phase and year, within the printed precision of all figures involved.
    """
    from .frame import printed_step
    from .narrative import FUNCTION_KEY, label_path

    fiscal_year = {d["document_id"]: clean(d["fiscal_year"]) for d in rows_of(documents)}
    records = sorted(rows_of(statements), key=lambda r: (r["document_id"], int(r["statement_seq"])))
    items: dict[tuple, dict[str, dict]] = {}
    totals: dict[tuple, dict] = {}
    for r in records:
        if r["measure"] != "amount" or r["source"] != "narrative" or decimal_of(r["amount_yuan"]) is None:
            continue
        group = (r["document_id"], r["phase"], r["reference_year"])
        if r["statement_key"] == FUNCTION_KEY and r["reference_year"] == fiscal_year.get(r["document_id"]) \
                and len(label_path(r["printed_label"])) == 3:
            items.setdefault(group, {}).setdefault("/".join(label_path(r["printed_label"])), r)
        elif r["statement_key"] in ITEM_TOTAL_KEYS:
            current = totals.get(group)
            if current is None or ITEM_TOTAL_KEYS.index(r["statement_key"]) < ITEM_TOTAL_KEYS.index(
                    current["statement_key"]):
                totals[group] = r
    rows = []
    for group, members in items.items():
        total = totals.get(group)
        if total is None or len(members) < 2:
            continue
        parts = list(members.values())
        summed = sum((decimal_of(p["amount_yuan"]) for p in parts), Decimal(0))
        stated = decimal_of(total["amount_yuan"])
        tolerance = sum((printed_step(p["printed_value"], p["printed_unit"]) / 2 for p in parts),
                        printed_step(total["printed_value"], total["printed_unit"]) / 2)
        diff = stated - summed
        pages = sorted({page_of(p["page"]) for p in parts if page_of(p["page"])})
        rows.append({
            "concern": CONCERN, "document_id": group[0], "check_name": ITEMS_SUM,
            "subject": f"{total['statement_key']} {group[1]} {group[2]}",
            "severity": "warning" if abs(diff) > tolerance else "info",
            "observed": stated, "expected": summed, "observed_unit": "yuan",
            "page": page_of(total["page"]), "diff": float(diff),
            "message": f"The text explains {len(parts)} items (项) of {group[1]} {group[2]} expenditure "
                       f"(pages {', '.join(map(str, pages))}) that add up to {wan(summed)}, but it states "
                       f"{total['statement_key']} as {wan(stated)} (page {page_of(total['page']) or '?'}): "
                       f"{wan(diff)} apart"
                       + (", beyond rounding. An item is misstated or missing." if abs(diff) > tolerance
                          else ", within the rounding of the printed items."),
        })
    return as_checks(rows)
