-- Completeness: every section and table its list requires is in the document
-- (disclosure_completeness), one row per document and required part:
--   completeness:missing: the part was not found; the severity its list gives (severity_if_missing:
--     a table the Shanghai checklist requires is a warning; a section, or a standard table of the
--     general list that a file may carry as a separate attachment, is info);
--   completeness:empty_with_note: the table is there but empty, as its note says (info);
--   completeness: the part is present (passed).
with

parts as (

    select * from {{ ref('disclosure_completeness') }}

),

final as (

    select
        'completeness' as concern,
        document_id,
        case status
            when 'missing' then 'completeness:missing'
            when 'empty_with_note' then 'completeness:empty_with_note'
            else 'completeness'
        end as check_name,
        part_key as check_key,
        part_name as subject,
        if(status = 'missing', coalesce(severity_if_missing, 'info'), 'info') as severity,
        cast(null as decimal(20, 2)) as observed,
        cast(null as decimal(20, 2)) as expected,
        cast(null as decimal(20, 2)) as tolerance,
        cast(null as varchar) as observed_unit,
        page,
        if(status = 'present', 'passed', 'failed') as status,
        case status
            when 'missing' then
                'The ' || replace(disclosure_kind, '_', ' ') || ' disclosure must contain ' || part_type
                || ' ''' || part_name || ''' (' || source || '), but it was not found: ' || evidence || '.'
            when 'empty_with_note' then
                '''' || part_name || ''' is present but empty, as its note says (page '
                || coalesce(cast(nullif(page, 0) as varchar), '?') || '): ' || evidence || '.'
        end as message
    from parts

)

select {{ quality_columns() }} from final
