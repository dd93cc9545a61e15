"""Performance targets: cost indicators that contradict the project budget, and indicators
printed more than once with different targets.

- ``cost_indicator_mismatch``: a 成本指标 whose target is an amount ('= 37.29万元') differs from
  the project's budget (37.00万元).
- ``conflicting_indicator_targets``: one project's indicator (same level3 name) carries several
  different numeric targets (群众满意度 ≥90%, ≥80%, ≥60%).
- ``performance:project_funds_vs_tables``: the text's '编报绩效目标的项目共5个, 涉及项目预算资金
  3328.13万元' vs the budgets of the project tables it introduces (when the counts agree).
- ``performance:measurable_target_share`` (info): the share of a document's indicators whose target
  is a number that can be checked (≥90%, ≤37.29万元), not a phrase ('有效提升').

Disclosed project budgets + the withheld residual = 项目支出 and fiscal + other = budget are
identities (rpt_identity_residuals: ``withheld_residual``, ``identity:project_funds``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from ingest.amounts import UNIT_TO_YUAN

from .frame import as_checks, clean, decimal_of, page_of, rows_of, wan

CONCERN = "performance"
COST_MISMATCH = "cost_indicator_mismatch"
CONFLICTING = "conflicting_indicator_targets"
FUNDS_VS_TABLES = "performance:project_funds_vs_tables"
MEASURABLE = "performance:measurable_target_share"
COST_LEVEL2 = "成本指标"


def _project(r: dict[str, Any]) -> str:
    code = clean(r.get("project_code"))
    return f"project {r['project_seq']}" + (f" {code}" if code else "") + (
        f" ({r['project_name']})" if clean(r.get("project_name")) else "")


def performance_frame(indicators: pd.DataFrame, statements: pd.DataFrame | None = None,
                      projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check rows from indicators joined with their project's budget (and, when given, the text's
    statements of project funds and the project tables).

    Args:
        indicators: main.fct_performance_indicator rows plus ``budget_yuan`` of the project.
    """
    rows = []
    records = rows_of(indicators)
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
    rows += measurable_rows(indicators)
    if statements is not None and projects is not None:
        rows += project_funds_rows(statements, projects)
    return as_checks(rows)


def project_funds_rows(statements: pd.DataFrame, projects: pd.DataFrame) -> list[dict[str, Any]]:
    """The text's count and funds of projects with targets vs the project tables' budgets."""
    from .frame import printed_step

    tables: dict[str, list[dict[str, Any]]] = {}
    for p in rows_of(projects):
        if decimal_of(p["budget_yuan"]) is not None and not clean(p.get("is_withheld")):
            tables.setdefault(p["document_id"], []).append(p)
    stated: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows_of(statements):
        if r["statement_key"] in ("performance.project_funds", "performance.project_count") \
                and r["source"] == "narrative":
            stated.setdefault((r["document_id"], r["statement_key"]), r)
    rows = []
    for (document_id, key), r in stated.items():
        count = stated.get((document_id, "performance.project_count"))
        members = tables.get(document_id, [])
        if key != "performance.project_funds" or not members or count is None \
                or decimal_of(count["quantity"]) != len(members):
            continue
        funds, total = decimal_of(r["amount_yuan"]), sum((decimal_of(p["budget_yuan"]) for p in members), Decimal(0))
        if funds is None:
            continue
        step = printed_step(r["printed_value"], r["printed_unit"])
        pages = sorted({page_of(p["page"]) for p in members if page_of(p["page"])})
        rows.append({
            "concern": CONCERN, "document_id": document_id, "check_name": FUNDS_VS_TABLES,
            "subject": "performance.project_funds", "severity": "warning", "observed": funds,
            "expected": total, "observed_unit": "yuan", "page": page_of(r["page"]),
            "diff": float(abs(funds - total) - step) if abs(funds - total) > step else 0.0,
            "message": f"The text (page {page_of(r['page']) or '?'}) says {len(members)} projects with "
                       f"performance targets carry {wan(funds)}, but the {len(members)} project tables "
                       f"(pages {', '.join(map(str, pages))}) add up to {wan(total)}: {wan(funds - total)} apart.",
        })
    return rows


def measurable_rows(indicators: pd.DataFrame) -> list[dict[str, Any]]:
    """One info row per document: the share of indicators with a numeric target."""
    counts: dict[str, list[int]] = {}
    for r in rows_of(indicators):
        c = counts.setdefault(r["document_id"], [0, 0])
        c[0] += 1
        c[1] += decimal_of(r["target_value"]) is not None
    rows = []
    for document_id, (n, numeric) in counts.items():
        share = Decimal(numeric * 100) / n
        rows.append({
            "concern": CONCERN, "document_id": document_id, "check_name": MEASURABLE,
            "subject": "indicators", "severity": "info", "observed": share.quantize(Decimal("0.01")),
            "expected": Decimal(100), "observed_unit": "pct", "page": None, "value": float(share),
            "message": f"{numeric} of {n} performance indicators ({share.quantize(Decimal('0.1'))}%) have a "
                       f"measurable (numeric) target; the other {n - numeric} state a phrase that cannot be "
                       "checked against results.",
        })
    return rows


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
            gxe.ExpectColumnValuesToBeBetween(
                column="diff", min_value=0, max_value=0,
                row_condition=Column("check_name") == FUNDS_VS_TABLES,
                meta={"concern": CONCERN, "check_name": FUNDS_VS_TABLES,
                      "notes": "The text's funds of projects with targets equal their tables' budgets."}),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=100, max_value=100,
                row_condition=Column("check_name") == MEASURABLE,
                meta={"concern": CONCERN, "check_name": MEASURABLE, "severity": "info",
                      "notes": "Share of indicators with a measurable target (reported as info)."}),
        ],
    )
