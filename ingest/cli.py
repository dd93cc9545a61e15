"""The ``budgetwh`` command line. The only place that turns errors into exit codes:
0 done (with or without data findings), 1 pipeline failure, 2 usage error, 3 ``check --fail-on``
found findings of that severity or worse (for schedulers). Errors are one line
(no traceback), the environment's included: a full disk, a read-only folder, a warehouse held by
another program. ``BUDGETWH_DB`` and ``BUDGETWH_CORPUS`` stand for ``--db`` and ``--corpus``."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from pathlib import Path

import click

from .defaults import (
    DEFAULT_CORPUS,
    DEFAULT_DB,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMBER_BYTES,
    DEFAULT_MAX_PARSE_MIB,
    DEFAULT_MAX_PARSE_SECONDS,
    DEFAULT_MAX_UNZIPPED_BYTES,
    DEFAULT_MAX_XML_BYTES,
)
from .errors import BudgetWarehouseError, WarehouseBusyError

EXIT_OK, EXIT_PIPELINE, EXIT_USAGE, EXIT_FINDINGS = 0, 1, 2, 3
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
MIB = 1024 * 1024

db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, envvar="BUDGETWH_DB",
                         help="Warehouse file (DuckDB); or set BUDGETWH_DB.")
corpus_option = click.option("--corpus", default=DEFAULT_CORPUS, show_default=True, envvar="BUDGETWH_CORPUS",
                             help="Folder of disclosure files; or set BUDGETWH_CORPUS.")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar, short summary.")
jobs_option = click.option("--jobs", type=int, default=None, help="Parallel parser processes (default: cores).")
# The bounds per file, declared once for every command that parses: (option, settings field, scale, default).
LIMITS = (
    ("--max-mb", "max_bytes", MIB, DEFAULT_MAX_BYTES, "Refuse files larger than this many MB"),
    ("--max-seconds", "max_parse_seconds", 1, DEFAULT_MAX_PARSE_SECONDS,
     "Wall time to read one file; its parser is killed past it and the file rejected"),
    ("--max-memory-mb", "max_parse_mib", 1, DEFAULT_MAX_PARSE_MIB,
     "Memory (MiB, resident) to read one file; its parser is killed past it and the file rejected"),
    ("--max-unzipped-mb", "max_unzipped_bytes", MIB, DEFAULT_MAX_UNZIPPED_BYTES,
     "What a .docx/.xlsx may unpack to in all (MB)"),
    ("--max-member-mb", "max_member_bytes", MIB, DEFAULT_MAX_MEMBER_BYTES,
     "What one member of a .docx/.xlsx may unpack to (MB)"),
    ("--max-xml-mb", "max_xml_bytes", MIB, DEFAULT_MAX_XML_BYTES,
     "Size of one XML part of a .docx/.xlsx that is parsed (MB)"),
)


def limit_options(func):
    """The per-file bounds as options (``limits`` keyword: {settings field: value or None})."""
    for flag, name, scale, default, text in reversed(LIMITS):
        func = click.option(flag, name, type=float, default=None,
                            help=f"{text} (default {default / scale:g}).")(func)
    return func


#: Modules whose teardown at interpreter exit costs about a second (benchmarks/bench_startup.py):
#: a command that imported them ends with :func:`_exit_now`.
HEAVY_MODULES = ("dbt", "great_expectations")
#: Set by a command whose warehouse connections are all closed when it returns (``ingest``,
#: ``refresh``): it ends with :func:`_exit_now` as well, whatever it imported. The teardown of
#: DuckDB's, polars' and numpy's modules is ~0.08 s at the end of an ingest that takes a few
#: seconds, or of a refresh that built and checked in processes of its own.
_EXIT_NOW_AFTER: set[str] = set()


def _exit_now(code: int | str | None) -> None:
    """End the process with ``code`` as Python's own exit would, less the teardown of every module.

    What the interpreter's exit does that matters is done first: non-daemon threads are joined,
    the atexit functions run (logging.shutdown among them: dbt's log file is flushed and closed),
    stdout and stderr are flushed. What is skipped is the deallocation of dbt's and Great
    Expectations' modules, about 1 s of a refresh (measured: 1.1 s from the last statement to the
    process's end with both imported, 0.03 s with os._exit). Every warehouse connection is closed
    by then; a DuckDB WAL left behind would be replayed by the next open anyway.
    """
    import atexit
    import threading

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    from .workers import flush_and_exit

    flush_and_exit(status)


class _Main(click.Group):
    """The command group: an OSError no step turned into a message ends in one line, not a traceback.

    Run as the program (``budgetwh``, ``python -m ingest.cli``: no ``args`` given), a command that
    imported dbt or Great Expectations ends with :func:`_exit_now`; called with ``args`` (click's
    CliRunner, another program), it returns or raises as click does.
    """

    def main(self, args=None, *rest, standalone_mode: bool = True, **extra):
        if args is not None or not standalone_mode:
            return super().main(args, *rest, standalone_mode=standalone_mode, **extra)
        try:
            return super().main(args, *rest, standalone_mode=standalone_mode, **extra)
        except SystemExit as exc:
            if _EXIT_NOW_AFTER or any(name in sys.modules for name in HEAVY_MODULES):
                _exit_now(exc.code)
            raise

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            from .warehouse import os_error_to_message

            _fail(os_error_to_message(exc, f"running {ctx.invoked_subcommand or 'the command'}"), EXIT_PIPELINE)


def _run_display(quiet: bool):
    """The progress display of a writing command (bars on a terminal, plain lines otherwise;
    nothing while running with ``--quiet``)."""
    from .progress import RunDisplay

    return RunDisplay(sys.stderr, enabled=not quiet)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _settings(limits: dict[str, float | None]):
    """The reader settings of the ``limit_options`` given (the defaults for the others)."""
    from .readers import ReaderSettings

    values = {}
    for flag, name, scale, _, _ in LIMITS:
        value = limits.get(name)
        if value is None:
            continue
        if value <= 0:
            _fail(f"{flag} must be positive", EXIT_USAGE)
        values[name] = value if name == "max_parse_seconds" else int(value * scale)
    return ReaderSettings(**values)


def _jobs(jobs: int | None) -> int:
    return jobs if jobs and jobs > 0 else max(1, min(os.cpu_count() or 1, 8))


@click.group(cls=_Main)
@click.version_option(package_name="budgetwh")
def main() -> None:
    """A warehouse of Chinese budget disclosures (部门预算 / 部门决算) in DuckDB."""


@main.command()
@corpus_option
@db_option
@quiet_option
@jobs_option
@click.option("--wait", is_flag=True, help="Wait for a running refresh instead of exiting.")
@click.option("--full-refresh", is_flag=True,
              help="Rebuild and check everything, even with nothing new (checks otherwise run again "
                   "only on documents that changed).")
@click.option("--verbose", "-v", is_flag=True,
              help="Print dbt's own log too (it is always written to the warehouse's dbt-logs folder).")
@limit_options
def refresh(corpus: str, db_path: str, quiet: bool, jobs: int | None, wait: bool, full_refresh: bool, verbose: bool,
            **limits) -> None:
    """Ingest new files, rebuild the marts, run the checks, then swap the new warehouse in."""
    from .workers import prestart, stop_prestarted

    if not Path(corpus).is_dir():
        _fail(f"corpus folder {corpus!r} does not exist; pass --corpus DIR with your disclosure files",
              EXIT_USAGE)
    # As in `ingest`, a parser worker starts while this process imports the pipeline, checks for
    # anything new and plans (a refresh with nothing new stops it unused); one, since a refresh
    # adds a file or a few more often than a corpus (the others start when the parse does).
    prestart(1)
    try:
        from .pipeline import refresh as do_refresh
        from .stages import listening
        from .summary import refresh_summary

        display = _run_display(quiet)
        try:
            with listening(display):
                result = do_refresh(corpus, db_path, quiet=quiet, jobs=_jobs(jobs), wait=wait,
                                    progress=display.parsing, settings=_settings(limits), verbose=verbose,
                                    full_refresh=full_refresh)
        except WarehouseBusyError as exc:
            display.close()
            _fail(str(exc), EXIT_PIPELINE)
        except BudgetWarehouseError as exc:
            display.close()
            _fail(f"{exc} (the previous warehouse at {db_path} is unchanged; fix the cause and run again)",
                  EXIT_PIPELINE)
    finally:
        stop_prestarted()
    click.echo(refresh_summary(db_path, result, quiet=quiet, display=display))
    # a small refresh builds and checks in processes of its own: dbt and GX are not imported here
    _EXIT_NOW_AFTER.add("refresh")


@main.command()
@corpus_option
@db_option
@jobs_option
@click.option("--interval", type=float, default=300.0, show_default=True,
              help="Seconds between one refresh's end and the next one's start.")
@click.option("--runs", type=int, default=None, help="Stop after this many refreshes (default: until Ctrl-C).")
@limit_options
def watch(corpus: str, db_path: str, jobs: int | None, interval: float, runs: int | None, **limits) -> None:
    """Refresh again and again in one process: dbt and Great Expectations are imported once, so
    a new file costs only its parse, the build and the checks. One line per refresh; a failed
    refresh leaves the warehouse as it was and the next one is tried."""
    from .pipeline import watch as do_watch

    if not Path(corpus).is_dir():
        _fail(f"corpus folder {corpus!r} does not exist; pass --corpus DIR with your disclosure files",
              EXIT_USAGE)
    if interval < 0 or (runs is not None and runs <= 0):
        _fail("--interval must be 0 or more and --runs positive", EXIT_USAGE)

    def report(event) -> None:
        when = event.started.strftime("%Y-%m-%d %H:%M:%S")
        if event.error is not None:
            click.echo(f"{when} refresh failed after {event.seconds:.1f} s: {event.error} "
                       f"(the warehouse at {db_path} is unchanged)", err=True)
            return
        stats, result = event.result.stats, event.result
        changed = stats.count("new") + stats.count("changed") + len(stats.failed) + len(stats.removed)
        what = ("nothing new" if not changed else
                f"{stats.count('new')} new, {stats.count('changed')} changed, {len(stats.failed)} failed, "
                f"{len(stats.removed)} removed; {result.n_findings} findings")
        click.echo(f"{when} refresh {event.seconds:.1f} s: {what}; version {result.warehouse_version}")

    try:
        do_watch(corpus, db_path, interval=interval, runs=runs, on_event=report, quiet=True,
                 jobs=_jobs(jobs), settings=_settings(limits))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@db_option
@quiet_option
@jobs_option
@limit_options
@click.argument("paths", nargs=-1)
def ingest(db_path: str, quiet: bool, jobs: int | None, paths: tuple[str, ...], **limits) -> None:
    """Parse and load FILE_OR_DIR... (default: the folder BUDGETWH_CORPUS names) into raw.*
    (no dbt build, no checks)."""
    from .workers import prestart, stop_prestarted

    if not paths:
        if not os.environ.get("BUDGETWH_CORPUS"):
            _fail("name the files or folders to ingest (or set BUDGETWH_CORPUS)", EXIT_USAGE)
        paths = (os.environ["BUDGETWH_CORPUS"],)
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}", EXIT_USAGE)
    # The parser workers start now: their start runs while this process imports the pipeline
    # and plans (those the run does not take, when files are already loaded, are stopped).
    prestart(_jobs(jobs) if any(Path(p).is_dir() for p in paths) else min(_jobs(jobs), len(paths)))
    try:
        from .pipeline import ingest_only
        from .stages import listening
        from .summary import ingest_summary

        display = _run_display(quiet)
        try:
            with listening(display):
                stats = ingest_only(list(paths), db_path, jobs=_jobs(jobs), progress=display.parsing,
                                    settings=_settings(limits))
        except BudgetWarehouseError as exc:
            display.close()
            _fail(str(exc), EXIT_PIPELINE)
    finally:
        stop_prestarted()
    click.echo(ingest_summary(stats))
    if not quiet:
        click.echo(display.summary())
    _EXIT_NOW_AFTER.add("ingest")


def _connect_read_only(db_path: str):
    """The warehouse opened in the query sandbox (read-only, no file or extension access, the
    configuration locked: :mod:`ingest.sandbox`); a one-line error when it cannot be opened."""
    import duckdb

    from .sandbox import connect_sandboxed

    if not Path(db_path).exists():
        _fail(f"no warehouse at {db_path}; build it with `budgetwh refresh` (or `make run`) first", EXIT_USAGE)
    try:
        return connect_sandboxed(db_path)
    except duckdb.Error as exc:
        from .warehouse import held_error, is_lock_conflict, lock_holder

        if not is_lock_conflict(exc):
            _fail(f"cannot open {db_path} read-only: {str(exc).strip().splitlines()[0]}", EXIT_PIPELINE)
        writer = lock_holder(db_path)
        if writer:
            _fail(f"{db_path} is being written by budgetwh ({writer}); try again in a moment", EXIT_PIPELINE)
        _fail(str(held_error(Path(db_path), exc)), EXIT_PIPELINE)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    def cell(v) -> str:
        return "" if v is None else str(v)

    if fmt == "json":
        return json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[cell(v) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    texts = [[cell(v) for v in r] for r in rows]
    widths = [max([_width(c)] + [_width(t[i]) for t in texts]) for i, c in enumerate(columns)]

    def line(vals: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])] + [line(t) for t in texts]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.argument("sql")
def query(db_path: str, fmt: str, sql: str) -> None:
    """Run SQL against the warehouse, read-only: it reads the warehouse and nothing else (no
    files, no ATTACH, no extensions, no settings; docs/security.md)."""
    import duckdb

    from .sandbox import is_refusal, refusal_message

    con = _connect_read_only(db_path)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall() if columns else []
    except duckdb.Error as exc:
        if is_refusal(exc):
            _fail(f"query {refusal_message(exc)}", EXIT_USAGE)
        _fail(f"query failed: {exc}\nList the tables with: budgetwh query \"show all tables\"", EXIT_USAGE)
    finally:
        con.close()
    click.echo(format_rows(columns, rows, fmt))


@main.command()
@db_option
@click.option("--severity", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Only findings of this severity.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None,
              help="Exit with code 3 when there are findings of this severity or worse (for schedulers).")
def check(db_path: str, severity: str | None, fail_on: str | None) -> None:
    """Data quality findings per document (from main.quality_findings)."""
    from .summary import findings_summary, severity_counts

    con = _connect_read_only(db_path)
    try:
        click.echo(findings_summary(con, severity))
        counts = severity_counts(con) if fail_on else {}
    finally:
        con.close()
    if fail_on:
        over = {s: n for s, n in counts.items() if n and SEVERITY_RANK.get(s, 9) <= SEVERITY_RANK[fail_on]}
        if over:
            click.echo(f"failing (--fail-on {fail_on}): " + ", ".join(f"{n} {s}" for s, n in sorted(over.items())),
                       err=True)
            sys.exit(EXIT_FINDINGS)


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="As JSON (runs, coverage, rejected, set aside, skipped).")
def status(db_path: str, as_json: bool) -> None:
    """The last runs, what the warehouse covers, and the files not taken (rejected or skipped)."""
    from .summary import status_data, status_summary

    con = _connect_read_only(db_path)
    try:
        if as_json:
            click.echo(json.dumps(status_data(con), ensure_ascii=False, default=str, indent=1))
        else:
            click.echo(status_summary(con))
    finally:
        con.close()


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "xlsx"]), required=True)
@click.option("--out", "out_dir", required=True, help="Folder to write into (created if missing).")
@click.option("--mart", "marts", multiple=True, help="A mart to export (repeatable; default: all).")
@click.option("--labels", type=click.Choice(["en", "zh"]), default=None,
              help="Chinese headers and values (zh, the default for xlsx) or the warehouse's names and "
                   "codes (en, the default for csv).")
def export(db_path: str, fmt: str, out_dir: str, marts: tuple[str, ...], labels: str | None) -> None:
    """Export marts as Parquet (partitioned by fiscal_year), CSV (UTF-8 with a BOM) or one Excel
    workbook (budgetwh.xlsx: a 说明 sheet, then a sheet per mart)."""
    from .export import export_marts

    _connect_read_only(db_path).close()
    try:
        paths = export_marts(db_path, out_dir, fmt, list(marts) or None, labels)
    except BudgetWarehouseError as exc:
        _fail(str(exc), EXIT_USAGE)
    for p in paths:
        click.echo(str(p))


@main.command()
@db_option
@click.option("--out", "out_dir", required=True, help="Folder to write the site into (created if missing; "
              "a folder not written by `budgetwh site` must be empty).")
def site(db_path: str, out_dir: str) -> None:
    """Build a static, offline site: a page per department (its years, 三公 and 机关运行经费 chart,
    findings with pages, source files with sha256), a page per category and year comparing regions,
    and an index with search. No CDN: open OUT/index.html from disk or any web server."""
    from .site import build_site

    _connect_read_only(db_path).close()
    try:
        result = build_site(db_path, out_dir)
    except BudgetWarehouseError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"{len(result.department_pages)} department pages, {len(result.comparison_pages)} comparison "
               f"pages: {result.index}")


@main.command()
@db_option
@click.option("--out", "out_dir", default="docs/site", show_default=True, help="Where to write the sites.")
@click.option("--serve", is_flag=True, help="Serve the sites on localhost after building them.")
@click.option("--port", type=int, default=8080, show_default=True)
def docs(db_path: str, out_dir: str, serve: bool, port: int) -> None:
    """Build the dbt docs site (marts and columns) and copy the Data Docs beside it."""
    from .docs import build_docs, serve_docs

    _connect_read_only(db_path).close()
    try:
        index = build_docs(db_path, out_dir)
    except BudgetWarehouseError as exc:
        _fail(str(exc), EXIT_PIPELINE)
    click.echo(f"dbt docs: {index}")
    if serve:
        serve_docs(out_dir, port)


if __name__ == "__main__":  # pragma: no cover
    main()
