"""The checks in a process of their own, started before they are needed.

Great Expectations takes ~2 s to import in a fresh process (benchmarks/bench_startup.py), and a
refresh that adds a file or two spends the rest of its time in the dbt build, whose Python runs
on one core. A :class:`ChecksProcess` starts a Python process that imports the checks (GX
included) at once, on the other core, while the refresh parses, loads and builds; when the build
is done the refresh hands it the warehouse and it runs :func:`expectations.checkpoint.run_checks`
exactly as the refresh would have, then exits. The refresh process itself never imports GX.

The process costs ~190 MiB beside the build; a refresh starts it early only when the build is
small (few files to parse, the project unchanged: ``ingest.pipeline``), and runs the checks in
its own process otherwise. One request per process: a line of JSON on its stdin (the arguments of
``run_checks``), a line of JSON on its stdout (``{"ok": true}`` or ``{"error": message}``).
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ingest.errors import PipelineError

#: The lines of the process's stderr quoted when it dies.
STDERR_LINES = 8


class ChecksProcess:
    """A started checks process, waiting for :meth:`run`; :meth:`stop` ends it unused."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept until the process ends
        self._proc: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "expectations.process", str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr)
        atexit.register(self.stop)

    def run(self, db_path: str, *, data_docs_dir: str | Path | None, dbt_tests: list[dict[str, Any]] | None) -> None:
        """Run the checks on ``db_path`` (as ``run_checks(..., read_back=False)``) and wait for them.

        Raises:
            PipelineError: the checks failed (their message), or the process died (its exit code
                and the end of what it wrote to stderr).
        """
        if self._proc is None:
            raise PipelineError("checks: the checks process was stopped")
        request = {"db_path": str(db_path), "data_docs_dir": None if data_docs_dir is None else str(data_docs_dir),
                   "dbt_tests": dbt_tests}
        proc = self._proc
        try:
            out, _ = proc.communicate(json.dumps(request, default=str).encode() + b"\n")
        except BaseException:
            self.stop()
            raise
        self._proc = None
        reply = _last_json_line(out)
        if reply is None or proc.returncode != 0:
            raise PipelineError(f"checks: the checks process ended without an answer (exit code "
                                f"{proc.returncode}){self._stderr_tail()}")
        self._close()
        if "error" in reply:
            raise PipelineError(reply["error"])

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


def _last_json_line(out: bytes) -> dict[str, Any] | None:
    for line in reversed(out.decode("utf-8", "replace").strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def main() -> None:  # pragma: no cover - runs in the child (tests drive it through ChecksProcess)
    """The child: import the checks now, then answer one request."""
    from ingest.workers import die_with_parent

    die_with_parent(int(sys.argv[1]))  # a refresh killed takes its checks with it
    from .checkpoint import gx_context, import_gx, run_checks

    import_gx()
    gx_context(None)  # GX's first context sets up its stores and config modules
    line = sys.stdin.readline()
    try:
        request = json.loads(line)
        run_checks(request["db_path"], data_docs_dir=request["data_docs_dir"], dbt_tests=request["dbt_tests"],
                   read_back=False)
        reply: dict[str, Any] = {"ok": True}
    except PipelineError as exc:
        reply = {"error": str(exc)}
    except BaseException as exc:  # noqa: BLE001 - reported to the refresh, which fails with it
        reply = {"error": f"checks failed: {type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
    os._exit(0)  # GX's and DuckDB's teardown is of no use here


if __name__ == "__main__":  # pragma: no cover
    main()
