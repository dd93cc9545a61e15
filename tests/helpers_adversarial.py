"""Documents whose content pushes every edge of the raw contract, loaded straight into raw.*
(through ingest.contract, as the pipeline loads): no year, no issuer, unknown keys and regions,
repeated printed numbers, nulls where the marts group, extreme but valid amounts, two current
documents of one body and year, labels that look like the marts' own placeholders. A dbt build
and the checks over them must succeed: no document content can fail a test that stops a build.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from ingest.contract import MAX_ABS_AMOUNT_YUAN, extraction_to_valid
from ingest.load import ensure_schema, load_document, load_rejected
from ingest.model import (
    ClassificationLine,
    DepartmentGoal,
    Document,
    DocumentProfile,
    Extraction,
    Indicator,
    Page,
    ParseIssue,
    Project,
    Section,
    SpendingPlan,
    Statement,
)

BIG = MAX_ABS_AMOUNT_YUAN - Decimal("0.01")


def _doc(name: str, pages: int = 3) -> Document:
    did = (name.encode().hex() * 64)[:64]
    return Document(document_id=did, source_path=f"/adversarial/{name}", source_format="text", byte_size=1,
                    pages=[Page(number=i) for i in range(1, pages + 1)])


def _statements(year: int | None) -> list[Statement]:
    out = []
    for key in ("revenue.total", "expenditure.total", "sangong.total", "sangong.reception",
                "sangong.overseas_travel", "sangong.vehicle_total", "procurement.item", "procurement.total",
                "operating_expenses.total", "expenditure.function_item", "unknown.key", "nodot"):
        for source in ("table", "narrative"):
            out.append(Statement(key, BIG, "9,999,999,999,999.99", "元", year, source=source, page=1,
                                 label="(none)" if key.endswith("item") else None))
            out.append(Statement(key, -BIG, "-1", "元", None, source=source, page=2))
            out.append(Statement(key, Decimal(0), "0", "元", year, measure="change", source=source, page=3))
            out.append(Statement(key, None, "-", None, year, measure="change_pct", percent=Decimal("99999999.9999"),
                                 source=source, page=1))
    return out


def _extraction(profile: DocumentProfile) -> Extraction:
    year = profile.fiscal_year
    return Extraction(
        profile=profile,
        statements=_statements(year) + [Statement("revenue.total", Decimal(1), "1", "元", 2201, page=1),
                                        Statement("revenue.total", Decimal(1), "1", "元", year, page=99),
                                        Statement("revenue.total", Decimal(10) ** 17, "1", "元", year, page=1),
                                        Statement("revenue.total", Decimal(1), "1", "元", year, phase=None)],
        classification_lines=[
            ClassificationLine("gpb_function", "function", code, level, name, col, amt, 1)
            for code, level, name in (("201", 1, "一般公共服务支出"), (None, None, ""), ("abc", 9, "(none)"),
                                      ("2010101", 3, "行政运行"), ("2010101", 3, "行政运行"))
            for col, amt in (("total", BIG), ("basic", Decimal(0)), ("project", None))
        ] + [ClassificationLine("gpb_function", "function", "201", 1, "x", None, Decimal(1), 1)],
        projects=[Project(1, "P1", "项目一", BIG, BIG, Decimal(0), None, None, False, 1),
                  Project(1, "P1", "项目一(重复)", Decimal(1), None, None, None, None, False, 2),
                  Project(None, None, None, None, None, None, None, None, True, 2),
                  Project(2, None, "(all)", Decimal(-5), Decimal(0), None, "目的", "目标", True, 3)],
        spending_plan=[SpendingPlan(1, "3月底", 1, Decimal("9999.9999")),
                       SpendingPlan(1, "3月底", 1, Decimal(50)),
                       SpendingPlan(9, "6月底", 2, None)],
        indicators=[Indicator(None, None, 1, None, None, None, None, "≥100%", ">=", Decimal(100), "%", None, 1),
                    Indicator(None, None, 1, "(all)", None, None, None, None, None, None, None, None, 1),
                    Indicator(1, "P1", 1, "(none)", "数量指标", None, None, "=1", "=", Decimal(1), "个", None, 1),
                    Indicator(1, "P1", 2, "(all)", None, None, None, "x", None, None, None, None, 2),
                    Indicator(2, None, 1, None, None, None, None, None, None, None, "%", None, 3)],
        department_goals=[DepartmentGoal(1, "目标", None, None, None, None, None, None, 1),
                          DepartmentGoal(1, "目标(重复)", None, None, None, None, None, None, 1)],
        sections=[Section(1, "一、部门职责", 1, "duties", 1, 0, 5),
                  Section(1, "一、部门职责(重复)", 1, "duties", 1, 0, 5),
                  Section(2, "二、", 1, None, None, None, None, parent_seq=7)],
        issues=[ParseIssue("warning", "odd", "a message with a lone surrogate \udc80", page=42)],
    )


PROFILES = {
    "no_year_no_issuer.txt": DocumentProfile(),
    "year_only.txt": DocumentProfile(fiscal_year=2030, disclosure_kind="budget"),
    "unknown_region_a.txt": DocumentProfile(issuer_name="（部门）", region_code="999999", fiscal_year=2030,
                                            disclosure_kind="budget", scope="department"),
    "unknown_region_b.txt": DocumentProfile(issuer_name="（部门）", region_code="999999", fiscal_year=2030,
                                            disclosure_kind="budget", scope="department"),
    "same_body_unit.txt": DocumentProfile(issuer_name="（部门）", region_code="999999", fiscal_year=2030,
                                          disclosure_kind="final_accounts", scope="unit", unit_code="000000"),
    "year_out_of_range.txt": DocumentProfile(issuer_name="某某局", region_code="130434", fiscal_year=2201,
                                             disclosure_kind="budget", scope=None),
}


def load_adversarial(db_path: str) -> list[str]:
    """Load the adversarial documents (and two rejected files) into ``db_path``; their ids."""
    con = duckdb.connect(db_path)
    now = dt.datetime(2030, 1, 1)
    ids = []
    try:
        ensure_schema(con)
        for name, profile in PROFILES.items():
            doc = _doc(name)
            ex = extraction_to_valid(_extraction(profile), doc.page_count, doc.source_path)
            load_document(con, doc, ex, status="partial", run_id="adversarial", now=now)
            ids.append(doc.document_id)
        load_rejected(con, "/adversarial/rejected.pdf", "corrupt", "damaged", document_id="f" * 64, now=now)
        load_rejected(con, "/adversarial/unhashable.pdf", "unreadable", "cannot read", now=now)
    finally:
        con.close()
    return ids
