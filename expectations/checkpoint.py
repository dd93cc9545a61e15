"""The checkpoint: after `dbt build`, validate the marts with Great Expectations and complete
main.quality_findings.

Every check on the documents is a dbt model (``dbt_project/models/marts/quality/``: identities,
units, plausibility, parse issues, duplicates, performance targets, completeness, narrative vs
table, the text's items vs its total, stated changes and the change across years, item
explanations, tables as printed), one row per check instance, and ``quality_findings`` is the dbt
model of their failures. Great Expectations then validates the real tables as data assets
(:mod:`expectations.assets`: one batch per model, only the columns its expectations read), never
the check rows dbt has already decided; an expectation that fails is a finding too, appended to
main.quality_findings (suite ``assets:<model>``). Data Docs show those validations. The tests of
the dbt build are written beside them (main.dbt_test_results, :mod:`expectations.dbt_results`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ingest.errors import PipelineError

from .assets import ASSETS, asset_findings, validate_assets
from .dbt_results import read_dbt_results, write_dbt_results

FINDINGS_TABLE = "main.quality_findings"
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


#: What Great Expectations imports at its own import but the expectations here never run: three
#: of its distribution expectations import ``scipy.stats`` at module level (about 0.9 s of its 3.4 s
#: import, ``python -X importtime``). It is registered as a lazy module (executed when first used).
LAZY_MODULES = ("scipy.stats",)


def import_gx() -> Any:
    """Import Great Expectations, with :data:`LAZY_MODULES` loaded only when something uses them;
    return the module."""
    import importlib.util
    import sys

    for name in LAZY_MODULES:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        # Bound on its package as an import would: ``from scipy import stats`` then finds the
        # attribute. Otherwise the package's __getattr__ imports it again, and the import system
        # reads the lazy module's __spec__, which executes it (Python 3.11).
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, module)
    import great_expectations
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every DataFrame batch under this size (an md5 of pandas' hash of each row) for
    # the batch's markers; nothing here reads the fingerprint, and it took an eighth of the assets'
    # validation (py-spy), growing with their rows
    pandas_execution_engine.HASH_THRESHOLD = 0
    return great_expectations


def gx_context(data_docs_dir: str | Path | None = None) -> Any:
    """An ephemeral GX context, quiet, with the Data Docs site 'budgetwh' at ``data_docs_dir``."""
    gx = import_gx()
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
               dbt_run_results: str | Path | None = None, dbt_tests: list[dict[str, Any]] | None = None,
               read_back: bool = True) -> list[dict[str, Any]]:
    """Validate the marts of the warehouse at ``db_path`` as data assets and complete
    main.quality_findings (the dbt model of the quality models' failures) with the failed
    expectations; write main.dbt_test_results (the dbt tests of the build that made these marts,
    from run_results.json; see :mod:`expectations.dbt_results`).

    Args:
        db_path: the warehouse file; dbt build must have run on it.
        data_docs_dir: where GX Data Docs are built (default :data:`BESIDE_WAREHOUSE`: the
            warehouse's working folder, ``<db-dir>/.budgetwh/<db-name>/data_docs``); None builds
            none. A refresh, which checks ``<db>.next``, passes the live warehouse's folder.
        dbt_run_results: the run_results.json of the build (default: the one in the warehouse's
            working folder, used only when written after this warehouse's last refresh started).
        dbt_tests: the build's data tests as rows of main.dbt_test_results, from the build itself
            (``ingest.transform.DbtResult.test_rows``); given, run_results.json is not read.
        read_back: return the findings (False: return [], for a caller that counts them in SQL).

    Returns:
        Every finding of main.quality_findings, as dicts with its columns (with ``read_back``).

    Raises:
        PipelineError: the warehouse cannot be read (dbt build has not run) or an expectation could
            not run.
    """
    if not Path(db_path).exists():
        raise PipelineError(f"checks: warehouse {db_path} does not exist")
    if data_docs_dir == BESIDE_WAREHOUSE:
        from ingest.warehouse import warehouse_dirs

        data_docs_dir = warehouse_dirs(db_path).data_docs
    now = dt.datetime.now().replace(microsecond=0)
    context = gx_context(data_docs_dir)
    found = asset_findings(validate_assets(db_path, context), now)
    if data_docs_dir is not None:
        context.build_data_docs(site_names=["budgetwh"])
    if dbt_tests is None:
        dbt_tests = read_dbt_results(db_path, dbt_run_results)
    write_asset_findings(db_path, found)
    write_dbt_results(db_path, dbt_tests, now)
    return read_findings(db_path) if read_back else []


#: The schema where the checks once kept per-document results of the concerns checked in pandas
#: (all are dbt models now); dropped from a warehouse that still has it.
RETIRED_SCHEMA = "check_state"


def write_asset_findings(db_path: str, findings: list[dict[str, Any]]) -> None:
    """Replace main.quality_findings' rows of the asset suites with ``findings`` (and drop the
    retired :data:`RETIRED_SCHEMA`). One transaction of one writer connection."""
    schema = pa.schema([(name, typ) for name, _, typ in FINDINGS_COLUMNS])
    rows = pa.Table.from_pylist(  # noqa: F841 - read by name below
        [{name: decimal_to_column(f.get(name)) if name in DECIMAL_COLUMNS else f.get(name)
          for name, _, _ in FINDINGS_COLUMNS} for f in findings], schema=schema)
    columns = ", ".join(name for name, _, _ in FINDINGS_COLUMNS)
    con = duckdb.connect(str(db_path))
    try:
        exists = con.execute("select count(*) from information_schema.tables where table_schema = 'main' "
                             "and table_name = 'quality_findings'").fetchall()[0][0]
        if not exists:
            raise PipelineError(f"checks: {db_path} has no {FINDINGS_TABLE} (has dbt build run?)")
        con.execute("begin transaction")
        con.execute(f"drop schema if exists {RETIRED_SCHEMA} cascade")
        con.execute(f"delete from {FINDINGS_TABLE} where suite like 'assets:%'")
        con.execute(f"insert into {FINDINGS_TABLE} ({columns}) select {columns} from rows")
        con.execute("commit")
    finally:
        con.close()


__all__ = [
    "ASSETS",
    "FINDINGS_COLUMNS",
    "read_findings",
    "run_checks",
    "write_asset_findings",
]
