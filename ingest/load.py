"""Load records into the DuckDB ``raw`` schema, through polars/Arrow, idempotently.

The tables and their columns are the raw contract (:mod:`ingest.raw_contract`), the contract with
dbt; the DDL and the polars types of the frames come from it. Columns may grow; names are never
renamed. Loading a document replaces every row it owned, so
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
from .raw_contract import PER_DOCUMENT_TABLES, TABLES, column_ddl, columns_of, table_ddl

PARSER_VERSION = "0.5.0"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and tables of the contract; add columns a newer version defines."""
    con.execute("create schema if not exists raw")
    have: dict[str, set[str]] = {}
    for t, c in con.execute("select table_name, column_name from information_schema.columns "
                            "where table_schema = 'raw'").fetchall():
        have.setdefault(t, set()).add(c)
    for spec in TABLES:
        if spec.name not in have:
            con.execute(table_ddl(spec.name))
            continue
        for column in spec.columns:
            if column.name not in have[spec.name]:
                con.execute(f"alter table raw.{spec.name} add column {column_ddl(column, with_key=False)}")


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
