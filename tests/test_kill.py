"""kill -9 of `refresh`, `ingest` and the no-op refresh at each stage (ingest/stages.py stops a run
at a named stage for these tests): afterwards the warehouse answers with the previous data, no
worker is left holding the lock, and the next run succeeds. Also: a stale WAL beside the live
file is checkpointed into it, never dropped; two warehouses keep their dbt targets apart."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import ingest_only, refresh
from ingest.warehouse import warehouse_dirs

from .conftest import ROOT, SEED, copy_warehouse, query

STARTUP = 180  # seconds a run may take to reach a stage (a dbt build on two busy cores)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, Path]:
    """A built warehouse (refresh with dbt and checks) of a corpus holding the Hebei text."""
    root = tmp_path_factory.mktemp("kill_base")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    db = root / "w.duckdb"
    refresh(str(corpus), str(db), quiet=True)
    return corpus, db


def _variant(year: int) -> str:
    return SEED.read_text(encoding="utf-8").replace("2021年", f"{year}年")


def _copy_base(base, tmp_path: Path) -> tuple[Path, Path]:
    return copy_warehouse(base[1], base[0], tmp_path)


def _spawn(command: str, corpus: Path, db: Path, tmp_path: Path, *, pause_at: str | None = None,
           log: bool = False) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for key in ("BUDGETWH_TEST_PAUSE_AT", "BUDGETWH_TEST_PAUSE_FILE", "BUDGETWH_TEST_STAGE_LOG"):
        env.pop(key, None)
    (tmp_path / "paused").unlink(missing_ok=True)
    (tmp_path / "stages.log").unlink(missing_ok=True)
    if pause_at:
        env.update(BUDGETWH_TEST_PAUSE_AT=pause_at, BUDGETWH_TEST_PAUSE_FILE=str(tmp_path / "paused"))
    if log:
        env["BUDGETWH_TEST_STAGE_LOG"] = str(tmp_path / "stages.log")
    code = {
        "refresh": "from ingest.pipeline import refresh; refresh(sys.argv[1], sys.argv[2], quiet=True, jobs=2)",
        "ingest": "from ingest.pipeline import ingest_only; ingest_only([sys.argv[1]], sys.argv[2], jobs=2)",
    }[command]
    return subprocess.Popen([sys.executable, "-c", "import sys; " + code, str(corpus), str(db)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(predicate, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + STARTUP
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {proc.stderr.read().decode()[-2000:]}")
        if time.time() > deadline:
            proc.kill()
            raise AssertionError(f"the run did not reach {what}")
        time.sleep(0.05)


def _paused_pid(tmp_path: Path, proc: subprocess.Popen, stage: str) -> int:
    marker = tmp_path / "paused"
    _wait_for(lambda: marker.exists() and marker.read_text().strip(), proc, f"stage {stage}")
    return int(marker.read_text())


def _kill_during(tmp_path: Path, proc: subprocess.Popen, stage: str, after: float) -> None:
    """kill -9 ``after`` seconds into ``stage`` (read from the stage log)."""
    log = tmp_path / "stages.log"
    _wait_for(lambda: log.exists() and any(line.split()[0] == stage for line in log.read_text().splitlines()),
              proc, f"stage {stage}")
    time.sleep(after)
    assert proc.poll() is None, f"the run finished within {after} s of {stage}; the kill would not land in it"
    last = [line.split()[0] for line in log.read_text().splitlines() if int(line.split()[1]) == proc.pid][-1]
    assert last == stage, f"the run left {stage} within {after} s (now at {last}); the kill would not land in it"
    _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _lock_is_free(db: Path) -> bool:
    fd = os.open(str(db) + ".lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _state(db: Path) -> tuple:
    """What an analyst sees: raw documents and the marts' documents (opened read-only)."""
    return (query(db, "select document_id, status, is_current from raw.documents order by 1"),
            query(db, "select document_id from main.dim_document order by 1"))


def _assert_intact(db: Path, before: tuple) -> None:
    assert _state(db) == before  # opens and answers, with the previous data
    assert not Path(str(db) + ".wal").exists()


