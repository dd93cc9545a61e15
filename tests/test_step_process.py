"""The child side of a step process (ingest.step_process.serve): what it prepared is frozen out
of the collector's passes, and the collector runs again for the request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.step_process import StepProcess

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # `python -m tests.helpers_step_child` from the repository
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def test_prepared_objects_are_frozen_and_the_collector_runs_for_the_request(at_root):
    events = []
    reply = StepProcess("tests.helpers_step_child", what="fixture").request({"echo": 7}, on_event=events.append)
    assert events == [{"echo": 7}]
    assert reply["ok"] and reply["made"] == 10_000
    # not collected while preparing, the prepared objects frozen (thousands: the interpreter's,
    # the imports', the 10,000 made), the collector on again for the request
    assert reply["enabled_while_preparing"] is False
    assert reply["frozen"] > 10_000
    assert reply["enabled"] is True
