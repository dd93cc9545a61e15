"""`budgetwh export` and `budgetwh query` against a warehouse built from the samples."""

from __future__ import annotations

import csv
import json

import duckdb
import openpyxl
from click.testing import CliRunner

from ingest.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_query_prints_the_seed_sangong_as_csv(built_warehouse, seed_golden):
    r = run("query", "--db", built_warehouse, "--format", "csv",
            "select item, amount_yuan from fct_sangong where document_id = "
            f"'{seed_golden['sha256']}' and measure = 'amount' order by item")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(r.output.splitlines()))
    got = {row["item"]: row["amount_yuan"] for row in rows}
    assert got["total"] == "545000.00" and got["reception"] == "545000.00"
    assert got["overseas_travel"] == "0.00"


def test_query_json_and_usage_errors(built_warehouse, tmp_path):
    r = run("query", "--db", built_warehouse, "--format", "json", "select 1 as one")
    assert json.loads(r.output) == [{"one": 1}]
    r = run("query", "--db", tmp_path / "none.duckdb", "select 1")
    assert r.exit_code == 2 and "budgetwh refresh" in r.output
    r = run("query", "--db", built_warehouse, "select * from no_such_table")
    assert r.exit_code == 2 and "show all tables" in r.output


def test_export_parquet_partitioned_csv_and_xlsx_with_chinese_labels(built_warehouse, tmp_path):
    r = run("export", "--db", built_warehouse, "--format", "parquet", "--out", tmp_path / "pq")
    assert r.exit_code == 0, r.output
    years = sorted(p.name for p in (tmp_path / "pq" / "fct_sangong").iterdir())
    assert "fiscal_year=2021" in years and "fiscal_year=2024" in years
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{tmp_path}/pq/fct_sangong/*/*.parquet')").fetchall()[0][0]
    src = duckdb.connect(str(built_warehouse), read_only=True)
    assert n == src.execute("select count(*) from fct_sangong").fetchall()[0][0]
    src.close()
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", tmp_path / "csv", "--mart", "dim_document")
    assert r.exit_code == 0 and (tmp_path / "csv" / "dim_document.csv").exists()
    r = run("export", "--db", built_warehouse, "--format", "xlsx", "--labels", "zh", "--out", tmp_path / "x",
            "--mart", "fct_sangong")
    header = [c.value for c in next(openpyxl.load_workbook(tmp_path / "x" / "fct_sangong.xlsx").active.rows)]
    assert "金额(元)" in header and "年度" in header
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", tmp_path / "y", "--mart", "nope")
    assert r.exit_code == 2 and "marts are" in r.output
