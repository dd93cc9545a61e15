{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'sections'), 'raw') }}

),

final as (

    select
        {{ staged_columns('sections') }}

    from source

)

select * from final
