"""The warehouse's schemas as an analyst browses them: marts (and only marts) in ``main``; staging,
intermediate, seeds and the per-concern quality models each in their own schema; ``raw`` apart."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.conftest import query

MART_PREFIXES = ("dim_", "fct_", "rpt_")
# Marts without a dim_/fct_/rpt_ prefix: the findings, the completeness of each disclosure (dbt
# models) and the dbt test results the checkpoint writes beside them.
OTHER_MARTS = {"quality_findings", "disclosure_completeness", "dbt_test_results"}
LAYERS = {"staging": "stg_", "intermediate": "int_", "quality": "quality_"}


def tables_by_schema(db: Path) -> dict[str, set[str]]:
    """The tables and views (staging) of each schema, as a client's table list shows them."""
    out: dict[str, set[str]] = {}
    for schema, table in query(db, "select schema_name, table_name from duckdb_tables() where not internal "
                                   "union all select schema_name, view_name from duckdb_views() "
                                   "where not internal"):
        out.setdefault(schema, set()).add(table)
    return out


def test_staging_is_views_of_raw_that_read_the_same_under_another_name(built_warehouse, tmp_path):
    """Staging models are views of raw.* (rename and cast): their SQL names no catalog, so a copy
    of the file under another name, or the file ATTACHed under another name, reads them."""
    views = query(built_warehouse, "select view_name, sql from duckdb_views() where schema_name = 'staging'")
    assert views and all(name.startswith("stg_") for name, _ in views)
    assert not any('"budget"' in sql or "budget.raw" in sql for _, sql in views)  # the file's catalog
    assert not query(built_warehouse, "select table_name from duckdb_tables() where schema_name = 'staging'")
    copy = tmp_path / "renamed.duckdb"
    shutil.copyfile(built_warehouse, copy)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{copy}' as elsewhere (read_only)")
        n_staged, n_raw = con.execute("select (select count(*) from elsewhere.staging.stg_disclosures__statements), "
                                      "(select count(*) from elsewhere.raw.statements)").fetchall()[0]
    finally:
        con.close()
    assert n_staged == n_raw > 0


def test_main_holds_only_marts(built_warehouse):
    main = tables_by_schema(built_warehouse)["main"]
    assert {t for t in main if not t.startswith(MART_PREFIXES) and t not in OTHER_MARTS} == set()
    assert OTHER_MARTS <= main
    assert {"rpt_department_trend", "rpt_transparency_by_region", "dim_document"} <= main


def test_layers_have_their_own_schemas(built_warehouse):
    schemas = tables_by_schema(built_warehouse)
    for schema, prefix in LAYERS.items():
        assert schemas[schema] and all(t.startswith(prefix) for t in schemas[schema]), schema
    seeds = {p.stem for p in (Path(__file__).resolve().parents[1] / "dbt_project" / "seeds").glob("*.csv")}
    assert schemas["seeds"] == seeds
    assert "quality_findings" not in schemas["quality"]


def test_refresh_moves_old_layer_tables_out_of_main(built_warehouse, tmp_path):
    """A warehouse built when everything lived in main: its next refresh leaves only marts there."""
    from ingest.pipeline import refresh

    db = tmp_path / "budget.duckdb"
    shutil.copyfile(built_warehouse, db)
    con = duckdb.connect(str(db))
    try:  # what such a warehouse held in main: a staging table, an intermediate one, a seed
        for old in ("stg_disclosures__statements", "int_statements_pivoted", "statement_keys"):
            con.execute(f"create table main.{old} as select 1 as stale")
        con.execute("create table main.analyst_notes as select 1 as mine")  # not the project's
        # built by the code of before: the refresh rebuilds (build_fingerprint differs)
        con.execute("update raw.ingest_runs set build_fingerprint = 'before the schemas'")
    finally:
        con.close()
    refresh(str(built_warehouse.parent / "samples"), str(db), quiet=True, jobs=2)
    main = tables_by_schema(db)["main"]
    assert not main & {"stg_disclosures__statements", "int_statements_pivoted", "statement_keys"}
    assert "analyst_notes" in main


def test_every_mart_and_mart_column_has_a_comment(built_warehouse):
    """DBeaver and duckdb_columns() show what each column means: the dbt models' descriptions
    (dbt_project/macros/model_comments.sql) and the checkpoint's tables' (expectations/table_docs.py)."""
    tables = query(built_warehouse, "select table_name from duckdb_tables() where schema_name = 'main' "
                                    "and coalesce(comment, '') = ''")
    columns = query(built_warehouse, "select table_name, column_name from duckdb_columns() "
                                     "where schema_name = 'main' and not internal and coalesce(comment, '') = '' "
                                     "order by 1, 2")
    assert tables == [] and columns == []
    described = dict(query(built_warehouse, "select column_name, comment from duckdb_columns() where "
                                            "schema_name = 'main' and table_name = 'disclosure_completeness'"))
    assert described["status"].startswith("present, empty_with_note")


def test_checkpoint_comments_name_every_column_the_checkpoint_writes(built_warehouse):
    """The declared source and the tables agree both ways: no declared column the table lacks."""
    from expectations.table_docs import declared_docs

    for table, (_, columns) in declared_docs().items():
        built = {r[0] for r in query(built_warehouse, "select column_name from duckdb_columns() where "
                                                      "schema_name = 'main' and table_name = ?", [table])}
        assert set(columns) == built, table
