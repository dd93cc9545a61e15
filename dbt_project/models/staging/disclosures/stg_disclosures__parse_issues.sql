with

source as (

    select * from {{ source('disclosures', 'parse_issues') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(source_path as varchar) as source_path,
        cast(issue_seq as integer) as issue_seq,
        cast(severity as varchar) as severity,
        cast(code as varchar) as issue_code,
        cast(message as varchar) as message,
        cast(page as integer) as page,
        cast(run_id as varchar) as run_id

    from source

)

select * from final
