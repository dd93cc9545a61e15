"""The CLI for people and schedulers: a quiet refresh with progress and a closing table of steps,
dbt's log kept in a file, ``status --json``, ``check --fail-on``, and a clean package build."""

from __future__ import annotations

import io
import json
import re
import tomllib

import pytest
from click.testing import CliRunner

from ingest.cli import EXIT_FINDINGS, main
from ingest.progress import RunDisplay
from ingest.stages import advance, listening, stage
from ingest.warehouse import warehouse_dirs

from .conftest import REFRESH_OUTPUT, ROOT, query

MAX_REFRESH_LINES = 40  # issue 15: `make run` prints under 40 lines after the install step


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def refresh_output(built_warehouse) -> list[str]:
    """What `budgetwh refresh` printed (not on a terminal) when it built the shared warehouse."""
    return (built_warehouse.parent / REFRESH_OUTPUT).read_text(encoding="utf-8").splitlines()


def test_a_refresh_of_the_samples_prints_few_lines(refresh_output):
    assert 10 < len(refresh_output) < MAX_REFRESH_LINES, "\n".join(refresh_output)


def test_no_dbt_log_on_the_console_but_in_its_file(refresh_output, built_warehouse):
    text = "\n".join(refresh_output)
    assert "START sql table model" not in text and "Running with dbt" not in text
    log = warehouse_dirs(built_warehouse).dbt_logs / "dbt.log"
    assert log.exists() and "START sql table model" in log.read_text(encoding="utf-8", errors="replace")
    assert f"(log: {log})" in text


def test_progress_lines_and_the_closing_table_of_steps(refresh_output):
    text = "\n".join(refresh_output)
    for step, unit in (("hashing", "files"), ("parsing", "files"), ("building", "dbt nodes")):
        done = [line for line in refresh_output if re.match(rf"\d\d:\d\d:\d\d {step} done: (\d+)/\1 {unit} \(", line)]
        assert done, f"no progress line for {step}:\n{text}"
    assert "checking done" in text
    table = refresh_output[next(i for i, line in enumerate(refresh_output) if line.startswith("steps (started ")):]
    assert [line.split()[1] for line in table[1:]] == ["hashing", "parsing", "building", "checking", "saving"]
    for line in table[1:]:
        assert re.match(r"  \d\d:\d\d:\d\d  \w+ +\d+\.\d s", line), line
    assert re.search(r"checking +\d+\.\d s  \d+ findings", text)


def test_plain_lines_when_not_a_terminal_bars_on_one():
    out = io.StringIO()
    display = RunDisplay(out, tty=False)
    with listening(display):
        stage("recover")
        stage("planning")
        advance("hashing", 0, 2)
        advance("hashing", 2, 2)
        display.parsing(1, 1)
        stage("dbt")
        stage("checks")
        stage("record")
        stage("swap")
        stage("swapped")
    summary = display.summary()
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["hashing", "parsing", "building", "checking", "saving"]
    assert "hashing done: 2/2 files" in lines[0]
    assert [line.split()[1] for line in summary.splitlines()[1:]] == [
        "hashing", "parsing", "building", "checking", "saving"]
    quiet = io.StringIO()
    display = RunDisplay(quiet, enabled=False, tty=False)
    with listening(display):
        stage("planning")
        advance("hashing", 1, 1)
    display.close()
    assert quiet.getvalue() == "" and "hashing" in display.summary()
    bars = io.StringIO()
    display = RunDisplay(bars, tty=True)
    with listening(display):
        advance("hashing", 3, 7)
    display.close()
    assert "3/7" in bars.getvalue()


