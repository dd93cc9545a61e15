"""The checkpoint: after `dbt build`, complete main.quality_findings and validate the marts with GX.

Most checks are dbt models (``dbt_project/models/marts/quality/``: identities, units, plausibility,
parse issues, duplicates, performance targets, tables), one row per check instance, and ``quality_findings`` is a dbt model of
their failures. The concerns not yet ported to SQL (narrative vs table, explanations, changes,
completeness, the text's items vs its total: :data:`LEGACY_SUITES`) still run
here: their rows are read into pandas one batch of documents at a time (read-only connection,
closed before validating), validated by one Checkpoint of one ValidationDefinition per suite, and
their failures are appended to main.quality_findings (rows of these suites replaced wholesale).

Then Great Expectations validates the real tables as data assets (:mod:`expectations.assets`: one
batch per model, only the columns its expectations read), never the check rows dbt has already
decided; an expectation that fails is a finding too. Data Docs show both.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.errors import PipelineError

from .assets import ASSETS, asset_findings, validate_assets
from .changes import build_changes_suite, changes_frame, trend_rows
from .completeness import (
    TRANSPARENCY_BY_DOCUMENT_SQL,
    TRANSPARENCY_BY_REGION_SQL,
    build_completeness_suite,
    completeness_frame,
    completeness_table,
    transparency_by_document,
)
from .dbt_results import read_dbt_results, write_dbt_results
from .explanations import build_explanations_suite, explanations_frame
from .frame import ASSERTION_COLUMNS, CHECK_COLUMNS, as_checks, clean, empty_checks
from .identities import build_identities_suite, narrative_items_frame
from .narrative import build_narrative_suite, narrative_frame
from .table_docs import comment_tables

FINDINGS_TABLE = "main.quality_findings"
COMPLETENESS_TABLE = "main.disclosure_completeness"
# Where a checkpoint run publishes GX Data Docs unless told otherwise: the warehouse's own working
# folder, <db-dir>/.budgetwh/<db-name>/data_docs/index.html (ingest.warehouse.warehouse_dirs).
BESIDE_WAREHOUSE = "beside the warehouse"
FINDINGS_COLUMNS: list[tuple[str, str, pa.DataType]] = [
    ("document_id", "VARCHAR", pa.string()),
    ("check_name", "VARCHAR", pa.string()),
    ("severity", "VARCHAR", pa.string()),
    ("observed", "DECIMAL(20,2)", pa.decimal128(20, 2)),
    ("expected", "DECIMAL(20,2)", pa.decimal128(20, 2)),
    ("page", "INTEGER", pa.int32()),
    ("message", "VARCHAR", pa.string()),
    ("subject", "VARCHAR", pa.string()),
    ("observed_unit", "VARCHAR", pa.string()),
    ("expectation", "VARCHAR", pa.string()),
    ("suite", "VARCHAR", pa.string()),
    ("checked_at", "TIMESTAMP", pa.timestamp("us")),
]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

QUERIES: dict[str, str] = {
    "statements": "select * from staging.stg_disclosures__statements",
    "documents": "select * from main.dim_document",
    "issues": "select * from staging.stg_disclosures__parse_issues",
    "lines": "select * from staging.stg_disclosures__classification_lines",
    "sections": "select * from raw.sections",
}
# Marts other developers build; read when they exist, skipped quietly until then.
OPTIONAL_QUERIES: dict[str, tuple[str, str]] = {
    "trend": ("rpt_department_trend", "select * from main.rpt_department_trend"),
}


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    """A pandas frame of plain Python objects (str, Decimal, int, None) for the row-wise checks.

    pandas 3 keeps strings (and some types) Arrow-backed; the checks read their rows one by one,
    which on Arrow-backed columns costs a boxing call per value (measured: three quarters of the
    checkpoint's time on 2,000 documents). Converting each column once, here, avoids that.
    """
    frame = table.to_pandas()
    convert = {c: object for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)
               or isinstance(frame[c].dtype, pd.ArrowDtype)}
    return frame.astype(convert) if convert else frame


# Documents per batch of the checks still in pandas: their frames (statements, table lines,
# sections) take about 1 MiB per document, so a batch bounds the checkpoint's memory whatever the
# size of the warehouse.
BATCH_DOCUMENTS = 200


def read_frames(db_path: str, document_ids: list[str] | None = None, *,
                file_level: bool = True) -> dict[str, pd.DataFrame]:
    """The frames the pandas checks need, read through one read-only connection then closed.

    Args:
        db_path: the warehouse.
        document_ids: only these documents' rows (default: every document's).
        file_level: also the rows of no document (a parse issue about a file that was not read).
    """
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise PipelineError(f"checks: cannot open {db_path} read-only: {exc}") from exc
    try:
        frames = {}
        for name, sql in QUERIES.items():
            params: list[Any] = []
            if document_ids is not None:
                sql = (f"select * from ({sql}) where list_contains(?, document_id)"
                       + (" or document_id is null" if file_level else ""))
                params = [document_ids]
            try:
                frames[name] = arrow_to_frame(con.sql(sql, params=params or None).to_arrow_table())
            except duckdb.Error as exc:
                raise PipelineError(f"checks: cannot read {name} from {db_path} "
                                    f"(has dbt build run?): {exc}") from exc
        return frames
    finally:
        con.close()


def read_trend(db_path: str) -> pd.DataFrame | None:
    """main.rpt_department_trend (its stated vs computed change gaps), None while it is absent."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for table, sql in OPTIONAL_QUERIES.values():
            exists = con.execute("select count(*) from information_schema.tables where "
                                 "table_schema = 'main' and table_name = ?", [table]).fetchall()[0][0]
            return arrow_to_frame(con.sql(sql).to_arrow_table()) if exists else None
        return None
    finally:
        con.close()


