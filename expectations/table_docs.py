"""Comments on the marts the checkpoint writes (not built by dbt, so persist_docs does not reach them).

Their descriptions are declared once, as the dbt source ``checkpoint``
(dbt_project/models/marts/quality/_checkpoint__sources.yml), which `budgetwh docs` shows beside
the marts; :func:`comment_tables` writes them as DuckDB comments (``COMMENT ON TABLE`` /
``COMMENT ON COLUMN``) in the writer's connection, right after the table is (re)created, so a
DuckDB client (DBeaver, ``duckdb_columns()``) shows them as it shows the dbt models' comments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import yaml

SOURCES_YML = (Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts" / "quality"
               / "_checkpoint__sources.yml")


@cache
def declared_docs() -> dict[str, tuple[str, dict[str, str]]]:
    """Per table of the ``checkpoint`` source: its description and {column: description}.

    Raises:
        ValueError: the file declares no ``checkpoint`` source (names the file).
    """
    with open(SOURCES_YML, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    sources = [s for s in data.get("sources") or [] if s.get("name") == "checkpoint"]
    if not sources:
        raise ValueError(f"{SOURCES_YML}: no source named 'checkpoint'")
    return {t["name"]: (" ".join(str(t.get("description") or "").split()),
                        {c["name"]: " ".join(str(c.get("description") or "").split())
                         for c in t.get("columns") or []})
            for t in sources[0].get("tables") or []}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_tables(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Write the declared descriptions of ``tables`` (names in schema main) as their comments.

    Raises:
        KeyError: a table the source does not declare.
        duckdb.Error: a declared column the table does not have (the declaration is out of date).
    """
    docs = declared_docs()
    for table in tables:
        description, columns = docs[table]
        con.execute(f"comment on table main.{table} is {_literal(description)}")
        for column, text in columns.items():
            con.execute(f"comment on column main.{table}.{column} is {_literal(text)}")
