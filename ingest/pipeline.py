"""Ingest files into raw.*, and the whole refresh: ingest → dbt build → checks → swap.

A refresh never writes the live warehouse: it copies it to ``<db>.next``, works there, and
replaces the live file with ``os.replace`` only when every step succeeded. A refresh that fails
or is killed leaves the previous warehouse as it was. One refresh at a time (a lock file).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .errors import NotADisclosureError, PipelineError, ReadError, WarehouseBusyError
from .extract import extract
from .extract.disclosure import document_to_verdict
from .load import PARSER_VERSION, ensure_schema, load_document, load_rejected, record_path
from .model import Document, Extraction
from .readers import ReaderSettings, bytes_to_document, read_bytes, sha256_hex

DEFAULT_DB = "warehouse/budget.duckdb"
DEFAULT_CORPUS = "data/samples"
IGNORED_NAMES = ("README", ".")  # folder documentation and hidden files are not disclosures


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

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed" or o.doc_status == "rejected"]


def iter_files(paths: Iterable[str]) -> Iterator[str]:
    """Files named, and files under folders named (sorted), skipping README and hidden files."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(part.startswith(IGNORED_NAMES) for part in f.relative_to(path).parts):
                    yield str(f)
        else:
            yield str(path)


def parse_bytes(data: bytes, path: str, settings: ReaderSettings) -> tuple[Document, Extraction]:
    """Read one file's bytes, check it is a disclosure, extract it.

    Raises:
        ReadError: unreadable; NotADisclosureError: readable, but no positive evidence of a
            disclosure (see ``ingest.extract.disclosure``), with what it looks like instead.
    """
    doc = bytes_to_document(data, path, settings)
    verdict = document_to_verdict(doc)
    if not verdict.is_disclosure:
        raise NotADisclosureError(path, f"not a disclosure: {verdict.reason}")
    return doc, extract(doc)


def hash_file(path: str, settings: ReaderSettings) -> tuple[str, int]:
    """sha256 and size of a file, read in blocks (memory stays flat for large files).

    Raises:
        ReadError: missing, unreadable or over the size limit.
    """
    try:
        size = os.path.getsize(path)
        if size > settings.max_bytes:
            raise ReadError(path, f"file is {size:,} bytes, over the limit of {settings.max_bytes:,} "
                                  f"(--max-mb)", code="too_large")
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
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
    previous: str | None  # the document this path held before, when its bytes changed


@dataclass
class Plan:
    todo: list[PlannedFile] = field(default_factory=list)
    done: list[FileOutcome] = field(default_factory=list)  # unchanged, duplicate, unreadable
    unreadable: list[tuple[str, ReadError]] = field(default_factory=list)
    seen_paths: set[str] = field(default_factory=set)

    @property
    def has_work(self) -> bool:
        return bool(self.todo or self.unreadable)


def plan_files(con: duckdb.DuckDBPyConnection | None, paths: Iterable[str],
               settings: ReaderSettings) -> Plan:
    """Hash every file and decide what needs parsing, against what ``con`` already holds."""
    known: dict[str, str] = {}
    path_doc: dict[str, str] = {}
    rejected_paths: dict[str, str] = {}
    if con is not None and _has_raw(con):
        known = {r[0]: r[1] for r in con.execute(
            "select document_id, parser_version from raw.documents").fetchall()}
        path_doc = {r[0]: r[1] for r in con.execute(
            "select source_path, document_id from raw.document_paths where is_present").fetchall()}
        rejected_paths = {r[0]: r[1] for r in con.execute(
            "select source_path, code from raw.parse_issues where document_id is null").fetchall()}
    plan = Plan()
    first_path: dict[str, str] = {}
    for path in iter_files(paths):
        plan.seen_paths.add(path)
        try:
            did, size = hash_file(path, settings)
        except ReadError as exc:
            if rejected_paths.get(path) == exc.code:
                plan.done.append(FileOutcome(path, "unchanged", None, "rejected", str(exc)))
            else:
                plan.unreadable.append((path, exc))
            continue
        if did in first_path:
            plan.done.append(FileOutcome(path, "duplicate", did, reason=f"same content as {first_path[did]}"))
            continue
        first_path[did] = path
        if known.get(did) == PARSER_VERSION:
            plan.done.append(FileOutcome(path, "unchanged", did))
            continue
        previous = path_doc.get(path)
        plan.todo.append(PlannedFile(path, did, size, previous if previous != did else None))
    return plan


