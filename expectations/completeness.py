"""Completeness: the sections and tables a disclosure must contain, per document.

The lists are data (expectations/data/required_parts.csv), derived from the official review
checklist of a Shanghai department budget (检查表: 封面, 主要职能, 机构设置, 名词解释, 预算编制说明,
the nine budget tables, 其他相关说明, 项目经费情况说明) and the official templates of a unit budget
(2026 单位预算 .xls) and a department final-accounts disclosure (2024 部门决算 .pdf) in
shared/reference/. Rows with region_prefix '31' apply to Shanghai documents; '*' rows are the
general list used for other regions (the national 部门预算/决算公开 contents).

Each part is looked for in what the extractors produced:
- a table: rows of its table_kind in raw.classification_lines, or table statements of its keys
  (raw.statements source 'table') -> ``present``; else a parse issue empty_table_with_note
  whose title has its title term -> ``empty_with_note``; else ``missing``;
- a section: a raw.sections row with its section_key or a heading term, or narrative statements
  of its keys -> ``present``; else ``missing``.

Every document's status per part is written to main.disclosure_completeness (see checkpoint);
``missing`` parts are findings of the severity the list gives (severity_if_missing: a table the
Shanghai checklist requires is a warning; a section, or a standard table of the general list that
a file may carry as a separate attachment, is info), ``empty_with_note`` parts are info findings.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from .frame import as_checks, clean, page_of, rows_of

CONCERN = "completeness"
MISSING = "completeness:missing"
EMPTY = "completeness:empty_with_note"
CHECK_NAME = "completeness"
PARTS_CSV = Path(__file__).resolve().parent / "data" / "required_parts.csv"
STATUSES = ("present", "empty_with_note", "missing")


@cache
def required_parts() -> tuple[dict[str, Any], ...]:
    """The rows of required_parts.csv, '|'-separated fields split into tuples."""
    with PARTS_CSV.open(encoding="utf-8") as f:
        rows = []
        for row in csv.DictReader(f):
            for k in ("table_kinds", "table_statement_keys", "title_terms", "section_keys",
                      "heading_terms", "narrative_keys"):
                row[k] = tuple(t for t in (row[k] or "").split("|") if t)
            rows.append(row)
        return tuple(rows)


def parts_for(disclosure_kind: str | None, region_code: str | None) -> list[dict[str, Any]]:
    """The parts a document of this kind and region must contain."""
    kind = disclosure_kind or "budget"
    rows = [p for p in required_parts() if p["disclosure_kind"] == kind]
    regional = [p for p in rows if p["region_prefix"] != "*" and (region_code or "").startswith(p["region_prefix"])]
    return regional or [p for p in rows if p["region_prefix"] == "*"]


def _status(part: dict[str, Any], ev: dict[str, Any]) -> tuple[str, int | None, str]:
    """(status, page, evidence) of one part in one document's evidence."""
    if part["part_type"] == "table":
        for kind in part["table_kinds"]:
            if kind in ev["table_kinds"]:
                return "present", ev["table_kinds"][kind], f"table rows ({kind})"
        for key, page in ev["table_keys"].items():
            if any(key.startswith(k) for k in part["table_statement_keys"]):
                return "present", page, f"table figure {key}"
        for title, (code, page) in ev["titled"].items():
            if part["title_terms"] and all(t in title for t in part["title_terms"]):
                if code == "empty_table_with_note":
                    return "empty_with_note", page, f"'{title}' is empty, as its note says"
                return "present", page, f"'{title}'"
        return "missing", None, "no table rows, table figures or table title found"
    for key, page in ev["section_keys"].items():
        if key in part["section_keys"] or any(key.startswith(k + ".") for k in part["section_keys"]):
            return "present", page, f"section {key}"
    for heading, page in ev["headings"]:
        if any(t in heading for t in part["heading_terms"]):
            return "present", page, f"heading '{heading}'"
    for key, page in ev["narrative_keys"].items():
        if key in part["narrative_keys"]:
            return "present", page, f"text states {key}"
    return "missing", None, "no section heading or statement found"


