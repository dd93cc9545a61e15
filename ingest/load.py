"""Load records into the DuckDB ``raw`` schema, through polars/Arrow, idempotently.

The DDL below is the contract with dbt (DESIGN.md, "The contract between ingest and dbt").
Columns may grow; names are never renamed. Loading a document replaces every row it owned, so
loading the same file twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from .model import Document, Extraction

PARSER_VERSION = "0.5.0"

AMOUNT = "DECIMAL(20,2)"

DDL: dict[str, str] = {
    "documents": """
        document_id VARCHAR PRIMARY KEY, source_path VARCHAR, source_format VARCHAR,
        byte_size BIGINT, page_count INTEGER, encoding VARCHAR, parser_version VARCHAR,
        ingested_at TIMESTAMP, issuer_name VARCHAR, unit_name VARCHAR, unit_code VARCHAR,
        region_code VARCHAR, fiscal_year INTEGER, disclosure_kind VARCHAR, scope VARCHAR,
        consolidation VARCHAR, status VARCHAR, error VARCHAR, title VARCHAR, currency_unit VARCHAR,
        is_current BOOLEAN DEFAULT TRUE, superseded_by VARCHAR""",
    "document_paths": """
        document_id VARCHAR, source_path VARCHAR, first_seen TIMESTAMP, last_seen TIMESTAMP,
        is_present BOOLEAN""",
    "statements": f"""
        document_id VARCHAR, statement_seq INTEGER, statement_key VARCHAR, reference_year INTEGER,
        base_year INTEGER, phase VARCHAR, measure VARCHAR, amount_yuan {AMOUNT},
        percent DECIMAL(12,4), quantity DECIMAL(20,4), quantity_unit VARCHAR,
        printed_value VARCHAR, printed_unit VARCHAR, label VARCHAR, source VARCHAR,
        section_key VARCHAR, page INTEGER, char_start INTEGER, char_end INTEGER,
        table_cell VARCHAR, is_derived BOOLEAN, context VARCHAR, table_kind VARCHAR""",
    "classification_lines": f"""
        document_id VARCHAR, line_seq INTEGER, table_kind VARCHAR, scheme VARCHAR, code VARCHAR,
        printed_code VARCHAR, level INTEGER, name VARCHAR, column_key VARCHAR, phase VARCHAR,
        amount_yuan {AMOUNT}, printed_value VARCHAR, row_seq INTEGER, is_total BOOLEAN,
        page INTEGER""",
    "projects": f"""
        document_id VARCHAR, project_seq INTEGER, project_code VARCHAR, project_name VARCHAR,
        budget_yuan {AMOUNT}, fiscal_funds_yuan {AMOUNT}, other_funds_yuan {AMOUNT},
        purpose VARCHAR, goals VARCHAR, is_withheld BOOLEAN, unit_label VARCHAR,
        printed_unit VARCHAR, page INTEGER""",
    "spending_plan": """
        document_id VARCHAR, project_seq INTEGER, checkpoint VARCHAR, checkpoint_seq INTEGER,
        cumulative_pct DECIMAL(9,4), printed_value VARCHAR""",
    "indicators": """
        document_id VARCHAR, project_seq INTEGER, project_code VARCHAR, row_seq INTEGER,
        level1 VARCHAR, level2 VARCHAR, level3 VARCHAR, description VARCHAR, target_raw VARCHAR,
        target_op VARCHAR, target_value DECIMAL(20,4), target_unit VARCHAR, basis VARCHAR,
        page INTEGER""",
    "department_goals": """
        document_id VARCHAR, goal_seq INTEGER, name VARCHAR, duty VARCHAR, annual_goal VARCHAR,
        indicator_text VARCHAR, target_op VARCHAR, target_value DECIMAL(20,4),
        target_unit VARCHAR, page INTEGER""",
    "sections": """
        document_id VARCHAR, section_seq INTEGER, heading VARCHAR, level INTEGER,
        section_key VARCHAR, parent_seq INTEGER, state VARCHAR, page INTEGER,
        char_start INTEGER, char_end INTEGER, lead VARCHAR""",
    "parse_issues": """
        document_id VARCHAR, source_path VARCHAR, issue_seq INTEGER, severity VARCHAR,
        code VARCHAR, message VARCHAR, page INTEGER, run_id VARCHAR""",
    "ingest_runs": """
        run_id VARCHAR PRIMARY KEY, command VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
        files_seen INTEGER, files_new INTEGER, files_changed INTEGER, files_unchanged INTEGER,
        files_failed INTEGER, files_removed INTEGER, status VARCHAR, warehouse_version INTEGER,
        parser_version VARCHAR, message VARCHAR, build_fingerprint VARCHAR, files_skipped INTEGER""",
    # What the last run under each corpus folder did not take, and why (README, hidden files,
    # links not followed, folders that cannot be read): replaced by every run that walks the folder.
    "skipped_files": """
        source_path VARCHAR, reason VARCHAR, run_id VARCHAR, seen_at TIMESTAMP""",
}

# Polars types of the columns, derived from the DDL so there is one source of truth.
_PL_TYPES = {
    "VARCHAR": pl.String, "INTEGER": pl.Int32, "BIGINT": pl.Int64, "BOOLEAN": pl.Boolean,
    "TIMESTAMP": pl.Datetime("us"),
}


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and tables; add columns a newer version defines."""
    con.execute("create schema if not exists raw")
    for table, ddl in DDL.items():
        con.execute(f"create table if not exists raw.{table} ({ddl})")
        have = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema='raw' and table_name=?",
            [table]).fetchall()}
        for name, _ in columns_of(table):
            if name not in have:
                typ = _ddl_type(table, name)
                con.execute(f"alter table raw.{table} add column {name} {typ}")


