"""Quality checks (expectations/): GX suites over the marts of the constructed warehouse, and the
findings they write to main.quality_findings.

The warehouse is the one tests/test_dbt_marts.py builds (seed-like document with the fixed-asset
total printed as '634.22元', and a document whose 三公 items deliberately do not add up).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import great_expectations as gx
import pytest

try:  # tests/ is on sys.path under pytest's default (prepend) import mode
    from test_dbt_marts import BROKEN_ID, SEED_ID, built_warehouse
except ImportError:  # pragma: no cover - tests/ made a package
    from tests.test_dbt_marts import BROKEN_ID, SEED_ID, built_warehouse

from expectations.assets import ASSETS
from expectations.checkpoint import run_checks


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    db, _ = built_warehouse(tmp_path_factory.mktemp("dbt_warehouse"))
    return db, run_checks(str(db))


def only(rows: list[dict], document_id: str, check_name: str) -> list[dict]:
    return [f for f in rows if f["document_id"] == document_id and f["check_name"] == check_name]


def test_expectations_are_code_on_the_marts_only():
    for asset in ASSETS:
        expectations = asset.expectations()
        assert expectations and all(isinstance(e, gx.expectations.Expectation) for e in expectations)
    # the checks on documents are dbt models: GX validates tables, never check rows
    assert not {a.model for a in ASSETS} & {"quality_identities", "quality_units", "quality_tables",
                                           "quality_narrative", "quality_changes"}


def test_unit_anomaly_634_22_yuan_is_flagged_not_corrected(findings):
    db, rows = findings
    hits = only(rows, SEED_ID, "unit_anomaly")
    assert len(hits) == 1
    f = hits[0]
    assert f["severity"] in ("warning", "error")
    assert f["observed"] == Decimal("634.22")
    assert f["expected"] == Decimal("6342200.00")
    assert f["page"] == 4
    assert f["subject"] == "assets.fixed_assets_total"
    assert "634.22元" in f["message"] and "174.33万元" in f["message"] and "459.89万元" in f["message"]
    assert "not corrected" in f["message"]
    # Loaded as printed, still.
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select amount_yuan from raw.statements where document_id = ? and "
                           "statement_key = 'assets.fixed_assets_total'", [SEED_ID]).fetchall() == [
            (Decimal("634.22"),)]
    finally:
        con.close()


def test_broken_identity_is_a_finding(findings):
    _, rows = findings
    hits = only(rows, BROKEN_ID, "identity:sangong_parts")
    assert len(hits) == 1
    f = hits[0]
    assert (f["severity"], f["observed"], f["expected"], f["page"]) == (
        "error", Decimal("200000.00"), Decimal("180000.00"), 3)
    assert "20.00万元" in f["message"] and "18.00万元" in f["message"]


def test_identities_that_hold_raise_nothing(findings):
    _, rows = findings
    seed_identities = [f for f in rows
                       if f["document_id"] == SEED_ID and f["check_name"].startswith("identity:")]
    assert seed_identities == []
    # The broken document's other identities (expenditure parts, vehicle parts, revenue = expenditure) hold.
    assert {f["check_name"] for f in rows if f["document_id"] == BROKEN_ID
            and f["check_name"].startswith("identity:")} == {"identity:sangong_parts"}


def test_withheld_projects_leave_an_info_residual(findings):
    _, rows = findings
    hits = only(rows, SEED_ID, "withheld_residual")
    assert [(f["severity"], f["observed"], f["expected"]) for f in hits] == [
        ("info", Decimal("6742000.00"), Decimal("2860000.00"))]


def test_performance_findings(findings):
    _, rows = findings
    cost = only(rows, SEED_ID, "cost_indicator_mismatch")
    assert [(f["subject"], f["observed"], f["expected"]) for f in cost] == [
        ("13043421094ANOGIHASBI", Decimal("372900.00"), Decimal("370000.00"))]
    conflicting = only(rows, SEED_ID, "conflicting_indicator_targets")
    assert len(conflicting) == 1 and conflicting[0]["observed"] == 3
    assert "≥90%, ≥80%, ≥60%" in conflicting[0]["message"]


def test_plausibility_findings(findings):
    _, rows = findings
    negative = only(rows, BROKEN_ID, "plausibility:negative_amount")
    assert [(f["subject"], f["observed"], f["severity"]) for f in negative] == [
        ("operating_expenses.total", Decimal("-10000.00"), "error")]
    assert [f["observed"] for f in only(rows, BROKEN_ID, "plausibility:spending_plan_decreasing")] == [
        Decimal(-10)]
    assert [f["observed"] for f in only(rows, BROKEN_ID, "plausibility:spending_plan_final")] == [
        Decimal(90)]
    assert not [f for f in rows
                if f["document_id"] == SEED_ID and f["check_name"].startswith("plausibility:")]


def test_parse_errors_are_copied_in_warnings_are_not(findings):
    _, rows = findings
    parse = [f for f in rows if f["check_name"].startswith("parse_issue:")]
    assert [(f["document_id"], f["check_name"], f["severity"], f["page"]) for f in parse] == [
        (BROKEN_ID, "parse_issue:table_unreadable", "error", 6)]
    assert "ragged rows" in parse[0]["message"]


def test_findings_table_is_replaced_wholesale(findings):
    db, rows = findings
    again = run_checks(str(db))
    assert len(again) == len(rows)
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [r[0] for r in con.execute("describe main.quality_findings").fetchall()]
        stored = con.execute("select document_id, check_name, severity, observed, expected, page, "
                             "message from main.quality_findings").fetchall()
    finally:
        con.close()
    assert cols[:7] == ["document_id", "check_name", "severity", "observed", "expected", "page", "message"]
    assert len(stored) == len(rows)
    assert {r[2] for r in stored} <= {"error", "warning", "info"}
    assert all(r[6] for r in stored)


def test_data_docs_on_request(findings, tmp_path):
    db, rows = findings
    again = run_checks(str(db), data_docs_dir=tmp_path / "data_docs")
    assert len(again) == len(rows)
    assert (tmp_path / "data_docs" / "index.html").exists()
    assert (tmp_path / "data_docs" / "expectations" / "assets" / "fct_sangong.html").exists()


def _warehouse_with(tmp_path, create_sql: str):
    """A warehouse file holding the one table ``create_sql`` makes."""
    import duckdb

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute(create_sql)
    con.close()
    return db


def test_a_mart_is_validated_in_batches_and_its_failures_summed(tmp_path):
    """A model larger than a batch is validated batch by batch (memory bounded whatever the
    warehouse's size); a failed expectation is one finding counting the failing rows of every
    batch."""
    import datetime as dt

    from expectations.assets import ASSETS, asset_findings, validate_assets
    from expectations.checkpoint import gx_context

    db = _warehouse_with(tmp_path, "create table main.fct_revenue as select 'd' || i as document_id, "
                                   "cast(i as decimal(20, 2)) as amount_yuan, 1 as page, "
                                   "case when i % 3 = 0 then 'odd' else 'amount' end as measure from range(10) t(i)")
    revenue = next(a for a in ASSETS if a.model == "fct_revenue")
    results = validate_assets(str(db), gx_context(None), (revenue,), rows=4)
    assert [(model, len(batches)) for model, batches in results] == [("fct_revenue", 3)]
    found = asset_findings(results, dt.datetime(2026, 1, 1))
    assert [(f["check_name"], f["observed"]) for f in found] == [
        ("asset:fct_revenue:expect_column_values_to_be_in_set", 4)]
    assert "4 of 10 rows" in found[0]["message"] and "odd" in found[0]["message"]


def test_a_batch_is_validated_without_fingerprinting_its_rows(tmp_path, monkeypatch):
    """GX hashes every row of a DataFrame batch for a fingerprint nothing here reads (an eighth of
    the assets' validation time, growing with the rows): the checks turn it off."""
    from great_expectations.execution_engine import pandas_execution_engine

    from expectations.assets import ASSETS, validate_assets
    from expectations.checkpoint import gx_context

    def fingerprint(df):
        raise AssertionError("a batch was fingerprinted")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", fingerprint)
    db = _warehouse_with(tmp_path, "create table main.fct_revenue as select 'd' || i as document_id, "
                                   "cast(i as decimal(20, 2)) as amount_yuan, 1 as page, 'amount' as measure "
                                   "from range(10) t(i)")
    revenue = next(a for a in ASSETS if a.model == "fct_revenue")
    [(model, [batch])] = validate_assets(str(db), gx_context(None), (revenue,))
    assert model == "fct_revenue" and batch.success


def test_the_batches_are_read_with_the_c_librarys_allocator(tmp_path, monkeypatch):
    """Arrow allocates from the C library's allocator while the batches are read and converted
    (pyarrow's default, mimalloc, kept what each batch freed: the checks' memory grew with the
    batches), and the process's default pool is given back afterwards, also when a batch fails."""
    import pyarrow as pa

    from expectations import assets
    from expectations.checkpoint import gx_context

    db = _warehouse_with(tmp_path, "create table main.fct_revenue as select 'd' || i as document_id, "
                                   "cast(i as decimal(20, 2)) as amount_yuan, 1 as page, 'amount' as measure "
                                   "from range(10) t(i)")
    revenue = next(a for a in assets.ASSETS if a.model == "fct_revenue")
    before = pa.default_memory_pool().backend_name
    pools = []

    def validate(db_path, con, context, source, asset, rows):
        pools.append(pa.default_memory_pool().backend_name)
        frames = list(assets.read_batches(db_path, asset, rows, con))
        if len(pools) > 1:
            raise RuntimeError("a batch that fails")
        return frames

    monkeypatch.setattr(assets, "_validate_asset", validate)
    assert assets.validate_assets(str(db), gx_context(None), (revenue,))[0][0] == "fct_revenue"
    assert pa.default_memory_pool().backend_name == before
    with pytest.raises(RuntimeError, match="a batch that fails"):
        assets.validate_assets(str(db), gx_context(None), (revenue,))
    assert pools == ["system", "system"] and pa.default_memory_pool().backend_name == before


def test_a_batch_is_as_large_as_allowed_whatever_pieces_duckdb_reads(tmp_path):
    """DuckDB hands a mart over in pieces smaller than asked for; the batches GX validates are
    gathered from them: as many batches as the rows need, each of at most ``rows`` rows, every row
    once."""
    import duckdb

    from expectations.assets import ASSETS, read_batches

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table main.fct_revenue as select 'd' || i as document_id, "
                "cast(i as decimal(20, 2)) as amount_yuan, 1 as page, 'amount' as measure from range(24990) t(i)")
    # rows added later, as a build by document adds a document's rows: DuckDB reads them apart
    for i in range(24990, 25000):
        con.execute("checkpoint")
        con.execute("insert into main.fct_revenue select 'd' || ?, ?, 1, 'amount'", [i, i])
    con.close()
    revenue = next(a for a in ASSETS if a.model == "fct_revenue")
    assert [len(f) for f in read_batches(str(db), revenue, 50_000)] == [25_000]
    frames = list(read_batches(str(db), revenue, 10_000))
    assert [len(f) for f in frames] == [10_000, 10_000, 5_000]
    assert sorted(int(v) for f in frames for v in f["amount_yuan"]) == list(range(25000))



def test_findings_with_their_long_messages_are_validated_in_smaller_batches(tmp_path):
    """quality_findings' rows carry long messages: its batches take half the rows of the others'."""

    from expectations.assets import ASSETS, validate_assets
    from expectations.checkpoint import gx_context

    db = _warehouse_with(tmp_path, "create table main.quality_findings as select 'warning' as severity, "
                                   "'identity:x' as check_name, 'a message' as message from range(10)")
    findings = next(a for a in ASSETS if a.model == "quality_findings")
    results = validate_assets(str(db), gx_context(None), (findings,), rows=4)
    assert [(model, len(batches)) for model, batches in results] == [("quality_findings", 5)]
