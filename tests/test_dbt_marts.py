"""dbt build of a small warehouse made from constructed records: marts content and primary keys.

The records mirror the seed document (魏县县委办 2021 budget, tests/golden/weixian_xwb_2021_budget.json)
in the figures that matter here, including the fixed-asset total printed as '634.22元', plus a
second document whose 三公 items deliberately do not add up.
"""

from __future__ import annotations

import hashlib
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.load import ensure_schema, load_document
from ingest.model import (
    ClassificationLine,
    Document,
    DocumentProfile,
    Extraction,
    Indicator,
    ParseIssue,
    Project,
    SpendingPlan,
    Statement,
)
from ingest.transform import DbtResult, run_dbt_build

from .conftest import query

WAN = Decimal(10_000)
SEED_ID = hashlib.sha256(b"weixian_xwb_2021_budget").hexdigest()
BROKEN_ID = hashlib.sha256(b"broken_sangong_2022_budget").hexdigest()


def wan(value: str) -> Decimal:
    return (Decimal(value) * WAN).quantize(Decimal("0.01"))


def stmt(key: str, printed: str, unit: str = "万元", *, page: int = 1, measure: str = "amount",
         source: str = "narrative", year: int = 2021, amount: Decimal | None = None) -> Statement:
    if amount is None:
        amount = wan(printed) if unit == "万元" else Decimal(printed).quantize(Decimal("0.01"))
    return Statement(statement_key=key, amount_yuan=amount, printed_value=printed, printed_unit=unit,
                     reference_year=year, measure=measure, source=source, page=page,
                     base_year=year - 1 if measure == "change" else None)


def seed_extraction() -> Extraction:
    """The seed document's figures that the marts and checks care about."""
    statements = [
        stmt("revenue.total", "994.08", page=3),
        stmt("revenue.fiscal_appropriation", "994.08", page=3),
        stmt("expenditure.total", "994.08", page=3),
        # The same total again in a table: both rows are kept (source differs).
        stmt("expenditure.total", "994.08", page=5, source="table"),
        stmt("expenditure.personnel", "286.88", page=3),
        stmt("expenditure.public_operating", "33", page=3),
        stmt("expenditure.project", "674.20", page=3),
        stmt("revenue.fiscal_appropriation", "-198.84", page=3, measure="change"),
        stmt("expenditure.personnel", "57.35", page=3, measure="change"),
        stmt("expenditure.public_operating", "-216", page=3, measure="change"),
        stmt("expenditure.project", "-40.19", page=3, measure="change"),
        stmt("operating_expenses.total", "33", page=4),
        stmt("sangong.total", "54.50", page=4),
        stmt("sangong.overseas_travel", "0", page=4),
        stmt("sangong.vehicle_total", "0", page=4),
        stmt("sangong.vehicle_purchase", "0", page=4),
        stmt("sangong.vehicle_operation", "0", page=4),
        stmt("sangong.reception", "54.50", page=4),
        stmt("sangong.total", "0", page=4, measure="change"),
        stmt("procurement.total", "258.02", page=4),
        Statement("procurement.item", wan("160"), "160万元", "万元", 2021, page=4,
                  label="全市党政机关协同办公平台系统", quantity=Decimal(1), quantity_unit="套"),
        Statement("procurement.item", wan("98.02"), "98.02万元", "万元", 2021, page=4,
                  label="可替代工程设备", quantity=Decimal(35), quantity_unit="件"),
        # Printed '634.22元': loaded as printed (634.22 yuan); the parts are 万元.
        stmt("assets.fixed_assets_total", "634.22", "元", page=4),
        stmt("assets.vehicles_book_value", "174.33", page=4),
        stmt("assets.other_fixed_assets_book_value", "459.89", page=4),
        stmt("assets.buildings_book_value", "0", page=4),
        stmt("assets.purchase_budget", "4", page=4),
    ]
    projects = [
        Project(1, "13043421094ANOGIHASBI", "值班系统保障服务费", wan("37.00"), wan("37.00"), wan("0"),
                None, None, False, 6),
        Project(2, "1304342109F0LGXKQTTSH", "专项公用经费", wan("249.00"), wan("249.00"), wan("0"),
                None, None, False, 7),
        Project(3, None, None, None, None, None, None, None, True, 8),
    ]
    plan = [SpendingPlan(1, cp, i, Decimal(p)) for i, (cp, p) in
            enumerate([("3月底", "30"), ("6月底", "60"), ("10月底", "100"), ("12月底", "100")], 1)]
    plan += [SpendingPlan(2, cp, i, Decimal(p)) for i, (cp, p) in
             enumerate([("3月底", "30"), ("6月底", "60"), ("10月底", "90"), ("12月底", "100")], 1)]
    indicators = [
        Indicator(1, "13043421094ANOGIHASBI", 1, "产出指标", "数量指标", "维护数量", None,
                  "视频监控、对讲46个、会议系统29个", None, None, None, "合同数据", 6),
        Indicator(1, "13043421094ANOGIHASBI", 2, "产出指标", "时效指标", "完成率", None, "≥80%",
                  ">=", Decimal(80), "%", None, 6),
        Indicator(1, "13043421094ANOGIHASBI", 3, "满意度指标", "服务对象满意度指标", "满意情况", None,
                  "≥80%", ">=", Decimal(80), "%", None, 6),
        # 成本指标 of 37.29万元 against a budget of 37.00万元: a cost_indicator_mismatch.
        Indicator(1, "13043421094ANOGIHASBI", 4, "产出指标", "成本指标", "维护费用", None, "总费用37.29万元",
                  "=", Decimal("37.29"), "万元", None, 6),
        Indicator(2, "1304342109F0LGXKQTTSH", 1, "产出指标", "数量指标", "信息采集上报率", None, "≥90%",
                  ">=", Decimal(90), "%", None, 7),
        # 成本指标 equal to the budget: no finding.
        Indicator(2, "1304342109F0LGXKQTTSH", 2, "产出指标", "成本指标", "总成本", None, "总费用249万元",
                  "=", Decimal(249), "万元", None, 7),
    ] + [  # 群众满意度 printed three times with three targets: conflicting_indicator_targets.
        Indicator(2, "1304342109F0LGXKQTTSH", 2 + i, "满意度指标", "服务对象满意度指标", "群众满意度", None,
                  f"≥{v}%", ">=", Decimal(v), "%", None, 7) for i, v in enumerate(("90", "80", "60"), 1)
    ]
    lines = [
        ClassificationLine("general_budget_expenditure", "function", "201", 1, "一般公共服务支出",
                           "total", wan("994.08"), 5),
        ClassificationLine("general_budget_expenditure", "function", "2010301", 3, "行政运行",
                           "total", wan("319.88"), 5),
    ]
    return Extraction(
        profile=DocumentProfile(issuer_name="魏县县委办", unit_name="中国共产党魏县委员会办公室本级",
                                unit_code="201001", region_code="130434", fiscal_year=2021,
                                disclosure_kind="budget", scope="unit", currency_unit="万元"),
        statements=statements, projects=projects, spending_plan=plan, indicators=indicators,
        classification_lines=lines,
        issues=[ParseIssue("warning", "table_continued", "a table continues on the next page", 5)])


