"""Parse issues: what the readers and extractors could not take, copied in as findings.

An issue of severity 'error' becomes a finding 'parse_issue:<code>' (severity error); warnings
and infos stay in raw.parse_issues.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, page_of, rows_of

CONCERN = "parse_issues"


def parse_issue_frame(issues: pd.DataFrame) -> pd.DataFrame:
    """One check row per parse issue (main.stg_disclosures__parse_issues)."""
    rows = []
    for r in rows_of(issues):
        page = page_of(r["page"])
        where = clean(r["source_path"]) or clean(r["document_id"]) or "?"
        rows.append({
            "concern": CONCERN, "document_id": clean(r["document_id"]),
            "check_name": f"parse_issue:{r['issue_code']}", "subject": where,
            "severity": "error", "observed": None, "expected": None, "observed_unit": None,
            "page": page, "issue_severity": clean(r["severity"]) or "error",
            "message": f"Could not parse {where}" + (f", page {page}" if page else "")
                       + f" ({r['issue_code']}): {r['message']}",
        })
    return as_checks(rows)


def build_parse_issues_suite() -> gx.ExpectationSuite:
    """No parse issue has severity 'error'."""
    return gx.ExpectationSuite(
        name="parse_issues",
        expectations=[
            gxe.ExpectColumnValuesToNotBeInSet(
                column="issue_severity", value_set=["error"],
                row_condition=Column("concern") == CONCERN,
                meta={"concern": CONCERN,
                      "notes": "Parse issues of severity error are copied in as findings."},
            ),
        ],
    )
