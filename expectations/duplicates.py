"""Duplicates: two files holding the same disclosure (same department, fiscal year, kind and scope).

Only one counts (dbt's int_documents_ranked states the rule); the other stays in raw and in
dim_document with ``duplicate_of``. Each such pair is a finding ``duplicate_disclosure`` on the file
set aside, naming both files and what differs between them (byte size, pages, format, how they were
read, the figures they state differently), from main.rpt_duplicate_disclosures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, rows_of

CONCERN = "duplicates"
DUPLICATE = "duplicate_disclosure"
RULE_TEXT = {  # int_documents_ranked.current_rule -> why the current file goes first
    "better_status": "it was read completely (parsed before partial before rejected)",
    "still_present": "it is still in the corpus and the other is not",
    "seen_most_recently": "its bytes were seen more recently",
    "more_statements": "more figures were read from it",
    "smallest_document_id": "files first seen together and read alike: the smaller sha256 decides",
}
KIND_TEXT = {"budget": "budget", "final_accounts": "final accounts"}


def _name(path: Any) -> str:
    return Path(str(clean(path) or "?")).name


def _shown(what: str, value: Any) -> str:
    if value is None:
        return "unknown"
    return f"{int(value):,}" if what in ("byte size", "pages") else str(value)


def differences_text(r: dict[str, Any]) -> str:
    """What tells the two files apart: properties that differ, then the figures stated differently."""
    parts = []
    for what, here, there in (("format", r["source_format"], r["current_source_format"]),
                              ("byte size", r["byte_size"], r["current_byte_size"]),
                              ("pages", r["page_count"], r["current_page_count"]),
                              ("status", r["status"], r["current_status"])):
        here, there = _shown(what, clean(here)), _shown(what, clean(there))
        if here != there:
            parts.append(f"{what} {here} here, {there} in the current file")
    compared, differing = int(clean(r["n_figures_compared"]) or 0), int(clean(r["n_figures_differing"]) or 0)
    if not compared:
        parts.append("no figures were read from either")
    elif not differing:
        parts.append(f"the same figures ({compared} compared)")
    else:
        more = f" (the first five: {clean(r['differing_figures'])})" if differing > 5 else \
            f": {clean(r['differing_figures'])}"
        parts.append(f"{differing} of {compared} figures stated differently{more}")
    return "; ".join(parts)


def duplicates_frame(duplicates: pd.DataFrame | None) -> pd.DataFrame:
    """One check row per file set aside (main.rpt_duplicate_disclosures); every row fails."""
    if duplicates is None:
        return as_checks([])
    rows = []
    for r in rows_of(duplicates):
        here, there = str(clean(r["source_path"]) or "?"), str(clean(r["current_source_path"]) or "?")
        scope = clean(r["scope"]) or "unspecified"
        what = (f"{clean(r['department_name']) or clean(r['department_id'])}, {clean(r['fiscal_year'])} "
                f"{KIND_TEXT.get(clean(r['disclosure_kind']), clean(r['disclosure_kind']))}, scope {scope}")
        rule = RULE_TEXT.get(clean(r["current_rule"]), clean(r["current_rule"]) or "?")
        rows.append({
            "concern": CONCERN, "document_id": clean(r["document_id"]), "check_name": DUPLICATE,
            "subject": f"{_name(here)} = {_name(there)}", "severity": "warning",
            "observed": clean(r["n_figures_differing"]), "expected": None, "observed_unit": "figures",
            "page": None, "status": "failed",
            "message": (f"{here} and {there} hold the same disclosure ({what}). Only {there} counts "
                        f"({rule}); {here} is set aside and counts nowhere. Differences: "
                        f"{differences_text(r)}. Remove the file that is wrong; while both are there, the rule "
                        "in README ('Adding a year of files') decides which counts."),
        })
    return as_checks(rows)


def build_duplicates_suite() -> gx.ExpectationSuite:
    """No disclosure is held by two files."""
    return gx.ExpectationSuite(name="duplicates", expectations=[
        gxe.ExpectColumnValuesToBeInSet(
            column="status", value_set=["passed"], row_condition=Column("check_name") == DUPLICATE,
            meta={"concern": CONCERN, "check_name": DUPLICATE,
                  "notes": "One file per disclosure (department, fiscal year, kind and scope): a second "
                           "file holding the same disclosure is set aside and reported."})])
