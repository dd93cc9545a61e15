"""Matplotlib set-up for charts with Chinese labels."""

from __future__ import annotations

import os
from pathlib import Path

from .warehouse import warehouse_dirs

CJK_FONT_NAMES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans CJK JP",
                  "Noto Sans SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC")


class MissingCJKFontError(RuntimeError):
    pass


def use_cjk_font() -> str:
    """Select an installed CJK font for matplotlib and return its name.

    Raises:
        MissingCJKFontError: none installed (install fonts-wqy-microhei: `make setup` does).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONT_NAMES:
        if name in installed:
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False
            return name
    raise MissingCJKFontError("no CJK font found for matplotlib; install fonts-wqy-microhei "
                              "(scripts/install_system_deps.sh) and remove ~/.cache/matplotlib")


def figures_dir(db_path: str | os.PathLike) -> Path:
    """Where the notebooks' charts go: ``BUDGETWH_FIGURES`` when set, else the warehouse's own
    working folder (``<db-dir>/.budgetwh/<db-name>/figures``), never the checkout's notebooks/ or
    docs/: running a notebook leaves the repository as it was."""
    chosen = os.environ.get("BUDGETWH_FIGURES")
    return Path(chosen) if chosen else warehouse_dirs(db_path).figures


def save_figure(fig, name: str, db_path: str | os.PathLike) -> Path:
    """Save a notebook's chart as PNG in :func:`figures_dir` (created); returns the path."""
    out_dir = figures_dir(db_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    fig.savefig(path, dpi=110)
    return path
