"""A second refresh with nothing new changes no table (only the run log gains its row) and does
no parsing or rebuilding; the benchmark (benchmarks/bench_refresh.py) measures how long it takes."""

from __future__ import annotations

import hashlib
import shutil

import duckdb

from ingest.pipeline import refresh


def snapshot(db) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type='BASE TABLE' order by 1, 2").fetchall()
        out = {}
        for schema, name in tables:
            if (schema, name) == ("raw", "ingest_runs"):
                continue
            rows = con.execute(f'select * from "{schema}"."{name}"').fetchall()
            out[f"{schema}.{name}"] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return out
    finally:
        con.close()


def test_second_refresh_with_nothing_new_changes_no_table(built_warehouse, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(built_warehouse, db)
    corpus = built_warehouse.parent / "samples"
    before = snapshot(db)
    reader = duckdb.connect(str(db), read_only=True)  # a reader open meanwhile does not block it
    try:
        result = refresh(str(corpus), str(db), quiet=True)
    finally:
        reader.close()
    assert result.dbt == "skipped (nothing new)"
    assert result.stats.count("new") == result.stats.count("changed") == 0
    assert snapshot(db) == before
    con = duckdb.connect(str(db), read_only=True)
    last = con.execute("select status, files_new, message from raw.ingest_runs order by finished_at desc limit 1").fetchall()
    con.close()
    assert last[0][0] == "succeeded" and last[0][1] == 0 and "nothing new" in last[0][2]