def broken_extraction() -> Extraction:
    """A document whose 三公 items do not add up (20 vs 5 + 10 + 3) and with a parse error."""
    statements = [
        stmt("revenue.total", "500", year=2022, page=2),
        stmt("expenditure.total", "500", year=2022, page=2),
        stmt("expenditure.personnel", "300", year=2022, page=2),
        stmt("expenditure.public_operating", "50", year=2022, page=2),
        stmt("expenditure.project", "150", year=2022, page=2),
        stmt("sangong.total", "20", year=2022, page=3),
        stmt("sangong.overseas_travel", "5", year=2022, page=3),
        stmt("sangong.vehicle_total", "10", year=2022, page=3),
        stmt("sangong.vehicle_purchase", "4", year=2022, page=3),
        stmt("sangong.vehicle_operation", "6", year=2022, page=3),
        stmt("sangong.reception", "3", year=2022, page=3),
        stmt("operating_expenses.total", "-1", year=2022, page=3),
    ]
    plan = [SpendingPlan(1, cp, i, Decimal(p)) for i, (cp, p) in
            enumerate([("3月底", "50"), ("6月底", "40"), ("12月底", "90")], 1)]
    projects = [Project(1, "P-2022-1", "办公设备", wan("150"), wan("150"), None, None, None, False, 4)]
    return Extraction(
        profile=DocumentProfile(issuer_name="某县某局", unit_name="某县某局", region_code="130434",
                                fiscal_year=2022, disclosure_kind="budget", scope="department"),
        statements=statements, projects=projects, spending_plan=plan,
        issues=[ParseIssue("error", "table_unreadable", "表6 could not be read: ragged rows", 6)])