def _ddl_type(table: str, column: str) -> str:
    for part in _split_ddl(DDL[table]):
        bits = part.split()
        if bits and bits[0] == column:
            return " ".join(bits[1:]).replace("PRIMARY KEY", "").strip()
    raise KeyError(column)


def _split_ddl(ddl: str) -> list[str]:
    """Split a column list on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in ddl:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def columns_of(table: str) -> list[tuple[str, Any]]:
    """(name, polars dtype) of each column of ``raw.<table>``."""
    out = []
    for part in _split_ddl(DDL[table]):
        bits = part.replace("\n", " ").split()
        name, typ = bits[0], bits[1]
        if typ.startswith("DECIMAL"):
            p, s = typ[len("DECIMAL("):-1].split(",")
            out.append((name, pl.Decimal(int(p), int(s))))
        else:
            out.append((name, _PL_TYPES[typ]))
    return out



def frame(table: str, rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Rows (dicts keyed by column name) to a polars frame with the table's exact schema."""
    cols = columns_of(table)
    data: dict[str, list[Any]] = {name: [] for name, _ in cols}
    for row in rows:
        for name, dtype in cols:
            v = row.get(name)
            if isinstance(v, Decimal) and isinstance(dtype, pl.Decimal):
                v = v.quantize(Decimal(1).scaleb(-dtype.scale))
            data[name].append(v)
    return pl.DataFrame(data, schema=dict(cols), strict=False)


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> None:
    if df.height == 0:
        return
    arrow = df.to_arrow()  # noqa: F841 - referenced by name in the SQL below
    names = ", ".join(df.columns)
    con.execute(f"insert into raw.{table} ({names}) select {names} from arrow")


def _records(items: list[Any], document_id: str, seq_name: str | None = None) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(items, start=1):
        row = dataclasses.asdict(item)
        row["document_id"] = document_id
        if seq_name:
            row[seq_name] = i
        out.append(row)
    return out


# The natural key of each per-document table within one document, and the key columns that may
# be null (a department-level indicator has no project). The loader numbers statements and
# classification lines itself (statement_seq, line_seq); the other keys are printed numbers,
# checked by ingest.contract before loading, and tested by dbt (_disclosures__models.yml).
NATURAL_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "projects": (("project_seq",), ()),
    "spending_plan": (("project_seq", "checkpoint_seq"), ()),
    "indicators": (("project_seq", "row_seq"), ("project_seq",)),
    "department_goals": (("goal_seq",), ()),
    "sections": (("section_seq",), ()),
}

PER_DOCUMENT_TABLES = ("statements", "classification_lines", "projects", "spending_plan",
                       "indicators", "department_goals", "sections")


def document_row(doc: Document, ex: Extraction, status: str, error: str | None,
                 now: dt.datetime) -> dict[str, Any]:
    p = ex.profile
    return {
        "document_id": doc.document_id, "source_path": doc.source_path,
        "source_format": doc.source_format, "byte_size": doc.byte_size,
        "page_count": doc.page_count, "encoding": doc.encoding,
        "parser_version": PARSER_VERSION, "ingested_at": now,
        "issuer_name": p.issuer_name, "unit_name": p.unit_name, "unit_code": p.unit_code,
        "region_code": p.region_code, "fiscal_year": p.fiscal_year,
        "disclosure_kind": p.disclosure_kind, "scope": p.scope, "consolidation": p.consolidation,
        "status": status,
        "error": error, "title": p.title, "currency_unit": p.currency_unit, "is_current": True,
    }


