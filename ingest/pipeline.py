"""Ingest files into raw.*, and the whole refresh: ingest → dbt build → checks → swap.

A refresh never writes the live warehouse: it copies it to ``<db>.next``, works there, and
replaces the live file with ``os.replace`` only when every step succeeded. A refresh that fails
or is killed leaves the previous warehouse as it was. One refresh at a time (a lock file).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

from .errors import NotADisclosureError, PipelineError, ReadError, WarehouseBusyError
from .extract import extract
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
    """Read and extract one file's bytes. Raises ReadError (NotADisclosureError included)."""
    doc = bytes_to_document(data, path, settings)
    ex = extract(doc)
    p = ex.profile
    if p.fiscal_year is None and p.disclosure_kind is None and not ex.statements:
        raise NotADisclosureError(path, "no budget or final-accounts title, year or amounts found; "
                                        "not a disclosure")
    return doc, ex


def _parse_job(args: tuple[str, bytes, ReaderSettings]):
    path, data, settings = args
    try:
        return parse_bytes(data, path, settings), None
    except ReadError as exc:
        return None, (exc.code, str(exc), exc.page)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the others
        return None, ("reader_crashed", f"{path}: unexpected error while reading: {exc!r}", None)


def ingest_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[str], *, run_id: str,
                 settings: ReaderSettings = ReaderSettings(), jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> IngestStats:
    """Parse and load every file not already loaded (by content hash). One bad file never stops
    the others: it becomes a parse issue (and a 'rejected' document when it could be hashed)."""
    ensure_schema(con)
    stats = IngestStats(run_id=run_id)
    now = dt.datetime.now()
    known = {r[0]: r[1] for r in con.execute(
        "select document_id, parser_version from raw.documents").fetchall()}
    path_doc = {r[0]: r[1] for r in con.execute(
        "select source_path, document_id from raw.document_paths where is_present").fetchall()}
    todo: list[tuple[str, bytes, str, str | None]] = []  # path, bytes, id, previous id at path
    seen_ids: dict[str, str] = {}
    files = list(iter_files(paths))
    for path in files:
        try:
            data = read_bytes(path, settings)
        except ReadError as exc:
            load_rejected(con, path, exc.code, str(exc), run_id=run_id, now=now)
            stats.outcomes.append(FileOutcome(path, "failed", reason=str(exc)))
            continue
        did = sha256_hex(data)
        previous = path_doc.get(path)
        if did in seen_ids:  # the same bytes under a second name in this run
            record_path(con, did, path, now)
            stats.outcomes.append(FileOutcome(path, "duplicate", did, reason=f"same content as {seen_ids[did]}"))
            continue
        seen_ids[did] = path
        if known.get(did) == PARSER_VERSION:
            record_path(con, did, path, now)
            stats.outcomes.append(FileOutcome(path, "unchanged", did))
            continue
        todo.append((path, data, did, previous if previous != did else None))

    def results():
        args = [(p, d, settings) for p, d, _, _ in todo]
        if jobs > 1 and len(args) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                yield from pool.map(_parse_job, args, chunksize=1)
        else:
            yield from map(_parse_job, args)

    for i, ((path, data, did, previous), (parsed, err)) in enumerate(zip(todo, results()), start=1):
        status = "changed" if previous else "new"
        if err is not None:
            code, message, page = err
            fmt = None
            load_rejected(con, path, code, message, document_id=did, byte_size=len(data),
                          source_format=fmt, run_id=run_id, page=page, now=now)
            stats.outcomes.append(FileOutcome(path, "failed", did, "rejected", message))
        else:
            doc, ex = parsed
            errors = [iss for iss in ex.issues if iss.severity == "error"]
            doc_status = "partial" if errors else "parsed"
            load_document(con, doc, ex, status=doc_status, run_id=run_id, now=now,
                          error="; ".join(e.message for e in errors)[:2000] or None)
            stats.outcomes.append(FileOutcome(path, status, did, doc_status))
        if previous:
            con.execute("update raw.documents set is_current=false, superseded_by=? where document_id=?",
                        [did, previous])
            con.execute("update raw.document_paths set is_present=false where document_id=? and source_path=?",
                        [previous, path])
        if progress:
            progress(i, len(todo))
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

    def __enter__(self) -> "WarehouseLock":
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


def _record_run(con: duckdb.DuckDBPyConnection, stats: IngestStats, *, command: str, started: dt.datetime,
                status: str, version: int | None, message: str | None = None) -> None:
    ensure_schema(con)
    con.execute("delete from raw.ingest_runs where run_id = ?", [stats.run_id])
    con.execute(
        "insert into raw.ingest_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [stats.run_id, command, started, dt.datetime.now(), len(stats.outcomes), stats.count("new"),
         stats.count("changed"), stats.count("unchanged") + stats.count("duplicate"), len(stats.failed),
         len(stats.removed), status, version, PARSER_VERSION, message])


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
        work = Path(str(db) + ".next")
        for leftover in (work, Path(str(work) + ".wal")):
            leftover.unlink(missing_ok=True)  # a killed refresh's half-built copy
        if db.exists():
            shutil.copyfile(db, work)
        started = dt.datetime.now()
        stats = IngestStats(run_id=uuid.uuid4().hex[:12])
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
                from .transform import run_dbt_build

                dbt_result = run_dbt_build(str(work), quiet=quiet)
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
