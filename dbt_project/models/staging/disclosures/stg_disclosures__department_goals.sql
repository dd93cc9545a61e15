{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'department_goals'), 'raw') }}

),

final as (

    select
        {{ staged_columns('department_goals', renames={'name': 'goal_name'}) }}

    from source

)

select * from final