def load_document(con: duckdb.DuckDBPyConnection, doc: Document, ex: Extraction, *,
                  status: str, error: str | None = None, run_id: str | None = None,
                  now: dt.datetime | None = None) -> None:
    """Replace everything ``doc`` owns in raw.* by this extraction, in one transaction."""
    now = now or dt.datetime.now()
    did = doc.document_id
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.documents where document_id = ?", [did])
        for table in PER_DOCUMENT_TABLES:
            con.execute(f"delete from raw.{table} where document_id = ?", [did])
        con.execute("delete from raw.parse_issues where document_id = ?", [did])
        _insert(con, "documents", frame("documents", [document_row(doc, ex, status, error, now)]))
        _insert(con, "statements", frame("statements", _records(ex.statements, did, "statement_seq")))
        _insert(con, "classification_lines",
                frame("classification_lines", _records(ex.classification_lines, did, "line_seq")))
        _insert(con, "projects", frame("projects", _records(ex.projects, did)))
        _insert(con, "spending_plan", frame("spending_plan", _records(ex.spending_plan, did)))
        _insert(con, "indicators", frame("indicators", _records(ex.indicators, did)))
        _insert(con, "department_goals", frame("department_goals", _records(ex.department_goals, did)))
        _insert(con, "sections", frame("sections", _records(ex.sections, did)))
        issues = _records(ex.issues, did, "issue_seq")
        for row in issues:
            row["source_path"] = row.get("source_path") or doc.source_path
            row["run_id"] = run_id
        _insert(con, "parse_issues", frame("parse_issues", issues))
        record_path(con, did, doc.source_path, now)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def record_path(con: duckdb.DuckDBPyConnection, document_id: str, path: str, now: dt.datetime) -> None:
    """Remember that ``path`` holds ``document_id`` (one document may live under several names)."""
    hit = con.execute("select count(*) from raw.document_paths where document_id=? and source_path=?",
                      [document_id, path]).fetchall()[0][0]
    if hit:
        con.execute("update raw.document_paths set last_seen=?, is_present=true "
                    "where document_id=? and source_path=?", [now, document_id, path])
    else:
        con.execute("insert into raw.document_paths values (?, ?, ?, ?, true)",
                    [document_id, path, now, now])


def load_rejected(con: duckdb.DuckDBPyConnection, path: str, code: str, message: str, *,
                  document_id: str | None = None, byte_size: int | None = None,
                  source_format: str | None = None, run_id: str | None = None,
                  page: int | None = None, now: dt.datetime | None = None,
                  is_current: bool = True) -> None:
    """Record a file that could not be taken: a parse issue, and a 'rejected' document row when
    the bytes could be hashed (so the refresh does not try it again until its bytes change).
    A new version of a file that could not be read is recorded with ``is_current`` false: the
    version read before stays current."""
    now = now or dt.datetime.now()
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.parse_issues where source_path=? and code=? and "
                    "coalesce(document_id,'')=coalesce(?, '')", [path, code, document_id])
        _insert(con, "parse_issues", frame("parse_issues", [{
            "document_id": document_id, "source_path": path, "issue_seq": 1, "severity": "error",
            "code": code, "message": message, "page": page, "run_id": run_id}]))
        if document_id:
            con.execute("delete from raw.documents where document_id = ?", [document_id])
            _insert(con, "documents", frame("documents", [{
                "document_id": document_id, "source_path": path, "source_format": source_format,
                "byte_size": byte_size, "parser_version": PARSER_VERSION, "ingested_at": now,
                "status": "rejected", "error": message, "is_current": is_current}]))
            record_path(con, document_id, path, now)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def replace_skipped(con: duckdb.DuckDBPyConnection, roots: list[str], skipped: list[tuple[str, str]],
                    run_id: str, now: dt.datetime) -> None:
    """Replace raw.skipped_files under ``roots`` (the folders a run walked) by ``skipped``
    ((path, reason) pairs)."""
    con.execute("begin transaction")
    try:
        for root in roots:
            con.execute("delete from raw.skipped_files where source_path = ? or starts_with(source_path, ?)",
                        [root, root.rstrip("/") + "/"])
        _insert(con, "skipped_files", frame("skipped_files", [
            {"source_path": p, "reason": r, "run_id": run_id, "seen_at": now} for p, r in skipped]))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
