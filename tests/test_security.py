"""The trust boundaries of docs/security.md, tried as an adversary would.

- ``budgetwh query`` (and every connection handed to analysts: check, status, export, the
  notebooks) reads the warehouse and nothing else: no file read or written, no ATTACH, no
  extension, no setting changed; each refusal is one line, and a query of the warehouse answers.
- ``budgetwh export --out`` takes any folder name: its paths are parameters, never SQL.
- The corpus walk does not leave the corpus through a symbolic link.
- The .doc converter runs confined: no network, a read-only file system but its own folder, a
  memory limit, macros disabled; without a sandbox it still converts, and says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ingest.cli import main

from .conftest import ROOT, SEED, query

MODELS = ROOT / "dbt_project" / "models"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused_line(result) -> str:
    """The one line a refused command prints (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: query refused: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


# ---------------------------------------------------------------------------------------------
# The query sandbox
# ---------------------------------------------------------------------------------------------


def test_a_query_of_the_warehouse_still_answers(built_warehouse):
    r = run("query", "--db", built_warehouse, "--format", "csv",
            "select count(*) as n, count(distinct fiscal_year) as years from rpt_department_trend")
    assert r.exit_code == 0, r.output
    n, years = r.output.splitlines()[1].split(",")
    assert int(n) > 0 and int(years) >= 2
    r = run("query", "--db", built_warehouse, "show all tables")
    assert r.exit_code == 0 and "rpt_department_trend" in r.output


@pytest.fixture()
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text("root:x:0:0:the-secret-line\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sql", [
    "select * from read_csv('{secret}', sep=':')",
    "select * from read_text('{secret}')",
    "select * from read_blob('{secret}')",
    "select * from glob('{dir}/*')",
    "select * from '{secret}'",
    "select * from read_csv('/etc/passwd', sep=':')",
    "select * from glob('/root/*')",
], ids=["read_csv", "read_text", "read_blob", "glob", "replacement_scan", "etc_passwd", "glob_root"])
def test_no_file_is_read(built_warehouse, secret, sql):
    line = refused_line(run("query", "--db", built_warehouse, sql.format(secret=secret, dir=secret.parent)))
    assert "the-secret-line" not in line and "root:x" not in line
    assert "disabled by configuration" in line and "docs/security.md" in line


@pytest.mark.parametrize("sql", [
    "copy (select 'x' as a) to '{target}'",
    "copy (select 'x' as a) to '{target}' (format parquet)",
    "select 1; copy (select 'x' as a) to '{target}'",
    "export database '{dir}'",
], ids=["copy_csv", "copy_parquet", "after_a_select", "export_database"])
def test_no_file_is_written(built_warehouse, tmp_path, sql):
    target = tmp_path / "written.csv"
    refused_line(run("query", "--db", built_warehouse, sql.format(target=target, dir=tmp_path / "dump")))
    assert not target.exists() and not (tmp_path / "dump").exists()


def test_no_dbt_model_is_planted(built_warehouse):
    """A COPY writing a Python model into dbt_project/models/ would run at the next refresh."""
    planted = MODELS / "marts" / "zz_planted_by_query.py"
    model = 'def model(dbt, session):\n    import os\n    os.system("touch /tmp/pwned")\n'
    sql = f"copy (select '{model}' as code) to '{planted}' (header false, quote '', delimiter '\\t')"
    try:
        line = refused_line(run("query", "--db", built_warehouse, sql))
        assert "zz_planted_by_query.py" in line
        assert not planted.exists()
    finally:
        planted.unlink(missing_ok=True)


def test_no_other_database_is_attached_or_changed(built_warehouse, tmp_path):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("create table t as select 1 as a")
    con.close()
    before = other.read_bytes()
    for sql in (f"attach '{other}' as o (read_write)",
                f"attach '{other}' as o; insert into o.t values (666)",
                f"attach '{tmp_path / 'new.duckdb'}' as n"):
        line = refused_line(run("query", "--db", built_warehouse, sql))
        assert "Cannot access file" in line
    assert other.read_bytes() == before and not (tmp_path / "new.duckdb").exists()
    assert "read-only" in refused_line(run("query", "--db", built_warehouse, "attach ':memory:' as m"))


@pytest.mark.parametrize("sql", [
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset lock_configuration",
    "set allowed_directories = ['/']",
    "set temp_directory = '/tmp'",
    "pragma enable_profiling = 'json'",
    "create table main.t as select 1 as a",
    "insert into raw.skipped_files (source_path) values ('x')",
], ids=lambda s: s.split(" =")[0].replace(" ", "_"))
def test_no_extension_setting_or_write(built_warehouse, sql):
    line = refused_line(run("query", "--db", built_warehouse, sql))
    assert any(why in line for why in ("disabled", "locked", "read-only")), line


def test_every_analyst_connection_is_the_sandbox(built_warehouse, tmp_path, secret):
    """check / status / notebooks / the cookbook open the warehouse through ingest.sandbox."""
    from ingest.sandbox import connect_sandboxed

    con = connect_sandboxed(built_warehouse)
    try:
        assert con.execute("select count(*) from dim_document").fetchone()[0] > 0
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_text($1)", [str(secret)])
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("set enable_external_access = true")
    finally:
        con.close()
    for path in [*(ROOT / "notebooks").glob("*.py"), ROOT / "scripts" / "render_cookbook.py",
                 ROOT / "ingest" / "cli.py", ROOT / "ingest" / "export.py"]:
        text = path.read_text(encoding="utf-8")
        assert "duckdb.connect(" not in text, f"{path.name} opens the warehouse outside the sandbox"
    assert run("status", "--db", built_warehouse).exit_code == 0


# ---------------------------------------------------------------------------------------------
# Exports: paths are parameters
# ---------------------------------------------------------------------------------------------


def test_an_export_folder_named_o_brien_works(built_warehouse, tmp_path):
    out = tmp_path / "O'Brien"
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", out, "--mart", "dim_document")
    assert r.exit_code == 0, r.output
    n = query(built_warehouse, "select count(*) from dim_document")[0][0]
    assert len((out / "dim_document.csv").read_text(encoding="utf-8").strip().splitlines()) == n + 1
    r = run("export", "--db", built_warehouse, "--format", "parquet", "--out", out, "--mart", "fct_sangong")
    assert r.exit_code == 0, r.output
    assert list((out / "fct_sangong").glob("fiscal_year=*/*.parquet"))


def test_a_crafted_export_path_runs_no_sql_of_its_own(built_warehouse, tmp_path):
    pwned = tmp_path / "pwned.csv"
    crafted = f"x') to '{tmp_path}/a.csv'; copy (select 42) to '{pwned}'; --"
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", tmp_path / crafted, "--mart", "dim_document")
    assert r.exit_code == 0, r.output
    assert not pwned.exists() and not (tmp_path / "a.csv").exists()
    written = Path(r.output.strip())
    assert written.name == "dim_document.csv" and written.exists() and crafted in str(written)


def test_the_export_connection_writes_only_into_its_folder(built_warehouse, tmp_path):
    from ingest.sandbox import connect_sandboxed

    out = tmp_path / "out"
    out.mkdir()
    con = connect_sandboxed(built_warehouse, writable_dir=out)
    try:
        con.execute("copy (select 1 as a) to $1", [str(out / "ok.csv")])
        for elsewhere in (tmp_path / "elsewhere.csv", out / ".." / "escaped.csv"):
            with pytest.raises(duckdb.PermissionException):
                con.execute("copy (select 1 as a) to $1", [str(elsewhere)])
    finally:
        con.close()
    assert (out / "ok.csv").exists()
    assert not (tmp_path / "elsewhere.csv").exists() and not (tmp_path / "escaped.csv").exists()


# ---------------------------------------------------------------------------------------------
# The corpus: no symbolic link out of it
# ---------------------------------------------------------------------------------------------


def test_a_symlink_out_of_the_corpus_is_reported_not_read(tmp_path):
    from ingest.pipeline import ingest_only

    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SEED, outside / "private.txt")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    (corpus / "leak.txt").symlink_to(outside / "private.txt")
    (corpus / "again.txt").symlink_to(corpus / "seed.txt")
    (corpus / "up").symlink_to(outside)
    db = tmp_path / "w.duckdb"
    ingest_only([str(corpus)], str(db))
    skipped = dict(query(db, "select source_path, reason from raw.skipped_files"))
    leak = skipped[str(corpus / "leak.txt")]
    assert "leaving the corpus" in leak and str(outside / "private.txt") in leak
    assert "folder" in skipped[str(corpus / "up")]
    assert "read under its own name" in skipped[str(corpus / "again.txt")]
    paths = {p for (p,) in query(db, "select source_path from raw.document_paths")}
    assert paths == {str(corpus / "seed.txt")}


