with

source as (

    select * from {{ source('disclosures', 'statements') }}

),

final as (

    select
        {{ staged_columns(
            'statements',
            renames={'label': 'printed_label'},
            defaults={'is_derived': 'false'}
        ) }}

    from source

)

select * from final