def _evidence(documents: pd.DataFrame, sections: pd.DataFrame, lines: pd.DataFrame,
              statements: pd.DataFrame, issues: pd.DataFrame) -> dict[str, dict[str, Any]]:
    ev = {d["document_id"]: {"table_kinds": {}, "table_keys": {}, "titled": {}, "section_keys": {},
                             "headings": [], "narrative_keys": {}} for d in rows_of(documents)}
    for r in rows_of(lines[["document_id", "table_kind", "page"]].drop_duplicates()):
        if r["document_id"] in ev:
            ev[r["document_id"]]["table_kinds"].setdefault(r["table_kind"], page_of(r["page"]))
    kind_column = ["table_kind"] if "table_kind" in statements.columns else []
    for r in rows_of(statements[["document_id", "statement_key", "source", "page", *kind_column]]):
        if r["document_id"] not in ev or not clean(r["statement_key"]):
            continue
        target = "table_keys" if r["source"] == "table" else "narrative_keys"
        ev[r["document_id"]][target].setdefault(r["statement_key"], page_of(r["page"]))
        if r["source"] == "table" and clean(r.get("table_kind")):  # figures read from a table of that kind
            ev[r["document_id"]]["table_kinds"].setdefault(r["table_kind"], page_of(r["page"]))
    for r in rows_of(sections):
        if r["document_id"] not in ev:
            continue
        if clean(r["section_key"]):
            ev[r["document_id"]]["section_keys"].setdefault(r["section_key"], page_of(r["page"]))
        ev[r["document_id"]]["headings"].append((str(clean(r["heading"]) or ""), page_of(r["page"])))
    for r in rows_of(issues):
        if r["document_id"] in ev and r["issue_code"] in ("empty_table_with_note", "empty_note_with_figures",
                                                          "table_sum_mismatch", "table_code_misprinted"):
            message = str(clean(r["message"]) or "")
            rest = message.split(": ", 1)[1] if ": " in message else message
            title = rest.split(", page", 1)[0]
            ev[r["document_id"]]["titled"].setdefault(title, (r["issue_code"], page_of(r["page"])))
    return ev


def completeness_table(documents: pd.DataFrame, sections: pd.DataFrame, lines: pd.DataFrame,
                       statements: pd.DataFrame, issues: pd.DataFrame, *, general: bool = False) -> pd.DataFrame:
    """One row per current document and required part: status present / empty_with_note / missing.
    A rejected file (not a disclosure, no text layer …) is not assessed: its reason is its finding.

    ``general``: assess every document against the general (national) list, the same for all
    regions, instead of its own region's list (what transparency rankings compare)."""
    ev = _evidence(documents, sections, lines, statements, issues)
    rows = []
    for d in rows_of(documents):
        if clean(d.get("is_current")) is False or clean(d.get("status")) == "rejected":
            continue
        region = None if general else clean(d.get("region_code"))
        for part in parts_for(clean(d.get("disclosure_kind")), region):
            status, page, evidence = _status(part, ev[d["document_id"]])
            rows.append({"document_id": d["document_id"], "disclosure_kind": part["disclosure_kind"],
                         "list_region": part["region_prefix"], "part_key": part["part_key"],
                         "part_name": part["part_name"], "part_type": part["part_type"],
                         "severity_if_missing": part["severity_if_missing"], "status": status,
                         "page": page, "evidence": evidence, "source": part["source"]})
    return pd.DataFrame(rows, columns=["document_id", "disclosure_kind", "list_region", "part_key",
                                       "part_name", "part_type", "severity_if_missing", "status", "page",
                                       "evidence", "source"])


def transparency_by_document(own: pd.DataFrame, general: pd.DataFrame) -> pd.DataFrame:
    """Per document, the share of the required parts it publishes (present, or present but empty
    as its note says): against the general list (comparable across regions: published_pct, the
    missing parts named) and against its own region's list (own_list_published_pct)."""
    def shares(table: pd.DataFrame, prefix: str) -> pd.DataFrame:
        rows = []
        for doc_id, parts in table.groupby("document_id", sort=True):
            missing = parts[parts["status"] == "missing"]
            rows.append({"document_id": doc_id, f"{prefix}n_required": len(parts),
                         f"{prefix}n_published": int((parts["status"] != "missing").sum()),
                         f"{prefix}published_pct": round(100.0 * (parts["status"] != "missing").sum() / len(parts), 1),
                         f"{prefix}missing_parts": "；".join(missing["part_name"]) or None})
        return pd.DataFrame(rows, columns=["document_id", f"{prefix}n_required", f"{prefix}n_published",
                                           f"{prefix}published_pct", f"{prefix}missing_parts"])

    mine = shares(own, "own_list_")
    return shares(general, "").merge(mine[["document_id", "own_list_n_required", "own_list_published_pct",
                                           "own_list_missing_parts"]], on="document_id", how="left")


