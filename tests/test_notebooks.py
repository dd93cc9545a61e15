"""Every notebook runs against a warehouse built from the samples, opening it read-only, and its
charts draw Chinese labels (no missing-glyph warnings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))


def test_a_cjk_font_is_installed():
    from ingest.charts import use_cjk_font

    assert use_cjk_font()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook: Path, built_warehouse, tmp_path):
    first_cell = notebook.read_text(encoding="utf-8")
    assert "Question this notebook answers" in first_cell, "each notebook says what it answers first"
    env = dict(os.environ, BUDGETWH_DB=str(built_warehouse), BUDGETWH_FIGURES=str(tmp_path), MPLBACKEND="Agg",
               PYTHONWARNINGS="always")
    proc = subprocess.run([sys.executable, str(notebook)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    assert "missing from font" not in output and "Glyph" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    pngs = list(tmp_path.glob("*.png"))
    assert pngs and all(p.stat().st_size > 5000 for p in pngs)
    if notebook.name == "regional_comparison.py":
        # the chart's labels are the cities' Chinese names (one category compared across regions)
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("chart regions:"))
        regions = line.split(":", 1)[1].strip().split("、")
        assert len(regions) >= 3 and all(r.endswith(("市", "区", "县", "中央")) for r in regions), line
