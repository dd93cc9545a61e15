"""What the warehouse's tables and columns are called, read from their one source: the dbt yml.

Every mart (and every table the checkpoint writes, declared as the dbt source ``checkpoint``) is
described in the yml files under ``dbt_project/models``: its description and each column's (in
English: persisted as DuckDB comments), and in the ``config.meta`` of each, the Chinese that the
Excel/CSV export and the static site show::

    - name: fct_sangong
      description: ...
      config:
        meta:
          description_zh: "三公经费:合计、因公出国(境)费、公务用车购置及运行费、公务接待费,含增减与页码"
      columns:
        - name: amount_yuan
          description: The figure in yuan, ...
          config: {meta: {label_zh: "金额(元)"}}

The yml is parsed directly (YAML anchors resolved), so the labels are there for any warehouse,
without a dbt parse or a ``target/manifest.json``. Code values (phase 'budget' -> 预算) are data,
not column labels: they stay in ``ingest/export_values.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

MODELS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "models"
LABEL_KEY = "label_zh"
DESCRIPTION_KEY = "description_zh"


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    description: str
    label_zh: str | None


@dataclass(frozen=True)
class TableDoc:
    """A model or source table as its yml declares it; ``columns`` in declared order."""

    name: str
    path: Path
    description: str
    description_zh: str | None
    columns: dict[str, ColumnDoc] = field(default_factory=dict)


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _meta(node: dict) -> dict:
    """``config.meta`` of a yml node (dbt 1.10+: meta is a config; a bare ``meta:`` is not read)."""
    config = node.get("config") or {}
    return config.get("meta") or {}


def _table_doc(node: dict, path: Path) -> TableDoc:
    meta = _meta(node)
    columns = {}
    for c in node.get("columns") or []:
        label = _meta(c).get(LABEL_KEY)
        columns[c["name"]] = ColumnDoc(c["name"], _text(c.get("description")), _text(label) or None)
    return TableDoc(node["name"], path, _text(node.get("description")), _text(meta.get(DESCRIPTION_KEY)) or None,
                    columns)


@cache
def table_docs(models_dir: Path = MODELS_DIR) -> dict[str, TableDoc]:
    """Every model and source table declared under ``models_dir``, by name.

    Raises:
        ValueError: a name declared twice (names both files).
    """
    docs: dict[str, TableDoc] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        nodes = list(data.get("models") or [])
        for source in data.get("sources") or []:
            nodes.extend(source.get("tables") or [])
        for node in nodes:
            doc = _table_doc(node, path)
            if doc.name in docs:
                raise ValueError(f"{doc.name} is declared twice: in {docs[doc.name].path} and in {path}")
            docs[doc.name] = doc
    return docs


def _table(model: str) -> TableDoc | None:
    return table_docs().get(model)


def column_labels(model: str) -> dict[str, str]:
    """Column name -> Chinese label (``config.meta.label_zh``) of ``model``'s declared columns that
    have one; empty for a model the yml does not declare."""
    doc = _table(model)
    return {c.name: c.label_zh for c in doc.columns.values() if c.label_zh} if doc else {}


def column_descriptions(model: str) -> dict[str, str]:
    """Column name -> description (English, the text persisted as the column's comment)."""
    doc = _table(model)
    return {c.name: c.description for c in doc.columns.values()} if doc else {}


def table_description_zh(model: str) -> str | None:
    """What ``model`` holds, in Chinese (``config.meta.description_zh``), or None."""
    doc = _table(model)
    return doc.description_zh if doc else None
