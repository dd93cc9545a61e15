"""Named stages of a writing command, and the hook the kill tests use to stop a run at one.

Stages: 'recover', 'planning', 'parsing' (in the parser worker, per file), 'loading', 'dbt',
'checks', 'record', 'swap', 'swapped'. A listener (:func:`listening`; the CLI's progress display,
:mod:`ingest.progress`) hears each stage of this process as it starts and the counts of the steps
that count (:func:`advance`: files hashed, dbt nodes built). Two environment variables, read only by the tests
(tests/test_kill.py), make a stage observable; without them :func:`stage` does nothing:

- ``BUDGETWH_TEST_STAGE_LOG=<file>``: each stage's name, pid and start time (Unix seconds) is
  appended as it starts (benchmarks/bench_refresh.py times the steps of a refresh from it);
- ``BUDGETWH_TEST_PAUSE_AT=<stage>`` with ``BUDGETWH_TEST_PAUSE_FILE=<file>``: the first process
  to reach the stage while the file does not exist writes its pid to it and sleeps until it is
  killed (later arrivals go on).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STAGE_LOG = "BUDGETWH_TEST_STAGE_LOG"
PAUSE_AT = "BUDGETWH_TEST_PAUSE_AT"
PAUSE_FILE = "BUDGETWH_TEST_PAUSE_FILE"

Listener = Callable[[str, int | None, int | None], None]  # (stage, done, total)
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener(stage, None, None)`` at each :func:`stage` and ``listener(step, done,
    total)`` at each :func:`advance` of this process while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def advance(step: str, done: int, total: int | None) -> None:
    """Report that ``done`` of ``total`` units of ``step`` are done (to the listeners, if any)."""
    for listener in _listeners:
        listener(step, done, total)


def stage(name: str) -> None:
    """Mark the start of stage ``name`` (see the module docstring)."""
    for listener in _listeners:
        listener(name, None, None)
    log = os.environ.get(STAGE_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name} {os.getpid()} {time.time():.3f}\n")
    if os.environ.get(PAUSE_AT) == name and os.environ.get(PAUSE_FILE):
        try:
            fd = os.open(os.environ[PAUSE_FILE], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        while True:
            time.sleep(60)
