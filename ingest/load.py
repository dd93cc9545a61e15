"""Load records into the DuckDB ``raw`` schema, through polars/Arrow, idempotently.

The tables and their columns are the raw contract (:mod:`ingest.raw_contract`), the contract with
dbt; the DDL and the polars types of the frames come from it. Columns may grow; names are never
renamed. Loading a document replaces every row it owned, so
loading the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb

from .model import Document, Extraction
from .raw_contract import TABLES, column_ddl, columns_of, table_ddl
from .rows import (
    OWNED_TABLES,
    PARSER_VERSION,
    DocumentRows,
    document_to_rows,
    frame,
)

if TYPE_CHECKING:
    import polars as pl


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


class ArrowStream:
    """A polars frame as DuckDB scans it: through the Arrow PyCapsule interface
    (``__arrow_c_stream__``), the frame's own Arrow memory. DuckDB scans a polars frame itself by
    way of pyarrow (``to_arrow``): this way no run imports pyarrow (0.13 s of the parent's start)
    and no frame is converted."""

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema=None):
        return self.frame.__arrow_c_stream__(requested_schema)


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame,
            casts: dict[str, str] | None = None) -> None:
    """Insert the frame's rows; ``casts``: columns given as text that DuckDB casts to this type."""
    if df.height == 0:
        return
    arrow = ArrowStream(df)  # noqa: F841 - referenced by name in the SQL below
    casts = casts or {}
    names = ", ".join(df.columns)
    values = ", ".join(f"cast({c} as {casts[c]})" if c in casts else c for c in df.columns)
    con.execute(f"insert into raw.{table} ({names}) select {values} from arrow")


def _decimal_texts(values: list, precision: int, scale: int) -> list[str | None] | None:
    """The decimals of a DECIMAL(precision, scale) column as the text DuckDB casts to the same
    values: each a :class:`Decimal` already at the column's scale (the parser workers quantize)
    and within its precision, or None; else None (the column goes through polars' own
    conversion). polars converts a Decimal object by object, importing numpy on the way: some
    0.2 s of the parent's CPU in a run of the regional corpus, and numpy's import as much again."""
    texts = [None if v is None else str(v) if type(v) is Decimal else "" for v in values]
    fits = _DECIMAL_TEXT.get((precision, scale))
    if fits is None:
        digits = rf"\d{{1,{precision - scale}}}" if precision > scale else "0"
        fits = _DECIMAL_TEXT[(precision, scale)] = re.compile(
            rf"-?{digits}\.\d{{{scale}}}" if scale else rf"-?{digits}").fullmatch
    if all(t is None or fits(t) for t in texts):
        return texts
    return None


_DECIMAL_TEXT: dict[tuple[int, int], object] = {}


def _batch_frame(table: str, data: dict[str, list]) -> tuple[pl.DataFrame, dict[str, str]]:
    """A frame of the table's columns; its decimal columns as text, cast by DuckDB when inserted
    (see :func:`_decimal_texts`), else of the table's exact types."""
    import polars as pl

    series, casts = [], {}
    for name, dtype in columns_of(table):
        if isinstance(dtype, pl.Decimal):
            texts = _decimal_texts(data[name], dtype.precision, dtype.scale)
            if texts is not None:
                series.append(pl.Series(name, texts, dtype=pl.String))
                casts[name] = f"DECIMAL({dtype.precision},{dtype.scale})"
                continue
        series.append(pl.Series(name, data[name], dtype=dtype, strict=False))
    return pl.DataFrame(series), casts


def _ids_param(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))


