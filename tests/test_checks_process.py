"""The checks in a process of their own (expectations.process): the same findings as in the
refresh's process, errors that name what failed, and a small refresh that never imports GX."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.errors import PipelineError

from .conftest import ROOT, SEED, copy_warehouse, query

FINDINGS = ("select * exclude (checked_at) from main.quality_findings "
            "order by suite, document_id, check_name, check_key")
TESTS = "select * exclude (checked_at) from main.dbt_test_results order by unique_id"


def _dbt_tests(db: Path) -> list[dict]:
    columns = ["unique_id", "test_name", "model", "status", "failures", "message", "execution_seconds"]
    return [dict(zip(columns, row, strict=True))
            for row in query(db, f"select {', '.join(columns)} from main.dbt_test_results")]


def test_checks_in_their_own_process_find_what_they_find_here(built_warehouse, tmp_path):
    from expectations.checkpoint import run_checks
    from expectations.process import ChecksProcess

    here, there = tmp_path / "here.duckdb", tmp_path / "there.duckdb"
    shutil.copyfile(built_warehouse, here)
    shutil.copyfile(built_warehouse, there)
    tests = _dbt_tests(built_warehouse)
    assert tests, "the built warehouse holds its build's dbt tests"
    tests[0] = {**tests[0], "status": "warn", "failures": 3}  # what is handed over is what is written

    run_checks(str(here), data_docs_dir=tmp_path / "docs_here", dbt_tests=tests, read_back=False)
    ChecksProcess().run(str(there), data_docs_dir=tmp_path / "docs_there", dbt_tests=tests)

    assert query(there, FINDINGS) == query(here, FINDINGS)
    assert query(there, TESTS) == query(here, TESTS)
    assert query(there, "select status, failures from main.dbt_test_results where unique_id = ?",
                 [tests[0]["unique_id"]]) == [("warn", 3)]
    assert (tmp_path / "docs_there" / "index.html").exists()


def test_checks_process_names_a_missing_warehouse(tmp_path):
    from expectations.process import ChecksProcess

    with pytest.raises(PipelineError, match=r"checks: warehouse .*nothing\.duckdb does not exist"):
        ChecksProcess().run(str(tmp_path / "nothing.duckdb"), data_docs_dir=None, dbt_tests=None)


def test_checks_process_that_dies_is_an_error_and_an_unused_one_is_stopped(tmp_path):
    from expectations.process import ChecksProcess

    dying = ChecksProcess()
    dying._proc.kill()
    with pytest.raises(PipelineError, match=r"checks process ended without an answer \(exit code -9\)"):
        dying.run(str(tmp_path / "w.duckdb"), data_docs_dir=None, dbt_tests=None)

    unused = ChecksProcess()
    proc = unused._proc
    unused.stop()
    assert proc.poll() is not None
    with pytest.raises(PipelineError, match="was stopped"):
        unused.run(str(tmp_path / "w.duckdb"), data_docs_dir=None, dbt_tests=None)


def test_a_small_refresh_checks_in_another_process(built_warehouse, tmp_path):
    """One new file on a built warehouse: the refresh process never imports Great Expectations,
    and the checks' results are in the warehouse (dbt tests of this build, the Data Docs)."""
    corpus, db = copy_warehouse(built_warehouse, built_warehouse.parent / "samples", tmp_path)
    (corpus / "new.txt").write_text(SEED.read_text(encoding="utf-8").replace("2021年", "2019年"),
                                    encoding="utf-8")
    code = ("import sys; from ingest.pipeline import refresh\n"
            "r = refresh(sys.argv[1], sys.argv[2], quiet=True, jobs=1)\n"
            "assert r.stats.count('new') == 1, r.stats.outcomes\n"
            "assert 'great_expectations' not in sys.modules\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, str(corpus), str(db)], capture_output=True, text=True,
                         env=env, check=False, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    built_tests = query(db, "select count(*) from main.dbt_test_results where checked_at > "
                            "(select max(started_at) from raw.ingest_runs where command = 'refresh')")[0][0]
    assert built_tests > 0
    assert query(db, "select count(*) from main.quality_findings")[0][0] > 0
    from ingest.warehouse import warehouse_dirs

    assert (warehouse_dirs(str(db)).data_docs / "index.html").exists()
