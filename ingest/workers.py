"""Parser workers with a wall-time and a memory bound per file.

Each worker is a separate Python process (``python -m ingest.workers``) started with no inherited
descriptors but its two pipes (``close_fds``/``pass_fds``): it never holds the warehouse lock. It
dies with the process that started it (``prctl(PR_SET_PDEATHSIG)`` on Linux, a parent-pid watchdog
elsewhere), so a killed refresh leaves no worker behind.

Workers are long-lived: each reads file after file. They are forked from one process, the zygote
(``python -m ingest.workers --zygote``), that imported the parser and read its rules once
(:func:`prepare_parser`): a worker is ready as soon as it is forked, and the parser's import (~0.3 s
of CPU) and warm-up (~0.1 s) are paid once per run, not once per worker. The zygote forks a worker
when asked (a replacement too), tells the parent its pid and, when it ends, its exit status; it dies
with the parent, and its workers with it. A command that knows it will parse can start them earlier
still (:func:`prestart`), so that the zygote's start runs while it imports the pipeline and plans
the run. A thread of the parent (the dispatcher) feeds them and watches every busy one:
past ``max_parse_seconds`` of wall time, or past ``max_parse_mib`` of resident memory, the worker
is killed and that file alone fails with the reason ('parse exceeded 120 s', 'parse exceeded
1536 MiB'), and a new worker takes its place; a worker that dies on its own (the kernel's OOM
killer, a crash in a C library) fails the file it was reading, named. The others go on. The
dispatcher keeps the workers busy while the parent loads what they returned.
"""

from __future__ import annotations

import atexit
import collections
import ctypes
import gc
import importlib
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Self

POLL_SECONDS = 0.05
STARTUP_SECONDS = 120.0  # a worker's start (interpreter and imports) is not counted to a file
# imported by each worker before it says it is ready: the parser, and what the PDF reader imports
# when it reads its first PDF (numpy, PDFium), so that it is made before the worker's gc.freeze
PRELOAD = ("ingest.parsing", "ingest.readers.pdf_chars", "pypdfium2")
# ... and called: what the parser reads or compiles on its first document (its rule files, the
# region list), done once in the zygote rather than in each worker's first file
WARM_UP = ("ingest.parsing:warm_up",)
# A worker's environment: numpy's OpenBLAS starts no thread pool (the parser does no linear
# algebra; its start costs ~0.05 s of CPU per process importing numpy). Set by the user, it stays.
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1"}
BUFFER_PER_WORKER = 8  # results running or waiting to be taken, per worker
PR_SET_PDEATHSIG = 1
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Workers are forked by a zygote where it has what it needs (sequenced-packet Unix sockets, waitid
# without reaping, PR_SET_PDEATHSIG): Linux. Elsewhere each worker is a process of its own.
USE_ZYGOTE = sys.platform.startswith("linux")


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


def die_with_parent(parent_pid: int, watchdog: bool = True) -> None:
    """Be killed when the parent dies: PR_SET_PDEATHSIG on Linux, and a watchdog thread (without
    ``watchdog``, only where PR_SET_PDEATHSIG cannot be set: the zygote forks, and keeps to one
    thread)."""
    deathsig = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            deathsig = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)
    if deathsig and not watchdog:
        return

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def prepare_parser() -> None:
    """Import the parser (:data:`PRELOAD`) and warm it up (:data:`WARM_UP`)."""
    for module in PRELOAD:
        importlib.import_module(module)
    for name in WARM_UP:
        module, _, func = name.partition(":")
        getattr(importlib.import_module(module), func)()
    # What the imports made lives as long as the worker: out of the collector's sight, a full
    # collection (a few per corpus, as documents come and go) walks only the documents' objects
    # (~50 ms less each). Frozen before the zygote forks, it stays so in every worker.
    gc.collect()
    gc.freeze()