def document_batches(db_path: str, size: int = BATCH_DOCUMENTS) -> list[list[str]]:
    """Every document id of dim_document, in batches of ``size`` (at least one batch)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        ids = [r[0] for r in con.execute("select document_id from main.dim_document order by document_id").fetchall()]
    except duckdb.Error as exc:
        raise PipelineError(f"checks: cannot read main.dim_document from {db_path} "
                            f"(has dbt build run?): {exc}") from exc
    finally:
        con.close()
    return [ids[i:i + size] for i in range(0, len(ids), size)] or [[]]


def completeness_of(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per document and required part: present / empty_with_note / missing."""
    return completeness_table(frames["documents"], frames["sections"], frames["lines"],
                              frames["statements"], frames["issues"])


def transparency_of(frames: dict[str, pd.DataFrame], completeness: pd.DataFrame) -> pd.DataFrame:
    """Per document, the share of required parts published: against the general list (the same
    for every region, so that regions can be ranked) and against its own region's list."""
    general = completeness_table(frames["documents"], frames["sections"], frames["lines"],
                                 frames["statements"], frames["issues"], general=True)
    return transparency_by_document(completeness, general)


def check_rows(frames: dict[str, pd.DataFrame], completeness: pd.DataFrame | None = None) -> pd.DataFrame:
    """The per-document check rows of the concerns still in pandas (:data:`LEGACY_SUITES`), with a
    row_id.

    The other concerns are dbt models (marts/quality/): their verdicts are in main.quality_findings
    already. The stated vs computed change across years reads the trend mart whole and is checked
    by :func:`run_checks` apart from the documents' batches.
    """
    current = frames["documents"]
    statements, lines, sections = frames["statements"], frames["lines"], frames["sections"]
    if "is_current" in current.columns:
        keep = set(current.loc[current["is_current"].fillna(True).astype(bool), "document_id"])
        statements = statements[statements["document_id"].isin(keep)]
        lines = lines[lines["document_id"].isin(keep)]
        sections = sections[sections["document_id"].isin(keep)]
    parts = [
        narrative_items_frame(statements, current),
        narrative_frame(statements, lines, current),
        explanations_frame(statements, lines, sections, current),
        changes_frame(statements, current),
        completeness_frame(completeness if completeness is not None else completeness_of(frames)),
    ]
    parts = [p for p in parts if len(p)]
    checks = pd.concat(parts, ignore_index=True) if parts else empty_checks()
    checks.insert(0, "row_id", range(len(checks)))
    return checks


