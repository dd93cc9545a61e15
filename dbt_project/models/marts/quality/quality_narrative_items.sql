{{ config(materialized='by_document') }}
-- The text's items add up to its total ('identity:narrative_items_sum'), one row per document,
-- phase and year whose text explains two or more 项 items (item explanations: statement_key
-- 'expenditure.function_item' of the document's own year, a label naming a full 类/款/项 path,
-- each path once, as first printed): the items' sum vs the 一般公共预算 (else 财政拨款) expenditure
-- the text states for the same phase and year. Any difference fails: a warning beyond the
-- rounding of the printed figures (half a printed step of each item and of the total), else info.
-- Tables vs the text are quality_narrative; the parts-add-up-to-totals identities of the tables are
-- identity_rules.csv (quality_identities).
with

-- the totals the items make up, in order of preference
item_totals as (

    select * from (values
        ('expenditure.general_public_budget', 1),
        ('expenditure.fiscal_appropriation', 2)
    ) as t (statement_key, preference)

),

current_documents as (

    select document_id, fiscal_year from {{ changed_documents_only(ref('dim_document')) }} where is_current is not false

),

narrative_amounts as (

    select statements.*, current_documents.fiscal_year
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join current_documents
        on statements.document_id = current_documents.document_id
    where statements.measure = 'amount'
        and statements.source = 'narrative'
        and statements.amount_yuan is not null

),

-- the 项 items the text explains, each path once (as first printed)
items as (

    select *
    from (
        select *, {{ class_path('printed_label') }} as path
        from narrative_amounts
        where statement_key = 'expenditure.function_item'
            and reference_year = fiscal_year
    )
    where len(path) = 3
    qualify row_number() over (partition by document_id, phase, reference_year, array_to_string(path, '/')
                               order by statement_seq) = 1

),

item_sums as (

    select
        document_id,
        phase,
        reference_year,
        count(*) as n_items,
        sum(amount_yuan) as items_yuan,
        -- each item may be off by half its printed step
        sum({{ printed_step('printed_value', 'printed_unit') }} * 0.5) as items_rounding_yuan,
        coalesce(array_to_string(list(distinct page order by page) filter (where page <> 0), ', '), '') as pages_text
    from items
    group by all
    having count(*) >= 2

),

-- the total the text states: the preferred key's first statement
totals as (

    select
        narrative_amounts.*,
        {{ printed_step('narrative_amounts.printed_value', 'narrative_amounts.printed_unit') }} * 0.5 as rounding_yuan
    from narrative_amounts
    inner join item_totals
        on narrative_amounts.statement_key = item_totals.statement_key
    qualify row_number() over (partition by narrative_amounts.document_id, narrative_amounts.phase,
                                            narrative_amounts.reference_year
                               order by item_totals.preference, narrative_amounts.statement_seq) = 1

),

sums as (

    select
        item_sums.*,
        totals.statement_key as total_key,
        totals.amount_yuan as total_yuan,
        totals.page,
        item_sums.items_rounding_yuan + totals.rounding_yuan as tolerance_yuan,
        totals.amount_yuan - item_sums.items_yuan as diff_yuan
    from item_sums
    inner join totals
        on item_sums.document_id = totals.document_id
        and item_sums.phase = totals.phase
        and item_sums.reference_year = totals.reference_year

)

select
    'identities' as concern,
    cast(document_id as varchar) as document_id,
    'identity:narrative_items_sum' as check_name,
    cast(phase || ' ' || reference_year as varchar) as check_key,
    cast(total_key || ' ' || phase || ' ' || reference_year as varchar) as subject,
    if(abs(diff_yuan) > tolerance_yuan, 'warning', 'info') as severity,
    cast(total_yuan as decimal(38, 2)) as observed,
    cast(items_yuan as decimal(38, 2)) as expected,
    cast(tolerance_yuan as decimal(38, 2)) as tolerance,
    'yuan' as observed_unit,
    cast(page as integer) as page,
    if(diff_yuan = 0, 'passed', 'failed') as status,
    cast('The text explains ' || n_items || ' items (项) of ' || phase || ' ' || reference_year
         || ' expenditure (pages ' || pages_text || ') that add up to ' || {{ wan_text('items_yuan') }}
         || ', but it states ' || total_key || ' as ' || {{ wan_text('total_yuan') }}
         || ' (page ' || coalesce(cast(nullif(page, 0) as varchar), '?') || '): '
         || {{ wan_text('diff_yuan') }} || ' apart'
         || if(abs(diff_yuan) > tolerance_yuan,
               ', beyond rounding. An item is misstated or missing.',
               ', within the rounding of the printed items.') as varchar) as message
from sums
