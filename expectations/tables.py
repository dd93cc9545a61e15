"""Tables: 合计 rows that are not the sum of their line items, tables that say they are empty but
carry figures, codes printed wrongly, classification names that are not the standard ones.

What the table extractors noticed while reading is in raw.parse_issues; these become findings:

- ``identity:table_sum`` (table_sum_mismatch): a printed 合计 / subtotal is not the sum of its rows;
- ``empty_note_with_figures``: a table prints figures and the note '本表为空表';
- ``empty_note_names_other_table``: an empty table's note names another fund than its title
  (国有资本经营 table, note about 政府性基金);
- ``table_code_misprinted``: a classification code printed wrongly ('7' for 210, '301 2' for
  301 02); from the parse issue, and from raw.classification_lines.printed_code of economic rows;
- ``economic_name_nonstandard``: an economic classification code printed with another name than
  the standard one (expectations/data/economic_codes.csv: 30202 印刷费, not 咨询费).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, page_of, rows_of

CONCERN = "tables"
TABLE_SUM = "identity:table_sum"
EMPTY_WITH_FIGURES = "empty_note_with_figures"
EMPTY_NOTE_OTHER = "empty_note_names_other_table"
CODE_MISPRINTED = "table_code_misprinted"
NAME_NONSTANDARD = "economic_name_nonstandard"
ECONOMIC_CODES_CSV = Path(__file__).resolve().parent / "data" / "economic_codes.csv"
ISSUE_CHECKS = {  # parse issue code -> (check_name, severity)
    "table_sum_mismatch": (TABLE_SUM, "warning"),
    "empty_note_with_figures": (EMPTY_WITH_FIGURES, "error"),
    "table_code_misprinted": (CODE_MISPRINTED, "warning"),
}
FUNDS = ("政府性基金", "国有资本经营")
_AMOUNT_RE = re.compile(r"add up to ([\d,]+\.\d\d) yuan but the printed total is ([\d,]+\.\d\d) yuan")
_NAME_NOISE = re.compile(r"[\s()（）]|缴费|费用|费")


@cache
def standard_economic_names() -> dict[str, str]:
    """code -> standard name of the 部门预算支出经济分类 (the CSV beside this module)."""
    with ECONOMIC_CODES_CSV.open(encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def _name_key(name: str) -> str:
    return _NAME_NOISE.sub("", name.replace("其它", "其他"))


def _row(check: str, document_id: Any, subject: str, severity: str, page: Any, message: str,
         observed: Any = None, expected: Any = None, unit: str | None = None) -> dict[str, Any]:
    return {"concern": CONCERN, "document_id": clean(document_id), "check_name": check, "subject": subject,
            "severity": severity, "observed": observed, "expected": expected, "observed_unit": unit,
            "page": page_of(page), "status": "failed", "message": message}


def _title(message: str) -> str:
    """The table title a parse issue message names ('path: <title>, page n...')."""
    rest = message.split(": ", 1)[1] if ": " in message else message
    return rest.split(", page", 1)[0].strip()


def issue_rows(issues: pd.DataFrame) -> list[dict[str, Any]]:
    from decimal import Decimal

    rows = []
    for r in rows_of(issues):
        code, message = r["issue_code"], str(clean(r["message"]) or "")
        if code in ISSUE_CHECKS:
            check, severity = ISSUE_CHECKS[code]
            observed = expected = None
            m = _AMOUNT_RE.search(message)
            if m:
                expected, observed = (Decimal(m.group(1).replace(",", "")), Decimal(m.group(2).replace(",", "")))
            rows.append(_row(check, r["document_id"], _title(message), severity, r["page"],
                             message.split(": ", 1)[-1], observed, expected, "yuan" if m else None))
        elif code == "empty_table_with_note":
            title = _title(message)
            note = message.rsplit("note says:", 1)[-1]
            named = [f for f in FUNDS if f in note]
            titled = [f for f in FUNDS if f in title]
            if titled and named and titled != named:
                rows.append(_row(EMPTY_NOTE_OTHER, r["document_id"], title, "warning", r["page"],
                                 f"The table '{title}' (page {page_of(r['page']) or '?'}) is empty, but its "
                                 f"note speaks of {named[0]}, not of {titled[0]}: {note.strip()}"))
    return rows


def code_rows(lines: pd.DataFrame) -> list[dict[str, Any]]:
    """Economic rows whose printed code is malformed, or whose name is not the standard one."""
    standard = standard_economic_names()
    rows, seen = [], set()
    for r in rows_of(lines):
        if not str(r["scheme"]).startswith("economic") or not clean(r["classification_code"]):
            continue
        code, name = str(r["classification_code"]), str(clean(r["classification_name"]) or "")
        printed = str(clean(r["printed_code"]) or "")
        parts = printed.split()
        key = (r["document_id"], code)
        if key in seen:
            continue
        if len(parts) == 2 and len(parts[0]) == 3 and len(parts[1]) != 2:
            seen.add(key)
            rows.append(_row(CODE_MISPRINTED, r["document_id"], f"{code} {name}", "warning", r["page"],
                             f"The economic classification row '{name}' (page {page_of(r['page']) or '?'}) "
                             f"prints its code as '{printed}'; the 款 code has two digits "
                             f"({code[:3]} {code[3:]})."))
            continue
        want = standard.get(code)
        if want and name and _name_key(want) != _name_key(name):
            seen.add(key)
            rows.append(_row(NAME_NONSTANDARD, r["document_id"], f"{code} {name}", "warning", r["page"],
                             f"Economic classification code {code} is printed as '{name}' (page "
                             f"{page_of(r['page']) or '?'}); the standard name of {code} is '{want}'. "
                             "Figures filed under this code may belong to another item."))
    return rows


def tables_frame(issues: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    return as_checks(issue_rows(issues) + code_rows(lines))


def build_tables_suite() -> gx.ExpectationSuite:
    """Every check row of this concern is a failure found by reading the tables."""
    meaning = {
        TABLE_SUM: "A printed 合计 or subtotal equals the sum of its line items.",
        EMPTY_WITH_FIGURES: "A table noted as empty (本表为空表) carries no figures.",
        EMPTY_NOTE_OTHER: "An empty table's note names the table's own fund.",
        CODE_MISPRINTED: "Classification codes are printed in full (类 3 digits, 款 2, 项 2).",
        NAME_NONSTANDARD: "An economic classification code carries its standard name.",
    }
    return gx.ExpectationSuite(name="tables", expectations=[
        gxe.ExpectColumnValuesToBeInSet(
            column="status", value_set=["passed"], row_condition=Column("check_name") == check,
            meta={"concern": CONCERN, "check_name": check, "notes": notes})
        for check, notes in meaning.items()])
