{{ config(materialized='by_document') }}
{#- One row per document, phase and reference year, with the totals and their parts side by side
    (amounts and stated changes), so identities can be asserted row by row and the trend can read
    them.

    Which figure is taken where a key is printed in a table and in the narrative: the one from a
    source whose figures add up. For each document, phase, year and source (table / narrative)
    three groups are checked: 'totals' (收入总计 = 支出总计, the grand totals where printed),
    'sangong' (三公 total = its three parts, 公务用车 = 购置 + 运行, a blank part counting 0) and
    'fiscal' (财政拨款 = 一般公共预算 + 政府性基金 + 国有资本经营). A source whose figures do not
    add up goes last; among the others (adding up, or printing too little to check) the table
    figure (exact 元) goes before the narrative one (rounded 万元). Each figure
    says which source it came from (<key>_source) and its page. The other figures stay in the
    fct_* facts.

    revenue.overall / expenditure.overall: the grand total of a source (收入总计, 上年结转 included)
    where it prints one, else its year's total (本年收入合计): the 收支总表's bottom line. -#}
{%- set keys = [
    'revenue.total', 'revenue.grand_total', 'revenue.overall', 'revenue.fiscal_appropriation',
    'revenue.general_public_budget', 'revenue.government_fund', 'revenue.state_capital',
    'expenditure.total', 'expenditure.grand_total', 'expenditure.overall',
    'expenditure.basic', 'expenditure.personnel',
    'expenditure.public_operating', 'expenditure.project',
    'operating_expenses.total',
    'sangong.total', 'sangong.overseas_travel', 'sangong.vehicle_total',
    'sangong.vehicle_purchase', 'sangong.vehicle_operation', 'sangong.reception',
    'procurement.total', 'procurement.goods', 'procurement.works', 'procurement.services',
] -%}
{%- set change_keys = [
    'revenue.total', 'revenue.fiscal_appropriation', 'expenditure.total', 'expenditure.basic',
    'expenditure.personnel', 'expenditure.public_operating', 'expenditure.project',
    'sangong.total', 'sangong.overseas_travel', 'sangong.vehicle_total',
    'sangong.vehicle_purchase', 'sangong.vehicle_operation', 'sangong.reception',
    'operating_expenses.total',
] -%}

with

statements as (

    select * from {{ changed_documents_only(ref('int_statements_deduplicated')) }}

),

-- the bottom line of each source's 收支总表: its grand total where printed, else its year's total
overall as (

    select
        document_id,
        department_id,
        fiscal_year,
        disclosure_kind,
        phase,
        reference_year,
        source,
        replace(statement_key, '.grand_total', '.total') as base_key,
        arg_min(amount_yuan, case when statement_key like '%.grand_total' then 0 else 1 end) as amount_yuan,
        arg_min(page, case when statement_key like '%.grand_total' then 0 else 1 end) as page
    from statements
    where measure = 'amount'
        and statement_key in ('revenue.total', 'revenue.grand_total',
                              'expenditure.total', 'expenditure.grand_total')
    group by all

),

candidates as (

    select
        document_id, department_id, fiscal_year, disclosure_kind, phase, reference_year, source,
        measure, statement_key, item, amount_yuan, page
    from statements
    where measure in ('amount', 'change')
    union all
    select
        document_id, department_id, fiscal_year, disclosure_kind, phase, reference_year, source,
        'amount' as measure, replace(base_key, '.total', '.overall') as statement_key,
        'overall' as item, amount_yuan, page
    from overall

),

{%- set a = {} -%}
{%- for key in keys -%}
{%- do a.update({key: "max(case when statement_key = '" ~ key ~ "' then amount_yuan end)"}) -%}
{%- endfor %}

-- does each group of one source's figures add up? null: the source prints no parts to check
source_checks as (

    select
        document_id,
        phase,
        reference_year,
        source,
        case
            when {{ a['revenue.overall'] }} is not null
                and {{ a['expenditure.overall'] }} is not null
                then {{ a['revenue.overall'] }} = {{ a['expenditure.overall'] }}
        end as totals_add_up,
        case
            when {{ a['sangong.total'] }} is not null
                and coalesce({{ a['sangong.overseas_travel'] }}, {{ a['sangong.vehicle_total'] }},
                             {{ a['sangong.vehicle_purchase'] }}, {{ a['sangong.vehicle_operation'] }},
                             {{ a['sangong.reception'] }}) is not null
                then {{ a['sangong.total'] }}
                    = coalesce({{ a['sangong.overseas_travel'] }}, 0)
                    + coalesce({{ a['sangong.vehicle_total'] }},
                               coalesce({{ a['sangong.vehicle_purchase'] }}, 0)
                               + coalesce({{ a['sangong.vehicle_operation'] }}, 0))
                    + coalesce({{ a['sangong.reception'] }}, 0)
                    and ({{ a['sangong.vehicle_total'] }} is null
                         or coalesce({{ a['sangong.vehicle_purchase'] }},
                                     {{ a['sangong.vehicle_operation'] }}) is null
                         or {{ a['sangong.vehicle_total'] }}
                            = coalesce({{ a['sangong.vehicle_purchase'] }}, 0)
                            + coalesce({{ a['sangong.vehicle_operation'] }}, 0))
        end as sangong_adds_up,
        case
            when {{ a['revenue.fiscal_appropriation'] }} is not null
                and coalesce({{ a['revenue.general_public_budget'] }},
                             {{ a['revenue.government_fund'] }},
                             {{ a['revenue.state_capital'] }}) is not null
                then {{ a['revenue.fiscal_appropriation'] }}
                    = coalesce({{ a['revenue.general_public_budget'] }}, 0)
                    + coalesce({{ a['revenue.government_fund'] }}, 0)
                    + coalesce({{ a['revenue.state_capital'] }}, 0)
        end as fiscal_adds_up
    from candidates
    where measure = 'amount'
    group by document_id, phase, reference_year, source

),

ranked as (

    select
        candidates.*,
        case
            when candidates.statement_key like 'sangong.%' then source_checks.sangong_adds_up
            when candidates.statement_key in ('revenue.overall', 'expenditure.overall')
                then source_checks.totals_add_up
            when candidates.statement_key in ('revenue.fiscal_appropriation', 'revenue.general_public_budget',
                                              'revenue.government_fund', 'revenue.state_capital')
                then source_checks.fiscal_adds_up
        end as source_adds_up
    from candidates
    left join source_checks
        on candidates.document_id = source_checks.document_id
        and candidates.phase = source_checks.phase
        and candidates.reference_year = source_checks.reference_year
        and candidates.source = source_checks.source

),

preferred as (

    select
        *,
        row_number() over (
            partition by document_id, phase, reference_year, measure, statement_key, item
            order by
                case when measure = 'amount' and not source_adds_up then 1 else 0 end,
                case source when 'table' then 0 else 1 end,
                page nulls last
        ) as source_rank
    from ranked

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
        max(case when measure = 'amount' and statement_key = '{{ key }}' then source end)
            as {{ key | replace('.', '_') }}_source,
        {%- endfor %}
        sum(case when measure = 'amount' and statement_key = 'procurement.item' then amount_yuan end)
            as procurement_items_yuan,
        count(case when measure = 'amount' and statement_key = 'procurement.item' then amount_yuan end)
            as procurement_items_count,
        min(case when measure = 'amount' and statement_key = 'procurement.item' then page end)
            as procurement_items_page,
        {%- for key in change_keys %}
        max(case when measure = 'change' and statement_key = '{{ key }}' then amount_yuan end)
            as {{ key | replace('.', '_') }}_change_yuan,
        {%- endfor %}
        bool_or(statement_key like 'sangong.%' and measure = 'amount' and source_adds_up)
            as sangong_source_adds_up,
        bool_or(statement_key in ('revenue.overall', 'expenditure.overall') and source_adds_up)
            as totals_source_adds_up

    from preferred
    where source_rank = 1
    group by document_id, phase, reference_year

)

select * from final
