-- Parse issues: what the readers could not take. An issue of severity 'error' fails (a finding
-- 'parse_issue:<code>', severity error); warnings and infos pass and stay in raw.parse_issues.
-- A superseded version, or a file set aside for another holding the same disclosure, is not
-- checked again (its pair is one finding, quality_duplicates); a file-level issue is.
with

issues as (

    select * from {{ ref('stg_disclosures__parse_issues') }}

),

documents as (

    select * from {{ ref('dim_document') }}

),

kept as (

    select issues.*
    from issues
    left join documents
        on issues.document_id = documents.document_id
    where documents.document_id is null
        or (documents.superseded_by is null and documents.duplicate_of is null)

),

final as (

    select
        'parse_issues' as concern,
        document_id,
        'parse_issue:' || issue_code as check_name,
        concat_ws('|', source_path, issue_seq) as check_key,
        coalesce(source_path, document_id, '?') as subject,
        'error' as severity,
        cast(null as decimal(20, 2)) as observed,
        cast(null as decimal(20, 2)) as expected,
        cast(null as decimal(20, 2)) as tolerance,
        cast(null as varchar) as observed_unit,
        page,
        case when coalesce(severity, 'error') = 'error' then 'failed' else 'passed' end as status,
        'Could not parse ' || coalesce(source_path, document_id, '?')
        || coalesce(', page ' || page, '') || ' (' || issue_code || '): ' || message as message
    from kept

)

select {{ quality_columns() }} from final
