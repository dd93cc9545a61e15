-- The stated vs computed change across years, one row per row of rpt_department_trend that has both:
--   across_years:stated_vs_computed_change: the change of 财政拨款 the text states against the
--     previous year (stated_fiscal_change_yuan) equals the change computed from the previous year's
--     own disclosure of the same department, kind and scope (computed_fiscal_change_yuan). The trend's
--     figures are printed to 0.01万元, so a gap up to 200 yuan is rounding (warning beyond it).
-- It reads the trend mart whole (a change needs its neighbouring year), apart from the per-document
-- checks of stated changes (quality_changes).
with

trend as (

    select * from {{ ref('rpt_department_trend') }}
    where fiscal_change_gap_yuan is not null

),

-- where the trend row names no document: the current document of its department, year and kind
current_documents as (

    select department_id, fiscal_year, disclosure_kind, min(document_id) as document_id
    from {{ ref('dim_document') }}
    where is_current is not false
    group by all

),

checks as (

    select
        coalesce(trend.document_id, current_documents.document_id) as document_id,
        'across_years:stated_vs_computed_change' as check_name,
        concat_ws(' ', trend.department_id, trend.fiscal_year, trend.disclosure_kind, trend.scope) as check_key,
        trim(coalesce(trend.department_name, trend.department_id) || ' ' || trend.fiscal_year || ' '
             || coalesce(trend.disclosure_kind, '')) as subject,
        'warning' as severity,
        trend.stated_fiscal_change_yuan as observed,
        trend.computed_fiscal_change_yuan as expected,
        200 as tolerance,
        'yuan' as observed_unit,
        cast(null as integer) as page,
        if(abs(trend.fiscal_change_gap_yuan) > 200, 'failed', 'passed') as status,
        coalesce(trend.department_name, trend.department_id) || ' ' || trend.fiscal_year
            || ': the text states a change of 财政拨款 of ' || {{ wan_text('trend.stated_fiscal_change_yuan') }}
            || ' against the previous year, but the previous year''s own disclosure gives '
            || {{ wan_text('trend.computed_fiscal_change_yuan') }} || ' ('
            || {{ yuan_text('trend.fiscal_change_gap_yuan') }} || ' apart, beyond rounding).' as message
    from trend
    left join current_documents
        on trend.department_id is not distinct from current_documents.department_id
        and trend.fiscal_year is not distinct from current_documents.fiscal_year
        and trend.disclosure_kind is not distinct from current_documents.disclosure_kind

)

{{ typed_checks('changes') }}
