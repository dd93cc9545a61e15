{#- One row per department, fiscal year, disclosure kind, scope and item: the one figure an analyst
    should use for each item of every family (收入 / 支出 and its parts / 财政拨款 and its funds /
    三公 and its parts / 机关运行经费 / 政府采购 and its parts), with its source and page, the change
    the text states, the change computed from the previous year's own document and the gap.

    Nothing is chosen here: the slots (one current document per department, year, kind and scope)
    and the previous year's document are rpt_department_trend's, and each figure is the one
    int_statements_pivoted prefers (the source whose figures add up, then the table before the
    narrative), so every family total equals the trend's column for it.

    Summing never double-counts: level 0 is the family's total (one row per slot and family at
    most), parts have level 1 and parts of parts level 2 (parent_item names the row they are a
    part of); is_leaf marks the rows none of whose parts the document states, so
    sum(amount_yuan) filter (where is_leaf) over a family adds its finest stated parts once. -#}
{#- family, item (statement key; *.overall: the 收支总表's bottom line, as in the trend), the
    int_statements_pivoted column it is read from, parent item, level, stated-change column -#}
{%- set items = [
    ('revenue', 'revenue.overall', 'revenue_overall', none, 0, 'revenue_total'),
    ('expenditure', 'expenditure.overall', 'expenditure_overall', none, 0, 'expenditure_total'),
    ('expenditure', 'expenditure.basic', 'expenditure_basic', 'expenditure.overall', 1, 'expenditure_basic'),
    ('expenditure', 'expenditure.personnel', 'expenditure_personnel', 'expenditure.basic', 2, 'expenditure_personnel'),
    ('expenditure', 'expenditure.public_operating', 'expenditure_public_operating', 'expenditure.basic', 2, 'expenditure_public_operating'),
    ('expenditure', 'expenditure.project', 'expenditure_project', 'expenditure.overall', 1, 'expenditure_project'),
    ('fiscal_appropriation', 'revenue.fiscal_appropriation', 'revenue_fiscal_appropriation', none, 0, 'revenue_fiscal_appropriation'),
    ('fiscal_appropriation', 'revenue.general_public_budget', 'revenue_general_public_budget', 'revenue.fiscal_appropriation', 1, none),
    ('fiscal_appropriation', 'revenue.government_fund', 'revenue_government_fund', 'revenue.fiscal_appropriation', 1, none),
    ('fiscal_appropriation', 'revenue.state_capital', 'revenue_state_capital', 'revenue.fiscal_appropriation', 1, none),
    ('sangong', 'sangong.total', 'sangong_total', none, 0, 'sangong_total'),
    ('sangong', 'sangong.overseas_travel', 'sangong_overseas_travel', 'sangong.total', 1, 'sangong_overseas_travel'),
    ('sangong', 'sangong.vehicle_total', 'sangong_vehicle_total', 'sangong.total', 1, 'sangong_vehicle_total'),
    ('sangong', 'sangong.vehicle_purchase', 'sangong_vehicle_purchase', 'sangong.vehicle_total', 2, 'sangong_vehicle_purchase'),
    ('sangong', 'sangong.vehicle_operation', 'sangong_vehicle_operation', 'sangong.vehicle_total', 2, 'sangong_vehicle_operation'),
    ('sangong', 'sangong.reception', 'sangong_reception', 'sangong.total', 1, 'sangong_reception'),
    ('operating_expenses', 'operating_expenses.total', 'operating_expenses_total', none, 0, 'operating_expenses_total'),
    ('procurement', 'procurement.total', 'procurement_total', none, 0, none),
    ('procurement', 'procurement.goods', 'procurement_goods', 'procurement.total', 1, none),
    ('procurement', 'procurement.works', 'procurement_works', 'procurement.total', 1, none),
    ('procurement', 'procurement.services', 'procurement_services', 'procurement.total', 1, none),
] -%}
{%- set family_zh = {
    'revenue': '收入', 'expenditure': '支出', 'fiscal_appropriation': '财政拨款收入',
    'sangong': '三公经费', 'operating_expenses': '机关运行经费', 'procurement': '政府采购',
} -%}

with

slots as (

    select
        department_id, department_name, region_code, fiscal_year, disclosure_kind, scope,
        document_id, previous_document_id
    from {{ ref('rpt_department_trend') }}

),

-- each document's own year, in the phase its kind discloses (as in rpt_department_trend)
own_year as (

    select *
    from {{ ref('int_statements_pivoted') }}
    where reference_year = fiscal_year
        and phase = case disclosure_kind when 'final_accounts' then 'actual' else 'budget' end

),

labels as (

    select statement_key, label_zh from {{ ref('statement_keys') }}

),

-- each slot beside its own year's and its previous year's figures, joined once
joined as (

    select
        slots.*,
        {%- for family, item, col, parent, level, change in items %}
        current_year.{{ col }}_yuan as current_{{ col }}_yuan,
        current_year.{{ col }}_source as current_{{ col }}_source,
        current_year.{{ col }}_page as current_{{ col }}_page,
        {%- if change %}
        current_year.{{ change }}_change_yuan as current_{{ change }}_change_yuan,
        {%- endif %}
        previous_year.{{ col }}_yuan as previous_{{ col }}_yuan{{ ',' if not loop.last }}
        {%- endfor %}
    from slots
    left join own_year as current_year
        on slots.document_id = current_year.document_id
    left join own_year as previous_year
        on slots.previous_document_id = previous_year.document_id

),

unpivoted as (

    {%- for family, item, col, parent, level, change in items %}
    select
        department_id, department_name, region_code, fiscal_year, disclosure_kind, scope,
        document_id, previous_document_id,
        '{{ family }}' as family,
        '{{ family_zh[family] }}' as family_zh,
        '{{ item }}' as item,
        {{ "'" ~ parent ~ "'" if parent else 'cast(null as varchar)' }} as parent_item,
        {{ level }} as level,
        current_{{ col }}_yuan as amount_yuan,
        current_{{ col }}_source as source,
        current_{{ col }}_page as page,
        {{ 'current_' ~ change ~ '_change_yuan' if change else 'cast(null as decimal(20, 2))' }}
            as stated_change_yuan,
        previous_{{ col }}_yuan as previous_amount_yuan
    from joined
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

stated as (

    select * from unpivoted
    where amount_yuan is not null or stated_change_yuan is not null

),

-- the parts each stated row has in its document: how many carry an amount, and their sum
parts as (

    select document_id, parent_item, count(amount_yuan) as n_parts_stated, sum(amount_yuan) as parts_yuan
    from stated
    where parent_item is not null
    group by document_id, parent_item

),

final as (

    select
        stated.department_id,
        stated.department_name,
        stated.region_code,
        stated.fiscal_year,
        stated.disclosure_kind,
        stated.scope,
        stated.document_id,
        stated.family,
        stated.family_zh,
        stated.item,
        coalesce(labels.label_zh, case stated.item when 'revenue.overall' then '收入总计'
                                                   when 'expenditure.overall' then '支出总计' end) as item_zh,
        stated.parent_item,
        stated.level,
        stated.level = 0 as is_total,
        coalesce(parts.n_parts_stated, 0) = 0 as is_leaf,
        stated.amount_yuan,
        {{ yuan_to_wan_yuan('stated.amount_yuan') }} as amount_wan_yuan,
        stated.source,
        stated.page,
        parts.parts_yuan = stated.amount_yuan as parts_add_up,
        stated.stated_change_yuan,
        stated.previous_document_id,
        stated.previous_amount_yuan,
        stated.amount_yuan - stated.previous_amount_yuan as computed_change_yuan,
        stated.stated_change_yuan - (stated.amount_yuan - stated.previous_amount_yuan)
            as change_gap_yuan
    from stated
    left join labels
        on stated.item = labels.statement_key
    left join parts
        on stated.document_id = parts.document_id
        and stated.item = parts.parent_item

)

select * from final
