"""What a writing command shows while it runs, and the steps it closes with.

The pipeline marks its stages (:func:`ingest.stages.stage`) and counts what it counts
(:func:`ingest.stages.advance`: files hashed, dbt nodes built); the parsing step's counts come
from the ``progress`` callback of the pipeline. :class:`RunDisplay` listens to both and groups them
into the steps a user sees: hashing, parsing, building, checking, saving. On a terminal each step
is a progress bar (tqdm) with its count and elapsed time; elsewhere (a log, a scheduler, CI) a
plain line when a step ends, and one every :data:`PLAIN_EVERY` seconds while a long step runs.
:meth:`RunDisplay.summary` is the closing table: each step's start time, duration and count.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from typing import TextIO

# pipeline stage -> the step it starts (None: a stage that starts no step of its own)
STEP_OF_STAGE = {
    "planning": "hashing",
    "loading": "parsing",
    "dbt": "building",
    "checks": "checking",
    "record": "saving",
    "swap": "saving",
}
UNITS = {"hashing": "files", "parsing": "files", "building": "dbt nodes"}
PLAIN_EVERY = 15.0  # seconds between two plain progress lines of one step


@dataclass
class Step:
    """One step of a run: when it started and ended, and how far it counted."""

    name: str
    started: dt.datetime
    started_at: float
    ended_at: float | None = None
    done: int | None = None
    total: int | None = None
    note: str = ""

    @property
    def seconds(self) -> float:
        return (self.ended_at or time.perf_counter()) - self.started_at

    def count_text(self) -> str:
        if self.note:
            return self.note
        if self.done is None:
            return ""
        unit = UNITS.get(self.name, "")
        return f"{self.done}/{self.total} {unit}" if self.total is not None else f"{self.done} {unit}"


class RunDisplay:
    """Listens to a run's stages and counts (a :data:`ingest.stages.Listener`) and shows them.

    Args:
        stream: where progress goes (stderr).
        enabled: False shows nothing while running (``--quiet``); the summary is still kept.
        tty: bars (True) or plain lines (False); default: whether ``stream`` is a terminal.
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty() if tty is None else tty
        self.steps: list[Step] = []
        self.started = dt.datetime.now()
        self.started_at = time.perf_counter()
        self._bar = None
        self._last_line = 0.0

    # -- the listener -----------------------------------------------------------------------
    def __call__(self, name: str, done: int | None, total: int | None) -> None:
        step = STEP_OF_STAGE.get(name, name) if done is None else name
        if step not in UNITS and step not in STEP_OF_STAGE.values():
            return  # recover, swapped: no step of their own
        current = self.steps[-1] if self.steps else None
        if current is None or current.name != step:
            if any(s.name == step for s in self.steps):
                return  # a stage seen again later (loading between parses): still its own step
            self._end(current)
            current = Step(step, dt.datetime.now(), time.perf_counter())
            self.steps.append(current)
            self._open_bar(current)
        if done is not None:
            current.done, current.total = done, total
            self._show(current)

    def parsing(self, done: int, total: int) -> None:
        """The pipeline's ``progress`` callback: ``done`` of ``total`` files parsed and loaded."""
        self("parsing", done, total)

    # -- display ------------------------------------------------------------------------------
    def _open_bar(self, step: Step) -> None:
        if not (self.enabled and self.tty):
            return
        from tqdm import tqdm

        self._bar = tqdm(total=step.total, desc=f"{step.name:<9}", unit=UNITS.get(step.name, "it"),
                         file=self.stream, leave=False, dynamic_ncols=True,
                         bar_format="{desc} {bar} {n_fmt}/{total_fmt} {unit} [{elapsed}]"
                         if step.name in UNITS else "{desc} [{elapsed}]")

    def _show(self, step: Step) -> None:
        if not self.enabled:
            return
        if self.tty and self._bar is not None:
            self._bar.total = step.total
            self._bar.n = step.done or 0
            self._bar.refresh()
        elif not self.tty and time.perf_counter() - self._last_line >= PLAIN_EVERY and step.seconds >= PLAIN_EVERY:
            self._plain(f"{step.name} … {step.count_text()} ({step.seconds:.0f} s)")

    def _plain(self, text: str) -> None:
        self._last_line = time.perf_counter()
        print(f"{dt.datetime.now():%H:%M:%S} {text}", file=self.stream, flush=True)

    def _end(self, step: Step | None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if step is None or step.ended_at is not None:
            return
        step.ended_at = time.perf_counter()
        if self.enabled and not self.tty:
            count = step.count_text()
            self._plain(f"{step.name} done{': ' + count if count else ''} ({step.seconds:.1f} s)")

    def close(self) -> None:
        """End the running step (a run that ended, well or not)."""
        self._end(self.steps[-1] if self.steps else None)

    def note(self, step: str, text: str) -> None:
        """Set what the summary says of ``step`` (e.g. the findings of 'checking')."""
        for s in self.steps:
            if s.name == step:
                s.note = text

    def summary(self) -> str:
        """The closing table: each step's start time, duration and count, then the total."""
        self.close()
        end = dt.datetime.now()
        lines = [(f"steps (started {self.started:%Y-%m-%d %H:%M:%S}, finished {end:%H:%M:%S}, "
                  f"{time.perf_counter() - self.started_at:.1f} s in all):")]
        for s in self.steps:
            lines.append(f"  {s.started:%H:%M:%S}  {s.name:<9} {s.seconds:6.1f} s  {s.count_text()}".rstrip())
        return "\n".join(lines)
