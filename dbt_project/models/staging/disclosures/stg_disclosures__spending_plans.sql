with

source as (

    select * from {{ source('disclosures', 'spending_plan') }}

),

final as (

    select
        {{ staged_columns('spending_plan', renames={'checkpoint': 'checkpoint_label'}) }}

    from source

)

select * from final
