with

source as (

    select * from {{ source('disclosures', 'department_goals') }}

),

final as (

    select
        {{ staged_columns('department_goals', renames={'name': 'goal_name'}) }}

    from source

)

select * from final
