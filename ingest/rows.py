"""A document's rows of the raw tables, as the parser worker builds them: column lists of each
table's contract columns (:mod:`ingest.raw_contract`), and polars frames of the tables' exact
types. No database here: :mod:`ingest.load` writes them (so a parser worker does not import
DuckDB or Arrow).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .model import Document, Extraction
from .raw_contract import PER_DOCUMENT_TABLES, column_scales, columns_of

if TYPE_CHECKING:
    import polars as pl

PARSER_VERSION = "0.5.2"


def frame(table: str, rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Rows (dicts keyed by column name) to a polars frame with the table's exact schema."""
    return columns_to_frame(table, rows_to_columns(table, rows))


def rows_to_columns(table: str, rows: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows (dicts keyed by column name) to the table's columns, as lists."""
    cols = column_scales(table)
    data: dict[str, list[Any]] = {name: [] for name, _ in cols}
    for row in rows:
        for name, scale in cols:
            v = row.get(name)
            if isinstance(v, Decimal) and scale is not None:
                v = v.quantize(Decimal(1).scaleb(-scale))
            data[name].append(v)
    return data


def columns_to_frame(table: str, data: dict[str, list[Any]]) -> pl.DataFrame:
    """Column lists to a frame of the table's schema (one Series per column: quicker than a dict)."""
    import polars as pl  # here: the loader makes frames, the parser workers only columns

    return pl.DataFrame([pl.Series(name, data[name], dtype=dtype, strict=False) for name, dtype in columns_of(table)])


def _quantized(values: list[Any], scale: int) -> list[Any]:
    step = Decimal(1).scaleb(-scale)
    return [v.quantize(step) if isinstance(v, Decimal) else v for v in values]


def records_to_columns(table: str, items: list[Any], *, constants: dict[str, Any] | None = None,
                       seq_name: str | None = None, defaults: dict[str, list[Any]] | None = None,
                       ) -> dict[str, list[Any]]:
    """Records (dataclasses whose fields are column names) to the table's columns, as lists.

    Args:
        constants: columns with one value for every row (document_id, run_id).
        seq_name: a column numbering the rows from 1 (statement_seq).
        defaults: columns whose nulls take the value of the same row here.
    """
    n = len(items)
    names = {f.name for f in dataclasses.fields(items[0])} if items else set()
    data: dict[str, list[Any]] = {}
    for name, scale in column_scales(table):
        if constants and name in constants:
            values = [constants[name]] * n
        elif name == seq_name:
            values = list(range(1, n + 1))
        elif name in names:
            values = [getattr(item, name) for item in items]
            if scale is not None:
                values = _quantized(values, scale)
        else:
            values = [None] * n
        if defaults and name in defaults:
            values = [d if v is None else v for v, d in zip(values, defaults[name])]
        data[name] = values
    return data


def records_to_frame(table: str, items: list[Any], **kw: Any) -> pl.DataFrame:
    """Records to a polars frame with the table's exact schema (see :func:`records_to_columns`)."""
    return columns_to_frame(table, records_to_columns(table, items, **kw))


def document_row(doc: Document, ex: Extraction, status: str, error: str | None,
                 now: dt.datetime) -> dict[str, Any]:
    p = ex.profile
    return {
        "document_id": doc.document_id, "source_path": doc.source_path,
        "source_format": doc.source_format, "byte_size": doc.byte_size,
        "page_count": doc.page_count, "encoding": doc.encoding,
        "parser_version": PARSER_VERSION, "ingested_at": now,
        "issuer_name": p.issuer_name, "unit_name": p.unit_name, "unit_code": p.unit_code,
        "region_code": p.region_code, "fiscal_year": p.fiscal_year,
        "disclosure_kind": p.disclosure_kind, "scope": p.scope, "consolidation": p.consolidation,
        "status": status,
        "error": error, "title": p.title, "currency_unit": p.currency_unit, "is_current": True,
    }


# What a document owns in raw.*, in the order it is written.
OWNED_TABLES = ("documents", *PER_DOCUMENT_TABLES, "parse_issues")
SEQ_COLUMNS = {"statements": "statement_seq", "classification_lines": "line_seq"}


@dataclass
class DocumentRows:
    """One document's rows of every raw table it owns, as column lists: what a parser worker
    sends back (far smaller than the Document, and built in parallel). The loader makes one
    frame per table of a whole batch of documents. A table it has no rows in is left out."""

    document_id: str
    source_path: str
    tables: dict[str, dict[str, list[Any]]]

    @property
    def rows(self) -> int:
        return sum(len(next(iter(cols.values()))) for cols in self.tables.values())


@dataclass
class ParsedFile:
    """A file read, checked against the raw contract and turned into the rows it loads (what
    ``ingest.parsing.parse_file`` returns, made here: the parent unpickles it without importing
    the parser)."""

    rows: DocumentRows
    status: str  # 'parsed' | 'partial'
    error: str | None


def document_to_rows(doc: Document, ex: Extraction, *, status: str, error: str | None = None,
                     run_id: str | None = None, now: dt.datetime | None = None) -> DocumentRows:
    """Everything ``doc`` owns in raw.*, from this extraction, as the columns of each table."""
    now = now or dt.datetime.now()
    did = doc.document_id
    tables = {"documents": rows_to_columns("documents", [document_row(doc, ex, status, error, now)])}
    for table in PER_DOCUMENT_TABLES:
        if getattr(ex, table):
            tables[table] = records_to_columns(table, getattr(ex, table), constants={"document_id": did},
                                               seq_name=SEQ_COLUMNS.get(table))
    if ex.issues:
        tables["parse_issues"] = records_to_columns(
            "parse_issues", ex.issues, constants={"document_id": did, "run_id": run_id}, seq_name="issue_seq",
            defaults={"source_path": [doc.source_path] * len(ex.issues)})
    return DocumentRows(did, doc.source_path, tables)