def worker_main(task_fd: int, result_fd: int, parent_pid: int, prepared: bool = False) -> None:
    """Serve tasks (``(index, function, argument)``) until the pipe closes or ``None`` comes.
    ``prepared``: the parser is imported already (a worker forked by the zygote)."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    tasks, results = Connection(task_fd, writable=False), Connection(result_fd, readable=False)
    if not prepared:
        prepare_parser()
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


# The zygote's messages, one a datagram (SOCK_SEQPACKET): to it, FORK (with the worker's two pipe
# ends) and REAP pid; from it, FORKED pid (in the order asked) and EXITED pid code (Popen's
# returncode: the exit status, or minus the signal that killed it).
_TO_ZYGOTE, _FROM_ZYGOTE = struct.Struct("!ci"), struct.Struct("!cii")
FORK, REAP, FORKED, EXITED = b"F", b"R", b"P", b"X"


def _exit_code(info: os.waitid_result) -> int:
    if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
        return -info.si_status
    return info.si_status


def zygote_main(sock_fd: int, parent_pid: int) -> None:
    """Prepare the parser, then fork a worker for each FORK the parent sends (the worker's pipes come
    with it) until the parent closes the socket; report each worker's pid, and its exit status when
    it ends. An ended worker stays a zombie until the parent has its status (REAP): its pid is not
    reused while the parent may still signal it. Single-threaded (it forks)."""
    die_with_parent(parent_pid, watchdog=False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=sock_fd)
    prepare_parser()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)  # a child's end (SIGCHLD) wakes the select below
    signal.signal(signal.SIGCHLD, lambda *_: None)
    me = os.getpid()
    children: set[int] = set()
    reported: set[int] = set()
    while True:
        ready, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in ready:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        if sock in ready:
            try:
                msg, fds, _, _ = socket.recv_fds(sock, _TO_ZYGOTE.size, 2)
            except OSError:
                msg, fds = b"", []
            if len(msg) != _TO_ZYGOTE.size:
                break  # the parent closed the socket (or died)
            op, pid = _TO_ZYGOTE.unpack(msg)
            if op == FORK and len(fds) == 2:
                pid = os.fork()
                if pid == 0:
                    status = 1
                    try:
                        sock.close()
                        signal.set_wakeup_fd(-1)
                        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                        os.close(wake_r)
                        os.close(wake_w)
                        worker_main(fds[0], fds[1], me, prepared=True)
                        status = 0
                    finally:
                        flush_and_exit(status)
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                if not _send(sock, _FROM_ZYGOTE.pack(FORKED, pid, 0)):
                    break
            elif op == REAP and pid in children:
                os.waitpid(pid, 0)
                children.discard(pid)
                reported.discard(pid)
        gone = False
        for pid in children - reported:
            info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if info is not None:
                reported.add(pid)
                gone = not _send(sock, _FROM_ZYGOTE.pack(EXITED, pid, _exit_code(info))) or gone
        if gone:
            break
    for pid in children:  # the parent is done with them (it stops its workers before)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _send(sock: socket.socket, msg: bytes) -> bool:
    """Send one message to the parent; False when it is gone."""
    try:
        sock.send(msg)
    except OSError:
        return False
    return True


def flush_and_exit(status: int) -> None:
    """End with ``status`` without the interpreter's teardown of the modules (a worker's numpy,
    pypdfium2 and parser: ~30 ms that the parent waits for at the end of every run); what was
    printed is flushed. The caller holds no file open for writing."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


# ---------------------------------------------------------------------------------------------
# The parent side
# ---------------------------------------------------------------------------------------------


