"""`budgetwh export` and `budgetwh query` against a warehouse built from the samples."""

from __future__ import annotations

import csv
import json

import duckdb
import openpyxl
import openpyxl.utils
import pytest
from click.testing import CliRunner

from ingest.cli import main

from .conftest import query


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_query_prints_the_seed_sangong_as_csv(built_warehouse, seed_golden):
    r = run("query", "--db", built_warehouse, "--format", "csv",
            "select item, amount_yuan from fct_sangong where document_id = "
            f"'{seed_golden['sha256']}' and measure = 'amount' order by item")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(r.output.splitlines()))
    got = {row["item"]: row["amount_yuan"] for row in rows}
    assert got["total"] == "545000.00" and got["reception"] == "545000.00"
    assert got["overseas_travel"] == "0.00"


def test_query_json_and_usage_errors(built_warehouse, tmp_path):
    r = run("query", "--db", built_warehouse, "--format", "json", "select 1 as one")
    assert json.loads(r.output) == [{"one": 1}]
    r = run("query", "--db", tmp_path / "none.duckdb", "select 1")
    assert r.exit_code == 2 and "budgetwh refresh" in r.output
    r = run("query", "--db", built_warehouse, "select * from no_such_table")
    assert r.exit_code == 2 and "show all tables" in r.output


