{{ config(materialized='by_document') }}
-- Narrative vs tables: a figure the text states agrees with the table that carries it, compared at
-- the text's printed precision (a figure printed as '887.36万元' stands for anything within 100 yuan
-- of it: printed_step). Four checks, one row per check instance:
--   narrative_vs_table: an amount the text states (a statement of source 'narrative') vs the table
--     figures of the same statement_key, reference year and phase (the nearest of them; a total may
--     also be a table's grand total: table_alternates). A total no table prints as one cell is
--     compared with the sum of its parts (derived_table_totals: 财政拨款收入支出总计 = 财政拨款收入 +
--     年初结转和结余);
--   narrative_vs_table:function_item: an item explanation of the text (statement_key
--     'expenditure.function_item', label = the quoted 类/款/项 path) vs the row of the same path in
--     the function table (the 一般公共预算 function table, else the expenditure table; column
--     'total'). A path whose 款 and 项 agree with one row but whose 类 is named otherwise matches it;
--   narrative_truncated: a figure that agrees within one printed step is the table's rounded, not
--     truncated: off by at most half a step (info);
--   narrative_class_name: the text names the 类 of a matched row as the table does (warning; one
--     check per table row, the first item that names it otherwise reported).
-- Beyond one printed step the figures differ: an error when also beyond 1% of the table's figure,
-- else a warning. Each figure is compared once per document (repeats of one figure add nothing).
with

-- a total the text states may be a table's year total or its grand total (收入预算 includes the
-- 上年结转 where the table prints it below its 本年收入合计): both are the figure's table cells
table_alternates as (

    select * from (values
        ('revenue.total', 'revenue.grand_total', 1),
        ('expenditure.total', 'expenditure.grand_total', 1)
    ) as t (statement_key, table_key, alternate_order)

),

-- totals the text states that tables print only as parts: the parts added up, in this order
derived_table_totals as (

    select * from (values
        ('revenue.fiscal_appropriation_grand_total', 'revenue.fiscal_appropriation', 1),
        ('revenue.fiscal_appropriation_grand_total', 'revenue.fiscal_carryover', 2)
    ) as t (statement_key, table_key, part_order)

),

-- the tables whose function rows the text's item explanations describe, in order of preference
function_tables as (

    select * from (values ('gpb_function', 1), ('expenditure_by_function', 2)) as t (table_kind, preference)

),

current_documents as (

    select document_id, fiscal_year from {{ changed_documents_only(ref('dim_document')) }} where is_current is not false

),

amounts as (

    select statements.*, current_documents.fiscal_year
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join current_documents
        on statements.document_id = current_documents.document_id
    where statements.measure = 'amount'
        and statements.amount_yuan is not null

),

-- the text's figures (item explanations apart), each key, year, phase and amount once: as first printed
stated as (

    select *
    from amounts
    where source = 'narrative'
        and statement_key is distinct from 'expenditure.function_item'
    qualify row_number() over (partition by document_id, statement_key, reference_year, phase, amount_yuan
                               order by statement_seq) = 1

),

table_figures as (

    select *
    from amounts
    where source = 'table'
        and statement_key is distinct from 'expenditure.function_item'

),

-- the table keys a stated figure is compared with: its own first, then its alternates
cell_keys as (

    select distinct statement_key, statement_key as table_key, 0 as alternate_order from stated
    union all
    select statement_key, table_key, alternate_order from table_alternates

),

-- the table cell nearest the stated figure, and the pages of all its cells
compared_with_cells as (

    select
        stated.document_id,
        stated.statement_seq,
        first(cells.amount_yuan order by abs(cells.amount_yuan - stated.amount_yuan), cell_keys.alternate_order,
              cells.statement_seq) as table_yuan,
        'the table (page '
            || coalesce(nullif(array_to_string(list(distinct cells.page order by cells.page)
                                                   filter (where cells.page <> 0), ', '), ''), '?')
            || ')' as table_text
    from stated
    inner join cell_keys
        on stated.statement_key = cell_keys.statement_key
    inner join table_figures as cells
        on stated.document_id = cells.document_id
        and cell_keys.table_key = cells.statement_key
        and stated.reference_year = cells.reference_year
        and stated.phase = cells.phase
    group by stated.document_id, stated.statement_seq

),

-- a derived total without cells of its own: each part's first table cell
derived_parts as (

    select
        stated.document_id,
        stated.statement_seq,
        stated.statement_key,
        derived.part_order,
        derived.table_key,
        first(cells.amount_yuan order by cells.statement_seq) as part_yuan,
        first(cells.page order by cells.statement_seq) as part_page
    from stated
    inner join derived_table_totals as derived
        on stated.statement_key = derived.statement_key
    inner join table_figures as cells
        on stated.document_id = cells.document_id
        and derived.table_key = cells.statement_key
        and stated.reference_year = cells.reference_year
        and stated.phase = cells.phase
    anti join compared_with_cells
        on stated.document_id = compared_with_cells.document_id
        and stated.statement_seq = compared_with_cells.statement_seq
    group by all

),

