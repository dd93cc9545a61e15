{{ config(materialized='by_document') }}
-- Statements of the 'sangong' family, one row per (document_id, statement_key, item, source, phase,
-- reference_year, measure). measure 'amount' is the figure itself; 'change' (the stated change
-- against base_year, in amount_yuan) and 'change_pct' (in percent) sit in the same table.
with

statements as (

    select * from {{ changed_documents_only(ref('int_statements_deduplicated')) }}

),

final as (

    select
{{ statement_fact_columns() }}

    from statements
    where family = 'sangong'

)

select * from final