def test_export_parquet_partitioned_csv_and_xlsx_with_chinese_labels(built_warehouse, tmp_path):
    r = run("export", "--db", built_warehouse, "--format", "parquet", "--out", tmp_path / "pq")
    assert r.exit_code == 0, r.output
    years = sorted(p.name for p in (tmp_path / "pq" / "fct_sangong").iterdir())
    assert "fiscal_year=2021" in years and "fiscal_year=2024" in years
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{tmp_path}/pq/fct_sangong/*/*.parquet')").fetchall()[0][0]
    src = duckdb.connect(str(built_warehouse), read_only=True)
    assert n == src.execute("select count(*) from fct_sangong").fetchall()[0][0]
    src.close()
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", tmp_path / "csv", "--mart", "dim_document")
    assert r.exit_code == 0 and (tmp_path / "csv" / "dim_document.csv").exists()
    r = run("export", "--db", built_warehouse, "--format", "xlsx", "--out", tmp_path / "x", "--mart", "fct_sangong")
    assert r.exit_code == 0, r.output
    header = [c.value for c in next(openpyxl.load_workbook(tmp_path / "x" / "budgetwh.xlsx")["fct_sangong"].rows)]
    assert "金额(元)" in header and "年度" in header
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", tmp_path / "y", "--mart", "nope")
    assert r.exit_code == 2 and "marts are" in r.output


# --- the Excel workbook, read back -------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(built_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    r = run("export", "--db", built_warehouse, "--format", "xlsx", "--out", out)
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines() == [str(out / "budgetwh.xlsx")]  # one workbook per export
    return openpyxl.load_workbook(out / "budgetwh.xlsx")


def _header(ws) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def _column(ws, header: str) -> list:
    i = _header(ws).index(header)
    return [r[i] for r in ws.iter_rows(min_row=2, values_only=True)]


def test_workbook_has_a_readme_then_a_sheet_per_mart(workbook, built_warehouse):
    marts = [r[0] for r in query(built_warehouse, "select table_name from information_schema.tables "
                                                  "where table_schema = 'main' order by 1")
             if r[0].startswith(("dim_", "fct_", "rpt_")) or r[0] in ("quality_findings", "disclosure_completeness")]
    assert "disclosure_completeness" in marts
    assert set(_column(workbook["disclosure_completeness"], "公开状态(已公开/空表有说明/缺失)")) <= {"已公开", "空表(有说明)", "缺失"}
    assert workbook.sheetnames == ["说明", *marts]
    readme = [r for r in workbook["说明"].iter_rows(values_only=True)]
    described: dict[str, tuple] = {}
    for r in readme:
        if r[0] in marts:
            described.setdefault(r[0], r)  # the overview's row comes before the column rows
    for mart in marts:
        assert described[mart][1], f"the 说明 sheet does not say what {mart} holds"
    n = query(built_warehouse, "select count(*) from fct_sangong")[0][0]
    assert described["fct_sangong"][2] == n
    text = " ".join(str(v) for r in readme for v in r if v)
    assert "#,##0.00" in text and "#,##0.0000" in text and "页码" in text and "sha256" in text
    documented = {(r[0], r[2]) for r in readme if r[0] in marts and r[2]}
    assert ("fct_sangong", "amount_yuan") in documented  # every column listed, by its name too


def test_every_header_is_chinese_and_unique_per_sheet(workbook):
    for ws in workbook.worksheets[1:]:
        header = _header(ws)
        assert len(set(header)) == len(header), ws.title
        latin = [h for h in header if not any("\u4e00" <= ch <= "\u9fff" for ch in h)]
        assert not latin, f"{ws.title}: headers without a Chinese label: {latin}"


def test_frozen_header_filters_and_widths(workbook):
    for ws in workbook.worksheets[1:]:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.auto_filter.ref.endswith(str(ws.max_row)), ws.title
        widths = [d.width for d in ws.column_dimensions.values()]
        assert len(widths) == ws.max_column and all(6 <= w <= 60 for w in widths), ws.title
    ws = workbook["fct_sangong"]
    letters = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(_header(ws))}
    # a sha256 column is wider than a year column
    assert ws.column_dimensions[letters["文档编号(sha256)"]].width > ws.column_dimensions[letters["年度"]].width


def test_yuan_and_wan_yuan_number_formats(workbook, built_warehouse, seed_golden):
    ws = workbook["fct_sangong"]
    header = _header(ws)
    yuan, wan = header.index("金额(元)"), header.index("金额(万元)")
    rows = [r for r in ws.iter_rows(min_row=2) if r[yuan].value is not None]
    assert rows
    assert all(r[yuan].number_format == "#,##0.00" and r[wan].number_format == "#,##0.0000" for r in rows)
    assert all(isinstance(r[yuan].value, (int, float)) for r in rows)  # numbers, not text
    trend = workbook["rpt_department_trend"]
    i = _header(trend).index("三公经费合计(元)")
    assert {r[i].number_format for r in trend.iter_rows(min_row=2) if r[i].value is not None} == {"#,##0.00"}
    seed = [r for r in ws.iter_rows(min_row=2, values_only=True)
            if r[0] == seed_golden["sha256"] and r[header.index("项目")] == "reception"
            and r[header.index("度量(金额/增减/增减率)")] == "金额"]
    assert seed and seed[0][yuan] == 545000


def test_codes_shown_as_chinese_values(workbook):
    ws = workbook["fct_sangong"]
    assert set(_column(ws, "阶段(预算/执行/决算)")) <= {"预算", "调整预算", "执行", "决算"}
    assert set(_column(ws, "来源(文字/表格)")) <= {"文字说明", "表格"}
    assert set(_column(ws, "是否推算")) <= {"是", "否"}
    docs = workbook["dim_document"]
    assert set(_column(docs, "公开类型(预算/决算)")) - {None} <= {"预算", "决算"}
    assert set(_column(docs, "口径(部门/单位)")) - {None} <= {"部门", "单位"}
    assert set(_column(workbook["quality_findings"], "严重程度")) == {"错误", "警告", "提示"}
    trend = workbook["rpt_department_trend"]
    assert set(_column(trend, "三公经费合计来源")) - {None} <= {"文字说明", "表格"}


def test_department_and_region_names_beside_their_ids(workbook, built_warehouse):
    names = dict(query(built_warehouse, "select department_id, department_name from dim_department"))
    ws = workbook["fct_sangong"]
    header = _header(ws)
    assert header.index("部门名称") == header.index("部门编号") + 1
    for r in ws.iter_rows(min_row=2, values_only=True):
        assert r[header.index("部门名称")] == names[r[header.index("部门编号")]]
    trend = workbook["rpt_department_trend"]
    header = _header(trend)
    assert header.index("地区全称") == header.index("行政区划代码") + 1
    regions = set(_column(trend, "地区全称"))
    assert "上海市普陀区" in regions or any(r and "普陀" in r for r in regions)
    findings = workbook["quality_findings"]
    assert _header(findings)[:2] == ["文档编号(sha256)", "部门名称"]


def test_text_from_documents_is_never_a_formula(workbook):
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row), ws.title


def test_csv_starts_with_a_bom_and_opens_as_utf8(built_warehouse, tmp_path):
    r = run("export", "--db", built_warehouse, "--format", "csv", "--out", tmp_path, "--mart", "dim_department")
    assert r.exit_code == 0, r.output
    data = (tmp_path / "dim_department.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert "department_name" in rows[0] and any("市" in r["department_name"] for r in rows)
    assert [p.name for p in tmp_path.iterdir()] == ["dim_department.csv"]  # no part file left
    r = run("export", "--db", built_warehouse, "--format", "csv", "--labels", "zh", "--out", tmp_path / "zh",
            "--mart", "dim_department")
    header = (tmp_path / "zh" / "dim_department.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("部门编号,部门名称")


def test_xlsx_with_the_warehouse_names(built_warehouse, tmp_path):
    r = run("export", "--db", built_warehouse, "--format", "xlsx", "--labels", "en", "--out", tmp_path,
            "--mart", "fct_sangong")
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / "budgetwh.xlsx")
    assert wb.sheetnames == ["说明", "fct_sangong"]
    ws = wb["fct_sangong"]
    header = _header(ws)
    assert header[:3] == ["document_id", "department_id", "department_name"]
    assert set(_column(ws, "phase")) <= {"budget", "adjusted_budget", "execution", "actual"}
    assert set(_column(ws, "is_derived")) <= {True, False}
