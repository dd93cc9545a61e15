"""The checks in a process of their own, started before they are needed.

Great Expectations takes ~2 s to import in a fresh process (benchmarks/bench_startup.py), and a
refresh that adds a file or two spends the rest of its time in the dbt build. A
:class:`ChecksProcess` starts a Python process that imports the checks (GX included) at once, on
the other core, while the refresh builds; when the build is done the refresh hands it the
warehouse and it runs :func:`expectations.checkpoint.run_checks` exactly as the refresh would
have, then exits. The refresh process itself never imports GX.

The process costs ~190 MiB beside the build; a refresh starts it early only when the build is
small (few files to parse, the project unchanged: ``ingest.pipeline``), and runs the checks in
its own process otherwise. The protocol is :mod:`ingest.step_process`'s: the request holds the
arguments of ``run_checks``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.step_process import StepProcess, serve


class ChecksProcess:
    """A started checks process, waiting for :meth:`run`; :meth:`stop` ends it unused."""

    def __init__(self) -> None:
        self._step = StepProcess("expectations.process", what="checks")

    @property
    def _proc(self):  # the child (tests kill it)
        return self._step._proc

    def run(self, db_path: str, *, data_docs_dir: str | Path | None, dbt_tests: list[dict[str, Any]] | None) -> None:
        """Run the checks on ``db_path`` (as ``run_checks(..., read_back=False)``) and wait for them.

        Raises:
            PipelineError: the checks failed (their message), or the process died (its exit code
                and the end of what it wrote to stderr).
        """
        self._step.request({"db_path": str(db_path),
                            "data_docs_dir": None if data_docs_dir is None else str(data_docs_dir),
                            "dbt_tests": dbt_tests})

    def stop(self) -> None:
        """End the process if it is still running (unused, or interrupted)."""
        self._step.stop()


def _prepare() -> None:  # pragma: no cover - runs in the child
    from .checkpoint import gx_context, import_gx

    import_gx()
    gx_context(None)  # GX's first context sets up its stores and config modules


def _handle(request: dict[str, Any], emit) -> dict[str, Any]:  # pragma: no cover - runs in the child
    from .checkpoint import run_checks

    run_checks(request["db_path"], data_docs_dir=request["data_docs_dir"], dbt_tests=request["dbt_tests"],
               read_back=False)
    return {}


def main() -> None:  # pragma: no cover - runs in the child (tests drive it through ChecksProcess)
    """The child: import the checks now, then answer one request."""
    serve(_handle, what="checks", prepare=_prepare)


if __name__ == "__main__":  # pragma: no cover
    main()
