with

source as (

    select * from {{ source('disclosures', 'printed_tables') }}

),

final as (

    select
        {{ staged_columns('printed_tables') }}

    from source

)

select * from final
