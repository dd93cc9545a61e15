"""The checks of a refresh run again only on the documents that changed, and give the same
tables as checking every document (issue 13: incremental by document; --full-refresh)."""

from __future__ import annotations

import shutil

from expectations.checkpoint import run_checks
from ingest.pipeline import refresh

from .conftest import SAMPLES, SEED, query

TABLES = {
    "main.quality_findings": "select * exclude (checked_at) from main.quality_findings",
    "main.disclosure_completeness": "select * from main.disclosure_completeness",
    "main.rpt_transparency_by_document": "select * from main.rpt_transparency_by_document",
    "main.rpt_transparency_by_region": "select * from main.rpt_transparency_by_region",
}


def _tables(db) -> dict[str, list[tuple]]:
    return {name: sorted(query(db, sql), key=repr) for name, sql in TABLES.items()}


def test_a_refresh_checks_only_what_changed_and_equals_a_full_check(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "budget.duckdb"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SAMPLES / "sh_putuo_wanli_2023_dept_budget.pdf", corpus)
    first = refresh(str(corpus), str(db), quiet=True, jobs=2)
    assert first.findings
    assert query(db, "select mode from check_state.check_runs") == [("full",)]
    n_before = query(db, "select count(*) from main.dim_document")[0][0]

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

    mode, checked = query(db, "select mode, documents_checked from check_state.check_runs order by checked_at")[-1]
    n_after = query(db, "select count(*) from main.dim_document")[0][0]
    assert mode == "incremental"
    assert n_after == n_before + 3
    assert 3 <= checked < n_after, "the new documents, and the seed whose pair changed, not the rest"
    incremental = _tables(db)
    assert any(r[0] is not None and "大名县" in str(r) for r in incremental["main.rpt_transparency_by_document"])

    full = tmp_path / "full.duckdb"
    shutil.copyfile(db, full)
    run_checks(str(full), data_docs_dir=None)
    assert query(full, "select mode from check_state.check_runs order by checked_at")[-1] == ("full",)
    assert _tables(full) == incremental


def test_nothing_changed_checks_no_document_again(built_warehouse, tmp_path):
    copy = tmp_path / "again.duckdb"
    shutil.copyfile(built_warehouse, copy)
    before = _tables(copy)
    run_checks(str(copy), data_docs_dir=None, incremental=True)
    mode, checked, dropped = query(copy, "select mode, documents_checked, documents_dropped "
                                         "from check_state.check_runs order by checked_at")[-1]
    assert (mode, checked, dropped) == ("incremental", 0, 0)
    assert _tables(copy) == before
