with

source as (

    select * from {{ source('disclosures', 'classification_lines') }}

),

final as (

    select
        {{ staged_columns(
            'classification_lines',
            renames={'code': 'classification_code', 'level': 'classification_level', 'name': 'classification_name'},
            defaults={'phase': "'budget'", 'is_total': 'false'}
        ) }}

    from source

)

select * from final
