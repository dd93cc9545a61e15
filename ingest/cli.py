"""The ``budgetwh`` command line. The only place that turns errors into exit codes:
0 done (with or without data findings), 1 pipeline failure, 2 usage error."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from pathlib import Path

import click

from .errors import BudgetWarehouseError, WarehouseBusyError
from .pipeline import DEFAULT_CORPUS, DEFAULT_DB

EXIT_OK, EXIT_PIPELINE, EXIT_USAGE = 0, 1, 2

db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                         help="Warehouse file (DuckDB).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar, short summary.")


def _progress_bar(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", desc="parsing", file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _settings(max_mb: float | None):
    from .readers import ReaderSettings

    if max_mb is None:
        return ReaderSettings()
    if max_mb <= 0:
        _fail("--max-mb must be positive", EXIT_USAGE)
    return ReaderSettings(max_bytes=int(max_mb * 1024 * 1024))


def _jobs(jobs: int | None) -> int:
    return jobs if jobs and jobs > 0 else max(1, min(os.cpu_count() or 1, 8))


@click.group()
@click.version_option(package_name="budgetwh")
def main() -> None:
    """A warehouse of Chinese budget disclosures (部门预算 / 部门决算) in DuckDB."""


@main.command()
@click.option("--corpus", default=DEFAULT_CORPUS, show_default=True, help="Folder of disclosure files.")
@db_option
@quiet_option
@click.option("--jobs", type=int, default=None, help="Parallel parser processes (default: cores).")
@click.option("--wait", is_flag=True, help="Wait for a running refresh instead of exiting.")
@click.option("--max-mb", type=float, default=None, help="Refuse files larger than this (default 200 MB).")
def refresh(corpus: str, db_path: str, quiet: bool, jobs: int | None, wait: bool, max_mb: float | None) -> None:
    """Ingest new files, rebuild the marts, run the checks, then swap the new warehouse in."""
    from .pipeline import refresh as do_refresh
    from .summary import refresh_summary

    if not Path(corpus).is_dir():
        _fail(f"corpus folder {corpus!r} does not exist; pass --corpus DIR with your disclosure files",
              EXIT_USAGE)
    update, close = _progress_bar(quiet)
    try:
        result = do_refresh(corpus, db_path, quiet=quiet, jobs=_jobs(jobs), wait=wait, progress=update,
                            settings=_settings(max_mb))
    except WarehouseBusyError as exc:
        close()
        _fail(str(exc), EXIT_PIPELINE)
    except BudgetWarehouseError as exc:
        close()
        _fail(f"{exc}\nThe previous warehouse at {db_path} is unchanged. Fix the cause and run the refresh again.",
              EXIT_PIPELINE)
    close()
    click.echo(refresh_summary(db_path, result, quiet=quiet))


@main.command()
@db_option
@quiet_option
@click.option("--jobs", type=int, default=None, help="Parallel parser processes (default: cores).")
@click.option("--max-mb", type=float, default=None, help="Refuse files larger than this (default 200 MB).")
@click.argument("paths", nargs=-1, required=True)
def ingest(db_path: str, quiet: bool, jobs: int | None, max_mb: float | None, paths: tuple[str, ...]) -> None:
    """Parse and load FILE_OR_DIR... into raw.* (no dbt build, no checks)."""
    from .pipeline import ingest_only
    from .summary import ingest_summary

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}", EXIT_USAGE)
    update, close = _progress_bar(quiet)
    try:
        stats = ingest_only(list(paths), db_path, jobs=_jobs(jobs), progress=update, settings=_settings(max_mb))
    except BudgetWarehouseError as exc:
        close()
        _fail(str(exc), EXIT_PIPELINE)
    close()
    click.echo(ingest_summary(stats))


def _connect_read_only(db_path: str):
    import duckdb

    if not Path(db_path).exists():
        _fail(f"no warehouse at {db_path}; build it with `budgetwh refresh` (or `make run`) first", EXIT_USAGE)
    try:
        return duckdb.connect(db_path, read_only=True)
    except duckdb.IOException as exc:
        _fail(f"cannot open {db_path} read-only ({exc}); a refresh may be swapping it in, try again", EXIT_PIPELINE)


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
    """Run SQL against the warehouse, read-only."""
    import duckdb

    con = _connect_read_only(db_path)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall() if columns else []
    except duckdb.Error as exc:
        _fail(f"query failed: {exc}\nList the tables with: budgetwh query \"show all tables\"", EXIT_USAGE)
    finally:
        con.close()
    click.echo(format_rows(columns, rows, fmt))


@main.command()
@db_option
@click.option("--severity", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Only findings of this severity.")
def check(db_path: str, severity: str | None) -> None:
    """Data quality findings per document (from main.quality_findings)."""
    from .summary import findings_summary

    con = _connect_read_only(db_path)
    try:
        click.echo(findings_summary(con, severity))
    finally:
        con.close()


@main.command()
@db_option
def status(db_path: str) -> None:
    """The last refresh runs and what the warehouse covers."""
    from .summary import status_summary

    con = _connect_read_only(db_path)
    try:
        click.echo(status_summary(con))
    finally:
        con.close()


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "xlsx"]), required=True)
@click.option("--out", "out_dir", required=True, help="Folder to write into (created if missing).")
@click.option("--mart", "marts", multiple=True, help="A mart to export (repeatable; default: all).")
@click.option("--labels", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Column labels of the XLSX export: English names or Chinese labels.")
def export(db_path: str, fmt: str, out_dir: str, marts: tuple[str, ...], labels: str) -> None:
    """Export marts as Parquet (partitioned by fiscal_year), CSV or XLSX."""
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