def _has_raw(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema='raw' "
                            "and table_name='documents'").fetchall()[0][0])


def _parse_job(args: tuple[str, str, ReaderSettings]):
    """Worker: read, check the bytes are still the ones planned, parse and extract."""
    path, expected_id, settings = args
    try:
        data = read_bytes(path, settings)
        if sha256_hex(data) != expected_id:
            raise ReadError(path, "file changed while the refresh ran; it is taken by the next refresh",
                            code="changed_during_run")
        return parse_bytes(data, path, settings), None
    except ReadError as exc:
        return None, (exc.code, str(exc), exc.page)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the others
        return None, ("reader_crashed", f"{path}: unexpected error while reading: {exc!r}", None)


BATCH_PER_WORKER = 4


def _parsed(todo: list[PlannedFile], settings: ReaderSettings, jobs: int) -> Iterator:
    """Parse results in the order of ``todo``, a bounded batch at a time (memory stays flat)."""
    args = [(f.path, f.document_id, settings) for f in todo]
    if jobs <= 1 or len(args) <= 1:
        yield from map(_parse_job, args)
        return
    batch = jobs * BATCH_PER_WORKER
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for i in range(0, len(args), batch):
            yield from pool.map(_parse_job, args[i:i + batch])


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[str], *, run_id: str,
                 settings: ReaderSettings = ReaderSettings(), jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None,
                 plan: Plan | None = None) -> IngestStats:
    """Parse and load every file not already loaded (by content hash). One bad file never stops
    the others: it becomes a parse issue (and a 'rejected' document when it could be hashed)."""
    ensure_schema(con)
    stats = IngestStats(run_id=run_id)
    now = dt.datetime.now()
    plan = plan or plan_files(con, paths, settings)
    for path, exc in plan.unreadable:
        load_rejected(con, path, exc.code, str(exc), run_id=run_id, now=now)
        stats.outcomes.append(FileOutcome(path, "failed", reason=str(exc)))
    for o in plan.done:
        if o.document_id:
            record_path(con, o.document_id, o.path, now)
        stats.outcomes.append(o)
    for i, (f, (parsed, err)) in enumerate(zip(plan.todo, _parsed(plan.todo, settings, jobs)), start=1):
        status = "changed" if f.previous else "new"
        if err is not None:
            code, message, page = err
            load_rejected(con, f.path, code, message, document_id=f.document_id, byte_size=f.byte_size,
                          run_id=run_id, page=page, now=now)
            stats.outcomes.append(FileOutcome(f.path, "failed", f.document_id, "rejected", message))
        else:
            doc, ex = parsed
            errors = [iss for iss in ex.issues if iss.severity == "error"]
            doc_status = "partial" if errors else "parsed"
            load_document(con, doc, ex, status=doc_status, run_id=run_id, now=now,
                          error="; ".join(e.message for e in errors)[:2000] or None)
            stats.outcomes.append(FileOutcome(f.path, status, f.document_id, doc_status))
        if f.previous:
            con.execute("update raw.documents set is_current=false, superseded_by=? where document_id=?",
                        [f.document_id, f.previous])
            con.execute("update raw.document_paths set is_present=false where document_id=? and source_path=?",
                        [f.previous, f.path])
        if progress:
            progress(i, len(plan.todo))
    return stats


def mark_removed(con: duckdb.DuckDBPyConnection, corpus: str, seen: set[str], stats: IngestStats) -> None:
    """Paths under ``corpus`` known from earlier runs but gone now are marked, not deleted."""
    root = str(Path(corpus))
    rows = con.execute("select source_path from raw.document_paths where is_present").fetchall()
    for (path,) in rows:
        if (path == root or path.startswith(root.rstrip("/") + "/")) and path not in seen:
            con.execute("update raw.document_paths set is_present=false where source_path=?", [path])
            stats.removed.append(path)