# The suites of the concerns still checked in pandas; their findings are appended to the dbt model
# main.quality_findings (replacing rows of these suites).
SUITE_BUILDERS = (build_identities_suite, build_narrative_suite, build_explanations_suite,
                  build_changes_suite, build_completeness_suite)
LEGACY_SUITES = ("identities", "narrative", "explanations", "changes", "completeness")


def gx_context(data_docs_dir: str | Path | None = None) -> Any:
    """An ephemeral GX context, quiet, with the Data Docs site 'budgetwh' at ``data_docs_dir``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX sets its config module's logger to INFO at import; its chatter is not a finding.
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if data_docs_dir is not None:
        context.add_data_docs_site(site_name="budgetwh", site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(data_docs_dir).resolve())}})
    return context


class CheckRowValidator:
    """One Checkpoint of one ValidationDefinition per legacy suite over a frame of check rows,
    built once and run per batch of documents."""

    def __init__(self, context: Any) -> None:
        import great_expectations as gx

        batch = (context.data_sources.add_pandas("check_rows")
                 .add_dataframe_asset("check_rows")
                 .add_batch_definition_whole_dataframe("all_rows"))
        definitions = []
        for build in SUITE_BUILDERS:
            suite = context.suites.add(build())
            definitions.append(context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)))
        self.checkpoint = context.checkpoints.add(gx.Checkpoint(
            name="budgetwh_quality", validation_definitions=definitions, actions=[],
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}))

    def __call__(self, checks: pd.DataFrame) -> list[Any]:
        frame = checks[["row_id", "concern", "check_name"] + ASSERTION_COLUMNS].copy()
        frame["diff"] = pd.to_numeric(frame["diff"], errors="coerce").astype("float64")
        frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
        frame["excess"] = pd.to_numeric(frame["excess"], errors="coerce").astype("float64")
        frame["status"] = frame["status"].astype("object")
        outcome = self.checkpoint.run(batch_parameters={"dataframe": frame})
        results = []
        for run in outcome.run_results.values():
            suite_name = run.suite_name
            for er in run.results:
                info = er.exception_info or {}
                if info.get("raised_exception"):
                    raise PipelineError(f"checks: expectation {er.expectation_config.type} of suite "
                                        f"{suite_name} could not run: {info.get('exception_message')}")
                results.append((suite_name, er))
        return results


def validate(checks: pd.DataFrame, *, data_docs_dir: str | Path | None = None) -> list[Any]:
    """Validate the check rows with every legacy suite; (suite name, ExpectationValidationResult)
    pairs. With ``data_docs_dir``, GX Data Docs of the suites and this validation are built there."""
    context = gx_context(data_docs_dir)
    results = CheckRowValidator(context)(checks)
    if data_docs_dir is not None:
        context.build_data_docs(site_names=["budgetwh"])
    return results


def findings_from(checks: pd.DataFrame, results: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    """One finding per failing check row (unexpected_index_list -> row_id -> the row)."""
    by_id = checks.set_index("row_id", drop=False)
    findings, seen = [], set()
    for suite_name, er in results:
        if er.success:
            continue
        meta = er.expectation_config.meta or {}
        for hit in er.result.get("unexpected_index_list") or []:
            row_id = int(hit["row_id"] if isinstance(hit, dict) else hit)
            if row_id in seen:
                continue
            seen.add(row_id)
            r = by_id.loc[row_id]
            findings.append({
                "document_id": clean(r["document_id"]),
                "check_name": r["check_name"],
                "severity": clean(r["severity"]) or meta.get("severity") or "error",
                "observed": clean(r["observed"]),
                "expected": clean(r["expected"]),
                "page": int(r["page"]) if clean(r["page"]) is not None else None,
                "message": r["message"],
                "subject": clean(r["subject"]),
                "observed_unit": clean(r["observed_unit"]),
                "expectation": er.expectation_config.type,
                "suite": suite_name,
                "checked_at": now,
            })
    findings.sort(key=lambda f: (f["document_id"] or "", SEVERITY_ORDER.get(f["severity"], 9),
                                 f["check_name"], f["subject"] or "", f["page"] or 0))
    return findings


DECIMAL_COLUMNS = {name for name, sql, _ in FINDINGS_COLUMNS if sql.startswith("DECIMAL")}
_CENT = Decimal("0.01")
_DECIMAL_LIMIT = Decimal(10) ** 18


def decimal_to_column(value: Any) -> Decimal | None:
    """A finding's observed/expected as DECIMAL(20,2): rounded to the cent (a percentage of
    99.9999 % is stored as 100.00; the message keeps the figure as computed), None beyond the
    column's range or not a finite number."""
    if value is None:
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (ArithmeticError, ValueError):
        return None
    if not d.is_finite():
        return None
    d = d.quantize(_CENT, rounding=ROUND_HALF_EVEN) if abs(d) < _DECIMAL_LIMIT else None
    return d if d is not None and abs(d) < _DECIMAL_LIMIT else None


