"""A step of a refresh in a Python process of its own, started before the step is due.

A small refresh (a file or two to parse) spends most of its time starting its tools: dbt's import
and the parse of the dbt project, Great Expectations' import. Each step that needs one runs in a
:class:`StepProcess`: started as soon as the refresh knows it will need it, the child imports and
prepares on the other core while the refresh copies, parses and loads; when the step is due the
refresh sends it one request and waits for the reply. One request per process.

The protocol, on the child's stdin and stdout, one JSON object per line: the refresh writes the
request; the child writes any number of ``{"event": ...}`` lines (handed to the refresh's
``on_event`` as they come: the dbt nodes built, for the progress display), then its reply:
``{"ok": true, ...}`` or ``{"error": message}``. The child dies with its parent
(:func:`ingest.workers.die_with_parent`); a child that dies is an error naming its exit code and
the end of its stderr.

The child side is :func:`serve`: ``python -m <module> <parent pid> <args...>``.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from .errors import PipelineError

#: The lines of the process's stderr quoted when it dies.
STDERR_LINES = 8

Event = dict[str, Any]
Emit = Callable[[Event], None]


class StepProcess:
    """A started child ``python -m module <this pid> *args``, waiting for :meth:`request`;
    :meth:`stop` ends it unused. ``what`` names the step in errors ("checks", "dbt build")."""

    def __init__(self, module: str, *args: str, what: str) -> None:
        self.what = what
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept until the process ends
        self._proc: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", module, str(os.getpid()), *args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr)
        atexit.register(self.stop)

    def request(self, request: dict[str, Any], on_event: Callable[[Event], None] | None = None) -> dict[str, Any]:
        """Send ``request``, hand each event to ``on_event``, return the reply (``{"ok": ...}``).

        Raises:
            PipelineError: the reply is an error (its message), or the process died or was
                stopped (its exit code and the end of what it wrote to stderr).
        """
        if self._proc is None:
            raise PipelineError(f"{self.what}: the {self.what} process was stopped")
        proc, reply = self._proc, None
        try:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps(request, default=str).encode() + b"\n")
                proc.stdin.close()
            except BrokenPipeError:
                pass  # it died: reported below with its exit code
            for line in proc.stdout:
                message = _json_object(line)
                if message is None:
                    continue
                if "event" in message:
                    if on_event is not None:
                        on_event(message["event"])
                else:
                    reply = message
            proc.wait()
        except BaseException:
            self.stop()
            raise
        self._proc = None
        if reply is None or proc.returncode != 0:
            raise PipelineError(f"{self.what}: the {self.what} process ended without an answer (exit code "
                                f"{proc.returncode}){self._stderr_tail()}")
        self._close()
        if "error" in reply:
            raise PipelineError(str(reply["error"]))
        return reply

    def stop(self) -> None:
        """End the process if it is still running (unused, or interrupted)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        self._close()

    def _close(self) -> None:
        atexit.unregister(self.stop)
        if not self._stderr.closed:
            self._stderr.close()

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-STDERR_LINES:]
        except (OSError, ValueError):
            lines = []
        finally:
            self._close()
        return (": " + " | ".join(lines)) if lines else ""


def _json_object(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def serve(handle: Callable[[dict[str, Any], Emit], dict[str, Any]], *, what: str,
          prepare: Callable[[], None] | None = None) -> None:  # pragma: no cover - runs in the child
    """The child's side: die with the parent (``sys.argv[1]``), ``prepare()`` (imports, parses),
    then answer one request with ``handle(request, emit)`` and exit.

    ``handle`` returns the reply's fields; a :class:`PipelineError` it raises is the reply's
    error as it is, any other exception is named with its type. Whatever the tools print goes to
    stderr: stdout carries only the protocol."""
    from .workers import die_with_parent, flush_and_exit

    die_with_parent(int(sys.argv[1]))  # a refresh killed takes its steps with it
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break the protocol

    def write(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, default=str) + "\n")
        out.flush()

    try:
        # What the imports and the preparation make (dbt's classes and parsed project, GX's
        # registries: ~170,000 objects) lives until this process exits. The collector neither runs
        # while they are made (dbt's import and parse ~0.25 s faster; ~90,000 objects of cycles
        # they leave, ~5 MiB, are kept) nor walks them again in its full passes, ~0.15 s each,
        # during the request (a one-file refresh at 2,000 documents ~1 s faster: docs/scaling.md).
        gc.disable()
        if prepare is not None:
            prepare()
        gc.freeze()
        gc.enable()
        request = json.loads(sys.stdin.readline())
        reply = {"ok": True, **handle(request, lambda event: write({"event": event}))}
    except PipelineError as exc:
        reply = {"error": str(exc)}
    except BaseException as exc:  # noqa: BLE001 - reported to the refresh, which fails with it
        reply = {"error": f"{what} failed: {type(exc).__name__}: {exc}"}
    write(reply)
    flush_and_exit(0)  # the tools' teardown (GX, DuckDB, dbt) is of no use here
