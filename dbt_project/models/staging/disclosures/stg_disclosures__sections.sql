with

source as (

    select * from {{ source('disclosures', 'sections') }}

),

final as (

    select
        {{ staged_columns('sections') }}

    from source

)

select * from final