def read_findings(db_path: str) -> list[dict[str, Any]]:
    """Every row of main.quality_findings, as dicts, in the table's order of findings."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cur = con.execute(f"select * from {FINDINGS_TABLE}")
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()
    rows.sort(key=lambda f: (f["document_id"] or "", SEVERITY_ORDER.get(f["severity"], 9),
                             f["check_name"], f["subject"] or "", f["page"] or 0))
    return rows


def run_checks(db_path: str, *, data_docs_dir: str | Path | None = BESIDE_WAREHOUSE,
               dbt_run_results: str | Path | None = None, incremental: bool = False) -> list[dict[str, Any]]:
    """Run every check on the warehouse at ``db_path`` and write main.quality_findings.

    Also writes main.disclosure_completeness (per document and required part) and
    main.dbt_test_results (the dbt tests of the build that made these marts, from
    run_results.json; see :mod:`expectations.dbt_results`).

    The checks still in pandas are per document (but for the trend across years, which reads the
    small trend mart whole). Their results are kept per document in the ``check_state`` schema
    (:data:`STATE_TABLES`), with a digest of each document's dim_document row and the build's
    fingerprint (parser, dbt project, checks). With ``incremental``, only the documents whose row
    changed (new, superseded, set aside, renamed by a later alias...) or that are gone are checked
    again, and the others' results are taken as they were; when the fingerprint changed, or there
    is no state yet, every document is checked. A full run gives the same tables
    (tests/test_incremental_checks.py compares them).

    Args:
        db_path: the warehouse file; dbt build must have run on it.
        data_docs_dir: where GX Data Docs are built (default :data:`BESIDE_WAREHOUSE`: the
            warehouse's working folder, ``<db-dir>/.budgetwh/<db-name>/data_docs``); None builds
            none. A refresh, which checks ``<db>.next``, passes the live warehouse's folder.
        dbt_run_results: the run_results.json of the build (default: the one in the warehouse's
            working folder, used only when written after this warehouse's last refresh started).
        incremental: check again only what changed since the last run (see above).

    Returns:
        The findings written, as dicts with the columns of main.quality_findings.

    Raises:
        PipelineError: the warehouse cannot be read (dbt build has not run) or a check could
            not run.
    """
    if not Path(db_path).exists():
        raise PipelineError(f"checks: warehouse {db_path} does not exist")
    if data_docs_dir == BESIDE_WAREHOUSE:
        from ingest.warehouse import warehouse_dirs

        data_docs_dir = warehouse_dirs(db_path).data_docs
    from ingest.pipeline import build_fingerprint

    fingerprint = build_fingerprint()
    now = dt.datetime.now().replace(microsecond=0)
    todo, dropped = documents_to_check(db_path, fingerprint) if incremental else (None, [])
    context = gx_context(data_docs_dir)
    validate_rows = CheckRowValidator(context)
    findings: list[dict[str, Any]] = []
    completeness_parts, transparency_parts = [], []
    batches = (document_batches(db_path) if todo is None
               else [todo[i:i + BATCH_DOCUMENTS] for i in range(0, len(todo), BATCH_DOCUMENTS)] or [[]])
    for i, batch in enumerate(batches):
        frames = read_frames(db_path, batch, file_level=i == 0)
        completeness = completeness_of(frames)
        checks = check_rows(frames, completeness)
        findings.extend(findings_from(checks, validate_rows(checks), now))
        completeness_parts.append(completeness)
        transparency_parts.append(transparency_of(frames, completeness))
        del frames, checks
    whole: list[dict[str, Any]] = []  # checked over the whole warehouse every time
    trend = read_trend(db_path)
    if trend is not None:
        checks = as_checks(trend_rows(trend, documents_for_trend(db_path)))
        checks.insert(0, "row_id", range(len(checks)))
        whole.extend(findings_from(checks, validate_rows(checks), now))
    whole.extend(asset_findings(validate_assets(db_path, context), now))
    if data_docs_dir is not None:
        context.build_data_docs(site_names=["budgetwh"])
    dbt_tests = read_dbt_results(db_path, dbt_run_results)
    write_checked(db_path, CheckedBatch(findings, _concat(completeness_parts), _concat(transparency_parts),
                                        checked=todo, dropped=dropped, fingerprint=fingerprint), whole)
    write_dbt_results(db_path, dbt_tests, now)
    return read_findings(db_path)


# ---------------------------------------------------------------------------------------------
# What was checked: the per-document results kept between runs
# ---------------------------------------------------------------------------------------------

STATE_SCHEMA = "check_state"
#: The tables (schema ``check_state``, written here, not by dbt) that keep the per-document results of
#: the checks still in pandas between runs, and what each document looked like when checked.
STATE_TABLES = {
    "checked_documents": "per document: the digest of its dim_document row and the build's "
                         "fingerprint when its checks last ran",
    "document_findings": "the findings of the per-document checks still in pandas",
    "document_completeness": "per document and required part: present / empty_with_note / missing",
    "document_transparency": "per document: the share of required parts published",
    "check_runs": "one row per run of the checks: when, full or incremental, documents checked",
}
DOCUMENT_DIGEST_SQL = "select document_id, md5(cast(d as varchar)) as digest from main.dim_document as d"


@dataclass
class CheckedBatch:
    """The per-document results of one run: of every document (``checked`` None) or of the
    documents in ``checked``; ``dropped`` are documents whose earlier results are dropped."""

    findings: list[dict[str, Any]]
    completeness: pd.DataFrame
    transparency: pd.DataFrame
    checked: list[str] | None
    dropped: list[str]
    fingerprint: str


def documents_to_check(db_path: str, fingerprint: str) -> tuple[list[str] | None, list[str]]:
    """(documents to check again, or None for all; documents whose earlier results are dropped:
    those checked again and those no longer in dim_document)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        have = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [STATE_SCHEMA]).fetchall()}
        if not set(STATE_TABLES) <= have:
            return None, []
        stored = con.execute(f"select distinct fingerprint from {STATE_SCHEMA}.checked_documents").fetchall()
        if stored != [(fingerprint,)]:
            return None, []
        rows = con.execute(f"""
            with now as ({DOCUMENT_DIGEST_SQL}),
            before as (select document_id, digest from {STATE_SCHEMA}.checked_documents)
            select coalesce(now.document_id, before.document_id) as document_id, now.document_id is null as gone
            from now full outer join before on now.document_id = before.document_id
            where now.digest is distinct from before.digest
            order by 1""").fetchall()
    finally:
        con.close()
    return [d for d, gone in rows if not gone], [d for d, _ in rows]


