with

source as (

    select * from {{ source('disclosures', 'indicators') }}

),

final as (

    select
        {{ staged_columns('indicators') }}

    from source

)

select * from final
