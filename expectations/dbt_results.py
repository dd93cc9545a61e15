"""dbt test results beside the findings: main.dbt_test_results.

``dbt build`` runs the project's data tests; the identity tests have severity ``warn`` and never
fail the build. Their per-row detail is already a finding (the GX identities suite reads the same
rpt_identity_residuals), so the tests themselves are reported in a table beside
main.quality_findings, one row per test of the build that made the marts: unique_id, test_name,
model, status (pass / warn / fail / error / skipped), failures (failing rows), message.

dbt writes run_results.json in the warehouse's working folder (``<db-dir>/.budgetwh/<db-name>/
dbt-target``, see ingest.warehouse); it is taken only when written after the
warehouse's last refresh started (raw.ingest_runs), so a stale file of another build is never
attributed to this warehouse. Without a fresh file the table is left as it is (created empty the
first time).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .table_docs import comment_tables

TABLE = "main.dbt_test_results"
COLUMNS: list[tuple[str, str, pa.DataType]] = [
    ("unique_id", "VARCHAR", pa.string()),
    ("test_name", "VARCHAR", pa.string()),
    ("model", "VARCHAR", pa.string()),
    ("status", "VARCHAR", pa.string()),
    ("failures", "BIGINT", pa.int64()),
    ("message", "VARCHAR", pa.string()),
    ("execution_seconds", "DOUBLE", pa.float64()),
    ("checked_at", "TIMESTAMP", pa.timestamp("us")),
]


def _refresh_started(db_path: str) -> float | None:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        row = con.execute("select max(started_at) from raw.ingest_runs where command = 'refresh'").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return row[0].timestamp() if row and row[0] is not None else None


def model_of(depends_on: list[str]) -> str | None:
    """A test's model: the first of its parents (``depends_on`` unique ids) that is a model."""
    models = [d.split(".")[-1] for d in depends_on if d.startswith("model.")]
    return models[0] if models else None


def test_row(unique_id: str, model: str | None, status: str, failures: int | None, message: str | None,
             seconds: float | None) -> dict[str, Any]:
    """One row of main.dbt_test_results (but its checked_at): from run_results.json here, from the
    build's own result in ``ingest.transform.DbtResult.test_rows``."""
    return {"unique_id": unique_id,
            "test_name": unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id,
            "model": model, "status": status, "failures": failures, "message": message,
            "execution_seconds": seconds}


def read_dbt_results(db_path: str, path: str | Path | None = None) -> list[dict[str, Any]] | None:
    """The test results of run_results.json when it belongs to this warehouse's build; else None."""
    if path is None:
        from ingest.warehouse import warehouse_dirs

        path = warehouse_dirs(db_path).dbt_target / "run_results.json"
    path = Path(path)
    if not path.exists():
        return None
    started = _refresh_started(db_path)
    if started is None or path.stat().st_mtime < started:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    depends: dict[str, list[str]] = {}
    manifest = path.parent / "manifest.json"
    if manifest.exists():
        try:
            nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes") or {}
            depends = {k: (v.get("depends_on") or {}).get("nodes") or [] for k, v in nodes.items()
                       if k.startswith("test.")}
        except (OSError, ValueError):
            depends = {}
    rows = []
    for r in data.get("results") or []:
        unique_id = r.get("unique_id") or ""
        if not unique_id.startswith("test."):
            continue
        rows.append(test_row(unique_id, model_of(depends.get(unique_id, [])), str(r.get("status") or ""),
                             r.get("failures"), r.get("message"), r.get("execution_time")))
    return rows


def write_dbt_results(db_path: str, rows: list[dict[str, Any]] | None, now: dt.datetime) -> None:
    """Replace main.dbt_test_results by ``rows``; when None, only make sure the table exists.
    Either way with its declared comments (table_docs)."""
    ddl = ", ".join(f"{name} {sql}" for name, sql, _ in COLUMNS)
    con = duckdb.connect(str(db_path))
    try:
        if rows is None:
            con.execute(f"create table if not exists {TABLE} ({ddl})")
            comment_tables(con, [TABLE.removeprefix("main.")])
            return
        schema = pa.schema([(name, typ) for name, _, typ in COLUMNS])
        tests_arrow = pa.Table.from_pylist(  # noqa: F841 - read by name in the SQL below
            [{**{name: r.get(name) for name, _, _ in COLUMNS}, "checked_at": now} for r in rows], schema=schema)
        con.execute("begin transaction")
        con.execute(f"create or replace table {TABLE} ({ddl})")
        con.execute(f"insert into {TABLE} select * from tests_arrow")
        comment_tables(con, [TABLE.removeprefix("main.")])
        con.execute("commit")
    finally:
        con.close()
