"""The dbt build in a process of its own, started before it is due.

A fresh process pays, before dbt builds a single node, dbt's import (~1.7 s) and the parse of the
project against partial_parse.msgpack (~1 s): in a refresh that adds a file or two that is a
third of its time (docs/scaling.md). A :class:`BuildProcess` starts a Python process that imports
dbt and parses the project for the refresh's working copy at once, on the other core, while the
refresh copies the warehouse, parses the new files and loads them (the parse of the project does
not open the warehouse); when the refresh has loaded and closed the copy it sends the build's
arguments and the child runs :func:`ingest.transform.run_dbt_build` on the parsed project, as the
refresh would have, reporting each node built (the progress display's 'building' step). The
refresh process itself then never imports dbt.

The protocol is :mod:`ingest.step_process`'s; the reply holds the :class:`~ingest.transform.DbtResult`.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .stages import advance, listening
from .step_process import Emit, StepProcess, serve
from .transform import DbtResult, NodeResult


class BuildProcess:
    """A started dbt build process for the working copy ``work_db`` of the warehouse ``live_db``
    (whose working folders hold dbt's target and logs), waiting for :meth:`run`; :meth:`stop`
    ends it unused."""

    def __init__(self, work_db: str | Path, live_db: str | Path) -> None:
        self.work_db = str(Path(work_db).resolve())
        self._step = StepProcess("ingest.build_process", self.work_db, str(Path(live_db).resolve()),
                                 what="dbt build")

    def run(self, *, quiet: bool = False, project_unchanged: bool = False,
            on_start: Callable[[], None] | None = None) -> DbtResult:
        """Build (as ``transform.run_dbt_build(work_db, dirs=<live_db's>, project_unchanged=...)``)
        and wait for it; the nodes built are reported to this process's stage listeners, and
        ``on_start()`` is called when the child has parsed the project and starts building.

        Raises:
            PipelineError: as ``run_dbt_build`` (its message), or the process died.
        """
        def event(e: dict[str, Any]) -> None:
            if e.get("started"):
                if on_start is not None:
                    on_start()
            else:
                advance("building", e["done"], e["total"])

        reply = self._step.request({"quiet": quiet, "project_unchanged": project_unchanged}, on_event=event)
        result = result_from_dict(reply["result"])
        if result.memory_retried and not quiet:  # what run_dbt_build prints, said here
            print(f"dbt build on {self.work_db}: DuckDB ran out of memory under its limit; "
                  f"built again whole with {result.memory_retried}")
        return result

    def stop(self) -> None:
        """End the process if it is still running (unused, or interrupted)."""
        self._step.stop()


def result_to_dict(result: DbtResult) -> dict[str, Any]:
    return dataclasses.asdict(result)


def result_from_dict(data: dict[str, Any]) -> DbtResult:
    nodes = [NodeResult(**n) for n in data.get("nodes") or []]
    return DbtResult(**{**data, "nodes": nodes})


def _paths() -> tuple[str, Any]:  # pragma: no cover - runs in the child
    from .warehouse import warehouse_dirs

    return sys.argv[2], warehouse_dirs(sys.argv[3])


def _prepare() -> None:  # pragma: no cover - runs in the child
    from . import transform

    work, dirs = _paths()
    transform.prepare_manifest(work, dirs)


def _handle(request: dict[str, Any], emit: Emit) -> dict[str, Any]:  # pragma: no cover - runs in the child
    from . import transform

    work, dirs = _paths()

    def building(step: str, done: int | None, total: int | None) -> None:
        if step == "building":
            emit({"done": done, "total": total})

    emit({"started": True})
    with listening(building):
        result = transform.run_dbt_build(work, quiet=bool(request.get("quiet")), dirs=dirs, verbose=False,
                                         project_unchanged=bool(request.get("project_unchanged")),
                                         reuse_manifest=True)
    return {"result": result_to_dict(result)}


def main() -> None:  # pragma: no cover - runs in the child (tests drive it through BuildProcess)
    """The child: import dbt and parse the project now, then build once asked."""
    serve(_handle, what="dbt build", prepare=_prepare)


if __name__ == "__main__":  # pragma: no cover
    main()
