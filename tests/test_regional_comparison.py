"""Regional comparison on the sample warehouse: like with like, categories as data, ranks and
medians recomputed from the fact tables, outliers as questions, transparency by region."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest

from .conftest import ROOT, query

SEEDS = ROOT / "dbt_project" / "seeds"
# Budgets of the regional corpus whose issuer no category rule names (listed, never guessed).
UNMATCHED = {"长沙职业教育基地综合协调办公室"}


def _category_of(names: list[str]) -> dict[str, str]:
    """What the seed rules give each name (lowest priority wins), computed with DuckDB's regex."""
    con = duckdb.connect()
    con.execute("create table rules as select * from read_csv(?, header=true, all_varchar=true)",
                [str(SEEDS / "department_category_rules.csv")])
    con.execute("create table names (name varchar)")
    con.executemany("insert into names values (?)", [[n] for n in names])
    rows = con.execute("""select name, arg_min(category, cast(priority as integer) * 1000 + 0)
                          from names join rules on regexp_matches(name, pattern) group by name""").fetchall()
    return dict(rows)


def test_category_variants_across_regions_are_one_category():
    got = _category_of(["北京市信访办公室", "深圳市信访局", "上海市科学技术委员会", "深圳市科技创新局",
                        "苏州市水务局", "重庆市水利局", "无锡市发展和改革委员会", "某县发展和改革局",
                        "中共西安市委宣传部", "中国共产党广州市委员会宣传部", "广州市人民政府办公厅",
                        "泉州市人民政府办公室", "中国共产党魏县委员会办公室"])
    assert got["北京市信访办公室"] == got["深圳市信访局"] == "petition_bureau"
    assert got["上海市科学技术委员会"] == got["深圳市科技创新局"] == "science_technology_bureau"
    assert got["苏州市水务局"] == got["重庆市水利局"] == "water_bureau"
    assert got["无锡市发展和改革委员会"] == got["某县发展和改革局"] == "development_reform"
    assert got["中共西安市委宣传部"] == got["中国共产党广州市委员会宣传部"] == "party_propaganda_department"
    assert got["广州市人民政府办公厅"] == got["泉州市人民政府办公室"] == "government_office"
    assert got["中国共产党魏县委员会办公室"] == "party_committee_office"


def test_every_category_has_chinese_and_english_names():
    with open(SEEDS / "department_categories.csv", encoding="utf-8") as fh:
        categories = {r["category"]: r for r in csv.DictReader(fh)}
    with open(SEEDS / "department_category_rules.csv", encoding="utf-8") as fh:
        used = {r["category"] for r in csv.DictReader(fh)}
    assert used <= set(categories)
    assert all(r["name_zh"] and r["name_en"] for r in categories.values())


def test_every_regional_budget_is_categorised_or_listed_as_unmatched(built_warehouse):
    rows = query(built_warehouse, """select dp.department_name, dp.category, dp.category_name_zh
        from main.dim_department dp where dp.department_id in (select department_id from main.dim_document
        where source_path like '%regional%' and disclosure_kind = 'budget')""")
    assert {name for name, category, _ in rows if category == "unclassified"} == UNMATCHED
    assert all(zh for _, category, zh in rows if category != "unclassified")


def test_five_categories_compare_three_or_more_regions(built_warehouse):
    groups = query(built_warehouse, """select category, fiscal_year, disclosure_kind, scope, count(*)
        from main.rpt_regional_comparison where category <> 'unclassified'
        group by all having count(*) >= 3""")
    assert len({g[0] for g in groups}) >= 5, groups
    assert {"petition_bureau", "government_office", "civil_affairs_bureau", "commerce_bureau",
            "justice_bureau"} <= {g[0] for g in groups}


def test_no_row_mixes_scopes_or_kinds(built_warehouse):
    rows = query(built_warehouse, """select c.category, c.region_code, c.fiscal_year, c.disclosure_kind, c.scope,
               count(distinct d.scope), count(distinct d.disclosure_kind),
               bool_and(d.scope = c.scope and d.disclosure_kind = c.disclosure_kind)
        from main.rpt_regional_comparison c
        join main.dim_document d on list_contains(string_split(c.document_ids, ' | '), d.document_id)
        group by all""")
    assert rows and all(r[5] == 1 and r[6] == 1 and r[7] for r in rows)


