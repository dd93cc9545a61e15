with

source as (

    select * from {{ source('disclosures', 'document_paths') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(source_path as varchar) as source_path,
        cast(first_seen as timestamp) as first_seen_at,
        cast(last_seen as timestamp) as last_seen_at,
        cast(coalesce(is_present, true) as boolean) as is_present

    from source

)

select * from final
