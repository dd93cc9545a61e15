"""The raw contract is written once (ingest/raw_contract.py): the DDL, the polars types, the rules
rows are checked against before loading and the dbt source declarations all come from it."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import duckdb
import polars as pl
import pytest
import yaml

from ingest import model
from ingest.contract import rows_to_valid
from ingest.dbt_sources import SOURCES_YML, contract_to_sources, sources_yml
from ingest.extract import EXTRACTORS
from ingest.load import ensure_schema, frame
from ingest.raw_contract import PER_DOCUMENT_TABLES, TABLES, columns_of, polars_type, raw_table
from ingest.readers import READERS
from ingest.rows import OWNED_TABLES

from .conftest import ROOT

RECORDS = {"statements": model.Statement, "classification_lines": model.ClassificationLine,
           "projects": model.Project, "spending_plan": model.SpendingPlan, "indicators": model.Indicator,
           "department_goals": model.DepartmentGoal, "sections": model.Section,
           "printed_tables": model.PrintedTableRecord}


def test_the_dbt_sources_are_what_the_contract_generates():
    # Fails when _disclosures__sources.yml was edited by hand or the contract changed without
    # `python -m ingest.dbt_sources`.
    assert SOURCES_YML.read_text(encoding="utf-8") == sources_yml()


def test_the_dbt_sources_declare_every_table_and_column_with_warn_tests():
    source = yaml.safe_load(sources_yml())["sources"][0]
    assert source["schema"] == "raw"
    by_name = {t["name"]: t for t in source["tables"]}
    assert list(by_name) == [t.name for t in TABLES]
    for spec in TABLES:
        declared = by_name[spec.name]
        assert [(c["name"], c["data_type"]) for c in declared["columns"]] == [
            (c.name, c.type.lower()) for c in spec.columns]
        assert all(c["description"].strip() for c in declared["columns"])
        tests = {name: t for test in declared.get("data_tests", []) for name, t in test.items()}
        if spec.name not in OWNED_TABLES:  # bookkeeping (runs, paths): not a document's content
            assert tests == {}
            continue
        key = tests["unique_combination"]["arguments"]
        assert key["combination_of_columns"] == list(spec.key)
        not_null = set(tests.get("not_null_columns", {}).get("arguments", {}).get("columns", []))
        key_not_null = set(spec.key) - set(spec.key_nullable)
        assert not_null | key_not_null == {c.name for c in spec.columns if not c.nullable}
        # content never fails a build: every source test only warns
        assert all(t["config"]["severity"] == "warn" for t in tests.values())


def test_the_indicator_key_lets_a_department_indicator_have_no_project():
    tables = {t["name"]: t for t in contract_to_sources()["sources"][0]["tables"]}
    args = tables["indicators"]["data_tests"][0]["unique_combination"]["arguments"]
    assert "allow_nulls" not in args
    assert args["nullable_columns"] == ["project_seq"]


def test_the_contract_s_ddl_is_what_ensure_schema_creates():
    con = duckdb.connect()
    ensure_schema(con)
    for spec in TABLES:
        got = con.execute("select column_name, data_type, column_default from information_schema.columns "
                          "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                          [spec.name]).fetchall()
        assert [(n, t.replace(" ", ""), d) for n, t, d in got] == [
            (c.name, c.type, None if c.default is None else c.default.lower()) for c in spec.columns], spec.name
        keys = con.execute("select constraint_column_names from duckdb_constraints() where schema_name = 'raw' "
                           "and table_name = ? and constraint_type = 'PRIMARY KEY'", [spec.name]).fetchall()
        assert [list(k[0]) for k in keys] == [[c.name for c in spec.columns if c.primary_key]] if keys else \
            not any(c.primary_key for c in spec.columns)
    assert {r[0] for r in con.execute("select table_name from information_schema.tables "
                                      "where table_schema = 'raw'").fetchall()} == {t.name for t in TABLES}


def test_ensure_schema_adds_the_columns_a_newer_contract_defines():
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.projects (document_id VARCHAR, project_seq INTEGER)")
    con.execute("insert into raw.projects values ('d', 1)")
    ensure_schema(con)
    cols = [r[0] for r in con.execute("select column_name from information_schema.columns where table_schema "
                                      "= 'raw' and table_name = 'projects' order by ordinal_position").fetchall()]
    assert cols == [c.name for c in raw_table("projects").columns]
    assert con.execute("select document_id, project_seq, page from raw.projects").fetchall() == [("d", 1, None)]


def test_the_polars_frames_have_the_contract_s_types():
    assert polars_type("DECIMAL(20,2)") == pl.Decimal(20, 2)
    for spec in TABLES:
        df = frame(spec.name, [])
        assert list(df.schema.items()) == list(columns_of(spec.name))
        assert df.columns == [c.name for c in spec.columns]


@pytest.mark.parametrize("table_name", PER_DOCUMENT_TABLES)
def test_each_record_type_carries_its_table_s_columns(table_name):
    fields = {f.name for f in dataclasses.fields(RECORDS[table_name])}
    loader_set = {"document_id", raw_table(table_name).seq_column}
    assert fields <= {c.name for c in raw_table(table_name).columns}
    assert {c.name for c in raw_table(table_name).columns} - fields <= loader_set


def _record(table_name: str, **values):
    cls = RECORDS[table_name]
    base = {f.name: None for f in dataclasses.fields(cls)}
    base.update({"statement_key": "revenue.total", "printed_value": "1", "source": "narrative", "phase": "budget",
                 "measure": "amount", "table_kind": "x", "scheme": "function", "name": "n", "column_key": "total",
                 "project_seq": 1, "checkpoint": "3月底", "checkpoint_seq": 1, "row_seq": 1, "goal_seq": 1,
                 "section_seq": 1, "heading": "一、", "level": 1, "is_withheld": False, "is_total": False,
                 "is_derived": False, "state": "present", "table_seq": 1, "rows_with_figures": 0})
    base = {k: v for k, v in base.items() if k in {f.name for f in dataclasses.fields(cls)}}
    return cls(**{**base, **values})


@pytest.mark.parametrize("table_name", PER_DOCUMENT_TABLES)
def test_the_columns_the_contract_says_are_not_nullable_are_required(table_name):
    spec = raw_table(table_name)
    ok, bad = rows_to_valid(table_name, [_record(table_name)], page_count=1)
    assert len(ok) == 1 and bad == []
    carried = {f.name for f in dataclasses.fields(RECORDS[table_name])}
    for column in spec.columns:
        if column.name not in carried:
            continue
        ok, bad = rows_to_valid(table_name, [_record(table_name, **{column.name: None})], page_count=1)
        if column.nullable or column.name in spec.key_nullable:
            assert bad == [], column.name
        else:
            assert [v.rule for v in bad] == ["null_key"] and column.name in bad[0].detail


def test_the_natural_key_within_a_document_comes_from_the_contract():
    assert raw_table("spending_plan").record_key == ("project_seq", "checkpoint_seq")
    assert raw_table("statements").record_key == ()  # numbered by the loader
    rows = [_record("spending_plan", checkpoint_seq=1), _record("spending_plan", checkpoint_seq=1)]
    ok, bad = rows_to_valid("spending_plan", rows, page_count=1)
    assert len(ok) == 1 and [v.rule for v in bad] == ["duplicate_key"]


def test_extractors_and_readers_are_plain_functions():
    assert all(callable(fn) for fn in EXTRACTORS) and all(callable(fn) for fn in READERS.values())
    assert not any(isinstance(v, str) for v in (*EXTRACTORS, *READERS.values()))


@pytest.mark.parametrize("module", ["ingest.extract.tables", "ingest.readers.xlsx"])
def test_a_missing_extractor_or_reader_is_an_error_not_a_skip(module):
    # A module that cannot be imported stops the import of the package (and so the worker's
    # start and the run), instead of being passed over.
    code = f"import sys; sys.modules[{module!r}] = None; import ingest.parsing"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert proc.returncode != 0
    assert "ModuleNotFoundError" in proc.stderr or "ImportError" in proc.stderr
    assert module in proc.stderr