def test_ranks_percentiles_and_medians_recomputed_from_the_facts(built_warehouse):
    # each department's 三公 total from fct_sangong (the source the trend says it took), summed per
    # region and category, then ranked and its median taken per peer group
    facts = query(built_warehouse, """
        select dp.category, t.region_code, t.fiscal_year, t.disclosure_kind, t.scope, s.amount_yuan
        from main.rpt_department_trend t
        join main.dim_department dp using (department_id)
        join main.fct_sangong s on s.document_id = t.document_id and s.item = 'total'
            and s.measure = 'amount' and s.phase = 'budget' and s.reference_year = t.fiscal_year
            and s.source = t.sangong_total_source
        where t.disclosure_kind = 'budget'""")
    by_region: dict[tuple, Decimal] = defaultdict(Decimal)
    for category, region, year, kind, scope, amount in facts:
        by_region[(category, year, kind, scope, region)] += amount
    peers: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
    for (category, year, kind, scope, region), amount in by_region.items():
        peers[(category, year, kind, scope)][region] = amount
    model = {(r[0], r[1], r[2], r[3], r[4]): r[5:] for r in query(built_warehouse, """
        select category, fiscal_year, disclosure_kind, scope, region_code, sangong_total_yuan,
               sangong_total_rank, sangong_total_percentile, sangong_total_category_median_yuan
        from main.rpt_regional_comparison where disclosure_kind = 'budget' and sangong_total_yuan is not null""")}
    checked = 0
    for key, regions in peers.items():
        values = sorted(regions.values())
        median = Decimal(str(statistics.median(values))).quantize(Decimal("0.01"))
        for region, amount in regions.items():
            total, rank, percentile, model_median = model[(*key, region)]
            assert total == amount
            assert rank == 1 + sum(v > amount for v in values)
            expected_pct = 100 * sum(v < amount for v in values) / (len(values) - 1) if len(values) > 1 else 0
            assert float(percentile) == pytest.approx(expected_pct, abs=0.01)
            assert model_median == median
            checked += 1
    assert checked >= 40


def test_per_staff_figures_only_where_staff_is_printed(built_warehouse):
    rows = query(built_warehouse, """select region_full_name, category, has_staff, staff_count,
               sangong_per_staff_yuan, sangong_total_yuan from main.rpt_regional_comparison""")
    with_staff = [r for r in rows if r[2]]
    assert with_staff, "the Xi'an documents print 编制人数 / 实有人员"
    assert all(r[4] == (r[5] / r[3]).quantize(Decimal("0.01")) for r in with_staff if r[5] is not None)
    assert all(r[4] is None for r in rows if not r[2])
    xian_petition = [r for r in rows if r[0] == "陕西省西安市" and r[1] == "petition_bureau"]
    assert xian_petition and xian_petition[0][3] == 59  # 实有人员59人 (xian_petition p7)


def test_outliers_are_questions_with_both_pages(built_warehouse):
    rows = query(built_warehouse, """select ratio_to_median, n_regions, page, median_page, question,
               value_yuan, category_median_yuan, direction from main.rpt_regional_outliers""")
    assert rows
    for ratio, n, page, median_page, question, value, median, direction in rows:
        assert n >= 3
        assert (value > 3 * median) if direction == "above" else (value * 3 < median)
        assert "第" in question and "页" in question and "中位数" in question
    assert any(p is not None and mp is not None for _, _, p, mp, *_ in rows)


def test_transparency_by_region_ranks_the_share_of_required_parts(built_warehouse):
    docs = query(built_warehouse, """select region_full_name, published_pct, missing_parts
        from main.rpt_transparency_by_document where disclosure_kind = 'budget' and fiscal_year = 2026""")
    beijing = [d for d in docs if d[0] == "北京市"]
    # the Beijing files hold the text only; their tables are a separate attachment
    assert beijing and all("收支总表" in (d[2] or "") for d in beijing)
    regions = query(built_warehouse, """select region_full_name, published_pct, transparency_rank, n_regions
        from main.rpt_transparency_by_region where disclosure_kind = 'budget' and fiscal_year = 2026
        order by transparency_rank""")
    assert len(regions) >= 10
    pcts = [r[1] for r in regions]
    assert pcts == sorted(pcts, reverse=True)
    assert regions[-1][0] == "北京市"
