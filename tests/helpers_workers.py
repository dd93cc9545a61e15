"""Job functions for the worker tests (a worker imports them by name)."""

from __future__ import annotations

import os
import time


def sleep_then_pid(seconds: float) -> tuple[int, float]:
    """Sleep, then (this worker's pid, when it finished)."""
    time.sleep(seconds)
    return os.getpid(), time.monotonic()


def descriptors_and_parent(_: object) -> tuple[int, int, list[int]]:
    """(this worker's pid, its parent's pid, the descriptors it holds open)."""
    fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    return os.getpid(), os.getppid(), [fd for fd in fds if os.path.exists(f"/proc/self/fd/{fd}")]
