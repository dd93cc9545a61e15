{{ config(materialized='by_document') }}
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
{#- The identities are data: seeds/identity_rules.csv (one row per rule: the total, its parts,
    whether each source is checked on its own figures, a condition, severity and tolerance). The
    rows evaluated on statements drive the union below; the two on projects are written out in
    project_funds / withheld_residual and take their text and severity from the same seed. -#}
{%- set identities = [] -%}
{%- if execute -%}
{%- set rules = run_query("select check_name, total, parts, subject, per_source, condition from "
                          ~ ref('identity_rules') ~ " where evaluated_on = 'statements' order by rule_seq") -%}
{%- for r in rules.rows -%}
{%- do identities.append({'check_name': r[0], 'total': r[1], 'parts': r[2].split(' '),
                          'subject': r[3], 'per_source': r[4], 'where': r[5]}) -%}
{%- endfor -%}
{%- endif %}
-- depends_on: {{ ref('identity_rules') }}


with

pivoted as (

    select * from {{ changed_documents_only(ref('int_statements_pivoted')) }}

),

statements as (

    select * from {{ changed_documents_only(ref('int_statements_deduplicated')) }}

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

    select * from {{ changed_documents_only(ref('fct_project')) }}

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
        '{{ identity.check_name }}' as check_name,
        phase,
        reference_year,
        '{{ identity.subject or identity.total | replace("_", ".", 1) }}'
            {%- if identity.per_source %} || ' (' || source || ')'{% endif %} as subject,
        {{ identity.total }}_yuan as observed_yuan,
        {% for part in identity.parts %}{{ part }}_yuan{{ ' + ' if not loop.last }}{% endfor %} as expected_yuan,
        {{ identity.parts | length }} as n_parts,
        {% for part in identity.parts -%}
        cast({{ yuan_to_wan_yuan(part ~ '_yuan', 2) }} as varchar){{ " || ' + ' || " if not loop.last }}
        {%- endfor %} || ' 万元' as parts_text,
        {{ identity.total }}_page as page,
        cast(null as varchar) as severity_if_failed
    from {{ 'by_source_filled' if identity.per_source else 'filled' }}
    where {{ identity.total }}_yuan is not null
        {%- for part in identity.parts %}
        and {{ part }}_yuan is not null
        {%- endfor %}
        {%- if identity.where %}
        and {{ identity.where }}
        {%- endif %}
    union all
    {%- endfor %}
    -- (typed and empty: the union's last member, and the whole CTE while dbt only parses)
    select
        cast(null as varchar) as document_id, cast(null as varchar) as check_name,
        cast(null as varchar) as phase, cast(null as integer) as reference_year,
        cast(null as varchar) as subject, cast(null as decimal(20, 2)) as observed_yuan,
        cast(null as decimal(20, 2)) as expected_yuan, cast(null as integer) as n_parts,
        cast(null as varchar) as parts_text, cast(null as integer) as page,
        cast(null as varchar) as severity_if_failed
    where false

),

project_funds as (

    select
        document_id,
        'identity:project_funds' as check_name,
        'budget' as phase,
        fiscal_year as reference_year,
        'project ' || project_seq || coalesce(' ' || project_code, '') as subject,
        budget_yuan as observed_yuan,
        fiscal_funds_yuan + coalesce(other_funds_yuan, 0) as expected_yuan,
        2 as n_parts,
        cast({{ yuan_to_wan_yuan('fiscal_funds_yuan', 2) }} as varchar) || ' + '
            || cast({{ yuan_to_wan_yuan('coalesce(other_funds_yuan, 0)', 2) }} as varchar) || ' 万元'
            as parts_text,
        page,
        cast(null as varchar) as severity_if_failed
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
        pivoted.expenditure_project_yuan as observed_yuan,
        project_totals.disclosed_budget_yuan as expected_yuan,
        project_totals.n_disclosed as n_parts,
        project_totals.n_disclosed || ' disclosed, ' || project_totals.n_withheld || ' withheld projects'
            as parts_text,
        project_totals.page,
        case when project_totals.n_withheld > 0 then 'info' end as severity_if_failed
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

rules as (

    select * from {{ ref('identity_rules') }}

),

final as (

    select
        unioned.document_id,
        unioned.check_name,
        unioned.phase,
        unioned.reference_year,
        unioned.subject,
        rules.rule_text,
        unioned.observed_yuan,
        unioned.expected_yuan,
        unioned.observed_yuan - unioned.expected_yuan as diff_yuan,
        unioned.n_parts,
        unioned.parts_text,
        unioned.page,
        coalesce(unioned.severity_if_failed, rules.severity) as severity_if_failed,
        -- figures printed to 0.01万元 are rounded to 100 yuan: n parts may miss their printed total
        -- by up to (n + 1) * 50 yuan
        rules.tolerance_yuan_per_figure * (coalesce(unioned.n_parts, 1) + 1) as tolerance_yuan
    from unioned
    inner join rules
        on unioned.check_name = rules.check_name

)

select * from final
