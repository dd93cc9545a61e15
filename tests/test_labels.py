"""Chinese labels and sheet descriptions come from one source, the marts' dbt yml
(``config.meta``), read by :mod:`ingest.labels` for the export (and the site)."""

from __future__ import annotations

import pytest

from ingest.export import list_marts
from ingest.labels import column_labels, table_description_zh, table_docs

from .conftest import query


def _exported_marts(db) -> dict[str, list[str]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {m: [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ? "
            "order by column_index", [m]).fetchall()] for m in list_marts(con)}
    finally:
        con.close()


def test_every_column_of_every_exported_mart_has_a_label_zh(built_warehouse):
    marts = _exported_marts(built_warehouse)
    assert {"fct_sangong", "rpt_department_trend", "quality_findings", "rpt_transparency_by_region"} <= set(marts)
    unlabelled = {m: [c for c in cols if c not in column_labels(m)] for m, cols in marts.items()}
    assert {m: cs for m, cs in unlabelled.items() if cs} == {}
    assert [m for m in marts if not table_description_zh(m)] == []


def test_every_table_in_main_is_declared_with_labels(built_warehouse):
    """Also the checkpoint's tables (the dbt source ``checkpoint``), which the export leaves out."""
    tables = [r[0] for r in query(built_warehouse, "select table_name from duckdb_tables() "
                                                   "where schema_name = 'main' order by 1")]
    for table in tables:
        cols = [r[0] for r in query(built_warehouse, "select column_name from duckdb_columns() where "
                                                     "schema_name = 'main' and table_name = ?", [table])]
        assert set(cols) <= set(column_labels(table)), (table, set(cols) - set(column_labels(table)))
        assert table_description_zh(table), table


def test_labels_are_chinese_and_unique_within_a_table():
    docs = table_docs()
    assert len(docs) > 20
    for name, doc in docs.items():
        labels = list(column_labels(name).values())
        assert len(set(labels)) == len(labels), name
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels), name
        if doc.description_zh:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in doc.description_zh), name


def test_shared_columns_through_yaml_anchors_have_their_labels():
    """fct_expenditure declares its columns as ``*statement_columns`` (fct_revenue's)."""
    assert column_labels("fct_expenditure") == column_labels("fct_revenue")
    assert column_labels("fct_sangong")["amount_wan_yuan"] == "金额(万元)"
    assert table_description_zh("fct_sangong") != table_description_zh("fct_revenue")


def test_only_config_meta_is_read_and_a_name_declared_twice_is_an_error(tmp_path):
    """dbt 1.10+ reads ``meta`` as a config (a bare ``meta:`` is deprecated): so does the loader."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "_a__models.yml").write_text(
        "version: 2\n"
        "models:\n"
        "  - name: fct_x\n"
        "    config: {meta: {description_zh: 某表}}\n"
        "    columns:\n"
        "      - name: a\n"
        "        description: A.\n"
        "        config: {meta: {label_zh: 甲}}\n"
        "      - name: b\n"
        "        description: B.\n"
        "        meta: {label_zh: 乙}\n", encoding="utf-8")
    docs = table_docs(tmp_path)
    assert docs["fct_x"].description_zh == "某表"
    assert docs["fct_x"].columns["a"].label_zh == "甲" and docs["fct_x"].columns["b"].label_zh is None
    (tmp_path / "b.yml").write_text("version: 2\nsources:\n  - name: s\n    tables:\n      - name: fct_x\n",
                                    encoding="utf-8")
    table_docs.cache_clear()
    with pytest.raises(ValueError, match="declared twice"):
        table_docs(tmp_path)
    table_docs.cache_clear()

