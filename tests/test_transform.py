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
    selection = [a for a in args[args.index("--threads") + 2:] if a != "--full-refresh"]
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


def test_unchanged_project_leaves_out_seeds_their_tests_and_unit_tests_only(tmp_path):
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
    assert {u.split(".")[0] for u in left_out} == {"seed", "unit_test", "test"}
    # the data tests left out are the seeds' own (named after a seed); every model test stays
    seed_names = {u.split(".")[-1] for u in seeds}
    for test in (u for u in left_out if u.startswith("test.")):
        assert any(name in test for name in seed_names), test
    models = {u for u in everything if u.startswith("model.")}
    assert models <= unchanged
    assert any(u.startswith("test.") and "check_instances" in u for u in unchanged)


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
    assert built == {n.unique_id for n in first.nodes if n.resource_type == "model"}
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