def load_rows(con: duckdb.DuckDBPyConnection, batch: list[DocumentRows], now: dt.datetime) -> None:
    """Replace everything the documents of ``batch`` own in raw.* by their rows, and record their
    paths, in one transaction (one delete and one insert per table for the whole batch)."""
    if not batch:
        return
    ids = _ids_param(b.document_id for b in batch)
    con.execute("begin transaction")
    try:
        known = [r[0] for r in con.execute(
            "select document_id from raw.documents where document_id in (select unnest(?::varchar[]))",
            [ids]).fetchall()]
        if known:  # a document read before (by another parser version): what it owned goes
            for table in OWNED_TABLES:
                con.execute(f"delete from raw.{table} where document_id in (select unnest(?::varchar[]))",
                            [known])
        for table in OWNED_TABLES:
            parts = [b.tables[table] for b in batch if table in b.tables]
            if parts:
                _insert(con, table, *_batch_frame(table, {
                    name: [v for part in parts for v in part[name]] for name, _ in columns_of(table)}))
        record_paths(con, [(b.document_id, b.source_path) for b in batch], now)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def load_document(con: duckdb.DuckDBPyConnection, doc: Document, ex: Extraction, *,
                  status: str, error: str | None = None, run_id: str | None = None,
                  now: dt.datetime | None = None) -> None:
    """Replace everything ``doc`` owns in raw.* by this extraction, in one transaction."""
    now = now or dt.datetime.now()
    load_rows(con, [document_to_rows(doc, ex, status=status, error=error, run_id=run_id, now=now)], now)


def _string_table(columns: dict[str, list[str]]) -> ArrowStream:
    """String columns for DuckDB to scan, made through polars: pyarrow's own constructors
    (``pa.table``, ``pa.array``) import pandas on their first call, half a second of a run's CPU
    while its parser workers need it."""
    import polars as pl  # here, not at import: a run imports it after its parser workers started

    return ArrowStream(pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)))


def prepare_arrow_scans(con: duckdb.DuckDBPyConnection) -> None:
    """Make DuckDB ready to scan Arrow streams (its first scan sets up the Arrow scanner; polars is
    imported), while the parser workers start rather than at the first load."""
    empty = _string_table({"x": []})  # noqa: F841 - referenced by name in the SQL below
    con.execute("select count(*) from empty").fetchall()


def record_path(con: duckdb.DuckDBPyConnection, document_id: str, path: str, now: dt.datetime) -> None:
    """Remember that ``path`` holds ``document_id`` (one document may live under several names)."""
    record_paths(con, [(document_id, path)], now)


def record_paths(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, str]], now: dt.datetime) -> None:
    """Remember that each path holds its document: (document_id, path) pairs seen now."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    seen = _string_table({"document_id": [d for d, _ in pairs], "source_path": [p for _, p in pairs]})  # noqa: F841
    con.execute("update raw.document_paths as p set last_seen = ?, is_present = true from seen as s "
                "where p.document_id = s.document_id and p.source_path = s.source_path", [now])
    con.execute("insert into raw.document_paths (document_id, source_path, first_seen, last_seen, is_present) "
                "select s.document_id, s.source_path, ?, ?, true from seen as s where not exists ("
                "select 1 from raw.document_paths as p where p.document_id = s.document_id "
                "and p.source_path = s.source_path)", [now, now])


def supersede(con: duckdb.DuckDBPyConnection, replaced: Iterable[tuple[str, str, str]]) -> None:
    """For each (path, document_id, previous_id) triple of a file read now: the previous version
    the path held (``previous_id``, '' for none) is no longer current, superseded by
    ``document_id``, and the path no longer holds any other document."""
    rows = sorted(set(replaced))
    if not rows:
        return
    news = _string_table({"source_path": [p for p, _, _ in rows],  # noqa: F841
                          "document_id": [d for _, d, _ in rows], "previous_id": [q for _, _, q in rows]})
    con.execute("update raw.documents as d set is_current = false, superseded_by = n.document_id from news as n "
                "where n.previous_id <> '' and d.document_id = n.previous_id")
    con.execute("update raw.document_paths as p set is_present = false from news as n "
                "where p.source_path = n.source_path and p.document_id <> n.document_id")


def clear_path_issues(con: duckdb.DuckDBPyConnection, paths: Iterable[str]) -> None:
    """Forget the file-level issues of ``paths`` (unreadable, vanished, changed during a run):
    their bytes were read now."""
    paths = _ids_param(paths)
    if paths:
        con.execute("delete from raw.parse_issues where document_id is null and source_path in "
                    "(select unnest(?::varchar[]))", [paths])


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
