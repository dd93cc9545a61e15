"""Great Expectations on the real tables: each mart a data asset, validated in batches of rows.

The verdicts on documents (identities, units, ranges …) are dbt models (marts/quality/) and never
pass through GX again. What GX validates here is the marts themselves, as an analyst reads them:
keys present and unique, years and pages in range, amounts within the raw contract's bounds.
Each model is read on its own (read-only, then closed), with only the columns its expectations
read and amounts as float64, in batches of at most BATCH_ROWS rows (one batch for a model whose
expectations compare rows), so that a batch stays small whatever the warehouse's size. An
expectation that fails is a finding 'asset:<model>:<expectation>' (suite 'assets:<model>').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.errors import PipelineError

# the raw contract's bound on amounts (ingest/raw_contract.py): ±10^15 yuan
AMOUNT_LIMIT = 10 ** 15
MEASURES = ("amount", "change", "change_pct", "share_pct", "completion_pct", "quantity")


@dataclass(frozen=True)
class Asset:
    """A model validated as a GX data asset: the columns read (SQL expressions, aliased) and the
    expectations built on them."""

    model: str
    columns: dict[str, str]
    expectations: Callable[[], list[Any]] = field(repr=False)
    #: an expectation across rows (uniqueness): validated as one batch
    whole: bool = False
    #: the share of a batch's rows (BATCH_ROWS) this asset's batches take: a model whose rows are
    #: wide (long text) takes fewer, so that its batches weigh what the others' do
    batch_share: float = 1.0

    def sql(self) -> str:
        return "select " + ", ".join(f"{expr} as {name}" for name, expr in self.columns.items()) \
            + f" from main.{self.model}"


def _fact_expectations() -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="document_id", meta={"notes": "Every figure names its document."}),
        gxe.ExpectColumnValuesToBeBetween(column="amount_yuan", min_value=-AMOUNT_LIMIT, max_value=AMOUNT_LIMIT,
                                          meta={"notes": "Amounts lie within the raw contract's ±10^15 yuan."}),
        gxe.ExpectColumnValuesToBeBetween(column="page", min_value=1,
                                          meta={"notes": "A page, where known, is a page of the document."}),
        gxe.ExpectColumnValuesToBeInSet(column="measure", value_set=list(MEASURES),
                                        meta={"notes": "Every figure is an amount, a change, a change / share "
                                                       "/ completion rate in %, or a quantity."}),
    ]


def _document_expectations() -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="document_id"),
        gxe.ExpectColumnValuesToBeUnique(column="document_id", meta={"notes": "One row per file version."}),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["parsed", "partial", "rejected"]),
        gxe.ExpectColumnValuesToBeBetween(column="fiscal_year", min_value=1990, max_value=2100,
                                          meta={"notes": "The raw contract's range of years."}),
        gxe.ExpectColumnValuesToBeInSet(column="disclosure_kind", value_set=["budget", "final_accounts"]),
    ]


def _project_expectations() -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="document_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="project_seq"),
        gxe.ExpectColumnValuesToBeBetween(column="budget_yuan", min_value=-AMOUNT_LIMIT, max_value=AMOUNT_LIMIT),
        gxe.ExpectColumnValuesToBeBetween(column="page", min_value=1),
    ]


def _trend_expectations() -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="department_id"),
        gxe.ExpectColumnValuesToBeBetween(column="fiscal_year", min_value=1990, max_value=2100),
        gxe.ExpectColumnValuesToBeInSet(column="disclosure_kind", value_set=["budget", "final_accounts"]),
        gxe.ExpectColumnValuesToBeBetween(column="revenue_total_yuan", min_value=-AMOUNT_LIMIT,
                                          max_value=AMOUNT_LIMIT),
    ]


def _findings_expectations() -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeInSet(column="severity", value_set=["error", "warning", "info"]),
        gxe.ExpectColumnValuesToNotBeNull(column="check_name"),
        gxe.ExpectColumnValuesToNotBeNull(column="message", meta={"notes": "Every finding explains itself."}),
    ]


_FACT_COLUMNS = {"document_id": "document_id", "amount_yuan": "cast(amount_yuan as double)",
                 "page": "page", "measure": "measure"}
ASSETS: tuple[Asset, ...] = (
    Asset("dim_document", {"document_id": "document_id", "status": "status", "fiscal_year": "fiscal_year",
                           "disclosure_kind": "disclosure_kind"}, _document_expectations, whole=True),
    *(Asset(fact, _FACT_COLUMNS, _fact_expectations)
      for fact in ("fct_revenue", "fct_expenditure", "fct_sangong", "fct_operating_expense", "fct_procurement")),
    Asset("fct_project", {"document_id": "document_id", "project_seq": "project_seq",
                          "budget_yuan": "cast(budget_yuan as double)", "page": "page"}, _project_expectations),
    Asset("rpt_department_trend", {"department_id": "department_id", "fiscal_year": "fiscal_year",
                                   "disclosure_kind": "disclosure_kind",
                                   "revenue_total_yuan": "cast(revenue_total_yuan as double)"},
          _trend_expectations),
    # the findings the dbt quality models decided (the rows themselves, not their verdicts)
    # a finding's message is long text: half a batch (at 10,000 documents the checks' peak went
    # 483 -> 445 MiB, one more GX validation at 2,000)
    Asset("quality_findings", {"severity": "severity", "check_name": "check_name", "message": "message"},
          _findings_expectations, batch_share=0.5),
)


#: The rows of one batch: a model larger than this is validated batch by batch (its rows read
#: from DuckDB as Arrow record batches of this size), so that the checks' memory does not grow with
#: the warehouse (at 10,000 documents quality_findings has ~250,000 rows, fct_project ~150,000: the checks' peak
#: there went from 1,100 to ~520 MiB with batches of 20,000, benchmarks/bench_refresh.py). 50,000:
#: each batch costs GX ~0.1 s of its own, and at 2,000 documents the marts are 13 batches of 20,000
#: but 10 of 50,000 (15 before DuckDB's smaller pieces were gathered into whole batches).
BATCH_ROWS = 50_000


def read_batches(db_path: str, asset: Asset, rows: int = BATCH_ROWS,
                 con: duckdb.DuckDBPyConnection | None = None) -> Iterator[pd.DataFrame]:
    """The asset's columns, ``rows`` at a time (read-only, connection closed after, unless the
    caller's ``con`` is given); nothing when the model is absent. An asset with an expectation
    across rows (:attr:`Asset.whole`) is one batch."""
    own = con is None
    if own:
        con = duckdb.connect(str(db_path), read_only=True)
    try:
        exists = con.execute("select count(*) from information_schema.tables where table_schema = 'main' "
                             "and table_name = ?", [asset.model]).fetchall()[0][0]
        if not exists:
            return
        if asset.whole:
            yield con.sql(asset.sql()).df()
            return
        # DuckDB's reader hands out record batches of at most ``rows`` rows, often far fewer (a
        # 5,000-row mart came as two): gathered up to ``rows``, or GX would validate each piece
        # as a batch of its own (~70 ms of GX each, whatever its size)
        reader = con.sql(asset.sql()).to_arrow_reader(rows)
        pending = pa.Table.from_batches([], schema=reader.schema)
        yielded = False
        for batch in reader:
            pending = pa.concat_tables([pending, pa.Table.from_batches([batch])])
            while pending.num_rows >= rows:
                yield pending.slice(0, rows).to_pandas()
                pending, yielded = pending.slice(rows), True
        if pending.num_rows or not yielded:
            yield pending.to_pandas()
    except duckdb.Error as exc:
        raise PipelineError(f"checks: cannot read {asset.model} from {db_path}: {exc}") from exc
    finally:
        if own:
            con.close()


def validate_assets(db_path: str, context: Any, assets: tuple[Asset, ...] = ASSETS,
                    rows: int = BATCH_ROWS) -> list[tuple[str, list[Any]]]:
    """Validate each asset batch by batch (:func:`read_batches`); (model, [the
    ExpectationSuiteValidationResult of each batch]) pairs.

    The results are stored in ``context`` (its Data Docs show them)."""
    source = context.data_sources.add_pandas("warehouse")
    try:  # one read-only connection for every asset (an open costs ~30 ms at 2,000 documents)
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise PipelineError(f"checks: cannot open {db_path}: {exc}") from exc
    results = []
    # Arrow's memory from the C library's allocator while the batches are read: pyarrow's default
    # (mimalloc) kept what each batch's conversion to pandas freed, and the checks' memory grew
    # with the batches validated (at 10,000 documents 445 -> 393 MiB, 11 batches of findings)
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        for asset in assets:
            batches = _validate_asset(db_path, con, context, source, asset, rows)
            if batches:
                results.append((asset.model, batches))
    finally:
        pa.set_memory_pool(pool)
        con.close()
    return results


def _validate_asset(db_path: str, con: duckdb.DuckDBPyConnection, context: Any, source: Any, asset: Asset,
                    rows: int) -> list[Any]:
    """The validation result of each batch of one asset (none when the model is absent)."""
    import great_expectations as gx

    definition = None
    batches = []
    for frame in read_batches(db_path, asset, max(1, int(rows * asset.batch_share)), con):
        if definition is None:
            batch_definition = source.add_dataframe_asset(asset.model).add_batch_definition_whole_dataframe("batch")
            suite = context.suites.add(gx.ExpectationSuite(name=f"assets.{asset.model}",
                                                           expectations=asset.expectations()))
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"assets.{asset.model}", data=batch_definition, suite=suite))
        # BASIC: counts and up to 20 unexpected values, what a finding says; SUMMARY's value
        # counts of the unexpected values cost a third of the validation (1.8 -> 1.2 s at 2,000)
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="BASIC")
        for er in result.results:
            info = er.exception_info or {}
            if info.get("raised_exception"):
                raise PipelineError(f"checks: expectation {er.expectation_config.type} on {asset.model} "
                                    f"could not run: {info.get('exception_message')}")
        batches.append(result)
        del frame
    return batches


def asset_findings(results: list[tuple[str, list[Any]]], now: dt.datetime) -> list[dict[str, Any]]:
    """One finding per failed expectation on a mart (no document: the mart as a whole), its counts
    summed over the model's batches."""
    findings = []
    for model, batches in results:
        for i, er in enumerate(batches[0].results):
            outcomes = [b.results[i] for b in batches]
            if all(o.success for o in outcomes):
                continue
            config = er.expectation_config
            column = config.kwargs.get("column")
            unexpected = sum(o.result.get("unexpected_count") or 0 for o in outcomes)
            elements = sum(o.result.get("element_count") or 0 for o in outcomes)
            examples = ", ".join(map(str, [v for o in outcomes
                                           for v in (o.result.get("partial_unexpected_list") or [])][:5]))
            findings.append({
                "document_id": None, "check_name": f"asset:{model}:{config.type}", "severity": "warning",
                "observed": unexpected, "expected": 0, "page": None, "subject": f"{model}.{column}",
                "observed_unit": "rows", "expectation": config.type, "suite": f"assets:{model}",
                "checked_at": now,
                "message": f"{model}.{column}: {unexpected} of {elements} rows fail "
                           f"{config.type}" + (f" (for example {examples})" if examples else "") + ".",
            })
    return findings