-- compared only when the tables print every part
compared_with_parts as (

    select
        derived_parts.document_id,
        derived_parts.statement_seq,
        sum(derived_parts.part_yuan) as table_yuan,
        'the table''s ' || string_agg(derived_parts.table_key, ' + ' order by derived_parts.part_order)
            || ' (page ' || coalesce(cast(nullif(first(derived_parts.part_page order by derived_parts.part_order), 0)
                                          as varchar), '?')
            || ', derived)' as table_text
    from derived_parts
    inner join (select statement_key, count(*) as n_parts from derived_table_totals group by all) as needed
        on derived_parts.statement_key = needed.statement_key
    group by derived_parts.document_id, derived_parts.statement_seq, needed.n_parts
    having count(*) = needed.n_parts

),

statement_comparisons as (

    select
        stated.document_id,
        stated.statement_seq,
        'narrative_vs_table' as check_name,
        stated.statement_key as subject,
        stated.statement_key || ' ' || stated.phase || ' ' || stated.reference_year as what,
        tables.table_text,
        tables.table_yuan,
        stated.amount_yuan,
        stated.printed_value,
        stated.printed_unit,
        stated.page
    from stated
    inner join (
        select * from compared_with_cells
        union all
        select * from compared_with_parts
    ) as tables
        on stated.document_id = tables.document_id
        and stated.statement_seq = tables.statement_seq

),

-- the function rows of each document and phase, of its preferred function table
function_lines as (

    select
        lines.*,
        {{ class_name_key('lines.classification_name') }} as name_key
    from {{ changed_documents_only(ref('stg_disclosures__classification_lines')) }} as lines
    inner join current_documents
        on lines.document_id = current_documents.document_id
    inner join function_tables
        on lines.table_kind = function_tables.table_kind
    where lines.scheme = 'function'
        and lines.column_key = 'total'
        and nullif(lines.classification_code, '') is not null
        and lines.amount_yuan is not null
    qualify function_tables.preference = min(function_tables.preference)
        over (partition by lines.document_id, lines.phase)

),

-- each code's name in its table (a code printed twice: its last row's)
code_names as (

    select document_id, phase, classification_code, name_key
    from function_lines
    qualify row_number() over (partition by document_id, phase, classification_code order by line_seq desc) = 1

),

-- each row's 类/款/项 path: the names of its code's 3-, 5- and 7-digit prefixes ('' when not printed)
function_rows as (

    select
        lines.document_id,
        lines.phase,
        lines.table_kind,
        lines.classification_code as code,
        lines.amount_yuan,
        lines.page,
        case
            when length(lines.classification_code) >= 7
                then [coalesce(class.name_key, ''), coalesce(section.name_key, ''), coalesce(item.name_key, '')]
            when length(lines.classification_code) >= 5
                then [coalesce(class.name_key, ''), coalesce(section.name_key, '')]
            when length(lines.classification_code) >= 3
                then [coalesce(class.name_key, '')]
            else []
        end as path
    from function_lines as lines
    left join code_names as class
        on lines.document_id = class.document_id and lines.phase = class.phase
        and class.classification_code = left(lines.classification_code, 3)
    left join code_names as section
        on lines.document_id = section.document_id and lines.phase = section.phase
        and section.classification_code = left(lines.classification_code, 5)
    left join code_names as item
        on lines.document_id = item.document_id and lines.phase = item.phase
        and item.classification_code = left(lines.classification_code, 7)

),

-- the text's item explanations of the document's own year, each label, phase and amount once
item_explanations as (

    select
        *,
        {{ class_path('printed_label') }} as path
    from amounts
    where statement_key = 'expenditure.function_item'
        and source = 'narrative'
        and phase in ('budget', 'actual')
        and reference_year = fiscal_year
    qualify row_number() over (partition by document_id, printed_label, phase, amount_yuan order by statement_seq) = 1

),

-- the rows of the same depth as an item's path
item_candidates as (

    select
        items.document_id,
        items.statement_seq,
        items.path,
        function_rows.code,
        function_rows.table_kind,
        function_rows.amount_yuan as table_yuan,
        function_rows.page as table_page,
        function_rows.path as table_path,
        function_rows.path = items.path as is_same_path,
        function_rows.path[2:] = items.path[2:] as is_same_tail
    from item_explanations as items
    inner join function_rows
        on items.document_id = function_rows.document_id
        and items.phase = function_rows.phase
        and len(items.path) = len(function_rows.path)
    where len(items.path) > 0

),

-- an item's row: the one row of its path, else (no such row) the one row whose 款 and 项 agree
item_matches as (

    select
        *,
        not is_same_path as is_renamed
    from item_candidates
    window item as (partition by document_id, statement_seq)
    qualify
        (is_same_path and count(*) filter (where is_same_path) over item = 1)
        or (len(path) >= 2 and is_same_tail
            and count(*) filter (where is_same_path) over item = 0
            and count(*) filter (where is_same_tail) over item = 1)

),