# ---------------------------------------------------------------------------------------------
# Refresh: lock, work on a copy, swap.
# ---------------------------------------------------------------------------------------------


class WarehouseLock:
    """An exclusive lock beside the warehouse file, held for the whole refresh."""

    def __init__(self, db_path: str, wait: bool = False):
        self.path = db_path + ".lock"
        self.wait = wait
        self.fh = None

    def __enter__(self) -> WarehouseLock:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            raise WarehouseBusyError(
                f"another refresh of {self.path[:-5]} is running ({holder}); wait for it to finish "
                f"or run again with --wait") from exc
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        self.fh.flush()
        return self

    def __exit__(self, *exc) -> None:
        if self.fh:
            self.fh.truncate(0)
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


@dataclass
class RefreshResult:
    stats: IngestStats
    findings: list[dict]
    dbt: object | None
    warehouse_version: int


def _warehouse_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select coalesce(max(warehouse_version), 0) from raw.ingest_runs "
                      "where status = 'succeeded'").fetchall()
    return int(row[0][0]) + 1


ROOT = Path(__file__).resolve().parents[1]


def build_fingerprint() -> str:
    """A hash of everything a rebuild depends on besides the data: the parser version, the dbt
    project and the expectations. A refresh with nothing new still rebuilds when it changed."""
    h = hashlib.sha256(PARSER_VERSION.encode())
    for folder in ("dbt_project", "expectations"):
        for f in sorted((ROOT / folder).rglob("*")):
            if f.is_file() and f.suffix in (".sql", ".yml", ".csv", ".py") and "target" not in f.parts:
                h.update(str(f.relative_to(ROOT)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _record_run(con: duckdb.DuckDBPyConnection, stats: IngestStats, *, command: str, started: dt.datetime,
                status: str, version: int | None, message: str | None = None) -> None:
    ensure_schema(con)
    con.execute("delete from raw.ingest_runs where run_id = ?", [stats.run_id])
    con.execute(
        "insert into raw.ingest_runs (run_id, command, started_at, finished_at, files_seen, files_new, "
        "files_changed, files_unchanged, files_failed, files_removed, status, warehouse_version, "
        "parser_version, message, build_fingerprint) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [stats.run_id, command, started, dt.datetime.now(), len(stats.outcomes), stats.count("new"),
         stats.count("changed"), stats.count("unchanged") + stats.count("duplicate"), len(stats.failed),
         len(stats.removed), status, version, PARSER_VERSION, message,
         build_fingerprint() if command == "refresh" else None])


def refresh(corpus: str = DEFAULT_CORPUS, db_path: str = DEFAULT_DB, *, quiet: bool = False,
            jobs: int = 1, wait: bool = False, settings: ReaderSettings = ReaderSettings(),
            build: bool = True, progress: Callable[[int, int], None] | None = None) -> RefreshResult:
    """Ingest new files from ``corpus``, rebuild the marts, run the checks, swap in the result.

    Raises:
        WarehouseBusyError: another refresh holds the lock.
        PipelineError: a step failed; the previous warehouse is untouched.
    """
    if not Path(corpus).exists():
        raise PipelineError(f"corpus folder {corpus} does not exist")
    db = Path(db_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    with WarehouseLock(str(db), wait=wait):
        started = dt.datetime.now()
        stats = IngestStats(run_id=uuid.uuid4().hex[:12])
        if db.exists() and build:
            noop = _refresh_if_nothing_new(db, corpus, settings, stats, started)
            if noop is not None:
                return noop
        work = Path(str(db) + ".next")
        for leftover in (work, Path(str(work) + ".wal")):
            leftover.unlink(missing_ok=True)  # a killed refresh's half-built copy
        if db.exists():
            shutil.copyfile(db, work)
        try:
            con = duckdb.connect(str(work))
            try:
                stats = ingest_paths(con, [corpus], run_id=stats.run_id, settings=settings, jobs=jobs,
                                     progress=progress)
                mark_removed(con, corpus, {o.path for o in stats.outcomes}, stats)
                version = _warehouse_version(con)
                _record_run(con, stats, command="refresh", started=started, status="running", version=version)
                con.execute("checkpoint")
            finally:
                con.close()
            dbt_result = None
            findings: list[dict] = []
            if build:
                from . import transform

                dbt_result = transform.run_dbt_build(str(work), quiet=quiet)
                from expectations.checkpoint import run_checks

                findings = run_checks(str(work))
            con = duckdb.connect(str(work))
            try:
                _record_run(con, stats, command="refresh", started=started, status="succeeded", version=version)
                con.execute("checkpoint")
            finally:
                con.close()
            os.replace(work, db)
            return RefreshResult(stats, findings, dbt_result, version)
        except BaseException as exc:
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            _record_failure(db, stats, started, exc)
            if isinstance(exc, (PipelineError, KeyboardInterrupt)):
                raise
            raise PipelineError(f"refresh failed, the previous warehouse is unchanged: {exc}") from exc


def _refresh_if_nothing_new(db: Path, corpus: str, settings: ReaderSettings, stats: IngestStats,
                            started: dt.datetime) -> RefreshResult | None:
    """When no file is new, changed, unreadable or removed and the marts exist, record the run
    and return without copying, parsing or rebuilding anything."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        if not _has_raw(con) or not con.execute(
                "select count(*) from information_schema.tables where table_schema='main' "
                "and table_name='quality_findings'").fetchall()[0][0]:
            return None
        last = con.execute("select build_fingerprint from raw.ingest_runs where command='refresh' and "
                           "status='succeeded' order by finished_at desc limit 1").fetchall()
        if not last or last[0][0] != build_fingerprint():
            return None
        plan = plan_files(con, [corpus], settings)
        root = str(Path(corpus)).rstrip("/") + "/"
        present = {r[0] for r in con.execute("select source_path from raw.document_paths where is_present").fetchall()}
        removed = [p for p in present if p.startswith(root) and p not in plan.seen_paths]
        if plan.has_work or removed:
            return None
        version = _warehouse_version(con) - 1
        findings = [dict(zip(("document_id", "check_name", "severity"), r)) for r in con.execute(
            "select document_id, check_name, severity from main.quality_findings").fetchall()]
    finally:
        con.close()
    stats.outcomes.extend(plan.done)
    # When a reader holds the file open, record the run on a copy and swap it in, as a full refresh does.
    work = Path(str(db) + ".next")
    try:
        con = duckdb.connect(str(db))
        target = db
    except (duckdb.IOException, duckdb.ConnectionException):
        shutil.copyfile(db, work)
        con = duckdb.connect(str(work))
        target = work
    try:
        _record_run(con, stats, command="refresh", started=started, status="succeeded", version=version,
                    message="nothing new: no file parsed, marts not rebuilt")
    finally:
        con.close()
    if target == work:
        os.replace(work, db)
    return RefreshResult(stats, findings, "skipped (nothing new)", version)


def _record_failure(db: Path, stats: IngestStats, started: dt.datetime, exc: BaseException) -> None:
    """Note a failed run in the live warehouse (best effort: it may be busy or absent)."""
    if not db.exists():
        return
    try:
        con = duckdb.connect(str(db))
        try:
            _record_run(con, stats, command="refresh", started=started, status="failed", version=None,
                        message=str(exc)[:2000])
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - the original error is what matters
        pass


def ingest_only(paths: list[str], db_path: str = DEFAULT_DB, *, jobs: int = 1,
                settings: ReaderSettings = ReaderSettings(),
                progress: Callable[[int, int], None] | None = None) -> IngestStats:
    """Parse and load files into the warehouse directly (no dbt, no checks)."""
    db = Path(db_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    with WarehouseLock(str(db)):
        started = dt.datetime.now()
        con = duckdb.connect(str(db))
        try:
            stats = ingest_paths(con, paths, run_id=uuid.uuid4().hex[:12], settings=settings, jobs=jobs,
                                 progress=progress)
            _record_run(con, stats, command="ingest", started=started, status="succeeded", version=None)
        finally:
            con.close()
    return stats