class _Zygote:
    """The parent's end of a zygote: asks it for workers, and hears their pids and exits."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ingest.workers", "--zygote", str(theirs.fileno()), str(os.getpid())],
                close_fds=True, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                env={**WORKER_ENV, **os.environ})
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        self.asked: collections.deque[_ForkedProcess] = collections.deque()  # waiting for their pid
        self.exits: dict[int, int] = {}  # pid -> returncode, reported and not yet taken
        self.gone = False  # the zygote ended: its workers died with it

    def fork(self) -> tuple[_ForkedProcess, int, int]:
        """A new worker: its process and the parent's ends of its pipes (tasks, results)."""
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        proc = _ForkedProcess(self)
        try:
            with self.lock:
                socket.send_fds(self.sock, [_TO_ZYGOTE.pack(FORK, 0)], [task_r, result_w])
                self.asked.append(proc)
        except OSError:
            os.close(task_w)
            os.close(result_r)
            raise
        finally:
            os.close(task_r)
            os.close(result_w)
        return proc, task_w, result_r

    def collect(self, timeout: float | None = 0.0) -> None:
        """Take what the zygote reported, waiting up to ``timeout`` (None: no limit) for a first."""
        with self.lock:
            wait_for = timeout
            while not self.gone and select.select([self.sock], [], [], wait_for)[0]:
                wait_for = 0.0
                try:
                    msg = self.sock.recv(_FROM_ZYGOTE.size)
                except OSError:
                    msg = b""
                if len(msg) != _FROM_ZYGOTE.size:
                    self.gone = True
                    break
                op, pid, code = _FROM_ZYGOTE.unpack(msg)
                if op == FORKED:
                    self.asked.popleft().forked(pid)
                elif op == EXITED:
                    self.exits[pid] = code

    def reap(self, pid: int) -> None:
        with self.lock:
            try:
                self.sock.send(_TO_ZYGOTE.pack(REAP, pid))
            except OSError:
                pass

    def close(self) -> None:
        """End the zygote (its workers still running are killed)."""
        with self.lock:
            self.sock.close()
            self.gone = True
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _ForkedProcess:
    """A worker forked by the zygote, with what the parent uses of ``subprocess.Popen``: ``pid``,
    ``returncode``, ``poll()``, ``wait()``, ``kill()``."""

    def __init__(self, zygote: _Zygote) -> None:
        self.zygote = zygote
        self._pid: int | None = None
        self.returncode: int | None = None

    def forked(self, pid: int) -> None:
        self._pid = pid

    @property
    def pid(self) -> int | None:
        """The worker's pid, once the zygote forked it (None when it never was)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while self._pid is None and not self.zygote.gone and time.monotonic() < deadline:
            self.zygote.collect(POLL_SECONDS)
        return self._pid

    def poll(self) -> int | None:
        if self.returncode is None:
            self.zygote.collect()
            if self._pid is not None and self._pid in self.zygote.exits:
                self.returncode = self.zygote.exits.pop(self._pid)
                self.zygote.reap(self._pid)
            elif self.zygote.gone:  # it died with the zygote (PR_SET_PDEATHSIG), or was never forked
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
            if left <= 0:
                raise subprocess.TimeoutExpired("ingest.workers (forked)", timeout)
            self.zygote.collect(left)
        return self.returncode

    def kill(self) -> None:
        # Safe from pid reuse: the zygote keeps an ended worker as a zombie until it is reaped here.
        if self.poll() is None and self.pid is not None and not self.zygote.gone:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class _Worker:
    """A parser worker: forked by ``zygote``, or without one a process of its own."""

    def __init__(self, zygote: _Zygote | None = None) -> None:
        self.proc: subprocess.Popen | _ForkedProcess
        if zygote is not None:
            self.proc, task_w, result_r = zygote.fork()
        else:
            task_r, task_w = os.pipe()
            result_r, result_w = os.pipe()
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "ingest.workers", str(task_r), str(result_w), str(os.getpid())],
                    close_fds=True, pass_fds=(task_r, result_w), stdin=subprocess.DEVNULL,
                    env={**WORKER_ENV, **os.environ})
            finally:
                os.close(task_r)
                os.close(result_w)
        self.tasks = Connection(task_w, readable=False)
        self.results = Connection(result_r, writable=False)
        self.ready = False
        self.started = 0.0
        self.peak = 0

    def submit(self, index: int, func: Callable, arg, stopping: threading.Event | None = None) -> None:
        """Send a task; the first waits until the worker has started (its imports are not timed),
        or until ``stopping`` is set."""
        if not self.ready:
            deadline = time.monotonic() + STARTUP_SECONDS
            ok = False
            try:
                while time.monotonic() < deadline and not (stopping and stopping.is_set()):
                    if self.results.poll(POLL_SECONDS):
                        ok = self.results.recv() == "ready"
                        break
                    if self.proc.poll() is not None:
                        break
            except (EOFError, OSError):
                ok = False
            if not ok:
                self.kill()
                if stopping and stopping.is_set():
                    raise InterruptedError("stopped while a parser worker started")
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
        self.ask_to_stop()
        self.wait_stopped()

    def ask_to_stop(self) -> None:
        """Tell the worker to end after its task (:meth:`wait_stopped` waits for it)."""
        try:
            self.tasks.send(None)
        except OSError:
            pass

    def wait_stopped(self) -> None:
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


_prestarted: list[_Worker] = []  # started by prestart(), taken by the next bounded_map
_zygote: _Zygote | None = None  # the workers' zygote, while prestarted workers or a map need it
_maps = 0  # bounded_map dispatchers running
_zygote_lock = threading.Lock()


def _new_forked_worker() -> _Worker:
    """A worker forked by the zygote (started now if there is none, or it died)."""
    global _zygote
    if not USE_ZYGOTE:
        return _Worker()
    with _zygote_lock:
        if _zygote is None or _zygote.gone:
            if _zygote is not None:
                _zygote.close()
            _zygote = _Zygote()
        zygote = _zygote
    return _Worker(zygote)


def _release_zygote() -> None:
    """End the zygote once no prestarted worker or running map needs it."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or _prestarted or _maps:
            return
        zygote, _zygote = _zygote, None
    zygote.close()


