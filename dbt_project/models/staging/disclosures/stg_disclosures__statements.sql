{{ config(materialized='by_document') }}
with

source as (

    select * from {{ changed_documents_only(source('disclosures', 'statements'), 'raw') }}

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
