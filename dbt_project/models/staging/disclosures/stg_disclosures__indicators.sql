with

source as (

    select * from {{ source('disclosures', 'indicators') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(project_seq as integer) as project_seq,
        cast(project_code as varchar) as project_code,
        cast(row_seq as integer) as row_seq,
        cast(level1 as varchar) as level1,
        cast(level2 as varchar) as level2,
        cast(level3 as varchar) as level3,
        cast(description as varchar) as description,
        cast(target_raw as varchar) as target_raw,
        cast(target_op as varchar) as target_op,
        cast(target_value as decimal(20, 4)) as target_value,
        cast(target_unit as varchar) as target_unit,
        cast(basis as varchar) as basis,
        cast(page as integer) as page

    from source

)

select * from final
