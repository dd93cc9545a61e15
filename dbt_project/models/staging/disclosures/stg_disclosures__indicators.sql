{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'indicators'), 'raw') }}

),

final as (

    select
        {{ staged_columns('indicators') }}

    from source

)

select * from final
