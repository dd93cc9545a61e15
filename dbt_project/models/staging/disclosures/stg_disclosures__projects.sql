with

source as (

    select * from {{ source('disclosures', 'projects') }}

),

final as (

    select
        {{ staged_columns('projects', defaults={'is_withheld': 'false'}) }}

    from source

)

select * from final
