{{ config(materialized='by_document') }}
-- Performance targets (绩效目标), four checks, one row per check instance:
--   cost_indicator_mismatch: a 成本指标 whose target is an amount ('= 37.29万元', or no operator)
--     equals the project's budget (fct_project.budget_yuan), to the cent (warning when not);
--   conflicting_indicator_targets: an indicator (one level3 name within a project) printed several
--     times carries one numeric target, not several ('群众满意度 ≥90%', '≥80%'; warning);
--   performance:project_funds_vs_tables: the text's '编报绩效目标的项目共5个, 涉及项目预算资金
--     3328.13万元' equals the budgets of the project tables it introduces (checked when the text's
--     count equals the number of tables), within one step of the printed figure (warning);
--   performance:measurable_target_share: the share of a document's indicators whose target is a
--     number that can be checked (≥90%, ≤37.29万元), not a phrase ('有效提升') (info when under 100%).
-- Project budgets plus the withheld residual = 项目支出, and fiscal + other = budget, are identities
-- (quality_identities, identity_rules.csv), not here.
with

unit_scales as (

    select * from (values ('元', 1), ('万元', 10000), ('亿元', 100000000), ('千元', 1000), ('百万元', 1000000))
        as t (unit, yuan_per_unit)

),

indicators as (

    select
        indicators.*,
        nullif(trim(indicators.level3), '') as indicator_name,
        coalesce(nullif(trim(indicators.project_code), ''), 'project ' || indicators.project_seq) as project_label,
        'project ' || indicators.project_seq
            || coalesce(' ' || nullif(trim(indicators.project_code), ''), '')
            || coalesce(' (' || nullif(trim(indicators.project_name), '') || ')', '') as project_text
    from {{ changed_documents_only(ref('fct_performance_indicator')) }} as indicators

),

cost_targets as (

    select
        indicators.document_id,
        indicators.indicator_id,
        indicators.project_label,
        indicators.project_text,
        indicators.indicator_name,
        indicators.target_raw,
        indicators.page,
        round_even(indicators.target_value * unit_scales.yuan_per_unit, 2) as target_yuan,
        projects.budget_yuan
    from indicators
    inner join unit_scales
        on indicators.target_unit = unit_scales.unit
    inner join {{ changed_documents_only(ref('fct_project')) }} as projects
        on indicators.document_id = projects.document_id
        and indicators.project_seq = projects.project_seq
    where indicators.level2 = '成本指标'
        and indicators.target_value is not null
        and projects.budget_yuan is not null
        and coalesce(nullif(trim(indicators.target_op), ''), '=') = '='

),