def build_raw_warehouse(path: Path) -> Path:
    """A warehouse file holding only raw.* of the two constructed documents."""
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        for did, name, ex in ((SEED_ID, "weixian_xwb_2021_budget.txt", seed_extraction()),
                              (BROKEN_ID, "broken_2022_budget.txt", broken_extraction())):
            doc = Document(document_id=did, source_path=f"data/samples/{name}", source_format="text",
                           byte_size=1000, encoding="utf-8")
            load_document(con, doc, ex, status="parsed")
    finally:
        con.close()
    return path


_BUILT: dict[str, tuple[Path, DbtResult]] = {}


def built_warehouse(root: Path) -> tuple[Path, DbtResult]:
    """Build raw.* and run ``dbt build`` once per test session (memoized)."""
    if "db" not in _BUILT:
        db = build_raw_warehouse(root / "budget.duckdb")
        started = time.perf_counter()
        result = run_dbt_build(str(db), quiet=True)
        print(f"dbt build on the test warehouse: {time.perf_counter() - started:.1f}s")
        _BUILT["db"] = (db, result)
    return _BUILT["db"]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtResult]:
    return built_warehouse(tmp_path_factory.mktemp("dbt_warehouse"))


MARTS = ["dim_document", "dim_fiscal_year", "fct_revenue", "fct_expenditure", "fct_sangong",
         "fct_operating_expense", "fct_procurement", "fct_project", "fct_performance_indicator",
         "fct_expenditure_by_function", "rpt_indicator_profile", "rpt_identity_residuals",
         "dim_department", "dim_region", "rpt_department_trend", "rpt_regional_comparison"]

PRIMARY_KEYS = {
    "dim_document": ["document_id"],
    "dim_fiscal_year": ["fiscal_year"],
    **{t: ["document_id", "statement_key", "item", "source", "phase", "reference_year", "measure"]
       for t in ("fct_revenue", "fct_expenditure", "fct_sangong", "fct_operating_expense",
                 "fct_procurement")},
    "fct_project": ["document_id", "project_seq"],
    "fct_performance_indicator": ["document_id", "indicator_id"],
    "fct_expenditure_by_function": ["document_id", "line_seq"],
    "rpt_indicator_profile": ["document_id", "level1"],
    "rpt_identity_residuals": ["document_id", "check_name", "phase", "reference_year", "subject"],
    "dim_department": ["department_id"],
    "dim_region": ["region_code"],
    "rpt_department_trend": ["department_id", "fiscal_year", "disclosure_kind", "scope"],
    "rpt_regional_comparison": ["category", "region_code", "fiscal_year", "disclosure_kind", "scope"],
}


def test_build_succeeds_with_data_findings_as_warnings(warehouse):
    _, result = warehouse
    assert result.errored == 0
    assert result.passed > 30
    warned = {n.unique_id.split(".")[2] for n in result.warnings}
    # The broken document's 三公 items do not add up and its 机关运行经费 is negative: failed checks of
    # the quality models (findings), never a failed build; the identities that hold pass.
    db, _ = warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        failed = set(con.execute("select check_name from main.quality_findings where document_id = ?",
                                 [BROKEN_ID]).fetchall())
        passed_seed = set(con.execute("select check_name from quality.quality_identities where document_id = ? "
                                      "and status = 'passed'", [SEED_ID]).fetchall())
    finally:
        con.close()
    assert ("identity:sangong_parts",) in failed
    assert ("plausibility:negative_amount",) in failed
    assert ("identity:expenditure_parts",) in passed_seed
    assert not any(n.startswith(("identity_", "plausible_")) for n in warned)  # declared once: the seed, the models
    # 某县某局 matches no department_category_rules pattern: reported as unclassified, not an error.
    assert "department_category_unclassified" in warned
    assert result.seconds < 120


def test_marts_land_in_schema_main(warehouse):
    db, _ = warehouse
    tables = {r[0] for r in query(db, "select table_name from information_schema.tables "
                                      "where table_schema = 'main'")}
    assert set(MARTS) <= tables


@pytest.mark.parametrize("table", sorted(PRIMARY_KEYS))
def test_primary_key_is_unique_and_not_null(warehouse, table):
    db, _ = warehouse
    cols = ", ".join(PRIMARY_KEYS[table])
    nulls = " or ".join(f"{c} is null" for c in PRIMARY_KEYS[table])
    assert query(db, f"select {cols}, count(*) from main.{table} group by all having count(*) > 1") == []
    assert query(db, f"select count(*) from main.{table} where {nulls}") == [(0,)]
    assert query(db, f"select count(*) from main.{table}")[0][0] > 0


