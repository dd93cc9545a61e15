"""The warehouse opens in the DuckDB clients analysts have: the 1.x command-line client (PyPI's
duckdb-cli 1.5, installed by the project's dev extra), DBeaver's driver and R read storage
versions 64–68, not the 69 that DuckDB 2.0 writes by default."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest.pipeline import ingest_only
from ingest.warehouse import STORAGE_COMPATIBILITY, needs_storage_migration, storage_version

from .conftest import SEED, query

CLIENT = Path(sys.executable).with_name("duckdb")


def _client(db: Path, sql: str) -> subprocess.CompletedProcess:
    assert CLIENT.exists(), f"{CLIENT} missing: `make setup` installs duckdb-cli (pyproject dev extra)"
    return subprocess.run([str(CLIENT), "-readonly", "-csv", str(db), "-c", sql],
                          check=False, capture_output=True, text=True, timeout=60)


def test_the_client_is_a_1x_client():
    out = subprocess.run([str(CLIENT), "--version"], check=True, capture_output=True, text=True, timeout=30).stdout
    assert out.startswith("v1."), out


def test_the_built_warehouse_opens_in_the_1x_client(built_warehouse):
    assert storage_version(built_warehouse) == STORAGE_COMPATIBILITY + "+"
    done = _client(built_warehouse, "select count(*) as n, count(distinct department_id) as d "
                                    "from rpt_department_trend")
    assert done.returncode == 0, done.stderr
    n, d = (int(x) for x in done.stdout.splitlines()[1].split(","))
    assert (n, d) == query(built_warehouse, "select count(*), count(distinct department_id) "
                                            "from rpt_department_trend")[0]
    assert n > 0


def test_a_warehouse_in_the_newer_format_is_rewritten_on_the_next_write(raw_warehouse, tmp_path):
    """A warehouse built before the format was pinned (storage 2.0) is rewritten in the pinned
    format by the next ingest, with every row kept; the 1.x client could not open it before."""
    old = tmp_path / "old.duckdb"
    con = duckdb.connect()
    try:
        con.execute("attach ? as src (read_only)", [str(raw_warehouse)])
        con.execute("attach ? as dst (storage_version 'v2.0.0')", [str(old)])
        con.execute("copy from database src to dst")
    finally:
        con.close()
    assert needs_storage_migration(old)
    assert _client(old, "select 1").returncode != 0
    before = query(old, "select count(*) from raw.statements")[0][0]

    ingest_only([str(SEED)], str(old))

    assert storage_version(old) == STORAGE_COMPATIBILITY + "+"
    assert not needs_storage_migration(old)
    assert query(old, "select count(*) from raw.statements")[0][0] == before > 0
    done = _client(old, "select count(*) from raw.documents")
    assert done.returncode == 0, done.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)