function_item_comparisons as (

    select
        items.document_id,
        items.statement_seq,
        'narrative_vs_table:function_item' as check_name,
        items.printed_label as subject,
        'The item explanation ''' || items.printed_label || '''' as what,
        'the ' || matches.table_kind || ' table row ' || matches.code
            || ' (page ' || coalesce(cast(nullif(matches.table_page, 0) as varchar), '?') || ')' as table_text,
        matches.table_yuan,
        items.amount_yuan,
        items.printed_value,
        items.printed_unit,
        items.page
    from item_explanations as items
    inner join item_matches as matches
        on items.document_id = matches.document_id
        and items.statement_seq = matches.statement_seq

),

comparisons as (

    select
        *,
        {{ printed_step('printed_value', 'printed_unit') }} as step_yuan,
        abs(amount_yuan - table_yuan) as gap_yuan,
        what || ': the text (page ' || coalesce(cast(nullif(page, 0) as varchar), '?') || ') states '''
            || coalesce(nullif(printed_value, ''), {{ wan_text('amount_yuan') }}) || '''' as head
    from (
        select * from statement_comparisons
        union all by name
        select * from function_item_comparisons
    )

),

-- within one printed step the figures agree
figure_checks as (

    select
        document_id,
        check_name,
        cast(statement_seq as varchar) as check_key,
        subject,
        if(gap_yuan > step_yuan and gap_yuan * 100 > abs(table_yuan), 'error', 'warning') as severity,
        amount_yuan as observed,
        table_yuan as expected,
        step_yuan as tolerance,
        page,
        if(gap_yuan <= step_yuan, 'passed', 'failed') as status,
        head || ', but ' || table_text || ' gives ' || {{ yuan_text_even('table_yuan') }}
            || ' (' || {{ wan_text('table_yuan') }} || '): they differ by '
            || {{ wan_text('amount_yuan - table_yuan') }} || ', more than the printed precision ('
            || {{ yuan_text_even('step_yuan') }} || ') allows.' as message
    from comparisons

),

-- figures that agree within one printed step: rounded (within half a step), not truncated
truncation_checks as (

    select
        document_id,
        'narrative_truncated' as check_name,
        cast(statement_seq as varchar) as check_key,
        subject,
        'info' as severity,
        amount_yuan as observed,
        table_yuan as expected,
        step_yuan * 0.5 as tolerance,
        page,
        if(gap_yuan * 2 > step_yuan, 'failed', 'passed') as status,
        head || ', ' || table_text || ' gives ' || {{ yuan_text_even('table_yuan') }}
            || ': the text''s figure is truncated, not rounded (off by ' || {{ yuan_text_even('gap_yuan') }}
            || ', more than half of the printed step ' || {{ yuan_text_even('step_yuan') }} || ').' as message
    from comparisons
    where gap_yuan <= step_yuan

),

-- per table row an item matched: the text names its 类 as the table does (reported: the first item
-- naming it otherwise)
class_name_checks as (

    select
        items.document_id,
        'narrative_class_name' as check_name,
        matches.code as check_key,
        items.printed_label as subject,
        'warning' as severity,
        cast(null as decimal(38, 2)) as observed,
        cast(null as decimal(38, 2)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        items.page,
        if(matches.is_renamed, 'failed', 'passed') as status,
        'The text (page ' || coalesce(cast(nullif(items.page, 0) as varchar), '?') || ') names the class of '''
            || items.printed_label || ''' ''' || matches.path[1] || ''', but the ' || matches.table_kind
            || ' table (page ' || coalesce(cast(nullif(matches.table_page, 0) as varchar), '?') || ') names class '
            || left(matches.code, 3) || ' ''' || matches.table_path[1]
            || ''' (an obsolete or inconsistent class name).' as message
    from item_explanations as items
    inner join item_matches as matches
        on items.document_id = matches.document_id
        and items.statement_seq = matches.statement_seq
    qualify row_number() over (partition by items.document_id, matches.code
                               order by matches.is_renamed desc, items.statement_seq) = 1

),

checks as (

    select * from figure_checks
    union all by name
    select * from truncation_checks
    union all by name
    select * from class_name_checks

)

select
    'narrative' as concern,
    cast(document_id as varchar) as document_id,
    cast(check_name as varchar) as check_name,
    cast(check_key as varchar) as check_key,
    cast(subject as varchar) as subject,
    cast(severity as varchar) as severity,
    cast(observed as decimal(38, 2)) as observed,
    cast(expected as decimal(38, 2)) as expected,
    cast(tolerance as decimal(38, 2)) as tolerance,
    'yuan' as observed_unit,
    cast(page as integer) as page,
    cast(status as varchar) as status,
    cast(message as varchar) as message
from checks