def test_sangong_items_in_yuan_and_wan_yuan(warehouse):
    db, _ = warehouse
    rows = query(db, "select item, amount_yuan, amount_wan_yuan, department_id, fiscal_year, page "
                     "from main.fct_sangong where document_id = ? and measure = 'amount' order by item",
                 [SEED_ID])
    assert {r[0] for r in rows} == {"total", "overseas_travel", "vehicle_total", "vehicle_purchase",
                                    "vehicle_operation", "reception"}
    by_item = {r[0]: r for r in rows}
    assert by_item["total"][1] == Decimal("545000.00")
    assert by_item["total"][2] == Decimal("54.5")
    assert by_item["reception"][3] == "130434:201001"
    assert by_item["reception"][4] == 2021 and by_item["reception"][5] == 4


def test_narrative_and_table_figures_both_kept(warehouse):
    db, _ = warehouse
    rows = query(db, "select source, amount_yuan from main.fct_expenditure where document_id = ? "
                     "and statement_key = 'expenditure.total' and measure = 'amount' order by source",
                 [SEED_ID])
    assert rows == [("narrative", Decimal("9940800.00")), ("table", Decimal("9940800.00"))]


def test_stated_changes_sit_beside_amounts(warehouse):
    db, _ = warehouse
    rows = query(db, "select measure, amount_yuan, base_year from main.fct_expenditure where "
                     "document_id = ? and item = 'personnel' order by measure", [SEED_ID])
    assert rows == [("amount", Decimal("2868800.00"), None), ("change", Decimal("573500.00"), 2020)]


def test_procurement_line_items_kept_apart(warehouse):
    db, _ = warehouse
    rows = query(db, "select item, amount_wan_yuan, is_line_item from main.fct_procurement "
                     "where document_id = ? order by amount_yuan desc", [SEED_ID])
    assert rows == [("total", Decimal("258.02"), False),
                    ("全市党政机关协同办公平台系统", Decimal(160), True),
                    ("可替代工程设备", Decimal("98.02"), True)]


def test_fixed_assets_printed_in_yuan_are_not_corrected(warehouse):
    db, _ = warehouse
    assert query(db, "select amount_yuan, printed_unit from staging.stg_disclosures__statements "
                     "where document_id = ? and statement_key = 'assets.fixed_assets_total'",
                 [SEED_ID]) == [(Decimal("634.22"), "元")]


def test_identity_residuals(warehouse):
    db, _ = warehouse
    rows = {(r[0], r[1]): r[2] for r in query(
        db, "select document_id, check_name, diff_yuan from main.rpt_identity_residuals")}
    for check in ("identity:revenue_equals_expenditure", "identity:expenditure_parts",
                  "identity:sangong_parts", "identity:sangong_vehicle_parts",
                  "identity:procurement_items", "identity:fiscal_change_parts"):
        assert rows[(SEED_ID, check)] == 0, check
    assert rows[(BROKEN_ID, "identity:sangong_parts")] == Decimal("20000.00")
    assert rows[(SEED_ID, "withheld_residual")] == wan("674.20") - wan("286.00")


def test_projects_plans_and_indicators(warehouse):
    db, _ = warehouse
    rows = query(db, "select project_seq, budget_wan_yuan, plan_final_pct, plan_is_non_decreasing, "
                     "n_indicators, is_withheld from main.fct_project where document_id = ? "
                     "order by project_seq", [SEED_ID])
    assert rows[0] == (1, Decimal(37), Decimal(100), True, 4, False)
    assert rows[2][5] is True and rows[2][1] is None
    assert query(db, "select plan_is_non_decreasing, plan_final_pct from main.fct_project "
                     "where document_id = ?", [BROKEN_ID]) == [(False, Decimal(90))]
    indicator = query(db, "select project_code, level1, level2, level3, target_raw, target_op, "
                          "target_value, target_unit from main.fct_performance_indicator "
                          "where document_id = ? and indicator_id = '1.2'", [SEED_ID])
    assert indicator == [("13043421094ANOGIHASBI", "产出指标", "时效指标", "完成率", "≥80%", ">=",
                          Decimal(80), "%")]


def test_indicator_profile(warehouse):
    db, _ = warehouse
    rows = {r[0]: r[1:] for r in query(
        db, "select level1, n_indicators, n_numeric_targets, share_numeric_target "
            "from main.rpt_indicator_profile where document_id = ?", [SEED_ID])}
    assert rows["(all)"][:2] == (9, 8)
    assert rows["产出指标"][:2] == (5, 4)
    assert rows["满意度指标"] == (4, 4, Decimal(1))


