{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'projects'), 'raw') }}

),

final as (

    select
        {{ staged_columns('projects', defaults={'is_withheld': 'false'}) }}

    from source

)

select * from final
