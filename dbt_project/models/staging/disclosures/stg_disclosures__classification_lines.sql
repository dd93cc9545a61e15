with

source as (

    select * from {{ source('disclosures', 'classification_lines') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(line_seq as integer) as line_seq,
        cast(table_kind as varchar) as table_kind,
        cast(scheme as varchar) as scheme,
        cast(code as varchar) as classification_code,
        cast(printed_code as varchar) as printed_code,
        cast(level as integer) as classification_level,
        cast(name as varchar) as classification_name,
        cast(column_key as varchar) as column_key,
        cast(coalesce(phase, 'budget') as varchar) as phase,
        cast(amount_yuan as decimal(20, 2)) as amount_yuan,
        cast(printed_value as varchar) as printed_value,
        cast(row_seq as integer) as row_seq,
        cast(coalesce(is_total, false) as boolean) as is_total,
        cast(page as integer) as page

    from source

)

select * from final
