"""Job functions for the worker tests (a worker imports them by name)."""

from __future__ import annotations

import os
import time


def sleep_then_pid(seconds: float) -> tuple[int, float]:
    """Sleep, then (this worker's pid, when it finished)."""
    time.sleep(seconds)
    return os.getpid(), time.monotonic()
