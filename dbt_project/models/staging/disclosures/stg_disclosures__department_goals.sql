with

source as (

    select * from {{ source('disclosures', 'department_goals') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(goal_seq as integer) as goal_seq,
        cast(name as varchar) as goal_name,
        cast(duty as varchar) as duty,
        cast(annual_goal as varchar) as annual_goal,
        cast(indicator_text as varchar) as indicator_text,
        cast(target_op as varchar) as target_op,
        cast(target_value as decimal(20, 4)) as target_value,
        cast(target_unit as varchar) as target_unit,
        cast(page as integer) as page

    from source

)

select * from final
