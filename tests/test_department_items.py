"""rpt_department_items: one figure per department, year, kind, scope and item, the trend's own
(rpt_department_trend), in a long table that sums without double-counting."""
from __future__ import annotations

from tests.conftest import query

SLOT = "department_id, fiscal_year, disclosure_kind, scope"
# item -> the rpt_department_trend column holding the same figure
TREND_COLUMN = {
    "revenue.overall": "revenue_total_yuan",
    "expenditure.overall": "expenditure_total_yuan",
    "expenditure.basic": "expenditure_basic_yuan",
    "expenditure.personnel": "expenditure_personnel_yuan",
    "expenditure.public_operating": "expenditure_public_operating_yuan",
    "expenditure.project": "expenditure_project_yuan",
    "revenue.fiscal_appropriation": "fiscal_appropriation_yuan",
    "sangong.total": "sangong_total_yuan",
    "sangong.overseas_travel": "sangong_overseas_travel_yuan",
    "sangong.vehicle_total": "sangong_vehicle_total_yuan",
    "sangong.vehicle_purchase": "sangong_vehicle_purchase_yuan",
    "sangong.vehicle_operation": "sangong_vehicle_operation_yuan",
    "sangong.reception": "sangong_reception_yuan",
    "operating_expenses.total": "operating_expenses_yuan",
    "procurement.total": "procurement_total_yuan",
}


def test_every_figure_is_the_trends(built_warehouse):
    for item, column in TREND_COLUMN.items():
        differ = query(built_warehouse, f"""
            select {SLOT}, i.amount_yuan, t.{column}
            from main.rpt_department_trend t
            full join (select * from main.rpt_department_items where item = ?) i using ({SLOT})
            where i.amount_yuan is distinct from t.{column}""", [item])
        assert differ == [], item
    assert query(built_warehouse, "select count(distinct family) from main.rpt_department_items") == [(6,)]


def test_summing_the_totals_counts_each_family_once(built_warehouse):
    """sum(amount_yuan) where is_total, per slot and family, is the trend's total."""
    differ = query(built_warehouse, f"""
        with totals as (
            select {SLOT}, family, sum(amount_yuan) as amount_yuan, count(*) as n
            from main.rpt_department_items where is_total group by all
        )
        select * from totals join main.rpt_department_trend t using ({SLOT})
        where n > 1 or amount_yuan is distinct from case family
            when 'sangong' then t.sangong_total_yuan when 'revenue' then t.revenue_total_yuan
            when 'expenditure' then t.expenditure_total_yuan
            when 'fiscal_appropriation' then t.fiscal_appropriation_yuan
            when 'operating_expenses' then t.operating_expenses_yuan
            when 'procurement' then t.procurement_total_yuan end""")
    assert differ == []


def test_leaves_of_a_sangong_that_adds_up_sum_to_the_trends_total(built_warehouse):
    """Where the trend's 三公 source adds up, the finest stated parts (is_leaf; 公务用车 as 购置 +
    运行 where those are stated, not both) add up to its total, each yuan once."""
    rows = query(built_warehouse, f"""
        select t.sangong_total_yuan, sum(i.amount_yuan) filter (where i.level > 0) as leaves,
               count(*) filter (where i.item = 'sangong.vehicle_total' and i.is_leaf) as vehicle_as_leaf,
               count(*) filter (where i.item like 'sangong.vehicle_p%' or i.item like 'sangong.vehicle_o%') as vehicle_parts
        from main.rpt_department_trend t
        join main.rpt_department_items i using ({SLOT})
        where t.sangong_source_adds_up and i.family = 'sangong' and i.is_leaf
        group by t.sangong_total_yuan, {SLOT}""")
    assert len(rows) >= 20
    assert [r for r in rows if r[0] != r[1]] == []
    assert any(r[3] for r in rows)  # a 公务用车 split into its parts is summed through them
    assert all(not (r[2] and r[3]) for r in rows)


def test_changes_are_the_trends(built_warehouse):
    """The computed change comes from the trend's previous-year document; stated vs computed gap."""
    differ = query(built_warehouse, f"""
        select {SLOT}, item from main.rpt_department_items i join main.rpt_department_trend t using ({SLOT})
        where (item = 'revenue.fiscal_appropriation'
               and (i.computed_change_yuan is distinct from t.computed_fiscal_change_yuan
                    or i.stated_change_yuan is distinct from t.stated_fiscal_change_yuan
                    or i.change_gap_yuan is distinct from t.fiscal_change_gap_yuan))
           or (item = 'sangong.total' and i.computed_change_yuan is distinct from t.computed_sangong_change_yuan)
           or (item = 'expenditure.overall'
               and i.computed_change_yuan is distinct from t.computed_expenditure_change_yuan)""")
    assert differ == []
    stated = query(built_warehouse, "select count(*) from main.rpt_department_items "
                                    "where item = 'operating_expenses.total' and stated_change_yuan is not null")
    assert stated[0][0] > 0
