-- The data quality findings: every failed check instance of the quality models (one per concern,
-- each row a check with its observed and expected figures, tolerance, page and message), in one
-- table. suite names the model that decided (expectation: 'dbt').
--
-- The checkpoint that runs after `dbt build` (expectations/checkpoint.py) appends the failures of
-- Great Expectations' expectations on the marts as data assets (suite 'assets:<model>').
{%- set models = ['quality_identities', 'quality_units', 'quality_plausibility', 'quality_parse_issues',
                  'quality_duplicates', 'quality_performance', 'quality_completeness', 'quality_narrative',
                  'quality_narrative_items', 'quality_changes', 'quality_changes_across_years',
                  'quality_explanations', 'quality_tables'] %}
with

failed as (

    {%- for model in models %}
    select {{ quality_columns() }}, '{{ model }}' as model_name
    from {{ ref(model) }}
    where status = 'failed'
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(check_name as varchar) as check_name,
        cast(severity as varchar) as severity,
        cast(observed as decimal(20, 2)) as observed,
        cast(expected as decimal(20, 2)) as expected,
        cast(page as integer) as page,
        cast(message as varchar) as message,
        cast(subject as varchar) as subject,
        cast(observed_unit as varchar) as observed_unit,
        'dbt' as expectation,
        cast(model_name as varchar) as suite,
        cast(date_trunc('second', current_localtimestamp()) as timestamp) as checked_at,
        -- the row checked, within its document and check (null on the checkpoint's rows)
        cast(check_key as varchar) as check_key
    from failed

)

-- No order by: the checkpoint appends its rows after the build's anyway, and sorting every
-- finding (long messages; ~250,000 rows at 10,000 documents) was the build's largest need for
-- memory (it ran out under 100 MB without its order by running out under 60); a reader orders
-- the findings it reads (expectations.checkpoint.read_findings, the CLI's check, the site).
select * from final
