{#- One row per document and identity that could be evaluated (the total and every part stated):
    the total as stated (observed_yuan), the sum of its parts (expected_yuan) and diff_yuan.
    Identities marked per_source are evaluated on each source's own figures (the table's, the
    narrative's), so that a table that does not add up is a finding even where the trend takes
    the narrative's figures that do; the others on the figures the trend takes (int_statements_pivoted).
    diff_yuan = 0 is the identity holding. expectations/ turns rows with diff_yuan <> 0 into
    quality findings; severity_if_failed says how serious a failure is. -#}
{%- set source_keys = [
    'revenue_overall', 'expenditure_overall', 'revenue_fiscal_appropriation', 'revenue_general_public_budget',
    'revenue_government_fund', 'revenue_state_capital', 'sangong_total', 'sangong_overseas_travel',
    'sangong_vehicle_total', 'sangong_vehicle_purchase', 'sangong_vehicle_operation', 'sangong_reception',
] -%}
{%- set identities = [
    {'name': 'revenue_equals_expenditure', 'total': 'revenue_overall', 'parts': ['expenditure_overall'],
     'subject': 'revenue.total', 'per_source': true,
     'rule': '收入总计 = 支出总计 (revenue total = expenditure total)',
     'where': "disclosure_kind is distinct from 'final_accounts'"},
    {'name': 'expenditure_parts', 'total': 'expenditure_total',
     'parts': ['expenditure_personnel', 'expenditure_public_operating', 'expenditure_project'],
     'rule': '人员经费 + 日常公用经费 + 项目支出 = 支出总计 (personnel + public operating + project = total expenditure)'},
    {'name': 'expenditure_basic_project', 'total': 'expenditure_total',
     'parts': ['expenditure_basic', 'expenditure_project'],
     'rule': '基本支出 + 项目支出 = 支出总计 (basic + project = total expenditure)'},
    {'name': 'expenditure_basic_parts', 'total': 'expenditure_basic',
     'parts': ['expenditure_personnel', 'expenditure_public_operating'],
     'rule': '人员经费 + 日常公用经费 = 基本支出 (personnel + public operating = basic expenditure)'},
    {'name': 'sangong_parts', 'total': 'sangong_total', 'per_source': true,
     'parts': ['sangong_overseas_travel', 'sangong_vehicle_filled', 'sangong_reception'],
     'rule': '因公出国（境）费 + 公务用车购置及运行费 + 公务接待费 = “三公”经费合计 (三公 items = total)'},
    {'name': 'sangong_vehicle_parts', 'total': 'sangong_vehicle_total', 'per_source': true,
     'parts': ['sangong_vehicle_purchase', 'sangong_vehicle_operation'],
     'rule': '公务用车购置费 + 公务用车运行维护费 = 公务用车购置及运行费 (vehicle purchase + operation = vehicle total)'},
    {'name': 'fiscal_funds', 'total': 'revenue_fiscal_appropriation', 'per_source': true,
     'parts': ['revenue_general_public_budget', 'revenue_government_fund', 'revenue_state_capital'],
     'rule': '一般公共预算 + 政府性基金 + 国有资本经营预算拨款 = 财政拨款收入 (the funds add up to the fiscal appropriation)'},
    {'name': 'procurement_parts', 'total': 'procurement_total',
     'parts': ['procurement_goods', 'procurement_works', 'procurement_services'],
     'rule': '货物 + 工程 + 服务 = 政府采购预算合计 (procurement goods + works + services = total)'},
    {'name': 'procurement_items', 'total': 'procurement_total', 'parts': ['procurement_items'],
     'rule': '采购项目金额之和 = 政府采购预算合计 (procurement line items = total)'},
    {'name': 'fiscal_change_parts', 'total': 'fiscal_change', 'subject': 'revenue.fiscal_appropriation (change)',
     'parts': ['expenditure_personnel_change', 'expenditure_public_operating_change',
               'expenditure_project_change'],
     'rule': '人员经费、日常公用经费、项目支出的增减之和 = 财政拨款总增减 (stated changes of the parts add up to the stated change of the total)'},
] -%}

with

pivoted as (

    select * from {{ ref('int_statements_pivoted') }}

),

statements as (

    select * from {{ ref('int_statements_deduplicated') }}

),

-- each source's own figures (table / narrative); overall = the grand total where printed
by_source as (

    select
        document_id,
        phase,
        reference_year,
        source,
        {%- for key in source_keys %}
        {%- set k = key | replace('_', '.', 1) %}
        {%- if key.endswith('_overall') %}
        coalesce(max(case when statement_key = '{{ k | replace('.overall', '.grand_total') }}' then amount_yuan end),
                 max(case when statement_key = '{{ k | replace('.overall', '.total') }}' then amount_yuan end))
            as {{ key }}_yuan,
        min(case when statement_key in ('{{ k | replace('.overall', '.grand_total') }}',
                                        '{{ k | replace('.overall', '.total') }}') then page end) as {{ key }}_page,
        {%- else %}
        max(case when statement_key = '{{ k }}' then amount_yuan end) as {{ key }}_yuan,
        min(case when statement_key = '{{ k }}' then page end) as {{ key }}_page,
        {%- endif %}
        {%- endfor %}
        any_value(disclosure_kind) as disclosure_kind
    from statements
    where measure = 'amount'
    group by document_id, phase, reference_year, source

),

by_source_filled as (

    select
        *,
        coalesce(sangong_vehicle_total_yuan,
                 sangong_vehicle_purchase_yuan + sangong_vehicle_operation_yuan)
            as sangong_vehicle_filled_yuan
    from by_source

),

projects as (

    select * from {{ ref('fct_project') }}

),

filled as (

    select
        *,
        coalesce(sangong_vehicle_total_yuan,
                 sangong_vehicle_purchase_yuan + sangong_vehicle_operation_yuan)
            as sangong_vehicle_filled_yuan,
        coalesce(revenue_fiscal_appropriation_change_yuan, expenditure_total_change_yuan,
                 revenue_total_change_yuan) as fiscal_change_yuan,
        cast(null as integer) as fiscal_change_page
    from pivoted

),

statement_identities as (

    {%- for identity in identities %}
    select
        document_id,
        'identity:{{ identity.name }}' as check_name,
        phase,
        reference_year,
        '{{ identity.subject or identity.total | replace("_", ".", 1) }}'
            {%- if identity.per_source %} || ' (' || source || ')'{% endif %} as subject,
        '{{ identity.rule }}' as rule_text,
        {{ identity.total }}_yuan as observed_yuan,
        {% for part in identity.parts %}{{ part }}_yuan{{ ' + ' if not loop.last }}{% endfor %} as expected_yuan,
        {{ identity.parts | length }} as n_parts,
        {% for part in identity.parts -%}
        cast({{ yuan_to_wan_yuan(part ~ '_yuan', 2) }} as varchar){{ " || ' + ' || " if not loop.last }}
        {%- endfor %} || ' 万元' as parts_text,
        {{ identity.total }}_page as page,
        'error' as severity_if_failed
    from {{ 'by_source_filled' if identity.per_source else 'filled' }}
    where {{ identity.total }}_yuan is not null
        {%- for part in identity.parts %}
        and {{ part }}_yuan is not null
        {%- endfor %}
        {%- if identity.where %}
        and {{ identity.where }}
        {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

project_funds as (

    select
        document_id,
        'identity:project_funds' as check_name,
        'budget' as phase,
        fiscal_year as reference_year,
        'project ' || project_seq || coalesce(' ' || project_code, '') as subject,
        '财政拨款 + 其他资金 = 项目预算 (fiscal + other funds = project budget)' as rule_text,
        budget_yuan as observed_yuan,
        fiscal_funds_yuan + coalesce(other_funds_yuan, 0) as expected_yuan,
        2 as n_parts,
        cast({{ yuan_to_wan_yuan('fiscal_funds_yuan', 2) }} as varchar) || ' + '
            || cast({{ yuan_to_wan_yuan('coalesce(other_funds_yuan, 0)', 2) }} as varchar) || ' 万元'
            as parts_text,
        page,
        'error' as severity_if_failed
    from projects
    where budget_yuan is not null
        and fiscal_funds_yuan is not null
        and not is_withheld

),

project_totals as (

    select
        document_id,
        sum(budget_yuan) filter (where not is_withheld) as disclosed_budget_yuan,
        count(*) filter (where not is_withheld) as n_disclosed,
        count(*) filter (where is_withheld) as n_withheld,
        min(page) as page
    from projects
    group by document_id

),

withheld_residual as (

    select
        pivoted.document_id,
        'withheld_residual' as check_name,
        pivoted.phase,
        pivoted.reference_year,
        'expenditure.project' as subject,
        '公开的项目预算之和 = 项目支出 (disclosed project budgets add up to project expenditure)'
            as rule_text,
        pivoted.expenditure_project_yuan as observed_yuan,
        project_totals.disclosed_budget_yuan as expected_yuan,
        project_totals.n_disclosed as n_parts,
        project_totals.n_disclosed || ' disclosed, ' || project_totals.n_withheld || ' withheld projects'
            as parts_text,
        project_totals.page,
        case when project_totals.n_withheld > 0 then 'info' else 'warning' end as severity_if_failed
    from pivoted
    inner join project_totals
        on pivoted.document_id = project_totals.document_id
    where pivoted.phase = 'budget'
        and pivoted.reference_year = pivoted.fiscal_year
        and pivoted.expenditure_project_yuan is not null
        and project_totals.disclosed_budget_yuan is not null

),

unioned as (

    select * from statement_identities
    union all
    select * from project_funds
    union all
    select * from withheld_residual

),

final as (

    select
        document_id,
        check_name,
        phase,
        reference_year,
        subject,
        rule_text,
        observed_yuan,
        expected_yuan,
        observed_yuan - expected_yuan as diff_yuan,
        n_parts,
        parts_text,
        page,
        severity_if_failed
    from unioned

)

select * from final
