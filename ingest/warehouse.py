"""The warehouse file on disk: the lock, the working copy, the swap, and what a killed run left.

Every command that writes works on a copy (``<db>.next``) and swaps it in with ``os.replace``
(fsync'd before and after), so a kill at any moment leaves either the previous warehouse or the
new one. At the start of every writing command, under the lock:

- a stale ``<db>.next`` (and its ``.wal``) from a killed run is deleted: it was never live;
- a ``<db>.wal`` beside the live file belongs to the live file (a write killed before its
  checkpoint): it is replayed and checkpointed into the file, never dropped, so that the copy
  holds its data and no WAL is left beside a swapped-in file;
- a warehouse held open for writing by another program is refused with its name and pid.

The lock is a ``flock`` on ``<db>.lock``, opened close-on-exec: it dies with its owner, and the
parser workers (started with no inherited descriptors, see :mod:`ingest.workers`) never hold it.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import duckdb

from .errors import PipelineError, WarehouseBusyError, WarehouseHeldError

WORK_SUFFIX = ".next"
DIR_NAME = ".budgetwh"

#: The storage format the warehouse is written in. DuckDB 2.0 writes storage version 69 by
#: default, which the 1.x clients analysts have refuse ("can only read versions between 64 and
#: 68": the duckdb CLI 1.5 from PyPI, DBeaver's JDBC driver, R's duckdb). A file created with this
#: compatibility version keeps it through later writes by any 2.x connection, and 1.4+ clients
#: read it. Raise it only when a feature the warehouse needs requires a newer format.
STORAGE_COMPATIBILITY = "v1.4.0"


# ---------------------------------------------------------------------------------------------
# Working folders beside the warehouse
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarehouseDirs:
    """The per-warehouse working folders: ``<db-dir>/.budgetwh/<db-name>/…``, so two warehouses
    built from one checkout never share dbt's target, its logs or the Data Docs."""

    root: Path

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt-target"

    @property
    def dbt_logs(self) -> Path:
        return self.root / "dbt-logs"

    @property
    def data_docs(self) -> Path:
        return self.root / "data_docs"

    @property
    def hashes(self) -> Path:
        """The corpus files' sha256 by stat (:mod:`ingest.hashcache`)."""
        return self.root / "hashes.json"

    @property
    def figures(self) -> Path:
        """The notebooks' charts (PNG), unless BUDGETWH_FIGURES names another folder."""
        return self.root / "figures"


def warehouse_dirs(db_path: str | Path) -> WarehouseDirs:
    """The working folders of the warehouse at ``db_path`` (not created here)."""
    db = Path(db_path).resolve()
    return WarehouseDirs(db.parent / DIR_NAME / db.name)


# ---------------------------------------------------------------------------------------------
# Errors of the file system, as one line
# ---------------------------------------------------------------------------------------------


def os_error_to_message(exc: OSError, what: str) -> str:
    """A one-line message for an OSError met while doing ``what`` (names the path)."""
    where = exc.filename or ""
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device while {what} ({where})"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        folder = Path(where).parent if where else "?"
        kind = "read-only" if exc.errno == errno.EROFS else "not writable"
        return f"cannot write while {what}: the folder {folder} is {kind} ({exc.strerror})"
    return f"{what} failed: {exc.strerror or exc} ({where})"


# ---------------------------------------------------------------------------------------------
# The lock
# ---------------------------------------------------------------------------------------------