def test_documents_years_and_functions(warehouse):
    db, _ = warehouse
    assert query(db, "select fiscal_year, n_documents from main.dim_fiscal_year order by 1") == [
        (2021, 1), (2022, 1)]
    assert query(db, "select department_id, n_parse_errors from main.dim_document where document_id = ?",
                 [BROKEN_ID])[0][1] == 1
    assert query(db, "select class_code, item_code, amount_wan_yuan from main.fct_expenditure_by_function "
                     "where document_id = ? order by line_seq", [SEED_ID]) == [
        ("201", None, Decimal("994.08")), ("201", "2010301", Decimal("319.88"))]


def test_failing_primary_key_raises_pipeline_error_naming_the_node(tmp_path):
    from ingest.errors import PipelineError

    db = build_raw_warehouse(tmp_path / "dup.duckdb")
    con = duckdb.connect(str(db))
    con.execute("insert into raw.projects (document_id, project_seq, project_name, is_withheld) "
                "values (?, 1, 'duplicate', false)", [SEED_ID])
    con.close()
    with pytest.raises(PipelineError, match="unique_combination_stg_disclosures__projects"):
        run_dbt_build(str(db), quiet=True)


def test_missing_warehouse_raises(tmp_path):
    from ingest.errors import PipelineError

    with pytest.raises(PipelineError, match="does not exist"):
        run_dbt_build(str(tmp_path / "nothing.duckdb"), quiet=True)


def test_departments_and_categories(warehouse):
    db, _ = warehouse
    rows = query(db, "select department_id, department_name, category, scopes from main.dim_department "
                     "order by department_id")
    assert rows == [("130434:201001", "中国共产党魏县委员会办公室", "party_committee_office", "unit"),
                    ("130434:n558e03a66ec7", "某县某局", "unclassified", "department")]


def test_department_trend_of_the_seed(warehouse):
    db, _ = warehouse
    rows = query(db, "select department_id, fiscal_year, scope, fiscal_appropriation_yuan, "
                     "stated_fiscal_change_yuan, computed_fiscal_change_yuan, sangong_total_yuan, "
                     "sangong_reception_yuan, operating_expenses_yuan, procurement_total_yuan "
                     "from main.rpt_department_trend where document_id = ?", [SEED_ID])
    assert rows == [("130434:201001", 2021, "unit", wan("994.08"), wan("-198.84"), None, wan("54.50"),
                     wan("54.50"), wan("33"), wan("258.02"))]


def _compiled_test(db: Path, name: str) -> str:
    """The SQL dbt compiled for the data test ``name`` in the build of ``db``."""
    from ingest.warehouse import warehouse_dirs

    found = list((warehouse_dirs(str(db)).dbt_target / "compiled").rglob(f"{name}.sql"))
    assert len(found) == 1, found
    return found[0].read_text(encoding="utf-8")


def test_check_instances_names_each_broken_rule_of_a_quality_model(warehouse, tmp_path):
    """One test node per quality model (check_instances) checks its key, its verdicts and its
    failures' severity and message; each failing row says which rule it breaks."""
    db, result = warehouse
    ran = {n.unique_id.split(".")[2]: n.status for n in result.nodes if n.resource_type == "test"}
    assert ran["quality_identities_check_instances"] == "pass"
    assert not [t for t in ran if t.startswith("quality_identities_") and t.endswith(
        ("_status_is_a_verdict", "_failure_has_severity_and_message"))]
    sql = _compiled_test(db, "quality_identities_check_instances")
    broken = tmp_path / db.name  # the same catalog name as the build's
    broken.write_bytes(db.read_bytes())
    con = duckdb.connect(str(broken))
    try:
        assert con.execute(sql).fetchall() == []
        con.execute("create temp table one as select * from quality.quality_identities "
                    "where status = 'passed' limit 1")
        # the same key twice; a verdict that is none; a failure without a message; a null check_name
        con.execute("insert into quality.quality_identities select * from one")
        con.execute("insert into quality.quality_identities select * replace ('x1' as check_key, "
                    "'maybe' as status) from one")
        con.execute("insert into quality.quality_identities select * replace ('x2' as check_key, "
                    "'failed' as status, 'error' as severity, null as message) from one")
        con.execute("insert into quality.quality_identities select * replace ('x3' as check_key, "
                    "null as check_name) from one")
        failures = sorted(r[-1] for r in con.execute(sql).fetchall())
    finally:
        con.close()
    assert failures == ["duplicate key", "failure without severity or message", "null key column",
                        "status not a verdict"]
