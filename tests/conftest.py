"""Shared fixtures: the shipped sample corpus, its golden keys, and warehouses built from it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
GOLDEN_DIR = ROOT / "tests" / "golden"
SEED = SAMPLES / "weixian_xwb_2021_budget.txt"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session")
def seed_golden() -> dict:
    return json.loads((GOLDEN_DIR / "weixian_xwb_2021_budget.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pdf_golden() -> dict:
    return json.loads((GOLDEN_DIR / "pdf_key_figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_extraction():
    from ingest.extract import extract
    from ingest.readers import read_file

    doc = read_file(str(SEED))
    return doc, extract(doc)


@pytest.fixture(scope="session")
def raw_warehouse(tmp_path_factory) -> Path:
    """raw.* loaded from the seed only (no dbt)."""
    from ingest.pipeline import ingest_only

    db = tmp_path_factory.mktemp("raw") / "budget.duckdb"
    ingest_only([str(SEED)], str(db))
    return db


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """The whole refresh (ingest, dbt build, checks) over a copy of the shipped samples, run as
    ``budgetwh refresh`` (not on a terminal); what it printed is kept beside it (REFRESH_OUTPUT)."""
    from click.testing import CliRunner

    from ingest.cli import main

    base = tmp_path_factory.mktemp("built")
    corpus = base / "samples"
    shutil.copytree(SAMPLES, corpus)
    db = base / "budget.duckdb"
    result = CliRunner().invoke(main, ["refresh", "--corpus", str(corpus), "--db", str(db), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    (base / REFRESH_OUTPUT).write_text(result.output, encoding="utf-8")
    return db


REFRESH_OUTPUT = "refresh-output.txt"  # beside built_warehouse: what its `budgetwh refresh` printed


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql`` on the warehouse at ``db``, through a read-only connection closed after."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def copy_warehouse(db: Path, corpus: Path, dest: Path) -> tuple[Path, Path]:
    """A copy of a warehouse and its corpus under ``dest``, the paths it knows re-pointed at the
    copied corpus (so that a refresh of the copy sees the same files, unchanged)."""
    import duckdb

    here = dest / "corpus"
    shutil.copytree(corpus, here, symlinks=True)
    copy = dest / db.name
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        for table in ("document_paths", "parse_issues", "skipped_files"):
            con.execute(f"update raw.{table} set source_path = replace(source_path, ?, ?)", [str(corpus), str(here)])
    finally:
        con.close()
    return here, copy
