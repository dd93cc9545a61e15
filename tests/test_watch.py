"""`budgetwh watch`: many refreshes in one process (dbt and GX imported once); a refresh that
fails leaves the warehouse as it was and the next one is tried."""

from __future__ import annotations

import shutil
import subprocess
import sys

from click.testing import CliRunner

from ingest.cli import main
from ingest.errors import WarehouseHeldError
from ingest.pipeline import watch

from .conftest import SEED, query


def test_watch_refreshes_new_files_and_survives_a_failed_refresh(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "budget.duckdb"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    holder: list[subprocess.Popen] = []

    def between(_seconds: float) -> None:
        """What happens between refreshes: a file arrives and another program holds the
        warehouse open for writing; then it lets go; then nothing."""
        done = len(events_so_far)
        if done == 1:
            text = SEED.read_text(encoding="utf-8").replace("魏县", "大名县").replace("130434", "130425")
            (corpus / "daming_2021.txt").write_text(text, encoding="utf-8")
            holder.append(subprocess.Popen(
                [sys.executable, "-c", ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                                        "print('held', flush=True); time.sleep(600)"), str(db)],
                stdout=subprocess.PIPE, text=True))
            assert holder[0].stdout.readline().strip() == "held"
        elif done == 2:
            holder[0].kill()
            holder[0].wait()

    events_so_far: list = []
    events = watch(str(corpus), str(db), interval=0, runs=4, on_event=events_so_far.append,
                   sleep=between, quiet=True, jobs=1)

    assert events == events_so_far and len(events) == 4
    first, held, added, idle = events
    assert first.error is None and first.result.stats.count("new") == 1
    assert isinstance(held.error, WarehouseHeldError) and str(db) in str(held.error)
    assert added.error is None and added.result.stats.count("new") == 1
    assert idle.error is None and idle.result.stats.count("new") == 0
    assert added.result.warehouse_version == first.result.warehouse_version + 1
    rows = query(db, "select department_id, department_name from rpt_department_trend")
    assert len({d for d, _ in rows}) == 2, rows


def test_watch_refuses_bad_options(tmp_path):
    out = CliRunner().invoke(main, ["watch", "--corpus", str(tmp_path), "--db", str(tmp_path / "w.duckdb"),
                                    "--runs", "0"])
    assert out.exit_code == 2 and "--runs positive" in out.output
