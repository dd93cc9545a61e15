with

source as (

    select * from {{ source('disclosures', 'parse_issues') }}

),

final as (

    select
        {{ staged_columns('parse_issues', renames={'code': 'issue_code'}) }}

    from source

)

select * from final