def prestart(jobs: int) -> None:
    """Start ``jobs`` parser workers now, for the next :func:`bounded_map` to take: their start
    (the zygote's interpreter and imports, some 0.4 s) then runs while this process imports the
    pipeline and plans. Those no map takes are stopped by :func:`stop_prestarted` (at the
    latest when this process exits)."""
    atexit.unregister(stop_prestarted)  # registered once however often this runs
    atexit.register(stop_prestarted)
    while len(_prestarted) < jobs:
        _prestarted.append(_new_forked_worker())


def stop_prestarted() -> None:
    """Stop the workers :func:`prestart` started that no map took (and their zygote, unless a map
    still runs)."""
    while _prestarted:
        _prestarted.pop().stop()
    _release_zygote()


def _new_worker() -> _Worker:
    """A started worker: one :func:`prestart` started, else a new one."""
    try:
        return _prestarted.pop()
    except IndexError:
        return _new_forked_worker()


def _death_message(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        sig = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else -returncode
        hint = " (out of memory? the kernel's OOM killer sends SIGKILL)" if -returncode == signal.SIGKILL else ""
        return f"the parser process was killed by {sig} while reading this file{hint}"
    return f"the parser process exited (code {returncode}) while reading this file"


class _Dispatcher(threading.Thread):
    """Keeps the workers busy, whatever the consumer of the results is doing (loading the last
    batch into DuckDB): submits tasks while fewer than ``buffer`` results are pending (running or
    done, not yet taken), watches the bounds of every busy worker, and files each outcome by
    its task index. Owns the workers: they are stopped (killed when busy) when it ends."""

    def __init__(self, func: Callable, args: list, *, jobs: int, max_seconds: float, limit: int,
                 buffer: int, on_start: Callable[[int], None] | None) -> None:
        super().__init__(daemon=True, name="parser-dispatch")
        self.func, self.args, self.jobs = func, args, max(1, jobs)
        self.max_seconds, self.limit, self.buffer, self.on_start = max_seconds, limit, buffer, on_start
        self.cond = threading.Condition()
        self.done: dict[int, object] = {}  # guarded by cond
        self.taken = 0  # results the consumer has taken (guarded by cond)
        self.error: BaseException | None = None
        self.finished = False
        self.stopping = threading.Event()

    def run(self) -> None:
        global _maps
        idle: list[_Worker] = []
        busy: dict[int, _Worker] = {}  # task index -> worker
        next_task = 0
        with _zygote_lock:
            _maps += 1
        try:
            # every worker needed at once (forked by the zygote when it is ready)
            idle = [_new_worker() for _ in range(min(self.jobs, len(self.args)))]
            while not self.stopping.is_set():
                with self.cond:
                    pending = next_task - self.taken
                    if next_task >= len(self.args) and not busy:
                        break
                while next_task < len(self.args) and len(busy) < self.jobs and pending < self.buffer:
                    worker = idle.pop() if idle else _new_forked_worker()
                    worker.submit(next_task, self.func, self.args[next_task], self.stopping)
                    busy[next_task] = worker
                    if self.on_start:
                        self.on_start(next_task)
                    next_task += 1
                    pending += 1
                if not busy:
                    with self.cond:  # the buffer is full: wait for the consumer
                        self.cond.wait(POLL_SECONDS)
                    continue
                wait([w.results for w in busy.values()], timeout=POLL_SECONDS)
                for index, worker in list(busy.items()):
                    outcome = _check(worker, self.max_seconds, self.limit)
                    if outcome is None:
                        continue
                    del busy[index]
                    with self.cond:
                        self.done[index] = outcome
                        self.cond.notify_all()
                    if worker.proc.returncode is not None:
                        continue  # killed or dead: replaced by a new worker when needed
                    if (rss_bytes(worker.proc.pid) or 0) > self.limit // 2:  # recycle a worker grown fat
                        worker.stop()
                    else:
                        idle.append(worker)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            self.error = exc
        finally:
            for worker in busy.values():
                worker.kill()
            for worker in idle:  # all told first, then waited for: they end side by side
                worker.ask_to_stop()
            for worker in idle:
                worker.wait_stopped()
            with _zygote_lock:
                _maps -= 1
            _release_zygote()
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def is_done(self, index: int) -> bool:
        """Whether the outcome of task ``index`` is there to take (without waiting)."""
        with self.cond:
            return index in self.done or self.error is not None or self.finished

    def take(self, index: int):
        """The outcome of task ``index``, waiting for it; raises what stopped the dispatcher."""
        with self.cond:
            while index not in self.done:
                if self.error is not None:
                    raise self.error
                if self.finished:
                    raise RuntimeError(f"parser dispatch ended without the result of task {index}")
                self.cond.wait(POLL_SECONDS)
            self.taken = index + 1
            self.cond.notify_all()
            return self.done.pop(index)


class BoundedMap:
    """The results of :func:`bounded_map`, in the order of its arguments; the workers start
    when it is made. ``close()`` (or leaving a ``with`` block) stops them, killing the busy ones."""

    def __init__(self, dispatcher: _Dispatcher | None, n: int) -> None:
        self._dispatcher, self._n, self._next = dispatcher, n, 0

    def __iter__(self) -> Self:
        return self

    def __next__(self):
        if self._next >= self._n or self._dispatcher is None:
            self.close()
            raise StopIteration
        try:
            out = self._dispatcher.take(self._next)
        except BaseException:
            self.close()
            raise
        self._next += 1
        return out

    def next_is_ready(self) -> bool:
        """Whether the next result can be taken without waiting for a worker."""
        return self._dispatcher is None or self._next >= self._n or self._dispatcher.is_done(self._next)

    def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.stopping.set()
            self._dispatcher.join()
            self._dispatcher = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def bounded_map(func: Callable, args: list, *, jobs: int, max_seconds: float, max_mib: int,
                on_start: Callable[[int], None] | None = None) -> BoundedMap:
    """``func(arg)`` for each arg in worker processes, results in the order of ``args``.

    A result is ``func``'s return value, or a :class:`WorkerFailure` when its worker was killed
    for time or memory, or died. ``func`` must be importable by name (it is pickled by reference).
    At most ``jobs`` workers run, started at once (now, while the caller goes on) and reused from
    file to file (each file's bounds start afresh); a worker killed for a bound, or dead, is
    replaced. The workers go on while the consumer works on a result; at most
    ``jobs * BUFFER_PER_WORKER`` results wait (running or done) to be taken.
    """
    if not args:
        return BoundedMap(None, 0)
    dispatcher = _Dispatcher(func, args, jobs=jobs, max_seconds=max_seconds, limit=max_mib * 1024 * 1024,
                             buffer=max(1, jobs) * BUFFER_PER_WORKER, on_start=on_start)
    dispatcher.start()
    return BoundedMap(dispatcher, len(args))


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
    # Run the functions of the imported module, so that what a worker pickles (WorkerFailure) is
    # named ingest.workers.WorkerFailure for the parent, not __main__.WorkerFailure.
    from ingest.workers import worker_main as _worker_main
    from ingest.workers import zygote_main as _zygote_main

    if sys.argv[1] == "--zygote":
        _zygote_main(int(sys.argv[2]), int(sys.argv[3]))
    else:
        _worker_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
    flush_and_exit(0)
