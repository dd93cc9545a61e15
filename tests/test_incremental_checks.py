"""A refresh that adds files gives the same warehouse as ``--full-refresh`` of the same corpus
(issue 13: a full rebuild stays available and gives the same warehouse; a test compares all tables).

Every check is a dbt model (marts/quality), and the models whose rows belong to one document
(staging, facts, per-document checks) are built by document: a refresh rebuilds only the rows of
the documents that changed since the last build (materialization ``by_document``). So the refresh
that adds files, and then the one that changes one file and removes another, must each give the
tables a ``--full-refresh`` (every model built whole) gives; the documents' own rows, the change
sets excepted.
"""

from __future__ import annotations

import shutil

from ingest.pipeline import refresh
from ingest.warehouse import warehouse_dirs

from .conftest import SAMPLES, SEED, query

# when, not what: the run that wrote a row (timestamp columns are left out too)
VOLATILE = {"run_id", "execution_time"}
# the run log, the tests of the build (a full refresh runs the unit tests as well) and the change
# sets of the build (what it found changed since the build before): about the runs, not the data
SKIPPED = {("raw", "ingest_runs"), ("main", "dbt_test_results"),
           ("intermediate", "int_raw_documents_changed"), ("intermediate", "int_documents_changed")}


def tables(db) -> dict[str, list[str]]:
    """Every base table but those of :data:`SKIPPED`: its rows (without timestamps and the columns
    of :data:`VOLATILE`), sorted."""
    out = {}
    names = query(db, "select table_schema, table_name from information_schema.tables "
                      "where table_type = 'BASE TABLE' order by 1, 2")
    for schema, name in names:
        if (schema, name) in SKIPPED:
            continue
        columns = [c for c, kind in query(db, "select column_name, data_type from information_schema.columns "
                                              f"where table_schema = '{schema}' and table_name = '{name}' "
                                              "order by ordinal_position")
                   if c not in VOLATILE and not kind.startswith("TIMESTAMP")]
        select = ", ".join(f'"{c}"' for c in columns)
        out[f"{schema}.{name}"] = sorted(map(repr, query(db, f'select {select} from "{schema}"."{name}"')))
    return out


def test_a_refresh_that_adds_files_equals_a_full_refresh(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "budget.duckdb"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SAMPLES / "sh_putuo_wanli_2023_dept_budget.pdf", corpus)
    first = refresh(str(corpus), str(db), quiet=True, jobs=2)
    assert first.n_findings and first.finding_counts

    # the next year of a department already there (the trend across years changes), another
    # county's disclosure, and a copy of the seed (set aside as a duplicate: the pair's rows change)
    shutil.copy(SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf", corpus)
    text = SEED.read_text(encoding="utf-8").replace("魏县", "大名县").replace("130434", "130425")
    (corpus / "daming_2021.txt").write_text(text, encoding="utf-8")
    (corpus / "seed_again.txt").write_bytes(SEED.read_bytes() + "\n(副本)\n".encode())
    second = refresh(str(corpus), str(db), quiet=True, jobs=2)
    # the dbt project is the one that built the warehouse: its seeds and unit tests are not run again
    assert {"seed", "unit_test"} <= {n.resource_type for n in first.dbt.nodes}
    second_types = {n.resource_type for n in second.dbt.nodes}
    assert {"model", "test"} <= second_types and not {"seed", "unit_test"} & second_types
    assert any("大名县" in str(r) for r in query(db, "select * from main.rpt_transparency_by_document"))
    added = tables(db)

    # the models built by document rebuilt the new documents and those whose dim_document row
    # changed (the seed, set aside for its copy or keeping it aside), not the others
    changed = dict(query(db, "select is_changed, count(*) from intermediate.int_documents_changed group by all"))
    assert changed.get(True) and changed.get(False), changed
    assert_equals_full_refresh(db, corpus, tmp_path / "full.duckdb", added)
    # the schema the checks once kept per-document state in is gone
    assert not query(db, "select * from information_schema.schemata where schema_name = 'check_state'")

    # a file changed (a new version of the same path: the old one is superseded) and one removed
    (corpus / "daming_2021.txt").write_text(text.replace("2021", "2022"), encoding="utf-8")
    (corpus / "seed_again.txt").unlink()
    refresh(str(corpus), str(db), quiet=True, jobs=2)
    assert any("2022" in str(r) for r in query(db, "select fiscal_year from main.dim_document where is_current"))
    assert_equals_full_refresh(db, corpus, tmp_path / "full_again.duckdb", tables(db))


def assert_equals_full_refresh(db, corpus, full, built) -> None:
    """``--full-refresh`` of a copy of ``db`` over ``corpus`` gives the tables ``built``."""
    shutil.copyfile(db, full)
    again = refresh(str(corpus), str(full), quiet=True, jobs=2, full_refresh=True)
    assert {"seed", "unit_test"} <= {n.resource_type for n in again.dbt.nodes}
    rebuilt = tables(full)
    assert sorted(rebuilt) == sorted(built)
    differ = [name for name in built if built[name] != rebuilt[name]]
    assert not differ, f"tables that differ between the refresh and --full-refresh: {differ}"


def test_a_full_build_in_slices_of_documents_equals_one_built_whole(tmp_path, monkeypatch):
    """A whole build of the by_document models in slices of documents (the memory of a full
    build stays flat as the corpus grows) gives the tables one query per model gives."""
    corpus, db = tmp_path / "corpus", tmp_path / "budget.duckdb"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SAMPLES / "sh_putuo_wanli_2023_dept_budget.pdf", corpus)
    shutil.copy(SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf", corpus)
    text = SEED.read_text(encoding="utf-8").replace("魏县", "大名县").replace("130434", "130425")
    (corpus / "daming_2021.txt").write_text(text, encoding="utf-8")
    refresh(str(corpus), str(db), quiet=True, jobs=2)  # four documents: one slice (default 2,000)
    whole = tables(db)
    log = warehouse_dirs(tmp_path / "sliced.duckdb").dbt_logs / "dbt.log"
    monkeypatch.setenv("BUDGETWH_BY_DOCUMENT_SLICE_DOCUMENTS", "1")  # four slices
    assert_equals_full_refresh(db, corpus, tmp_path / "sliced.duckdb", whole)
    built = log.read_text(encoding="utf-8")
    assert "hash(document_id) % 4 = 3" in built and "hash(document_id) % 4 = 0" in built
