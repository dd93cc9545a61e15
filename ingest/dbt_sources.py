"""The dbt source declarations of schema ``raw``, generated from the raw contract.

``python -m ingest.dbt_sources`` writes dbt_project/models/staging/disclosures/_disclosures__sources.yml
from :mod:`ingest.raw_contract`: every table and column with its type and description; on the
tables a document owns, ``unique_combination`` on the natural key and ``not_null_columns`` on the
other columns the contract says are not nullable. Every source test has severity ``warn``: a
document's content never fails a build (the contract already set aside what breaks it; a
warning here means the loader let one through).
``python -m ingest.dbt_sources --check`` exits 1 when the file differs from what the contract
generates (the test suite checks the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from .raw_contract import TABLES, RawTable
from .rows import OWNED_TABLES

SOURCES_YML = (Path(__file__).resolve().parent.parent / "dbt_project" / "models" / "staging" / "disclosures"
               / "_disclosures__sources.yml")
SOURCE_NAME = "disclosures"
HEADER = ("# Generated from the raw contract (ingest/raw_contract.py) by `python -m ingest.dbt_sources`:\n"
          "# do not edit; change the contract and run it again (a test fails while they differ).\n")
WARN = {"config": {"severity": "warn"}}


def table_to_source(spec: RawTable) -> dict[str, Any]:
    """One source table: description, columns with type and description, and (for the tables a
    document owns) its contract's tests: ``unique_combination`` on the natural key (a null in a
    key column the contract says is not nullable fails it too) and ``not_null_columns`` on the
    other columns that are not nullable. One test each, not one per column: every test is a
    query of every refresh."""
    out: dict[str, Any] = {"name": spec.name, "description": spec.description}
    tests: list[dict[str, Any]] = []
    if spec.key and spec.name in OWNED_TABLES:
        arguments: dict[str, Any] = {"combination_of_columns": list(spec.key)}
        if spec.key_nullable and set(spec.key_nullable) == set(spec.key):
            arguments["allow_nulls"] = True
        elif spec.key_nullable:
            arguments["nullable_columns"] = list(spec.key_nullable)
        tests.append({"unique_combination": {"arguments": arguments, **WARN}})
    required = [c.name for c in spec.columns if not c.nullable and c.name not in spec.key]
    if required and spec.name in OWNED_TABLES:
        tests.append({"not_null_columns": {"arguments": {"columns": required}, **WARN}})
    if tests:
        out["data_tests"] = tests
    out["columns"] = [{"name": c.name, "data_type": c.type.lower(), "description": c.description}
                      for c in spec.columns]
    return out


def contract_to_sources() -> dict[str, Any]:
    """The whole sources document (``version: 2``, one source of every raw table)."""
    return {"version": 2, "sources": [{
        "name": SOURCE_NAME,
        "description": "The `raw` schema ingest writes, the contract between ingest and dbt "
                       "(ingest/raw_contract.py). Loading a document replaces every row it owns.",
        "schema": "raw",
        "tables": [table_to_source(t) for t in TABLES],
    }]}


class _Dumper(yaml.SafeDumper):
    """Block style with lists indented under their key, short lists of names inline."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _inline_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = bool(data) and all(isinstance(v, str) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _inline_list)


def sources_yml() -> str:
    """The text of _disclosures__sources.yml as the contract generates it."""
    body = yaml.dump(contract_to_sources(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)
    return HEADER + "\n" + body


def write_sources_yml(path: Path = SOURCES_YML) -> bool:
    """Write the file; True when it changed."""
    text = sources_yml()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the file is not what the contract generates")
    args = ap.parse_args(argv)
    if args.check:
        same = SOURCES_YML.exists() and SOURCES_YML.read_text(encoding="utf-8") == sources_yml()
        print(f"{SOURCES_YML.name} is {'in sync with' if same else 'out of sync with'} the raw contract")
        return 0 if same else 1
    print(f"{SOURCES_YML} {'written' if write_sources_yml() else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
