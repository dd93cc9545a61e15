"""Parser workers with a wall-time and a memory bound per file.

Each worker is a separate Python process (``python -m ingest.workers``) started with no inherited
descriptors but its two pipes (``close_fds``/``pass_fds``): it never holds the warehouse lock. It
dies with the process that started it (``prctl(PR_SET_PDEATHSIG)`` on Linux, a parent-pid watchdog
elsewhere), so a killed refresh leaves no worker behind.

The parent watches every busy worker: past ``max_parse_seconds`` of wall time, or past
``max_parse_mib`` of resident memory, the worker is killed and that file alone fails with the
reason ('parse exceeded 120 s', 'parse exceeded 1536 MiB'); a worker that dies on its own (the
kernel's OOM killer, a crash in a C library) fails the file it was reading, named. The others go on.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

POLL_SECONDS = 0.05
STARTUP_SECONDS = 120.0  # a worker's start (interpreter and imports) is not counted to a file
PRELOAD = ("ingest.parsing",)  # imported by each worker before it says it is ready
BUFFER_PER_WORKER = 4  # results held for in-order delivery, per worker
PR_SET_PDEATHSIG = 1
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class WorkerFailure:
    """A file whose worker was killed or died: code and message for raw.parse_issues."""

    code: str  # 'parse_timeout' | 'parse_memory' | 'worker_died'
    message: str


def rss_bytes(pid: int) -> int | None:
    """Resident memory of a process (Linux /proc), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


# ---------------------------------------------------------------------------------------------
# The worker side
# ---------------------------------------------------------------------------------------------


def die_with_parent(parent_pid: int) -> None:
    """Be killed when the parent dies: PR_SET_PDEATHSIG on Linux, else a watchdog thread."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def worker_main(task_fd: int, result_fd: int, parent_pid: int) -> None:
    """Serve tasks (``(index, function, argument)``) until the pipe closes or ``None`` comes."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    tasks, results = Connection(task_fd, writable=False), Connection(result_fd, readable=False)
    for module in PRELOAD:
        importlib.import_module(module)
    results.send("ready")
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, func, arg = task
        try:
            out = (index, func(arg))
        except Exception as exc:  # noqa: BLE001 - the job function reports its own errors
            out = (index, WorkerFailure("worker_error", f"unexpected error: {exc!r}"))
        try:
            results.send(out)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            results.send((index, WorkerFailure("worker_error", f"result could not be sent back: {exc!r}")))


# ---------------------------------------------------------------------------------------------
# The parent side
# ---------------------------------------------------------------------------------------------


class _Worker:
    def __init__(self) -> None:
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ingest.workers", str(task_r), str(result_w), str(os.getpid())],
                close_fds=True, pass_fds=(task_r, result_w), stdin=subprocess.DEVNULL)
        finally:
            os.close(task_r)
            os.close(result_w)
        self.tasks = Connection(task_w, readable=False)
        self.results = Connection(result_r, writable=False)
        self.ready = False
        self.started = 0.0
        self.peak = 0

    def submit(self, index: int, func: Callable, arg) -> None:
        """Send a task; the first waits until the worker has started (its imports are not timed)."""
        if not self.ready:
            try:
                ok = self.results.poll(STARTUP_SECONDS) and self.results.recv() == "ready"
            except (EOFError, OSError):
                ok = False
            if not ok:
                self.kill()
                raise OSError(f"a parser worker (python -m ingest.workers) did not start within "
                              f"{STARTUP_SECONDS:g} s; see its error above")
            self.ready = True
        self.started, self.peak = time.monotonic(), 0
        self.tasks.send((index, func, arg))

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.proc.wait()
        self.close()

    def stop(self) -> None:
        try:
            self.tasks.send(None)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.close()

    def close(self) -> None:
        for conn in (self.tasks, self.results):
            try:
                conn.close()
            except OSError:
                pass


def _death_message(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        sig = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else -returncode
        hint = " (out of memory? the kernel's OOM killer sends SIGKILL)" if -returncode == signal.SIGKILL else ""
        return f"the parser process was killed by {sig} while reading this file{hint}"
    return f"the parser process exited (code {returncode}) while reading this file"


def bounded_map(func: Callable, args: list, *, jobs: int, max_seconds: float, max_mib: int,
                on_start: Callable[[int], None] | None = None) -> Iterator:
    """``func(arg)`` for each arg in worker processes, results yielded in the order of ``args``.

    A result is ``func``'s return value, or a :class:`WorkerFailure` when its worker was killed
    for time or memory, or died. ``func`` must be importable by name (it is pickled by reference).
    At most ``jobs`` workers run; results wait for in-order delivery in a bounded buffer.
    """
    limit = max_mib * 1024 * 1024
    idle: list[_Worker] = []
    busy: dict[int, _Worker] = {}  # task index -> worker
    done: dict[int, object] = {}
    next_task = next_out = 0
    buffer = max(1, jobs) * BUFFER_PER_WORKER
    try:
        while next_out < len(args):
            while next_task < len(args) and len(busy) < max(1, jobs) and len(done) + len(busy) < buffer:
                worker = idle.pop() if idle else _Worker()
                worker.submit(next_task, func, args[next_task])
                busy[next_task] = worker
                if on_start:
                    on_start(next_task)
                next_task += 1
            if busy:
                wait([w.results for w in busy.values()], timeout=POLL_SECONDS)
            for index, worker in list(busy.items()):
                outcome = _check(worker, max_seconds, limit)
                if outcome is None:
                    continue
                done[index] = outcome
                del busy[index]
                if worker.proc.returncode is not None:
                    continue  # killed or dead: replaced by a new worker when needed
                if (rss_bytes(worker.proc.pid) or 0) > limit // 2:  # recycle a worker grown fat
                    worker.stop()
                else:
                    idle.append(worker)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for worker in busy.values():
            worker.kill()
        for worker in idle:
            worker.stop()


def _check(worker: _Worker, max_seconds: float, limit: int):
    """The worker's result when it has one; a failure when it died or broke a bound; else None."""
    if worker.results.poll():
        try:
            _, out = worker.results.recv()
        except (EOFError, OSError):
            worker.proc.wait()
            worker.close()
            return WorkerFailure("worker_died", _death_message(worker.proc.returncode))
        return out
    if worker.proc.poll() is not None:
        worker.close()
        return WorkerFailure("worker_died", _death_message(worker.proc.returncode))
    elapsed = time.monotonic() - worker.started
    if elapsed > max_seconds:
        worker.kill()
        return WorkerFailure("parse_timeout", f"parse exceeded {max_seconds:g} s (killed)")
    rss = rss_bytes(worker.proc.pid)
    if rss is not None:
        worker.peak = max(worker.peak, rss)
        if rss > limit:
            worker.kill()
            return WorkerFailure("parse_memory", f"parse exceeded {limit // (1024 * 1024)} MiB (killed)")
    return None


if __name__ == "__main__":
    # Run the function of the imported module, so that what it pickles (WorkerFailure) is named
    # ingest.workers.WorkerFailure for the parent, not __main__.WorkerFailure.
    from ingest.workers import worker_main as _worker_main

    _worker_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
