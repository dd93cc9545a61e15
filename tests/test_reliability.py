"""Issue 12: one file never costs the others, nothing is silent, and the environment's faults end
in one clear line. The main case refreshes a copy of data/samples plus every bad case of the
issue (and documents whose content pushes every edge of the raw contract): rc 0, each bad file
reported with its reason, every good one in the marts, nothing counted twice."""

from __future__ import annotations

import errno
import html
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ingest.cli import main
from ingest.contract import extraction_to_valid
from ingest.corpus import list_corpus
from ingest.errors import PipelineError
from ingest.parsing import parse_bytes
from ingest.pipeline import ingest_only, plan_files, refresh
from ingest.readers import ReaderSettings

from .conftest import SAMPLES, SEED, copy_warehouse, query
from .helpers_adversarial import load_adversarial
from .helpers_bigfiles import big_text, inflated_docx, inflated_xlsx

PDF = SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf"
NOTICES = {  # what the issue calls notices that are not budgets, one per kind
    "gazette.txt": "某某市人民政府公报\n2024年第3期（总第123期）\n目录\n关于印发某某市2024年国民经济和社会发展计划的通知\n",
    "notice.txt": "关于做好2025年部门预算公开工作的通知\n各区县财政局：\n为进一步推进预算公开，现将有关事项通知如下。\n",
    "inspection.txt": "中共某某市委第三巡察组关于巡察某某局党组的情况反馈\n根据市委统一部署，市委第三巡察组对某某局党组进行了巡察。\n",
    "statistics.txt": "某某市2023年国民经济和社会发展统计公报\n某某市统计局\n全年地区生产总值1234.56亿元，比上年增长5.2%。\n",
    "annual_report.txt": "某某城市建设投资集团有限公司\n2023年年度报告\n第一节 重要提示\n公司营业收入123.45亿元。\n",
    "attachment_page.html": "<html><body><h1>某某局2024年部门预算公开</h1><p>发布时间：2024-02-01</p>"
                            "<p>详见附件：</p><p>某某局2024年部门预算.pdf</p></body></html>",
}
LOOKS_LIKE = {"gazette.txt": "gazette", "notice.txt": "notice", "inspection.txt": "inspection",
              "statistics.txt": "statistics bulletin", "annual_report.txt": "company annual report",
              "attachment_page.html": "attachment"}


def seed_as_web_page(year: int | None = None) -> str:
    """The Hebei text as a web page (one <p> per line, as a site's article body): its tables are
    flattened, so its project tables all read as project 1 — the case that stopped dbt."""
    text = SEED.read_text(encoding="utf-8")
    if year:
        text = text.replace("2021年", f"{year}年")
    return ("<html><head><meta charset='utf-8'></head><body>"
            + "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n")) + "</body></html>")


# ---------------------------------------------------------------------------------------------
# The whole refresh: samples plus every bad case
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(built_warehouse, tmp_path_factory):
    base = tmp_path_factory.mktemp("mixed")
    corpus, db = copy_warehouse(built_warehouse, built_warehouse.parent / "samples", base)
    load_adversarial(str(db))
    bad = corpus / "scraped"
    bad.mkdir()
    # good: a web-page copy of the Hebei text (of another year: the same disclosure twice is a
    # matter for the one-current-disclosure rule), and the same bytes again under another name
    (bad / "weixian_2019_webpage.html").write_text(seed_as_web_page(2019), encoding="utf-8")
    shutil.copy(bad / "weixian_2019_webpage.html", bad / "weixian_2019_copy.htm")
    # bad: notices, oversized files, a truncated re-download of a file the warehouse holds
    for name, text in NOTICES.items():
        (bad / name).write_text(text, encoding="utf-8")
    big_text(bad)
    inflated_docx(bad)
    inflated_xlsx(bad)
    for template in bad.glob("seed_template.*"):
        template.unlink()
    wanli = corpus / "sh_putuo_wanli_2024_dept_budget.pdf"
    wanli.write_bytes(PDF.read_bytes()[: PDF.stat().st_size // 3])
    # skipped, with a reason
    (bad / "README.txt").write_text("下载说明", encoding="utf-8")
    (bad / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (bad / "elsewhere").symlink_to(SAMPLES)
    (bad / "outside.txt").symlink_to(SEED)
    os.mkfifo(bad / "pipe")
    before = {
        "wanli": query(db, "select document_id from raw.documents where source_path like '%wanli_2024%' "
                           "and is_current"),
        "marts": {r[0] for r in query(db, "select document_id from main.dim_document")},
    }
    started = time.time()
    out = CliRunner().invoke(main, ["refresh", "--corpus", str(corpus), "--db", str(db), "--quiet", "--jobs", "2",
                                    "--max-seconds", "20"])
    return out, db, corpus, before, time.time() - started


def test_the_mixed_refresh_ends_with_rc_0(mixed):
    out, db, *_ = mixed
    assert out.exit_code == 0, out.output
    assert not Path(str(db) + ".next").exists()


def test_each_bad_file_is_reported_with_its_reason(mixed):
    out, db, *_ = mixed
    issues = {Path(p).name: (c, m) for p, c, m in query(
        db, "select source_path, code, message from raw.parse_issues where severity = 'error' "
            "and source_path like '%/scraped/%' or source_path like '%wanli_2024%' and code = 'corrupt'")}
    for name, what in LOOKS_LIKE.items():
        assert issues[name][0] == "not_a_disclosure" and what in issues[name][1], (name, issues.get(name))
        assert name in out.output
    assert issues["big_200mb.txt"][0] in ("parse_timeout", "parse_memory")
    assert "parse exceeded" in issues["big_200mb.txt"][1]
    for name in ("inflated_53mb.docx", "inflated_53mb.xlsx"):
        assert issues[name][0] == "too_large" and "XML part" in issues[name][1], issues[name]
    assert "the version read before stays current" in issues["sh_putuo_wanli_2024_dept_budget.pdf"][1]
    status = CliRunner().invoke(main, ["status", "--db", str(db)]).output
    skipped = status.split("skipped (")[1]
    for name, reason in (("README.txt", "README"), (".DS_Store", "hidden"), ("elsewhere", "not followed"),
                         ("outside.txt", "leaving the corpus"), ("pipe", "FIFO")):
        assert f"/scraped/{name}: " in skipped and reason in skipped.split(f"/scraped/{name}: ")[1].split("\n")[0]
    assert "big_200mb.txt: [parse_" in status


def test_every_good_file_is_in_the_marts_and_nothing_counts_twice(mixed):
    _, db, _, before, _ = mixed
    marts = {r[0] for r in query(db, "select document_id from main.dim_document")}
    assert before["marts"] <= marts
    good = query(db, "select document_id, source_path, status from raw.documents where is_current "
                     "and status <> 'rejected'")
    assert {d for d, _, _ in good} <= marts
    web = [(p, s) for _, p, s in good if "weixian_2019" in p]
    assert len(web) == 1 and web[0][1] == "partial"  # one document for two names; rows set aside
    # the truncated re-download did not replace the version read before
    assert query(db, "select document_id from raw.documents where source_path like '%wanli_2024%' "
                     "and is_current and status <> 'rejected'") == before["wanli"]
    totals = query(db, "select d.source_path, f.fiscal_year, count(*), sum(f.amount_yuan) from main.fct_sangong f "
                       "join main.dim_document d using (document_id) where f.item = 'total' and f.source = "
                       "'narrative' and f.phase = 'budget' and f.measure = 'amount' and f.reference_year = "
                       "f.fiscal_year group by all")
    assert all(n == 1 for _, _, n, _ in totals)  # one fact per document and year
    hebei = sorted((year, total) for path, year, _, total in totals if "weixian" in path)
    assert hebei == [(2019, Decimal("545000.00")), (2021, Decimal("545000.00"))]


def test_a_web_page_copy_sets_aside_its_repeated_project_numbers():
    doc, ex = parse_bytes(seed_as_web_page().encode("utf-8"), "copy.html", ReaderSettings())
    valid = extraction_to_valid(ex, doc.page_count, "copy.html")
    seqs = [p.project_seq for p in valid.projects]
    assert len(seqs) == len(set(seqs)) < len(ex.projects)
    dup = [i for i in valid.issues if i.code == "contract_duplicate_key"]
    assert dup and all("copy.html" in i.message and "raw.projects" in i.message for i in dup)
    assert dup[0].page is not None and f"page {dup[0].page}" in dup[0].message


def test_the_contract_nulls_or_sets_aside_what_cannot_be_loaded():
    from ingest.model import DocumentProfile, Extraction, ParseIssue, Statement

    ex = Extraction(profile=DocumentProfile(fiscal_year=2201, issuer_name="某局"), statements=[
        Statement("revenue.total", Decimal(1), "1", "元", 2021, page=1),
        Statement("revenue.total", Decimal(1), "1", "元", 1899, page=1),
        Statement("revenue.total", Decimal(1), "1", "元", 2021, page=7),
        Statement("revenue.total", Decimal(10) ** 16, "1", "元", 2021, page=1),
        Statement("revenue.total", Decimal("NaN"), "1", "元", 2021, page=1),
        Statement("revenue.total", Decimal(1), "1", "元", 2021, page=1, label="\udc80"),
        Statement("revenue.total", Decimal(1), "1", "元", 2021, page=1, phase=None),
    ], issues=[ParseIssue("warning", "x", "text \udc80", page=9)])
    valid = extraction_to_valid(ex, 2, "f.txt")
    assert valid.profile.fiscal_year is None and valid.profile.issuer_name == "某局"
    assert len(valid.statements) == 1
    rules = sorted(i.code for i in valid.issues if i.code.startswith("contract_"))
    assert rules == ["contract_null_key"] + ["contract_out_of_range"] * 5 + ["contract_wrong_type"]
    warning = next(i for i in valid.issues if i.code == "x")
    assert warning.page is None and warning.message.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Bounds per file
# ---------------------------------------------------------------------------------------------


def test_the_issue_s_oversized_files_are_bounded(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    text, docx, xlsx = big_text(corpus), inflated_docx(corpus), inflated_xlsx(corpus)
    for template in corpus.glob("seed_template.*"):
        template.unlink()
    shutil.copy(SEED, corpus / "seed.txt")
    started = time.time()
    stats = ingest_only([str(corpus)], str(tmp_path / "w.duckdb"), jobs=2,
                        settings=ReaderSettings(max_parse_seconds=15))
    elapsed = time.time() - started
    by_name = {Path(o.path).name: o for o in stats.outcomes}
    assert by_name["seed.txt"].doc_status == "parsed"
    assert "parse exceeded" in by_name[text.name].reason
    for f in (docx, xlsx):
        assert "over the limit" in by_name[f.name].reason and "XML part" in by_name[f.name].reason
    assert elapsed < 60, elapsed


def test_the_memory_bound_kills_the_worker_and_names_the_file(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    text = big_text(corpus, size=60 * 1024 * 1024)
    shutil.copy(SEED, corpus / "seed.txt")
    stats = ingest_only([str(corpus)], str(tmp_path / "w.duckdb"),
                        settings=ReaderSettings(max_parse_mib=300, max_parse_seconds=60))
    by_name = {Path(o.path).name: o for o in stats.outcomes}
    assert by_name["seed.txt"].doc_status == "parsed"
    assert by_name[text.name].reason == f"{text}: parse exceeded 300 MiB (killed)"


def test_a_worker_killed_from_outside_names_its_file_and_the_others_go_on(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    (corpus / "b.txt").write_text(SEED.read_text(encoding="utf-8").replace("2021年", "2022年"), encoding="utf-8")
    marker = tmp_path / "paused"
    monkeypatch.setenv("BUDGETWH_TEST_PAUSE_AT", "parsing")  # the first worker to parse stops
    monkeypatch.setenv("BUDGETWH_TEST_PAUSE_FILE", str(marker))

    def oom_killer() -> None:
        deadline = time.time() + 60
        while not (marker.exists() and marker.read_text()) and time.time() < deadline:
            time.sleep(0.05)
        os.kill(int(marker.read_text()), 9)

    import threading

    killer = threading.Thread(target=oom_killer)
    killer.start()
    stats = ingest_only([str(corpus)], str(tmp_path / "w.duckdb"), jobs=1)
    killer.join()
    by_name = {Path(o.path).name: o for o in stats.outcomes}
    assert "killed by SIGKILL while reading this file" in by_name["a.txt"].reason
    assert by_name["a.txt"].reason.startswith(str(corpus / "a.txt"))
    assert by_name["b.txt"].doc_status == "parsed"


# ---------------------------------------------------------------------------------------------
# Versions, presence, what is skipped
# ---------------------------------------------------------------------------------------------


def test_a_changed_file_that_cannot_be_read_keeps_the_version_read_before(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    target = corpus / "wanli.pdf"
    shutil.copy(PDF, target)
    db = tmp_path / "w.duckdb"
    ingest_only([str(corpus)], str(db))
    good = query(db, "select document_id from raw.documents where is_current")
    target.write_bytes(PDF.read_bytes()[:20_000])  # a truncated re-download
    stats = ingest_only([str(corpus)], str(db))
    assert "the version read before stays current" in stats.failed[0].reason
    assert query(db, "select document_id from raw.documents where is_current and status <> 'rejected'") == good
    assert query(db, "select count(*) from raw.statements s join raw.documents d using (document_id) "
                     "where d.is_current")[0][0] > 0
    shutil.copy(PDF, target)  # the good bytes come back: nothing to parse, still current
    assert [o.status for o in ingest_only([str(corpus)], str(db)).outcomes] == ["unchanged"]
    assert query(db, "select document_id from raw.documents where is_current and status <> 'rejected'") == good


def test_a_re_added_file_is_marked_present_again(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    db = tmp_path / "w.duckdb"
    refresh(str(corpus), str(db), build=False, quiet=True)
    (corpus / "seed.txt").rename(tmp_path / "away.txt")
    assert refresh(str(corpus), str(db), build=False, quiet=True).stats.removed == [str(corpus / "seed.txt")]
    (tmp_path / "away.txt").rename(corpus / "seed.txt")
    con = duckdb.connect(str(db), read_only=True)
    plan = plan_files(con, [str(corpus)], ReaderSettings())
    con.close()
    assert plan.has_work and plan.to_mark  # so a refresh with "nothing new" is not a no-op
    refresh(str(corpus), str(db), build=False, quiet=True)
    assert query(db, "select is_present from raw.document_paths") == [(True,)]


def test_every_file_is_taken_or_skipped_with_a_reason(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "locked").mkdir()
    (root / ".git").mkdir()
    for name in ("a.pdf", "sub/b.txt", "README.md", "readme_first.txt", ".hidden.txt", ".git/config"):
        (root / name).write_text("x", encoding="utf-8")
    (root / "link_in.txt").symlink_to(root / "a.pdf")
    (root / "link_out.txt").symlink_to(SEED)
    (root / "loop").symlink_to(root)
    (root / "broken.txt").symlink_to(root / "nowhere")
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr("ingest.corpus.os.scandir", scandir)
    listing = list_corpus([str(root)])
    taken = sorted(str(Path(f).relative_to(root)) for f in listing.files)
    skipped = {str(Path(s.path).relative_to(root)): s.reason for s in listing.skipped}
    assert taken == ["a.pdf", "sub/b.txt"]
    assert set(skipped) == {"README.md", "readme_first.txt", ".hidden.txt", ".git", "link_in.txt", "link_out.txt",
                            "loop", "broken.txt", "locked"}
    assert "read under its own name" in skipped["link_in.txt"]
    assert "permission denied" in skipped["locked"].lower()
    assert "leaving the corpus" in skipped["link_out.txt"] and "folder" in skipped["loop"]


# ---------------------------------------------------------------------------------------------
# The environment's faults: one line, no traceback, nothing half-written left
# ---------------------------------------------------------------------------------------------


def _one_line_error(result) -> str:
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_a_full_disk_while_copying_leaves_no_partial_copy(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    db = tmp_path / "w.duckdb"
    ingest_only([str(corpus)], str(db))

    def full_disk(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr("ingest.warehouse.shutil.copyfile", full_disk)
    with pytest.raises(PipelineError, match="no space left"):
        refresh(str(corpus), str(db), build=False, quiet=True)
    assert not Path(str(db) + ".next").exists()
    line = _one_line_error(CliRunner().invoke(main, ["ingest", "--db", str(db), str(corpus)]))
    assert "no space left" in line and "bytes are free" in line
    assert not Path(str(db) + ".next").exists()
    assert query(db, "select count(*) from raw.documents")[0][0] == 1


def test_a_read_only_folder_is_one_line(tmp_path):
    line = _one_line_error(CliRunner().invoke(main, ["ingest", "--db", "/sys/budgetwh/w.duckdb", str(SEED)]))
    assert "/sys" in line and "not writable" in line


def test_a_warehouse_held_open_for_writing_by_another_program_is_named(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_only([str(SEED)], str(db))
    code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        holder.stdout.readline()
        for args in (["ingest", "--db", str(db), str(SEED)], ["query", "--db", str(db), "select 1"]):
            line = _one_line_error(CliRunner().invoke(main, args))
            assert "held open for writing by python" in line and f"pid {holder.pid}" in line, line
            assert "refresh" not in line.split("held")[0]
    finally:
        holder.kill()
        holder.wait()


def test_budgetwh_db_and_corpus_are_honoured_by_every_command(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    monkeypatch.setenv("BUDGETWH_DB", str(tmp_path / "env.duckdb"))
    monkeypatch.setenv("BUDGETWH_CORPUS", str(corpus))
    assert CliRunner().invoke(main, ["ingest", "--quiet"]).exit_code == 0
    out = CliRunner().invoke(main, ["query", "--format", "csv", "select count(*) as n from raw.documents"])
    assert out.output.strip().splitlines() == ["n", "1"]
    for name, command in main.commands.items():
        options = {o.name: o for o in command.params}
        if "db_path" in options:
            assert options["db_path"].envvar == "BUDGETWH_DB", name
        if "corpus" in options:
            assert options["corpus"].envvar == "BUDGETWH_CORPUS", name
    assert "db_path" in {o.name for o in main.commands["refresh"].params}