def test_status_json(built_warehouse):
    r = run("status", "--db", built_warehouse, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["runs"][0]["command"] == "refresh" and data["runs"][0]["status"] == "succeeded"
    current = query(built_warehouse, "select count(*) from raw.documents where is_current and status <> 'rejected'")
    assert len(data["coverage"]) == current[0][0]
    assert {r["code"] for r in data["rejected"]} and all(r["path"] for r in data["rejected"])
    assert any(s["path"].endswith("README.md") for s in data["skipped"])


def test_check_fail_on(built_warehouse):
    counts = dict(query(built_warehouse, "select severity, count(*) from quality_findings group by 1"))
    assert counts.get("error") and counts.get("warning")  # the samples have both
    plain = run("check", "--db", built_warehouse)
    assert plain.exit_code == 0
    for level in ("error", "warning"):
        r = run("check", "--db", built_warehouse, "--fail-on", level)
        assert r.exit_code == EXIT_FINDINGS, r.output
        assert f"failing (--fail-on {level}): {counts['error']} error" in r.output


def test_check_fail_on_passes_without_such_findings(built_warehouse, tmp_path):
    import shutil

    import duckdb

    copy = tmp_path / "w.duckdb"
    shutil.copyfile(built_warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("delete from main.quality_findings where severity = 'error'")
    con.close()
    assert run("check", "--db", copy, "--fail-on", "error").exit_code == 0
    assert run("check", "--db", copy, "--fail-on", "warning").exit_code == EXIT_FINDINGS


def test_license_is_an_spdx_expression():
    """setuptools >= 77 warns about a `license` table; an SPDX string is the current form."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    backend = project["build-system"]["requires"][0]
    assert int(backend.split(">=")[1].split(".")[0]) >= 77


def test_dbt_prints_only_with_verbose(tmp_path):
    from ingest.transform import dbt_args
    from ingest.warehouse import WarehouseDirs

    dirs = WarehouseDirs(tmp_path)
    quiet = dbt_args("build", dirs, verbose=False)
    assert quiet[:5] == ["build", "--log-level", "none", "--log-level-file", "debug"]
    assert quiet[quiet.index("--log-path") + 1] == str(dirs.dbt_logs)
    assert "--log-level" not in dbt_args("build", dirs, verbose=True)
    assert "--verbose" in CliRunner().invoke(main, ["refresh", "--help"]).output


def test_exit_now_does_what_an_exit_must_before_it_skips_the_teardown(tmp_path):
    """A command that imported dbt or GX ends with os._exit (their modules' teardown is ~1 s); the
    exit code, unflushed output, atexit functions (logging's flush) and running threads are kept."""
    import subprocess
    import sys

    code = f"""
import atexit, logging, sys, threading, time
from ingest.cli import _exit_now
log = logging.getLogger("x"); log.addHandler(logging.FileHandler({str(tmp_path / 'log.txt')!r}))
log.warning("logged")
atexit.register(lambda: open({str(tmp_path / 'atexit.txt')!r}, "w").write("ran"))
threading.Thread(target=lambda: (time.sleep(0.3), open({str(tmp_path / 'thread.txt')!r}, "w").write("done"))).start()
sys.stdout.write("unflushed")
_exit_now(3)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 3, out.stderr
    assert out.stdout == "unflushed"
    assert (tmp_path / "atexit.txt").read_text() == "ran"
    assert (tmp_path / "thread.txt").read_text() == "done"
    assert (tmp_path / "log.txt").read_text().strip() == "logged"


def test_a_refresh_ends_without_the_teardown_as_an_ingest_does(built_warehouse, tmp_path, monkeypatch):
    """A small refresh builds and checks in processes of its own, so dbt and GX are not imported
    in the CLI's: the refresh asks for the exit without the teardown itself, as `ingest` does."""
    from ingest import cli

    from .conftest import copy_warehouse

    monkeypatch.setattr(cli, "_EXIT_NOW_AFTER", set())
    corpus, db = copy_warehouse(built_warehouse, built_warehouse.parent / "samples", tmp_path)
    result = CliRunner().invoke(main, ["refresh", "--corpus", str(corpus), "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    assert cli._EXIT_NOW_AFTER == {"refresh"}


def test_called_with_arguments_the_group_returns_as_click_does():
    # CliRunner passes args: no os._exit in the caller's process, even with dbt imported
    import dbt.cli.main  # noqa: F401

    result = run("--version")
    assert result.exit_code == 0 and "version" in result.output
