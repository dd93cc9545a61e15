"""A step process for tests/test_step_process.py: ``python -m tests.helpers_step_child <ppid>``.

Its preparation makes objects as an import does; its answer says how the collector stood while
it prepared and when it answers."""

from __future__ import annotations

import gc
from typing import Any

from ingest.step_process import serve

_STATE: dict[str, Any] = {}


def _prepare() -> None:
    _STATE["enabled_while_preparing"] = gc.isenabled()
    _STATE["made"] = [{"n": i} for i in range(10_000)]


def _handle(request: dict[str, Any], emit) -> dict[str, Any]:
    emit({"echo": request.get("echo")})
    return {"enabled_while_preparing": _STATE["enabled_while_preparing"], "enabled": gc.isenabled(),
            "frozen": gc.get_freeze_count(), "made": len(_STATE["made"])}


if __name__ == "__main__":
    serve(_handle, what="fixture", prepare=_prepare)
