with

source as (

    select * from {{ source('disclosures', 'statements') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(statement_seq as integer) as statement_seq,
        cast(statement_key as varchar) as statement_key,
        cast(reference_year as integer) as reference_year,
        cast(base_year as integer) as base_year,
        cast(phase as varchar) as phase,
        cast(measure as varchar) as measure,
        cast(amount_yuan as decimal(20, 2)) as amount_yuan,
        cast(percent as decimal(12, 4)) as percent,
        cast(quantity as decimal(20, 4)) as quantity,
        cast(quantity_unit as varchar) as quantity_unit,
        cast(printed_value as varchar) as printed_value,
        cast(printed_unit as varchar) as printed_unit,
        cast(label as varchar) as printed_label,
        cast(source as varchar) as source,
        cast(section_key as varchar) as section_key,
        cast(page as integer) as page,
        cast(char_start as integer) as char_start,
        cast(char_end as integer) as char_end,
        cast(table_cell as varchar) as table_cell,
        cast(coalesce(is_derived, false) as boolean) as is_derived,
        cast(context as varchar) as context,
        cast(table_kind as varchar) as table_kind

    from source

)

select * from final