def test_kill_9_at_every_stage_of_ingest_and_refresh(base, tmp_path):
    corpus, db = _copy_base(base, tmp_path)
    before = _state(db)
    (corpus / "y2022.txt").write_text(_variant(2022), encoding="utf-8")
    (corpus / "y2023.txt").write_text(_variant(2023), encoding="utf-8")

    # parsing: the parent dies while a worker parses; the workers die with it and the lock is free
    for command in ("refresh", "ingest"):
        proc = _spawn(command, corpus, db, tmp_path, pause_at="parsing")
        worker = _paused_pid(tmp_path, proc, "parsing")
        assert worker != proc.pid
        _kill(proc)
        deadline = time.time() + 10
        while _alive(worker) and time.time() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), f"{command}: a parser worker outlived the killed run"
        assert _lock_is_free(db)
        _assert_intact(db, before)

    # ingest: killed while loading, and just before its swap
    for stage in ("loading", "swap"):
        proc = _spawn("ingest", corpus, db, tmp_path, pause_at=stage)
        _paused_pid(tmp_path, proc, stage)
        _kill(proc)
        _assert_intact(db, before)
    stats = ingest_only([str(corpus)], str(db))  # leftovers of the killed runs are cleaned up
    assert stats.count("new") == 2
    ingested = _state(db)
    assert len(ingested[0]) == len(before[0]) + 2 and ingested[1] == before[1]  # raw ahead of the marts

    # refresh with nothing new: the marts are stale, so it rebuilds; killed in dbt and in the checks
    for stage, after in (("dbt", 3.0), ("checks", 0.5)):  # the checks take ~2 s here since they moved to dbt
        proc = _spawn("refresh", corpus, db, tmp_path, log=True)
        _kill_during(tmp_path, proc, stage, after)
        _assert_intact(db, ingested)
        assert _lock_is_free(db)
    result = refresh(str(corpus), str(db), quiet=True)
    assert result.dbt != "skipped (nothing new)"
    raw_docs, marts_docs = _state(db)
    assert [d[0] for d in raw_docs] == [d[0] for d in marts_docs]  # every document reached the marts
    assert not Path(str(db) + ".next").exists()
    years = query(db, "select fiscal_year, count(*) from main.fct_sangong where item = 'total' and "
                      "source = 'narrative' and phase = 'budget' and measure = 'amount' "
                      "and reference_year = fiscal_year group by 1 order by 1")
    assert years == [(2021, 1), (2022, 1), (2023, 1)]  # each counted once


def test_kill_9_of_the_no_op_refresh(base, tmp_path):
    corpus, db = _copy_base(base, tmp_path)
    before = _state(db)
    # in place: killed after writing its run row, before closing -> a WAL is left beside the file
    proc = _spawn("refresh", corpus, db, tmp_path, pause_at="record")
    _paused_pid(tmp_path, proc, "record")
    _kill(proc)
    assert Path(str(db) + ".wal").exists()
    assert _state(db) == before  # a reader replays the WAL in memory
    result = refresh(str(corpus), str(db), quiet=True)
    assert result.dbt == "skipped (nothing new)"
    assert not Path(str(db) + ".wal").exists()
    runs = query(db, "select status, message from raw.ingest_runs order by finished_at")
    assert sum(1 for s, _ in runs if s == "succeeded") == 3  # the build, the killed run's row, this run
    assert "checkpointed" in runs[-1][1]

    # on a copy (a reader holds the file): killed just before the swap -> a stale .next
    reader = duckdb.connect(str(db), read_only=True)
    try:
        proc = _spawn("refresh", corpus, db, tmp_path, pause_at="swap")
        _paused_pid(tmp_path, proc, "swap")
        _kill(proc)
        assert Path(str(db) + ".next").exists()
    finally:
        reader.close()
    assert _state(db) == before
    assert refresh(str(corpus), str(db), quiet=True).dbt == "skipped (nothing new)"
    assert not Path(str(db) + ".next").exists()


def test_a_stale_wal_is_checkpointed_into_the_live_file_not_dropped(base, tmp_path):
    corpus, db = _copy_base(base, tmp_path)
    code = ("import duckdb, os, sys; con = duckdb.connect(sys.argv[1]); "
            "con.execute(\"create table main.analyst_notes as select 'keep me' as note\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)  # exits without a checkpoint
    assert Path(str(db) + ".wal").exists()
    (corpus / "y2022.txt").write_text(_variant(2022), encoding="utf-8")
    refresh(str(corpus), str(db), quiet=True, build=False)  # copies and swaps
    assert not Path(str(db) + ".wal").exists()
    assert query(db, "select note from main.analyst_notes") == [("keep me",)]
    assert len(query(db, "select * from raw.documents")) == 2


def test_two_warehouses_keep_their_dbt_targets_apart(base, tmp_path):
    db = base[1]
    other = tmp_path / "other.duckdb"
    shutil.copyfile(db, other)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "y2022.txt").write_text(_variant(2022), encoding="utf-8")
    refresh(str(tmp_path / "corpus"), str(other), quiet=True)  # another build, from the same checkout
    for warehouse in (db, other):
        dirs = warehouse_dirs(warehouse)
        assert dirs.root.parent == warehouse.parent / ".budgetwh"
        results = json.loads((dirs.dbt_target / "run_results.json").read_text(encoding="utf-8"))
        # the tests that ran as nodes (those run together by the on-run-end hook are not in
        # run_results.json: ingest.transform.TESTS_RUN_TOGETHER)
        own = {r["unique_id"]: round(r["execution_time"], 3) for r in results["results"]
               if r["unique_id"].startswith("test.")}
        stored = dict(query(warehouse, "select unique_id, round(execution_seconds, 3) from main.dbt_test_results"))
        assert own and {u: stored.get(u) for u in own} == own, f"{warehouse.name} holds another build's tests"
        assert (dirs.data_docs / "index.html").exists()
    assert warehouse_dirs(db).root != warehouse_dirs(other).root
