"""dbt imported in the background while a refresh copies, plans, parses and loads (stdlib only).

The modules a refresh imports in the background: dbt only. Great Expectations (~200 MiB once
imported) is imported by the checks: in a process of their own for a small refresh
(:mod:`expectations.process`), after the dbt build otherwise. Imported beside the build in this
process it raised the peak memory of a full refresh at 2,000 documents from ~690 to ~850 MiB,
and on 2 cores its import slowed the parse and the build by about what it saved.
"""

from __future__ import annotations

import sys
import threading

BACKGROUND_TOOLS = ("dbt.cli.main",)

_thread: threading.Thread | None = None


def import_build_tools_in_background() -> threading.Thread | None:
    """Start importing dbt (:data:`BACKGROUND_TOOLS`) in a thread; the thread already importing
    when one was started; None when imported already.

    A refresh that will build starts it once it knows it has something to do (after the check for
    nothing new) and joins it before the dbt build: the seconds of dbt's import
    (benchmarks/bench_startup.py) then overlap the copy, the hashing and the parser workers,
    during which the main thread mostly waits. (Started earlier, in the CLI, it only competed with
    the main thread's own Python for the interpreter lock: no faster in five runs, and a refresh
    with nothing new paid for it.) The main thread does not
    import dbt while the thread does, and a second call returns the running thread, so two never
    race for a half-imported module; an import that fails there fails again, with its error, in
    the main thread.
    """
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    if all(name in sys.modules for name in BACKGROUND_TOOLS):
        return None

    def run() -> None:
        try:
            import dbt.cli.main  # noqa: F401
        except BaseException:  # noqa: BLE001, S110 - the main thread's own import reports it
            pass

    _thread = threading.Thread(target=run, name="budgetwh-import-build-tools", daemon=True)
    _thread.start()
    return _thread
