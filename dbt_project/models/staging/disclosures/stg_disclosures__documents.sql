with

source as (

    select * from {{ source('disclosures', 'documents') }}

),

final as (

    select
        {{ staged_columns(
            'documents',
            renames={'error': 'error_message', 'is_current': 'is_latest_version'},
            defaults={'is_current': 'true'}
        ) }}

    from source

)

select * from final
