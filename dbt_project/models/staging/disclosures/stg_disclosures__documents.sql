with

source as (

    select * from {{ source('disclosures', 'documents') }}

),

final as (

    select
        {{ staged_columns(
            'documents',
            renames={'error': 'error_message'},
            defaults={'is_current': 'true'}
        ) }}

    from source

)

select * from final
