"""The SQL cookbook (docs/cookbook.md) stays true: every query runs on a warehouse built from the
samples and prints exactly the answer the cookbook shows."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT


def _renderer():
    spec = importlib.util.spec_from_file_location("render_cookbook", ROOT / "scripts" / "render_cookbook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cookbook_has_ten_questions():
    r = _renderer()
    assert len(r.cookbook_queries(r.SRC.read_text(encoding="utf-8"))) >= 10


def test_cookbook_answers_match_the_sample_warehouse(built_warehouse):
    r = _renderer()
    rendered = r.render(str(built_warehouse))
    shipped = r.OUT.read_text(encoding="utf-8")
    assert rendered == shipped, ("docs/cookbook.md is stale: run "
                                 "`.venv/bin/python scripts/render_cookbook.py warehouse/budget.duckdb`")