class WarehouseLock:
    """An exclusive lock beside the warehouse file, held for the whole write."""

    def __init__(self, db_path: str, wait: bool = False):
        self.path = db_path + ".lock"
        self.wait = wait
        self.fd: int | None = None

    def __enter__(self) -> Self:
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise PipelineError(os_error_to_message(exc, f"creating the lock file {self.path}")) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise WarehouseBusyError(
                f"another refresh of {self.path[:-5]} is running ({holder}); wait for it to finish "
                f"or run again with --wait") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S}".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def lock_holder(db_path: str | Path) -> str | None:
    """Who holds the warehouse lock right now ('pid N since …'), None when nobody does."""
    try:
        fd = os.open(str(db_path) + ".lock", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
    finally:
        os.close(fd)  # closing releases a lock taken here
    return None


# ---------------------------------------------------------------------------------------------
# Who holds the file
# ---------------------------------------------------------------------------------------------

_DUCKDB_HOLDER_RE = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")


def holders_of(path: str | Path) -> list[str]:
    """Other processes that have ``path`` open, as 'name (pid N)' (Linux /proc; [] elsewhere)."""
    target = os.path.realpath(path)
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == target:
                    name = (entry / "comm").read_text().strip()
                    found.append(f"{name} (pid {entry.name})")
                    break
            except OSError:
                continue
    return found


def _holder_from(exc: Exception, db: Path) -> str:
    m = _DUCKDB_HOLDER_RE.search(str(exc))
    if m:
        return f"{os.path.basename(m.group('exe'))} (pid {m.group('pid')})"
    return ", ".join(holders_of(db)) or "another program"


def is_lock_conflict(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def held_error(db: Path, exc: Exception) -> WarehouseHeldError:
    return WarehouseHeldError(
        f"the warehouse {db} is held open for writing by {_holder_from(exc, db)}; close it there "
        f"(or open it read-only) and run again")


def ensure_not_held(db: Path) -> None:
    """Raise :class:`WarehouseHeldError` when another program holds ``db`` open for writing."""
    if not db.exists():
        return
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.Error as exc:
        if is_lock_conflict(exc):
            raise held_error(db, exc) from exc
        raise PipelineError(f"the warehouse {db} cannot be opened: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# What a killed run left
# ---------------------------------------------------------------------------------------------


def work_path(db: Path) -> Path:
    return Path(str(db) + WORK_SUFFIX)


def wal_path(db: Path) -> Path:
    return Path(str(db) + ".wal")


def recover(db: Path) -> list[str]:
    """Clean up after a killed run (call under the lock); what was done, for the run's message.

    Raises:
        WarehouseHeldError: another program holds the warehouse open for writing.
        PipelineError: the live file's WAL cannot be replayed (it is left in place, untouched).
    """
    done = []
    work = work_path(db)
    for leftover in (work, wal_path(work)):
        if leftover.exists():
            leftover.unlink()
            done.append(f"removed {leftover.name} left by a killed run")
    if wal_path(db).exists() and db.exists():
        try:
            con = connect_writable(db)
        except duckdb.Error as exc:
            if is_lock_conflict(exc):
                raise held_error(db, exc) from exc
            raise PipelineError(f"the warehouse's write-ahead log {wal_path(db)} cannot be replayed "
                                f"({_first_line(exc)}); it was left in place") from exc
        try:
            con.execute("checkpoint")
        finally:
            con.close()
        done.append(f"checkpointed {wal_path(db).name} left by a killed write into {db.name}")
    ensure_not_held(db)
    return done


# ---------------------------------------------------------------------------------------------
# Copy and swap
# ---------------------------------------------------------------------------------------------


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, (os.O_RDONLY | os.O_DIRECTORY) if directory else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect_writable(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (or create) a warehouse file for writing; a new file gets ``STORAGE_COMPATIBILITY``."""
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY})


def storage_version(path: str | Path) -> str | None:
    """The storage format of the DuckDB file at ``path`` as DuckDB tags it (``'v1.4.0+'``), or
    None when it cannot be told (the file is held by a writer, or is not a DuckDB file)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select tags['storage_version'] from duckdb_databases() "
                          "where database_name = current_database()").fetchone()
    finally:
        con.close()
    return row[0] if row and row[0] else None


def _version_key(tag: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", tag)[:3])


def needs_storage_migration(db: Path) -> bool:
    """True when the warehouse at ``db`` was written in a newer format than 1.x clients read
    (a warehouse built before the format was pinned), so the next write rewrites it."""
    if not db.exists():
        return False
    tag = storage_version(db)
    return tag is not None and _version_key(tag) > _version_key(STORAGE_COMPATIBILITY)


def _migrate_to_work(db: Path, work: Path) -> None:
    """Write ``work`` as a copy of every schema, table, view and macro of ``db`` in the
    ``STORAGE_COMPATIBILITY`` format (``COPY FROM DATABASE``; paths are parameters)."""
    con = duckdb.connect()
    try:
        con.execute("attach ? as live (read_only)", [str(db)])
        con.execute(f"attach ? as work (storage_version '{STORAGE_COMPATIBILITY}')", [str(work)])
        con.execute("copy from database live to work")
        con.execute("detach work")
    finally:
        con.close()


def copy_to_work(db: Path) -> Path:
    """Copy the live warehouse to ``<db>.next`` (an empty start when there is none yet).

    A warehouse written in a newer storage format than ``STORAGE_COMPATIBILITY`` (built before
    the format was pinned) is rewritten in that format instead of copied byte for byte.

    Raises:
        PipelineError: the copy failed (a full disk, a read-only folder); no partial copy is left.
    """
    work = work_path(db)
    if not db.exists():
        return work
    try:
        if needs_storage_migration(db):
            _migrate_to_work(db, work)
        else:
            shutil.copyfile(db, work)
        _fsync_path(work)
    except duckdb.Error as exc:
        discard(work)
        raise PipelineError(f"rewriting {db.name} in storage format {STORAGE_COMPATIBILITY} "
                            f"failed ({_first_line(exc)}); the warehouse is unchanged") from exc
    except OSError as exc:
        work.unlink(missing_ok=True)
        message = os_error_to_message(exc, f"copying {db.name} to {work.name}")
        if exc.errno == errno.ENOSPC:
            free = shutil.disk_usage(db.parent).free
            message += f": the copy needs {db.stat().st_size:,} bytes, {free:,} bytes are free"
        raise PipelineError(message) from exc
    return work


def checkpoint_file(path: Path) -> None:
    """Fold a file's WAL into it (a closed DuckDB file normally has none)."""
    if wal_path(path).exists():
        con = connect_writable(path)
        try:
            con.execute("checkpoint")
        finally:
            con.close()


def swap_in(work: Path, db: Path) -> None:
    """Replace the live warehouse by ``work``, durably.

    Raises:
        PipelineError: another program wrote the live file meanwhile (its WAL appeared), or the
            rename failed.
    """
    checkpoint_file(work)
    if wal_path(db).exists():
        raise PipelineError(f"{wal_path(db)} appeared during the run: another program wrote to the "
                            f"warehouse; the refresh's result was not swapped in")
    try:
        _fsync_path(work)
        os.replace(work, db)
        _fsync_path(db.parent, directory=True)
    except OSError as exc:
        raise PipelineError(os_error_to_message(exc, f"replacing {db.name} by {work.name}")) from exc


def discard(work: Path) -> None:
    """Delete a working copy and its WAL (best effort)."""
    for leftover in (work, wal_path(work)):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass
