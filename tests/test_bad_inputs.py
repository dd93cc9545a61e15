"""Issue 7's bad inputs, all in one corpus: each is reported (raw.parse_issues and the summary)
with its file and a reason, none stops the others, and the good files load."""

from __future__ import annotations

import io
import shutil
import zipfile

import duckdb
import pytest

from ingest.pipeline import ingest_only
from ingest.readers import ReaderSettings, read_file
from ingest.summary import ingest_summary

from .conftest import SAMPLES, SEED
from .helpers_render import document_to_docx, document_to_html
from .test_pdf_reader import _blank_pdf, _encrypted_pdf

PDF = SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    corpus = base / "in"
    corpus.mkdir()
    seed_text = SEED.read_text(encoding="utf-8")
    seed_doc = read_file(str(SEED))
    # good files
    shutil.copy(SEED, corpus / "seed.txt")
    shutil.copy(PDF, corpus / "wanli.pdf")
    shutil.copy(SEED, corpus / "seed_again_under_another_name.txt")  # same file, two names
    (corpus / "gb18030.txt").write_bytes(seed_text.replace("2021年", "2019年").encode("gb18030"))
    trad = "魏縣縣委辦\n\n2020年部門預算公開說明\n\n1、收入說明：2020年收入預算共計1192.92萬元，全部為財政撥款收入。\n"
    (corpus / "traditional.txt").write_text(trad, encoding="utf-8")
    html = document_to_html(seed_doc, charset="gb2312").replace("2021年", "2018年")
    (corpus / "really_html.doc").write_bytes(html.encode("gb18030"))
    # bad files
    (corpus / "empty.pdf").write_bytes(b"")
    (corpus / "random_bytes.pdf").write_bytes(bytes((i * 7919) % 256 for i in range(4096)))
    (corpus / "truncated.pdf").write_bytes(PDF.read_bytes()[: PDF.stat().st_size // 2])
    (corpus / "encrypted.pdf").write_bytes(_encrypted_pdf())
    (corpus / "scan_no_text.pdf").write_bytes(_blank_pdf())
    (corpus / "huge.txt").write_bytes(seed_text.encode("utf-8") * 30)  # over the 1 MB limit below
    docx = document_to_docx(seed_doc, base / "seed.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    (corpus / "bomb.docx").write_bytes(buf.getvalue())
    (corpus / "minutes.txt").write_text("会议纪要：本周召开例会，讨论下月工作安排。\n", encoding="utf-8")
    db = base / "w.duckdb"
    stats = ingest_only([str(corpus)], str(db), settings=ReaderSettings(max_bytes=1024 * 1024), jobs=2)
    return stats, db


EXPECTED_FAILURES = {
    "empty.pdf": "empty_file",
    "random_bytes.pdf": "corrupt",
    "truncated.pdf": "corrupt",
    "encrypted.pdf": "encrypted",
    "scan_no_text.pdf": "no_text_layer",
    "huge.txt": "too_large",
    "bomb.docx": "zip_bomb",
    "minutes.txt": "not_a_disclosure",
}


def test_every_bad_file_is_reported_with_its_reason(corpus_run):
    stats, db = corpus_run
    con = duckdb.connect(str(db), read_only=True)
    issues = {path.rsplit("/", 1)[-1]: (code, msg) for path, code, msg in con.execute(
        "select source_path, code, message from raw.parse_issues where severity='error'").fetchall()}
    con.close()
    for name, code in EXPECTED_FAILURES.items():
        assert name in issues, f"{name} not reported"
        assert issues[name][0] == code, (name, issues[name])
        assert name in issues[name][1], "the message names the file"
    summary = ingest_summary(stats)
    for name in EXPECTED_FAILURES:
        assert name in summary


def test_the_good_files_still_load(corpus_run):
    stats, db = corpus_run
    by_name = {o.path.rsplit("/", 1)[-1]: o for o in stats.outcomes}
    for name in ("seed.txt", "wanli.pdf", "gb18030.txt", "traditional.txt", "really_html.doc"):
        assert by_name[name].doc_status in ("parsed", "partial"), (name, by_name[name])
    assert by_name["seed_again_under_another_name.txt"].status == "duplicate"
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(con.execute("select regexp_extract(source_path, '[^/]+$'), source_format || ':' || encoding "
                            "from raw.documents where status != 'rejected'").fetchall())
    years = dict(con.execute("select regexp_extract(source_path, '[^/]+$'), fiscal_year from raw.documents "
                             "where status != 'rejected'").fetchall())
    amounts = con.execute("select amount_yuan from raw.statements s join raw.documents d using (document_id) "
                          "where d.source_path like '%traditional.txt' and statement_key='revenue.total'").fetchall()
    con.close()
    assert rows["gb18030.txt"] == "text:gb18030" and years["gb18030.txt"] == 2019
    assert rows["really_html.doc"].startswith("html") and years["really_html.doc"] == 2018
    assert years["traditional.txt"] == 2020 and [a[0] for a in amounts] == [11929200]


def test_html_rendering_extracts_like_the_text(corpus_run):
    _, db = corpus_run
    con = duckdb.connect(str(db), read_only=True)
    n = dict(con.execute("select regexp_extract(d.source_path, '[^/]+$'), count(*) from raw.indicators "
                         "join raw.documents d using (document_id) group by 1").fetchall())
    con.close()
    assert n["really_html.doc"] == n["seed.txt"] == 108
