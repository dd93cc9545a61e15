"""DuckDB connections for SQL the project did not write: the query sandbox.

``budgetwh query`` runs SQL an analyst types, and the notebooks, ``check``, ``status`` and
``export`` read the warehouse on behalf of people who are not its operators. Their connections
are opened by :func:`connect_sandboxed`:

- read-only (no INSERT, CREATE, UPDATE, DROP on the warehouse);
- ``enable_external_access=false``: no file outside the warehouse is read or written
  (``read_csv``, ``read_text``, ``glob``, ``COPY … TO``, ``EXPORT DATABASE``, ``ATTACH``,
  URLs, Python replacement scans), except under the one folder an export names
  (``writable_dir``) and the connection's own private spill folder;
- no extension installed or loaded from disk (only those built into the duckdb package),
  no persistent secrets;
- ``lock_configuration=true``: no ``SET`` / ``RESET`` / ``PRAGMA`` can undo any of this.

What stays allowed: every ``SELECT`` (and ``SHOW``, ``DESCRIBE``, ``SUMMARIZE``, ``EXPLAIN``) on
the warehouse's tables and views, with all of DuckDB's built-in functions. See docs/security.md.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import duckdb

# Set when the connection opens (these cannot be changed later once the configuration is locked).
OPEN_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "allow_persistent_secrets": False,
}
# Set right after, in this order: the last one locks everything.
LOCK_STATEMENTS = ("set enable_external_access = false", "set lock_configuration = true")

SANDBOX_HINT = ("budgetwh query reads the warehouse and nothing else: no writes, no files, no ATTACH, "
                "no extensions, no settings (see docs/security.md)")

_spill_dirs: list[str] = []
SPILL_PREFIX = "budgetwh-query-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_spill_dirs(folder: str | None = None) -> list[str]:
    """Remove the spill folders of this user's processes that are gone (a process that ended
    without running its exit handlers: killed, or a notebook kernel leaving by ``os._exit``).
    Returns the folders removed. A folder's name carries its process id
    (``budgetwh-query-<pid>-…``); one of another user, or of a live process, is left alone."""
    folder = folder or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for name in names:
        if not name.startswith(SPILL_PREFIX):
            continue
        pid_text = name[len(SPILL_PREFIX):].split("-", 1)[0]
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not pid_text.isdigit() or (uid is not None and st.st_uid != uid) or not os.path.isdir(path) \
                or os.path.islink(path) or int(pid_text) == os.getpid() or _pid_alive(int(pid_text)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _private_spill_dir() -> str:
    """An empty folder of this process for DuckDB's spill files (removed at exit; the folders of
    processes that ended without removing theirs are removed here), so the folder DuckDB may
    write into is not one another program reads."""
    sweep_spill_dirs()
    path = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
    if not _spill_dirs:
        atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in _spill_dirs])
    _spill_dirs.append(path)
    return path


def connect_sandboxed(db_path: str | os.PathLike, writable_dir: str | os.PathLike | None = None
                      ) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only with external access off and the configuration locked.

    Args:
        db_path: the warehouse file.
        writable_dir: a folder the connection may write into (and read back), for ``COPY … TO``
            an export; None for none.

    Raises:
        duckdb.Error: the warehouse cannot be opened (missing, held by a writer, not DuckDB).
    """
    config = dict(OPEN_CONFIG, temp_directory=_private_spill_dir())
    con = duckdb.connect(str(db_path), read_only=True, config=config)
    try:
        if writable_dir is not None:
            folder = os.path.realpath(writable_dir).rstrip(os.sep) + os.sep
            con.execute("set allowed_directories = $1", [[folder]])
        for statement in LOCK_STATEMENTS:
            con.execute(statement)
        locked = con.execute("select current_setting('enable_external_access'), "
                             "current_setting('lock_configuration')").fetchone()
        if locked != (False, True):  # pragma: no cover - a duckdb that ignored the settings
            raise duckdb.InvalidInputException(f"the query sandbox could not be set up (got {locked})")
    except BaseException:
        con.close()
        raise
    return con


def is_refusal(exc: BaseException) -> bool:
    """Whether a duckdb error is the sandbox refusing something (not a mistake in the SQL)."""
    text = str(exc)
    return (isinstance(exc, duckdb.PermissionException)
            or "configuration has been locked" in text
            or "disabled through configuration" in text
            or "disabled by configuration" in text
            or "in read-only mode" in text)


def refusal_message(exc: BaseException) -> str:
    """One line saying what was refused and why."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"refused: {first.rstrip('.!')}. {SANDBOX_HINT}"


def quote_identifier(name: str) -> str:
    """``name`` as a DuckDB identifier (double quotes, inner quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'

