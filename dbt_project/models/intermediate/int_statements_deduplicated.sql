{{ config(materialized='by_document') }}
-- One row per (document, statement_key, item, source, phase, reference_year, measure): the key
-- of the statement facts (item is the key's last part, or the printed label of a line item such
-- as procurement.item). A figure the text repeats is kept once: its first mention by page and
-- position, except that a printed figure goes before a derived one (a sum of printed parts) and,
-- for a key whose statement_keys row names a preferred_table_kind, that table's figure goes first
-- (the 财政拨款收支总表's 本年收入 over a 收支总表 fund row that may include the carry-over);
-- n_mentions counts the repeats and has_conflicting_mentions says whether they disagree. A narrative and a table figure for the same key are both kept (source differs).
-- reference_year defaults to the document's fiscal year when the extractor could not tell.
-- Only current documents (not superseded by a newer version of the file) feed the facts.
with

statements as (

    select * from {{ changed_documents_only(ref('stg_disclosures__statements')) }}

),

documents as (

    select * from {{ changed_documents_only(ref('int_documents_ranked')) }}

),

statement_keys as (

    select * from {{ ref('statement_keys') }}

),

joined as (

    select
        statements.document_id,
        documents.department_id,
        documents.fiscal_year,
        documents.disclosure_kind,
        statements.statement_seq,
        statements.statement_key,
        split_part(statements.statement_key, '.', 1) as family,
        case
            -- line items (procurement.item, ...): one key, many items, told apart by their label
            when regexp_matches(statements.statement_key, '[._]item$')
                then coalesce(statements.printed_label, 'item')
            else coalesce(
                statement_keys.item,
                substr(statements.statement_key, length(split_part(statements.statement_key, '.', 1)) + 2)
            )
        end as item,
        regexp_matches(statements.statement_key, '[._]item$') as is_line_item,
        statement_keys.label_zh,
        coalesce(statements.reference_year, documents.fiscal_year) as reference_year,
        statements.reference_year is null as is_reference_year_assumed,
        statements.base_year,
        statements.phase,
        statements.measure,
        statements.source,
        statements.amount_yuan,
        statements.percent,
        statements.quantity,
        statements.quantity_unit,
        statements.printed_value,
        statements.printed_unit,
        statements.printed_label,
        statements.is_derived,
        statements.section_key,
        statements.page,
        statements.char_start,
        statements.char_end,
        statements.table_cell,
        statements.table_kind,
        coalesce(statements.table_kind = statement_keys.preferred_table_kind, false) as is_preferred_table

    from statements
    inner join documents
        on statements.document_id = documents.document_id
    left join statement_keys
        on statements.statement_key = statement_keys.statement_key
    where documents.is_current

),

ranked as (

    select
        *,
        row_number() over mention_window as mention_rank,
        count(*) over mention_window as n_mentions,
        min(coalesce(amount_yuan, percent, quantity)) over mention_window
            is distinct from max(coalesce(amount_yuan, percent, quantity)) over mention_window
            as has_conflicting_mentions
    from joined
    window mention_window as (
        partition by document_id, statement_key, item, source, phase, reference_year, measure
        order by is_preferred_table desc, is_derived, page nulls last, char_start nulls last, statement_seq
        rows between unbounded preceding and unbounded following
    )

),

final as (

    select * exclude (mention_rank)
    from ranked
    where mention_rank = 1

)

select * from final
