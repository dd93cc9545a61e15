with

source as (

    select * from {{ source('disclosures', 'spending_plan') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(project_seq as integer) as project_seq,
        cast(checkpoint as varchar) as checkpoint_label,
        cast(checkpoint_seq as integer) as checkpoint_seq,
        cast(cumulative_pct as decimal(9, 4)) as cumulative_pct,
        cast(printed_value as varchar) as printed_value

    from source

)

select * from final
