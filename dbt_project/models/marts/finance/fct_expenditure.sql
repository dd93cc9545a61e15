-- Statements of the 'expenditure' family, one row per (document_id, statement_key, item, source, phase,
-- reference_year, measure). measure 'amount' is the figure itself; 'change' (the stated change
-- against base_year, in amount_yuan) and 'change_pct' (in percent) sit in the same table.
with

statements as (

    select * from {{ ref('int_statements_deduplicated') }}

),

final as (

    select
        document_id,
        department_id,
        fiscal_year,
        statement_key,
        item,
        is_line_item,
        label_zh,
        reference_year,
        base_year,
        phase,
        measure,
        source,
        amount_yuan,
        {{ yuan_to_wan_yuan('amount_yuan') }} as amount_wan_yuan,
        percent,
        printed_value,
        printed_unit,
        printed_label,
        is_derived,
        is_reference_year_assumed,
        n_mentions,
        has_conflicting_mentions,
        page,
        char_start,
        char_end,
        table_cell

    from statements
    where family = 'expenditure'

)

select * from final
