"""Export marts as Parquet (partitioned by fiscal year where a mart has one), CSV or XLSX (with
Chinese column labels on request).

The warehouse is read in the query sandbox (:mod:`ingest.sandbox`) with the one folder ``--out``
names as the only place it may write; the paths written are query parameters, never SQL text,
so any folder name works (``O'Brien``) and none can add SQL of its own."""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

import duckdb

from .errors import BudgetWarehouseError
from .sandbox import connect_sandboxed, quote_identifier

LABELS = Path(__file__).with_name("export_labels.csv")
MART_PREFIXES = ("dim_", "fct_", "rpt_")
EXTRA_MARTS = ("quality_findings",)
XLSX_MAX_ROWS = 1_048_575


@lru_cache(maxsize=1)
def chinese_labels() -> dict[str, str]:
    with open(LABELS, encoding="utf-8") as fh:
        return {r["column"]: r["label_zh"] for r in csv.DictReader(fh)}


def list_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema='main' "
                       "order by table_name").fetchall()
    return [r[0] for r in rows if r[0].startswith(MART_PREFIXES) or r[0] in EXTRA_MARTS]


def export_marts(db_path: str, out_dir: str, fmt: str, marts: list[str] | None = None,
                 labels: str = "en") -> list[Path]:
    """Write each mart to ``out_dir``; returns the paths written.

    Raises:
        BudgetWarehouseError: unknown mart, or a mart too large for one XLSX sheet.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    real = Path(os.path.realpath(out))  # the folder the sandbox compares paths against
    con = connect_sandboxed(db_path, writable_dir=real)
    written: list[Path] = []
    try:
        available = list_marts(con)
        chosen = marts or available
        unknown = [m for m in chosen if m not in available]
        if unknown:
            raise BudgetWarehouseError(f"no mart named {', '.join(unknown)}; marts are: {', '.join(available)}")
        for mart in chosen:
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema='main' and table_name=? "
                "order by ordinal_position", [mart]).fetchall()]
            source = f"select * from main.{quote_identifier(mart)}"  # a name list_marts gave
            if fmt == "parquet":
                if "fiscal_year" in cols:
                    target = out / mart
                    con.execute(f"copy ({source}) to $1 "
                                f"(format parquet, partition_by (fiscal_year), overwrite_or_ignore true)",
                                [str(real / target.name)])
                else:
                    target = out / f"{mart}.parquet"
                    con.execute(f"copy ({source}) to $1 (format parquet)", [str(real / target.name)])
            elif fmt == "csv":
                target = out / f"{mart}.csv"
                con.execute(f"copy ({source}) to $1 (header, delimiter ',')", [str(real / target.name)])
            elif fmt == "xlsx":
                target = out / f"{mart}.xlsx"
                df = con.execute(source).df()
                if len(df) > XLSX_MAX_ROWS:
                    raise BudgetWarehouseError(f"{mart} has {len(df):,} rows, more than one Excel sheet holds; "
                                               f"export it as parquet or csv")
                if labels == "zh":
                    names = chinese_labels()
                    df = df.rename(columns={c: names.get(c, c) for c in df.columns})
                df.to_excel(target, sheet_name=mart[:31], index=False)
            else:
                raise BudgetWarehouseError(f"unknown export format {fmt!r}")
            written.append(target)
    finally:
        con.close()
    return written