# ---------------------------------------------------------------------------------------------
# The .doc converter: confined where the machine allows
# ---------------------------------------------------------------------------------------------


def _confined():
    from ingest.readers.doc import detect_confinement

    return detect_confinement()


needs_sandbox = pytest.mark.skipif(not _confined().isolates_network,
                                   reason="neither bubblewrap nor `unshare --net` works here (docs/security.md)")
needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")


def _inside(args: list[str], workdir: Path, max_mib: int | None = None) -> subprocess.CompletedProcess:
    from ingest.readers.doc import _run

    # the base interpreter, not the virtualenv's: a checkout under /tmp (a CI clone) is hidden by
    # the sandbox's private /tmp; these snippets need only the standard library
    python = getattr(sys, "_base_executable", None) or sys.executable
    return _run(_confined().wrap([python, *args], str(workdir)), 30, max_mib=max_mib)


@needs_sandbox
def test_the_converter_command_runs_in_a_network_namespace(tmp_path):
    from ingest.readers.doc import soffice_command

    cmd = soffice_command("/usr/bin/soffice", str(tmp_path), _confined())
    assert cmd[0].endswith(("bwrap", "unshare"))
    assert ("--unshare-net" in cmd) or ("--net" in cmd)
    assert cmd.index("/usr/bin/soffice") > 0
    # and the namespace really holds nothing but the loopback
    r = _inside(["-c", "print(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))"],
                tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().strip() == "['lo']"


@needs_sandbox
def test_the_converter_writes_only_into_its_own_folder(tmp_path):
    if _confined().level != "bwrap":
        pytest.skip("only bubblewrap makes the file system read-only (docs/security.md)")
    work = tmp_path / "work"
    work.mkdir()
    planted = MODELS / "marts" / "zz_planted_by_converter.py"
    try:
        r = _inside(["-c", f"open({str(planted)!r}, 'w')"], work)
        # read-only; or, for a checkout under /tmp, not even visible (the sandbox's /tmp is private)
        assert r.returncode != 0 and (b"Read-only file system" in r.stderr
                                      or b"No such file or directory" in r.stderr), r.stderr
        assert not planted.exists()
    finally:
        planted.unlink(missing_ok=True)
    # beside the work folder: refused (read-only) or into the private /tmp, gone with it
    _inside(["-c", f"open({str(tmp_path / 'beside.txt')!r}, 'w')"], work)
    assert not (tmp_path / "beside.txt").exists()
    assert _inside(["-c", f"open({str(work / 'inside.txt')!r}, 'w')"], work).returncode == 0
    assert (work / "inside.txt").exists()


def test_the_converter_memory_limit_is_applied(tmp_path):
    r = _inside(["-c", "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"], tmp_path, max_mib=900)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == 900 * 1024 * 1024
    r = _inside(["-c", "b = bytearray(1200 * 1024 * 1024)"], tmp_path, max_mib=900)
    assert r.returncode != 0 and b"MemoryError" in r.stderr


def test_the_profile_disables_macros(tmp_path):
    from ingest.readers.doc import write_profile

    xcu = write_profile(tmp_path / "profile").read_text(encoding="utf-8")
    assert '<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value>' in xcu
    assert '<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value>' in xcu
    assert xcu.count('oor:name="Executable" oor:op="fuse"><value>false</value>') == 2


def _seed_as_doc(tmp_path: Path) -> bytes:
    """The Hebei seed text saved as Word 97 by LibreOffice (unconfined: this is the test's tool)."""
    shutil.copy(SEED, tmp_path / "seed.txt")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(tmp_path / "seed.txt")],
                   check=True, capture_output=True, timeout=180, env=dict(os.environ, HOME=str(tmp_path)))
    return (tmp_path / "seed.doc").read_bytes()


