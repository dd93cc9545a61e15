{#- One row per document, phase and reference year, with the totals and their parts side by side
    (amounts and stated changes), so identities can be asserted row by row. Where a key has both a
    table and a narrative figure, the table figure is taken (the narrative one stays in the facts). -#}
{%- set keys = [
    'revenue.total', 'revenue.fiscal_appropriation',
    'expenditure.total', 'expenditure.basic', 'expenditure.personnel',
    'expenditure.public_operating', 'expenditure.project',
    'operating_expenses.total',
    'sangong.total', 'sangong.overseas_travel', 'sangong.vehicle_total',
    'sangong.vehicle_purchase', 'sangong.vehicle_operation', 'sangong.reception',
    'procurement.total', 'procurement.goods', 'procurement.works', 'procurement.services',
] -%}
{%- set change_keys = [
    'revenue.total', 'revenue.fiscal_appropriation', 'expenditure.total',
    'expenditure.personnel', 'expenditure.public_operating', 'expenditure.project',
] -%}

with

statements as (

    select * from {{ ref('int_statements_deduplicated') }}

),

preferred as (

    select
        *,
        row_number() over (
            partition by document_id, phase, reference_year, measure, statement_key, item
            order by case source when 'table' then 0 else 1 end, page nulls last
        ) as source_rank
    from statements
    where measure in ('amount', 'change')

),

final as (

    select
        document_id,
        phase,
        reference_year,
        any_value(department_id) as department_id,
        any_value(fiscal_year) as fiscal_year,
        any_value(disclosure_kind) as disclosure_kind,
        {%- for key in keys %}
        max(case when measure = 'amount' and statement_key = '{{ key }}' then amount_yuan end)
            as {{ key | replace('.', '_') }}_yuan,
        min(case when measure = 'amount' and statement_key = '{{ key }}' then page end)
            as {{ key | replace('.', '_') }}_page,
        {%- endfor %}
        sum(case when measure = 'amount' and statement_key = 'procurement.item' then amount_yuan end)
            as procurement_items_yuan,
        count(case when measure = 'amount' and statement_key = 'procurement.item' then amount_yuan end)
            as procurement_items_count,
        min(case when measure = 'amount' and statement_key = 'procurement.item' then page end)
            as procurement_items_page,
        {%- for key in change_keys %}
        max(case when measure = 'change' and statement_key = '{{ key }}' then amount_yuan end)
            as {{ key | replace('.', '_') }}_change_yuan{{ ',' if not loop.last }}
        {%- endfor %}

    from preferred
    where source_rank = 1
    group by document_id, phase, reference_year

)

select * from final
