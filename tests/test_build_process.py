"""The dbt build in a process of its own (ingest.build_process): the same warehouse as a build in
the refresh's process, progress reported, errors that name what failed, a small refresh that never
imports dbt or Great Expectations, a large one that builds in its own process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ingest.errors import PipelineError

from .conftest import ROOT, SEED, copy_warehouse, query

#: what a build makes, without the columns that say when
COMPARED = {
    "main.rpt_department_trend": "*",
    "main.fct_expenditure": "*",
    "main.dim_document": "* exclude (ingested_at, first_seen_at)",
    "main.quality_findings": "* exclude (checked_at)",
    "main.dbt_test_results": "unique_id, status, failures",
}

REFRESH = """
import json, sys
from ingest.pipeline import refresh
from ingest.stages import listening

steps = []
with listening(lambda step, done, total: steps.append((step, done, total))):
    r = refresh(sys.argv[1], sys.argv[2], quiet=True, jobs=1, build_ahead=sys.argv[3] == "ahead")
assert r.stats.count("new") == 1, r.stats.outcomes
built = [(d, t) for s, d, t in steps if s == "building"]
print(json.dumps({
    "dbt_imported": any(m == "dbt" or m.startswith("dbt.") for m in sys.modules),
    "gx_imported": "great_expectations" in sys.modules,
    "built": built[-1] if built else None,
    "nodes": sorted((n.unique_id, n.status) for n in r.dbt.nodes),
}))
"""


def _refresh_with_one_new_file(built_warehouse, dest, how: str) -> tuple[dict, dict]:
    """(what the refresh process reported, the rows of each COMPARED table) of adding one file to
    a copy of the built warehouse at ``dest`` (emptied first: the same paths each time)."""
    import json
    import shutil

    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    corpus, db = copy_warehouse(built_warehouse, built_warehouse.parent / "samples", dest)
    (corpus / "new.txt").write_text(SEED.read_text(encoding="utf-8").replace("2021年", "2019年"),
                                    encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", REFRESH, str(corpus), str(db), how], capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    tables = {table: query(db, f"select {columns} from {table} order by all") for table, columns in COMPARED.items()}
    return json.loads(out.stdout.strip().splitlines()[-1]), tables


def test_a_small_refresh_builds_in_another_process_as_it_would_here(built_warehouse, tmp_path):
    ahead, tables_ahead = _refresh_with_one_new_file(built_warehouse, tmp_path / "w", "ahead")
    here, tables_here = _refresh_with_one_new_file(built_warehouse, tmp_path / "w", "here")

    assert not ahead["dbt_imported"] and not ahead["gx_imported"]
    assert here["dbt_imported"]
    assert ahead["nodes"] == here["nodes"] and ahead["nodes"]
    done, total = ahead["built"]
    assert done == total == here["built"][1], "every node built is reported to the refresh's listeners"
    for table, rows in tables_ahead.items():
        assert rows, table
        assert rows == tables_here[table], table


def test_build_process_reports_the_builds_error(tmp_path):
    from ingest.build_process import BuildProcess

    missing = tmp_path / "nothing.duckdb"
    with pytest.raises(PipelineError, match=r"dbt build: warehouse .*nothing\.duckdb does not exist"):
        BuildProcess(missing, missing).run(project_unchanged=True)


def test_build_process_that_dies_is_an_error_and_an_unused_one_is_stopped(tmp_path):
    from ingest.build_process import BuildProcess

    db = tmp_path / "w.duckdb"
    dying = BuildProcess(db, db)
    dying._step._proc.kill()
    with pytest.raises(PipelineError, match=r"dbt build process ended without an answer \(exit code -9\)"):
        dying.run()

    unused = BuildProcess(db, db)
    proc = unused._step._proc
    unused.stop()
    assert proc.poll() is not None
    with pytest.raises(PipelineError, match="was stopped"):
        unused.run()


def test_build_results_cross_the_process_boundary_whole():
    from ingest.build_process import result_from_dict, result_to_dict
    from ingest.transform import DbtResult, NodeResult

    result = DbtResult(passed=2, warned=1, seconds=3.5, memory_retried="1024MB", nodes=[
        NodeResult("model.budgetwh.x", "model", "success", "OK", None, 0.5),
        NodeResult("test.budgetwh.t", "test", "warn", "Got 3 results", 3, 0.1, model="model.budgetwh.x")])
    import json

    assert result_from_dict(json.loads(json.dumps(result_to_dict(result)))) == result
