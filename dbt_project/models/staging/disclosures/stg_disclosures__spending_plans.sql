{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'spending_plan'), 'raw') }}

),

final as (

    select
        {{ staged_columns('spending_plan', renames={'checkpoint': 'checkpoint_label'}) }}

    from source

)

select * from final
