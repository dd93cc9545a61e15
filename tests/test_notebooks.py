"""Every notebook runs against a warehouse built from the samples, opening it read-only, and its
charts draw Chinese labels (no missing-glyph warnings); the charts go beside the warehouse, and
running a notebook (as a script, or as `marimo export`) leaves the git checkout as it was."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
SAVED = "chart saved:"


def test_a_cjk_font_is_installed():
    from ingest.charts import use_cjk_font

    assert use_cjk_font()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BUDGETWH_DB", "BUDGETWH_FIGURES")}
    path = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update(MPLBACKEND="Agg", PYTHONWARNINGS="always", PYTHONPATH=path, **extra)
    return env


def _checkout_state() -> tuple[str, dict[str, int]] | None:
    """``git status --porcelain`` (ignored files left out) and the mtime of every tracked file, or
    None outside a git checkout. Compared before and after, so a dirty dev tree does not fail."""
    if shutil.which("git") is None:
        return None
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if status.returncode != 0:
        return None
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    mtimes = {p: (ROOT / p).stat().st_mtime_ns for p in tracked if p and (ROOT / p).exists()}
    return status.stdout, mtimes


def _assert_unchanged(before, after, what: str) -> None:
    if before is None:
        return
    assert after[0] == before[0], f"{what} changed `git status`:\n{after[0]}"
    rewritten = sorted(p for p, t in after[1].items() if before[1].get(p) != t)
    assert not rewritten, f"{what} rewrote files of the checkout: {rewritten}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook: Path, built_warehouse):
    """As a script, the warehouse from BUDGETWH_DB; its chart saved beside the warehouse."""
    from ingest.charts import figures_dir

    first_cell = notebook.read_text(encoding="utf-8")
    assert "Question this notebook answers" in first_cell, "each notebook says what it answers first"
    # an analyst's choices are controls (mo.ui), not environment variables: the warehouse's path
    # is the only one a notebook reads (after `-- --db PATH`)
    reads = re.findall(r"os\.(?:environ|getenv)\b[^)\n]*", first_cell)
    assert reads and all(r.startswith('os.environ.get("BUDGETWH_DB"') for r in reads), reads
    before = _checkout_state()
    proc = subprocess.run([sys.executable, str(notebook)], cwd=ROOT, env=_env(BUDGETWH_DB=str(built_warehouse)),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    _assert_unchanged(before, _checkout_state(), notebook.name)
    output = proc.stdout + proc.stderr
    assert "missing from font" not in output and "Glyph" not in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    pngs = [Path(ln.split(":", 1)[1].strip()) for ln in proc.stdout.splitlines() if ln.startswith(SAVED)]
    assert pngs and all(p.parent == figures_dir(built_warehouse) for p in pngs), proc.stdout
    assert all(p.stat().st_size > 5000 and not p.resolve().is_relative_to(ROOT) for p in pngs)
    if notebook.name == "regional_comparison.py":
        # the chart's labels are the cities' Chinese names (one category compared across regions)
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("chart regions:"))
        regions = line.split(":", 1)[1].strip().split("、")
        assert len(regions) >= 3 and all(r.endswith(("市", "区", "县", "中央")) for r in regions), line


def test_running_every_notebook_leaves_the_checkout_clean(built_warehouse, tmp_path):
    """`marimo export html` of every notebook, the warehouse given as `-- --db PATH` and the
    charts to BUDGETWH_FIGURES: `git status` and the tracked files are as before (marimo's
    session cache, notebooks/__marimo__/, is ignored)."""
    if _checkout_state() is None:
        pytest.skip("not a git checkout")
    marimo_cache = ROOT / "notebooks" / "__marimo__"
    cache_existed = marimo_cache.exists()
    before = _checkout_state()
    figures = tmp_path / "figures"
    try:
        for notebook in NOTEBOOKS:
            charts = set(figures.glob("*.png"))
            proc = subprocess.run(
                [sys.executable, "-m", "marimo", "export", "html", str(notebook), "-o",
                 str(tmp_path / f"{notebook.stem}.html"), "--", "--db", str(built_warehouse)],
                cwd=ROOT, env=_env(BUDGETWH_FIGURES=str(figures)), capture_output=True, text=True, timeout=300, check=False)
            assert proc.returncode == 0, (notebook.name, proc.stdout[-2000:], proc.stderr[-3000:])
            assert (tmp_path / f"{notebook.stem}.html").stat().st_size > 0
            assert set(figures.glob("*.png")) - charts, f"{notebook.name} saved no chart in BUDGETWH_FIGURES"
        _assert_unchanged(before, _checkout_state(), "running the notebooks")
    finally:
        if not cache_existed:
            shutil.rmtree(marimo_cache, ignore_errors=True)