@needs_soffice
def test_a_doc_converts_confined_and_unconfined(tmp_path, monkeypatch):
    from ingest.parsing import parse_bytes
    from ingest.readers import ReaderSettings
    from ingest.readers import doc as doc_reader

    data = _seed_as_doc(tmp_path)
    doc, ex = parse_bytes(data, "seed.doc", ReaderSettings())
    totals = {st.amount_yuan for st in ex.statements if st.statement_key == "revenue.total"}
    assert doc.source_format == "doc" and 9940800 in totals
    if _confined().isolates_network:
        assert not [i for i in ex.issues if i.code == "converter_unconfined"]
    # where no sandbox works, the file is still read, and the parse issue says how it ran
    monkeypatch.setattr(doc_reader, "detect_confinement", lambda: doc_reader.Confinement("none"))
    _doc2, ex2 = parse_bytes(data, "seed.doc", ReaderSettings())
    assert len(ex2.statements) == len(ex.statements)
    unconfined = [i for i in ex2.issues if i.code == "converter_unconfined"]
    assert len(unconfined) == 1 and unconfined[0].severity == "info" and "network" in unconfined[0].message


def test_a_sandbox_that_does_not_run_falls_back_to_none(monkeypatch):
    from ingest.readers import doc as doc_reader

    monkeypatch.setattr(doc_reader, "confinement_candidates",
                        lambda: [doc_reader.Confinement("bwrap", ("/bin/false",)),
                                 doc_reader.Confinement("netns", ("/nonexistent/unshare", "--net"))])
    doc_reader.detect_confinement.cache_clear()
    try:
        assert doc_reader.detect_confinement().level == "none"
    finally:
        doc_reader.detect_confinement.cache_clear()


def test_spill_folders_of_ended_processes_are_swept(tmp_path):
    """A sandboxed connection's private spill folder is removed at exit; one left by a process that
    ended without its exit handlers (killed, a notebook kernel's os._exit) is removed by the next."""
    import os
    import subprocess
    import sys

    from ingest.sandbox import SPILL_PREFIX, sweep_spill_dirs

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)
    dead = tmp_path / f"{SPILL_PREFIX}{ended.stdout.strip()}-abc"
    live = tmp_path / f"{SPILL_PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{SPILL_PREFIX}notapid"
    for folder in (dead, live, other):
        folder.mkdir()
    (dead / "spill.block").write_bytes(b"x")
    assert sweep_spill_dirs(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and live.exists() and other.exists()
