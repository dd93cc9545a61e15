{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'printed_tables'), 'raw') }}

),

final as (

    select
        {{ staged_columns('printed_tables') }}

    from source

)

select * from final