def write_checked(db_path: str, batch: CheckedBatch, whole: list[dict[str, Any]]) -> None:
    """Keep ``batch`` in the state tables (replacing what it re-checked), then write
    main.quality_findings' rows of the pandas and asset suites (the state's findings and
    ``whole``), main.disclosure_completeness and main.rpt_transparency_by_document / _by_region
    from the state. One transaction of one writer connection."""
    schema = pa.schema([(name, typ) for name, _, typ in FINDINGS_COLUMNS])

    def arrow(rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(
            [{name: decimal_to_column(f.get(name)) if name in DECIMAL_COLUMNS else f.get(name)
              for name, _, _ in FINDINGS_COLUMNS} for f in rows], schema=schema)

    findings_arrow, whole_arrow = arrow(batch.findings), arrow(whole)  # noqa: F841 - read by name
    completeness_frame_ = (batch.completeness.astype({"page": "Int32"})  # noqa: F841 - read by name
                           if "page" in batch.completeness.columns else batch.completeness)
    transparency_frame_ = batch.transparency  # noqa: F841 - read by name
    columns = ", ".join(name for name, _, _ in FINDINGS_COLUMNS)
    state = STATE_SCHEMA
    con = duckdb.connect(str(db_path))
    try:
        exists = con.execute("select count(*) from information_schema.tables where table_schema = 'main' "
                             "and table_name = 'quality_findings'").fetchall()[0][0]
        if not exists:
            raise PipelineError(f"checks: {db_path} has no {FINDINGS_TABLE} (has dbt build run?)")
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {state}")
        if batch.checked is None:
            con.execute(f"create or replace table {state}.document_findings as select * from findings_arrow")
            con.execute(f"create or replace table {state}.document_completeness as select * from completeness_frame_")
            con.execute(f"create or replace table {state}.document_transparency as select * from transparency_frame_")
        else:
            con.execute(f"delete from {state}.document_findings where document_id is null "
                        "or list_contains(?, document_id)", [batch.dropped])
            con.execute(f"insert into {state}.document_findings select * from findings_arrow")
            # by name, and to the common type of both (a column all null in the first run has
            # no type of its own)
            for table, frame, rows in (("document_completeness", "completeness_frame_", len(batch.completeness)),
                                       ("document_transparency", "transparency_frame_", len(batch.transparency))):
                con.execute(f"create or replace table {state}.{table} as "
                            f"select * from {state}.{table} where not list_contains(?, document_id)"
                            + (f" union all by name select * from {frame}" if rows else ""), [batch.dropped])
        con.execute(f"create or replace table {state}.checked_documents as "
                    f"select document_id, digest, ? as fingerprint from ({DOCUMENT_DIGEST_SQL})", [batch.fingerprint])
        con.execute(f"create table if not exists {state}.check_runs (checked_at timestamp, mode varchar, "
                    "documents_checked integer, documents_dropped integer, fingerprint varchar)")
        con.execute(f"insert into {state}.check_runs values (current_timestamp, ?, "
                    f"coalesce(?, (select count(*) from main.dim_document)), ?, ?)",
                    ["full" if batch.checked is None else "incremental",
                     None if batch.checked is None else len(batch.checked), len(batch.dropped), batch.fingerprint])
        con.execute(f"delete from {FINDINGS_TABLE} where list_contains(?, suite) or suite like 'assets:%'",
                    [list(LEGACY_SUITES)])
        con.execute(f"insert into {FINDINGS_TABLE} ({columns}) select {columns} from {state}.document_findings")
        con.execute(f"insert into {FINDINGS_TABLE} ({columns}) select {columns} from whole_arrow")
        con.execute(f"create or replace table {COMPLETENESS_TABLE} as select * from {state}.document_completeness "
                    "order by all")
        comment_tables(con, [COMPLETENESS_TABLE.removeprefix("main.")])
        con.execute(f"create or replace temp view transparency_frame_ as select * from {state}.document_transparency")
        con.execute(TRANSPARENCY_BY_DOCUMENT_SQL)
        con.execute(TRANSPARENCY_BY_REGION_SQL)
        comment_tables(con, ["rpt_transparency_by_document", "rpt_transparency_by_region"])
        con.execute("commit")
    finally:
        con.close()


def documents_for_trend(db_path: str) -> pd.DataFrame:
    """The columns of dim_document that place a row of the trend mart in its document."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return arrow_to_frame(con.sql("select document_id, is_current, department_id, fiscal_year, "
                                      "disclosure_kind from main.dim_document").to_arrow_table())
    finally:
        con.close()


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)] or parts[:1]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


__all__ = [
    "ASSETS",
    "CHECK_COLUMNS",
    "check_rows",
    "findings_from",
    "read_frames",
    "run_checks",
    "validate",
    "write_checked",
]