# Region × year transparency, from the per-document table and the documents' regions; written by
# the checkpoint beside main.disclosure_completeness (run in its writer connection).
TRANSPARENCY_BY_REGION_SQL = """
create or replace table main.rpt_transparency_by_region as
with docs as (
    select t.*, d.region_code, d.fiscal_year, d.disclosure_kind
    from main.rpt_transparency_by_document t join main.dim_document d using (document_id)
),
by_region as (
    select region_code, fiscal_year, disclosure_kind,
           count(*) as n_documents,
           sum(n_published) as n_published, sum(n_required) as n_required,
           round(100.0 * sum(n_published) / sum(n_required), 1) as published_pct,
           min(published_pct) as least_complete_document_pct
    from docs group by all
),
parts as (
    select region_code, fiscal_year, disclosure_kind, unnest(string_split(missing_parts, '；')) as part
    from docs where missing_parts is not null
),
missing as (
    select region_code, fiscal_year, disclosure_kind,
           string_agg(part || '（' || n || '）', '；' order by n desc, part) as missing_parts
    from (select region_code, fiscal_year, disclosure_kind, part, count(*) as n from parts group by all)
    group by all
)
select b.region_code, r.full_name as region_full_name, r.level as region_level, b.fiscal_year,
       b.disclosure_kind, b.n_documents, b.n_required, b.n_published, b.published_pct,
       b.least_complete_document_pct, m.missing_parts,
       rank() over (partition by b.fiscal_year, b.disclosure_kind order by b.published_pct desc)
           as transparency_rank,
       count(*) over (partition by b.fiscal_year, b.disclosure_kind) as n_regions
from by_region b left join main.dim_region r using (region_code)
left join missing m using (region_code, fiscal_year, disclosure_kind)
"""

TRANSPARENCY_BY_DOCUMENT_SQL = """
create or replace table main.rpt_transparency_by_document as
select t.document_id, d.department_id, d.department_name, d.region_code, r.full_name as region_full_name,
       d.fiscal_year, d.disclosure_kind, d.scope, t.n_required, t.n_published, t.published_pct,
       t.missing_parts, t.own_list_n_required, t.own_list_published_pct, t.own_list_missing_parts,
       rank() over (partition by d.fiscal_year, d.disclosure_kind order by t.published_pct desc)
           as transparency_rank
from transparency_frame_ t
join main.dim_document d using (document_id)
left join main.dim_region r on d.region_code = r.region_code
"""


def completeness_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Check rows: one per document and part; the suite expects status 'present'."""
    rows = []
    for r in rows_of(table):
        missing = r["status"] == "missing"
        rows.append({
            "concern": CONCERN, "document_id": r["document_id"],
            "check_name": MISSING if missing else EMPTY if r["status"] == "empty_with_note" else CHECK_NAME,
            "subject": r["part_name"], "status": r["status"], "page": page_of(r["page"]),
            "severity": (r["severity_if_missing"] or "info") if missing else "info",
            "message": (f"The {r['disclosure_kind'].replace('_', ' ')} disclosure must contain "
                        f"{r['part_type']} '{r['part_name']}' ({r['source']}), but it was not found: "
                        f"{r['evidence']}." if missing else
                        f"'{r['part_name']}' is present but empty, as its note says (page "
                        f"{page_of(r['page']) or '?'}): {r['evidence']}."),
        })
    return as_checks(rows)


def build_completeness_suite() -> gx.ExpectationSuite:
    """Every required section and table is present (empty-with-note and missing are reported)."""
    return gx.ExpectationSuite(name="completeness", expectations=[
        gxe.ExpectColumnValuesToBeInSet(
            column="status", value_set=["present"], row_condition=Column("concern") == CONCERN,
            meta={"concern": CONCERN, "notes": "Sections and tables required by the official checklist "
                                                "and templates (expectations/data/required_parts.csv)."})])