cost_checks as (

    select
        document_id,
        'cost_indicator_mismatch' as check_name,
        indicator_id as check_key,
        project_label as subject,
        'warning' as severity,
        target_yuan as observed,
        budget_yuan as expected,
        0 as tolerance,
        'yuan' as observed_unit,
        page,
        if(target_yuan = budget_yuan, 'passed', 'failed') as status,
        'The cost indicator (成本指标) ''' || coalesce(indicator_name, '') || ''' of ' || project_text
            || ' targets ' || coalesce(nullif(trim(target_raw), ''), {{ wan_text('target_yuan') }})
            || ' (' || {{ wan_text('target_yuan') }} || '), but the project''s budget is '
            || {{ wan_text('budget_yuan') }} || ': they differ by '
            || {{ wan_text('target_yuan - budget_yuan') }} || '.' as message
    from cost_targets

),

numeric_targets as (

    select
        *,
        row_number() over (partition by document_id, project_seq, indicator_name order by row_seq, indicator_id)
            as nth
    from indicators
    where project_seq is not null
        and target_value is not null
        and indicator_name is not null

),

target_groups as (

    select
        document_id,
        project_seq,
        indicator_name,
        count(*) as n_printed,
        string_agg(coalesce(nullif(trim(target_raw), ''), '?'), ', ' order by row_seq, indicator_id) as printed,
        any_value(project_label) filter (where nth = 1) as project_label,
        any_value(project_text) filter (where nth = 1) as project_text,
        any_value(page) filter (where nth = 1) as page
    from numeric_targets
    group by all

),

-- distinct targets compare numerically (90 and 90.0 are one target)
target_counts as (

    select document_id, project_seq, indicator_name, count(*) as n_targets
    from (
        select distinct
            document_id, project_seq, indicator_name,
            coalesce(nullif(trim(target_op), ''), '') as op,
            cast(target_value as decimal(38, 10)) as value,
            coalesce(nullif(trim(target_unit), ''), '') as unit
        from numeric_targets
    )
    group by all

),

conflict_checks as (

    select
        target_groups.document_id,
        'conflicting_indicator_targets' as check_name,
        target_groups.project_seq || ' ' || target_groups.indicator_name as check_key,
        target_groups.project_label || ' ' || target_groups.indicator_name as subject,
        'warning' as severity,
        cast(target_counts.n_targets as decimal(38, 2)) as observed,
        cast(1 as decimal(38, 2)) as expected,
        0 as tolerance,
        'count' as observed_unit,
        target_groups.page,
        if(target_counts.n_targets = 1, 'passed', 'failed') as status,
        'The indicator ''' || target_groups.indicator_name || ''' of ' || target_groups.project_text
            || ' is printed ' || target_groups.n_printed || ' times with ' || target_counts.n_targets
            || ' different targets (' || target_groups.printed || '); which one applies is unclear.' as message
    from target_groups
    inner join target_counts
        on target_groups.document_id = target_counts.document_id
        and target_groups.project_seq = target_counts.project_seq
        and target_groups.indicator_name = target_counts.indicator_name

),

measurable as (

    select
        document_id,
        count(*) as n_indicators,
        count(target_value) as n_numeric,
        round_even(cast(count(target_value) * 100 as decimal(38, 10)) / count(*), 2) as share
    from indicators
    group by document_id

),

measurable_checks as (

    select
        document_id,
        'performance:measurable_target_share' as check_name,
        'indicators' as check_key,
        'indicators' as subject,
        'info' as severity,
        share as observed,
        cast(100 as decimal(38, 2)) as expected,
        0 as tolerance,
        'pct' as observed_unit,
        cast(null as integer) as page,
        if(n_numeric = n_indicators, 'passed', 'failed') as status,
        n_numeric || ' of ' || n_indicators || ' performance indicators ('
            || format('{:.1f}', round_even(cast(n_numeric * 100 as decimal(38, 10)) / n_indicators, 1))
            || '%) have a measurable (numeric) target; the other ' || (n_indicators - n_numeric)
            || ' state a phrase that cannot be checked against results.' as message
    from measurable

),

current_documents as (

    select document_id from {{ changed_documents_only(ref('dim_document')) }} where is_current is not false

),

-- the text's first statement of each key (narrative) in a current document
stated as (

    select statements.*
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join current_documents
        on statements.document_id = current_documents.document_id
    where statements.statement_key in ('performance.project_funds', 'performance.project_count')
        and statements.source = 'narrative'
    qualify row_number() over (partition by statements.document_id, statements.statement_key
                               order by statements.statement_seq) = 1

),

project_tables as (

    select
        document_id,
        count(*) as n_tables,
        sum(budget_yuan) as total_yuan,
        list(distinct page order by page) filter (where page is not null) as pages
    from {{ changed_documents_only(ref('fct_project')) }}
    where budget_yuan is not null
        and not coalesce(is_withheld, false)
    group by document_id

),

funds as (

    select
        funds.document_id,
        funds.amount_yuan as funds_yuan,
        funds.page,
        project_tables.n_tables,
        project_tables.total_yuan,
        array_to_string(project_tables.pages, ', ') as pages_text,
        -- yuan of one unit in the last printed digit: '3328.13' 万元 -> 100 yuan
        coalesce(unit_scales.yuan_per_unit, 1)
            / power(10, coalesce(length(nullif(
                  substr(regexp_replace(coalesce(funds.printed_value, ''), '[^0-9.]', '', 'g'),
                         strpos(regexp_replace(coalesce(funds.printed_value, ''), '[^0-9.]', '', 'g'), '.') + 1),
                  regexp_replace(coalesce(funds.printed_value, ''), '[^0-9.]', '', 'g'))), 0)) as step_yuan
    from stated as funds
    inner join stated as counted
        on funds.document_id = counted.document_id
        and counted.statement_key = 'performance.project_count'
    inner join project_tables
        on funds.document_id = project_tables.document_id
    left join unit_scales
        on coalesce(funds.printed_unit, '元') = unit_scales.unit
    where funds.statement_key = 'performance.project_funds'
        and funds.amount_yuan is not null
        and counted.quantity = project_tables.n_tables

),

funds_checks as (

    select
        document_id,
        'performance:project_funds_vs_tables' as check_name,
        'performance.project_funds' as check_key,
        'performance.project_funds' as subject,
        'warning' as severity,
        funds_yuan as observed,
        total_yuan as expected,
        step_yuan as tolerance,
        'yuan' as observed_unit,
        page,
        if(abs(funds_yuan - total_yuan) <= step_yuan, 'passed', 'failed') as status,
        'The text (page ' || coalesce(cast(page as varchar), '?') || ') says ' || n_tables
            || ' projects with performance targets carry ' || {{ wan_text('funds_yuan') }} || ', but the '
            || n_tables || ' project tables (pages ' || coalesce(pages_text, '') || ') add up to '
            || {{ wan_text('total_yuan') }} || ': ' || {{ wan_text('funds_yuan - total_yuan') }} || ' apart.'
            as message
    from funds

),

checks as (

    select * from cost_checks
    union all by name
    select * from conflict_checks
    union all by name
    select * from measurable_checks
    union all by name
    select * from funds_checks

)

{{ typed_checks('performance') }}
