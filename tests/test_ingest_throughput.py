"""What makes ingest fast stays correct: long-lived parser workers that still keep each file's
bounds, a dispatcher that keeps them busy while the parent loads, documents loaded in batches
(one by one when a batch fails), and the normalization shortcuts (text without field codes or
full-width forms is left as it is)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from ingest import pipeline, workers
from ingest.load import ensure_schema, load_document, load_rows
from ingest.normalize import FIELD_CODE_PATTERNS, normalize_chars, strip_field_codes
from ingest.parsing import parse_bytes
from ingest.pipeline import ingest_only
from ingest.readers import ReaderSettings, read_file
from ingest.rows import document_to_rows
from ingest.workers import WorkerFailure, bounded_map, prestart, stop_prestarted

from .conftest import SAMPLES, SEED
from .helpers_workers import descriptors_and_parent, sleep_then_pid

REGIONAL = SAMPLES / "regional"


def test_workers_are_reused_from_file_to_file():
    results = list(bounded_map(sleep_then_pid, [0.0] * 8, jobs=2, max_seconds=60, max_mib=1536))
    assert len(results) == 8 and len({pid for pid, _ in results}) <= 2


def test_a_file_past_its_time_bound_is_killed_alone_and_its_worker_replaced():
    results = list(bounded_map(sleep_then_pid, [0.0, 30.0, 0.0, 0.0, 0.0], jobs=1, max_seconds=2, max_mib=1536))
    failure = results[1]
    assert isinstance(failure, WorkerFailure) and failure.code == "parse_timeout"
    before, after = results[0][0], {pid for pid, _ in results[2:]}
    assert len(after) == 1 and before not in after  # the killed worker was replaced, the others went on


def test_the_workers_go_on_while_the_parent_works_on_a_result():
    started = time.monotonic()
    results = bounded_map(sleep_then_pid, [0.2] * 6, jobs=2, max_seconds=60, max_mib=1536)
    first = next(results)
    time.sleep(2.0)  # the parent loading a batch
    resumed = time.monotonic()
    rest = list(results)
    assert first[1] > started and len(rest) == 5
    assert all(finished < resumed for _, finished in rest)  # done meanwhile, not after


def test_closing_the_results_stops_the_workers():
    results = bounded_map(sleep_then_pid, [0.0, 30.0, 30.0], jobs=2, max_seconds=60, max_mib=1536)
    next(results)
    started = time.monotonic()
    results.close()
    assert time.monotonic() - started < 10


def test_workers_started_ahead_are_the_ones_the_map_uses_and_the_rest_are_stopped():
    prestart(3)
    ahead = {w.proc.pid: w.proc for w in workers._prestarted}
    try:
        results = list(bounded_map(sleep_then_pid, [0.0] * 6, jobs=2, max_seconds=60, max_mib=1536))
        assert {pid for pid, _ in results} <= set(ahead) and len(workers._prestarted) == 1
    finally:
        stop_prestarted()
    assert not workers._prestarted
    assert all(proc.poll() is not None for proc in ahead.values())  # taken ones stopped by the map, the rest here


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_workers_are_forked_by_one_zygote_hold_only_their_pipes_and_it_ends_with_the_map(tmp_path):
    lock = open(tmp_path / "w.duckdb.lock", "w")  # noqa: SIM115 - held open like the warehouse's lock
    try:
        results = list(bounded_map(descriptors_and_parent, [None] * 6, jobs=2, max_seconds=60, max_mib=1536))
    finally:
        lock.close()
    zygotes = {ppid for _, ppid, _ in results}
    assert len(zygotes) == 1 and zygotes != {os.getpid()} and len({pid for pid, _, _ in results}) == 2
    for _, _, fds in results:  # the standard streams and the two pipes: not the lock, not the zygote's socket
        assert len(fds) == 5 and fds[:3] == [0, 1, 2], fds
    assert workers._zygote is None  # ended with the map, its workers too, all reaped
    assert not any(Path(f"/proc/{pid}").exists() for pid in zygotes | {pid for pid, _, _ in results})


def test_a_worker_killed_for_its_bound_is_replaced_by_a_new_fork_and_named(tmp_path):
    results = list(bounded_map(sleep_then_pid, [0.0, 30.0, 0.0], jobs=1, max_seconds=1, max_mib=1536))
    assert isinstance(results[1], WorkerFailure) and results[1].code == "parse_timeout"
    assert results[0][0] != results[2][0]
    assert workers._zygote is None


def test_without_a_zygote_each_worker_is_a_process_of_its_own(monkeypatch):
    monkeypatch.setattr(workers, "USE_ZYGOTE", False)  # platforms other than Linux
    results = list(bounded_map(sleep_then_pid, [0.0, 30.0, 0.0, 0.0], jobs=1, max_seconds=1, max_mib=1536))
    assert isinstance(results[1], WorkerFailure) and results[1].code == "parse_timeout"
    assert results[0][0] != results[2][0] == results[3][0]
    assert workers._zygote is None


def _raw(db_or_con, table: str) -> list[tuple]:
    con = duckdb.connect(str(db_or_con), read_only=True) if not isinstance(db_or_con, duckdb.DuckDBPyConnection) \
        else db_or_con
    cols = [r[0] for r in con.execute("select column_name from information_schema.columns where table_schema = "
                                      "'raw' and table_name = ? order by ordinal_position", [table]).fetchall()]
    keep = ", ".join(c for c in cols if c not in ("ingested_at", "first_seen", "last_seen", "run_id"))
    return sorted(con.execute(f"select {keep} from raw.{table}").fetchall(), key=repr)


def test_a_batch_loads_what_the_documents_load_one_by_one():
    now = dt.datetime(2026, 1, 1)
    parsed = [parse_bytes(p.read_bytes(), str(p), ReaderSettings())
              for p in (SEED, SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf")]
    for doc, _ in parsed:
        doc.document_id = doc.document_id or doc.source_path
    one, batch = duckdb.connect(), duckdb.connect()
    for con in (one, batch):
        ensure_schema(con)
    for doc, ex in parsed:
        load_document(one, doc, ex, status="parsed", now=now)
    load_rows(batch, [document_to_rows(doc, ex, status="parsed", now=now) for doc, ex in parsed], now)
    for table in ("documents", "statements", "classification_lines", "projects", "indicators", "sections",
                  "parse_issues", "document_paths"):
        assert _raw(one, table) == _raw(batch, table), table
    assert len(_raw(batch, "classification_lines")) > 100


def test_a_batch_that_fails_loads_its_documents_one_by_one_and_names_the_one_that_failed(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for year in (2019, 2020, 2022):
        (corpus / f"weixian_{year}.txt").write_text(text.replace("2021年", f"{year}年"), encoding="utf-8")
    load = pipeline.load_rows

    def fail_on_2020(con, batch, now):
        if any("2020" in b.source_path for b in batch):
            raise duckdb.ConversionException("a value DuckDB refuses")
        return load(con, batch, now)

    monkeypatch.setattr(pipeline, "load_rows", fail_on_2020)
    stats = ingest_only([str(corpus)], str(tmp_path / "w.duckdb"))
    by_name = {o.path.rsplit("/", 1)[-1]: o for o in stats.outcomes}
    assert [o.path.rsplit("/", 1)[-1] for o in stats.outcomes] == sorted(by_name)  # in the plan's order
    assert by_name["weixian_2020.txt"].status == "failed"
    assert "could not be loaded into raw.*" in by_name["weixian_2020.txt"].reason
    assert {by_name[n].doc_status for n in ("weixian_2019.txt", "weixian_2022.txt")} == {"parsed"}
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    years = dict(con.execute("select fiscal_year, status from raw.documents").fetchall())
    con.close()
    assert years == {2019: "parsed", 2022: "parsed", None: "rejected"}


def test_largest_files_first_but_outcomes_in_the_plan_s_order(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a_seed.txt")
    shutil.copy(SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf", corpus / "b_wanli.pdf")
    stats = ingest_only([str(corpus)], str(tmp_path / "w.duckdb"), jobs=2)
    assert [o.path.rsplit("/", 1)[-1] for o in stats.outcomes] == ["a_seed.txt", "b_wanli.pdf"]
    assert all(o.status == "new" for o in stats.outcomes)


@pytest.fixture(scope="module")
def text_lines() -> list[str]:
    """Every line of the Hebei text and the paragraphs of a dozen regional PDFs, as read."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for path in sorted(REGIONAL.glob("*.pdf"))[:12]:
        try:
            doc = read_file(str(path))
        except Exception:  # noqa: BLE001, S112 - files no reader takes have no lines
            continue
        lines += [b.raw or "" for b in doc.paragraphs()]
    return lines + ["1.值班系统保障服务费绩效目标表 TC 1、值班系统保障服务费绩效目标表 \\f C \\l 1 ",
                    "目录 TOC \\o \"1-3\" \\h \\z 一、部门职责", "PAGEREF _Toc123456 \\h 3", "ETC 1年 TCM 2",
                    "共计９９４．０８万元（其中：３３％）", "\u00a0a\u200bb\ufeff", "－1"]


def test_field_codes_are_stripped_as_when_every_pattern_ran(text_lines):
    def slow(line: str) -> str:
        for pat in FIELD_CODE_PATTERNS:
            line = pat.sub("", line)
        return line

    assert [line for line in text_lines if strip_field_codes(line) != slow(line)] == []
    assert strip_field_codes(text_lines[-7]) == "1.值班系统保障服务费绩效目标表"


def test_full_width_forms_are_normalized_as_when_every_character_was_translated(text_lines):
    from ingest.normalize import _FW_TABLE

    assert [line for line in text_lines if normalize_chars(line) != line.translate(_FW_TABLE)] == []
    assert normalize_chars("共计９９４．０８万元（其中：３３％）") == "共计994.08万元(其中：33%)"
