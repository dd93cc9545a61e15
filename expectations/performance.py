"""Performance targets: cost indicators that contradict the project budget, and indicators
printed more than once with different targets.

- ``cost_indicator_mismatch``: a 成本指标 whose target is an amount ('= 37.29万元') differs from
  the project's budget (37.00万元).
- ``conflicting_indicator_targets``: one project's indicator (same level3 name) carries several
  different numeric targets (群众满意度 ≥90%, ≥80%, ≥60%).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from ingest.amounts import UNIT_TO_YUAN

from .frame import as_checks, clean, decimal_of, page_of, wan

CONCERN = "performance"
COST_MISMATCH = "cost_indicator_mismatch"
CONFLICTING = "conflicting_indicator_targets"
COST_LEVEL2 = "成本指标"


def _project(r: dict[str, Any]) -> str:
    code = clean(r.get("project_code"))
    return f"project {r['project_seq']}" + (f" {code}" if code else "") + (
        f" ({r['project_name']})" if clean(r.get("project_name")) else "")


def performance_frame(indicators: pd.DataFrame) -> pd.DataFrame:
    """Check rows from indicators joined with their project's budget.

    Args:
        indicators: main.fct_performance_indicator rows plus ``budget_yuan`` of the project.
    """
    rows = []
    records = indicators.to_dict("records")
    for r in records:
        unit, value = clean(r["target_unit"]), decimal_of(r["target_value"])
        budget = decimal_of(r.get("budget_yuan"))
        if (clean(r["level2"]) != COST_LEVEL2 or unit not in UNIT_TO_YUAN or value is None
                or budget is None or clean(r["target_op"]) not in ("=", None)):
            continue
        target = (value * UNIT_TO_YUAN[unit]).quantize(Decimal("0.01"))
        rows.append({
            "concern": CONCERN, "document_id": r["document_id"], "check_name": COST_MISMATCH,
            "subject": clean(r["project_code"]) or f"project {r['project_seq']}", "severity": "warning",
            "observed": target, "expected": budget, "observed_unit": "yuan", "page": page_of(r["page"]),
            "diff": float(target - budget),
            "message": f"The cost indicator (成本指标) '{clean(r['level3']) or ''}' of {_project(r)} "
                       f"targets {clean(r['target_raw']) or wan(target)} ({wan(target)}), but the "
                       f"project's budget is {wan(budget)}: they differ by {wan(target - budget)}.",
        })
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in records:
        if clean(r["project_seq"]) is None or decimal_of(r["target_value"]) is None or not clean(r["level3"]):
            continue
        groups.setdefault((r["document_id"], int(r["project_seq"]), r["level3"]), []).append(r)
    for (document_id, _, level3), members in groups.items():
        targets = sorted({(clean(m["target_op"]) or "", decimal_of(m["target_value"]).normalize(),
                           clean(m["target_unit"]) or "") for m in members}, key=str)
        first = members[0]
        printed = ", ".join(clean(m["target_raw"]) or "?" for m in members)
        rows.append({
            "concern": CONCERN, "document_id": document_id, "check_name": CONFLICTING,
            "subject": f"{clean(first['project_code']) or 'project ' + str(first['project_seq'])} {level3}",
            "severity": "warning", "observed": Decimal(len(targets)), "expected": Decimal(1),
            "observed_unit": "count", "page": page_of(first["page"]), "value": float(len(targets)),
            "message": f"The indicator '{level3}' of {_project(first)} is printed {len(members)} times "
                       f"with {len(targets)} different targets ({printed}); which one applies is unclear.",
        })
    return as_checks(rows)


def build_performance_suite() -> gx.ExpectationSuite:
    """Cost targets equal the project budget; one target per indicator."""
    return gx.ExpectationSuite(
        name="performance",
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="diff", min_value=0, max_value=0,
                row_condition=Column("check_name") == COST_MISMATCH,
                meta={"concern": CONCERN, "check_name": COST_MISMATCH,
                      "notes": "An amount target of a 成本指标 equals the project's budget."}),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=1, max_value=1,
                row_condition=Column("check_name") == CONFLICTING,
                meta={"concern": CONCERN, "check_name": CONFLICTING,
                      "notes": "An indicator printed several times carries one numeric target."}),
        ],
    )
