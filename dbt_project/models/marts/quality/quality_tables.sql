{{ config(materialized='by_document') }}
-- Tables as printed, six checks, one row per check instance:
--   identity:table_sum: a printed 合计 / subtotal is not the sum of its line items; and 人员经费 +
--     公用经费 (the economic table) is not the 基本支出 total of the 一般公共预算 functional table
--     (warning);
--   empty_note_with_figures: a table carries figures and also the note '本表为空表' (error);
--   table_code_misprinted: a classification code printed wrongly ('7' for 210; '301 2' for
--     301 02) (warning);
--   empty_note_names_other_table: an empty table's note speaks of another fund than its title
--     (国有资本经营 table, note about 政府性基金) (warning);
--   economic_name_nonstandard: an economic classification code printed with another name than
--     the standard one (seed classification_code_names: 30202 印刷费, not 咨询费) (warning);
--   table_without_figures: a table recognised by its title from which no figure was read, with
--     no note saying it is empty (info).
--
-- Everything is computed here from what the reader recorded: raw.printed_tables (each table's
-- kind, title, page, the rows that carry figures and the note an empty table prints),
-- raw.classification_lines (each line's table, column group and column, code, level, total row)
-- and raw.statements (a 三公 table's figures, by its table_cell 't<table>#r<row>,c<col>'). The one
-- check that stays a parse issue is a 类 code printed wrongly that the reader had to complete from
-- the rows above (table_code_misprinted): only its failures exist.
with

documents as (

    select * from {{ changed_documents_only(ref('dim_document')) }}

),

-- a superseded version, or a file set aside for another holding the same disclosure, is not
-- checked again (its pair is one finding, quality_duplicates)
checked as (

    select document_id from documents
    where superseded_by is null and duplicate_of is null

),

printed_tables as (

    select
        printed_tables.*,
        coalesce(nullif(printed_tables.title, ''), 'table ' || printed_tables.table_seq) as table_title
    from {{ changed_documents_only(ref('stg_disclosures__printed_tables')) }} as printed_tables
    inner join checked
        on printed_tables.document_id = checked.document_id

),

-- the lines of the classified tables, each in its table, column group and column
table_lines as (

    select
        lines.document_id,
        lines.table_seq,
        lines.column_group,
        lines.column_index,
        lines.column_key,
        lines.row_seq,
        nullif(lines.classification_code, '') as code,
        lines.classification_level as level,
        lines.is_total,
        coalesce(lines.classification_name, '') as name,
        coalesce(lines.amount_yuan, 0) as amount_yuan,
        lines.page
    from {{ changed_documents_only(ref('stg_disclosures__classification_lines')) }} as lines
    inner join checked
        on lines.document_id = checked.document_id
    where lines.table_seq is not null

),

-- the rows with a code, whichever columns they print figures in
coded_rows as (

    select document_id, table_seq, column_group, row_seq, any_value(code) as code, any_value(level) as level,
        any_value(name) as name, any_value(page) as page
    from table_lines
    where code is not null
    group by document_id, table_seq, column_group, row_seq

),

group_columns as (

    select distinct document_id, table_seq, column_group, column_index, column_key
    from table_lines

),

-- a printed 合计 against its top-level (类) rows, per column
top_level_sums as (

    select document_id, table_seq, column_group, column_index, sum(amount_yuan) as parts_yuan
    from table_lines
    where code is not null and level = 1
    group by document_id, table_seq, column_group, column_index

),

groups_coded as (

    select document_id, table_seq, column_group, count(*) filter (where level = 1) as top_rows
    from coded_rows
    group by document_id, table_seq, column_group

),

total_sums as (

    select
        totals.document_id,
        totals.table_seq,
        totals.column_index,
        totals.column_key,
        totals.row_seq,
        totals.page,
        totals.amount_yuan as printed_yuan,
        coalesce(top_level_sums.parts_yuan, 0) as parts_yuan,
        'the ' || groups_coded.top_rows || ' top-level rows' as what,
        1 as figures
    from table_lines as totals
    inner join groups_coded
        on totals.document_id = groups_coded.document_id
        and totals.table_seq = groups_coded.table_seq
        and totals.column_group = groups_coded.column_group
    left join top_level_sums
        on totals.document_id = top_level_sums.document_id
        and totals.table_seq = top_level_sums.table_seq
        and totals.column_group = top_level_sums.column_group
        and totals.column_index = top_level_sums.column_index
    where totals.is_total

),

-- a 类 or 款 row against its items (the rows one level below whose code it begins), per column
-- where the row or one of its items prints a figure
parents as (

    select parents.*
    from coded_rows as parents
    where parents.level in (1, 2)
        and exists (
            select 1 from coded_rows as items
            where items.document_id = parents.document_id
                and items.table_seq = parents.table_seq
                and items.column_group = parents.column_group
                and items.level = parents.level + 1
                and starts_with(items.code, parents.code)
        )

),

parent_sums as (

    select
        parents.document_id,
        parents.table_seq,
        group_columns.column_index,
        group_columns.column_key,
        parents.row_seq,
        parents.page,
        coalesce(any_value(own.amount_yuan), 0) as printed_yuan,
        coalesce(sum(items.amount_yuan), 0) as parts_yuan,
        'the items of ' || parents.code || ' ' || parents.name as what,
        count(own.amount_yuan) + count(items.amount_yuan) as figures
    from parents
    inner join group_columns
        on parents.document_id = group_columns.document_id
        and parents.table_seq = group_columns.table_seq
        and parents.column_group = group_columns.column_group
    left join table_lines as own
        on own.document_id = parents.document_id
        and own.table_seq = parents.table_seq
        and own.column_group = parents.column_group
        and own.row_seq = parents.row_seq
        and own.column_index = group_columns.column_index
    left join table_lines as items
        on items.document_id = parents.document_id
        and items.table_seq = parents.table_seq
        and items.column_group = parents.column_group
        and items.column_index = group_columns.column_index
        and items.code is not null
        and items.level = parents.level + 1
        and starts_with(items.code, parents.code)
    group by parents.document_id, parents.table_seq, parents.column_group, group_columns.column_index,
        group_columns.column_key, parents.row_seq, parents.page, parents.code, parents.name

),

-- a 三公 table: its total against its three items, the vehicle total against purchase and
-- operation, per phase, year and measure (the figures of one table: table_cell 't<n>#…')
sangong_figures as (

    select
        statements.document_id,
        cast(regexp_extract(statements.table_cell, '^t(\d+)#', 1) as integer) as table_seq,
        statements.phase,
        statements.reference_year,
        statements.measure,
        statements.statement_key,
        statements.amount_yuan,
        statements.page
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join checked
        on statements.document_id = checked.document_id
    where statements.source = 'table'
        and statements.table_kind = 'sangong'
        and regexp_matches(coalesce(statements.table_cell, ''), '^t\d+#')
        and statements.amount_yuan is not null

),

sangong_rules as (

    select * from (values
        ('sangong.total', ['sangong.overseas_travel', 'sangong.vehicle_total', 'sangong.reception']),
        ('sangong.vehicle_total', ['sangong.vehicle_purchase', 'sangong.vehicle_operation'])
    ) as t (total_key, part_keys)

),

sangong_sums as (

    select
        totals.document_id,
        totals.table_seq,
        totals.phase,
        totals.reference_year,
        totals.measure,
        sangong_rules.total_key,
        sangong_rules.part_keys,
        any_value(totals.amount_yuan) as printed_yuan,
        any_value(totals.page) as page,
        sum(parts.amount_yuan) as parts_yuan
    from sangong_figures as totals
    inner join sangong_rules
        on totals.statement_key = sangong_rules.total_key
    inner join sangong_figures as parts
        on parts.document_id = totals.document_id
        and parts.table_seq = totals.table_seq
        and parts.phase = totals.phase
        and parts.reference_year is not distinct from totals.reference_year
        and parts.measure = totals.measure
        and list_contains(sangong_rules.part_keys, parts.statement_key)
    group by all

),

sum_checks as (

    select
        sums.document_id,
        'identity:table_sum' as check_name,
        'sum:' || sums.table_seq || ':' || sums.column_index || ':' || sums.row_seq as check_key,
        printed_tables.table_title as subject,
        'warning' as severity,
        sums.printed_yuan as observed,
        sums.parts_yuan as expected,
        cast(0 as decimal(38, 2)) as tolerance,
        'yuan' as observed_unit,
        sums.page,
        if(sums.printed_yuan = sums.parts_yuan, 'passed', 'failed') as status,
        printed_tables.table_title || ', page ' || coalesce(cast(sums.page as varchar), '?') || ', column '''
            || coalesce(sums.column_key, '?') || ''': ' || sums.what || ' add up to '
            || {{ yuan_text('sums.parts_yuan') }} || ' but the printed total is '
            || {{ yuan_text('sums.printed_yuan') }} as message
    from (
        select * from total_sums
        union all by name
        select * from parent_sums
    ) as sums
    inner join printed_tables
        on sums.document_id = printed_tables.document_id
        and sums.table_seq = printed_tables.table_seq
    where sums.figures > 0

    union all

    select
        sangong_sums.document_id,
        'identity:table_sum' as check_name,
        'sangong:' || sangong_sums.table_seq || ':' || sangong_sums.total_key || ':' || sangong_sums.phase
            || ':' || coalesce(cast(sangong_sums.reference_year as varchar), '') || ':' || sangong_sums.measure
            as check_key,
        printed_tables.table_title as subject,
        'warning' as severity,
        sangong_sums.printed_yuan as observed,
        sangong_sums.parts_yuan as expected,
        cast(0 as decimal(38, 2)) as tolerance,
        'yuan' as observed_unit,
        sangong_sums.page,
        if(sangong_sums.printed_yuan = sangong_sums.parts_yuan, 'passed', 'failed') as status,
        printed_tables.table_title || ', page ' || coalesce(cast(sangong_sums.page as varchar), '?') || ': '
            || array_to_string(sangong_sums.part_keys, ', ') || ' (' || sangong_sums.phase || ' '
            || coalesce(cast(sangong_sums.reference_year as varchar), '?')
            || if(sangong_sums.measure = 'amount', '', ' ' || sangong_sums.measure) || ') add up to '
            || {{ yuan_text('sangong_sums.parts_yuan') }} || ' but ' || sangong_sums.total_key
            || ' is printed as ' || {{ yuan_text('sangong_sums.printed_yuan') }} as message
    from sangong_sums
    inner join printed_tables
        on sangong_sums.document_id = printed_tables.document_id
        and sangong_sums.table_seq = printed_tables.table_seq

),

-- the funds an empty table's title and its note may name, in the order they are looked for
funds as (

    select ['政府性基金', '国有资本经营'] as names

),

noted_tables as (

    select
        printed_tables.*,
        list_filter(funds.names, lambda f: contains(printed_tables.table_title, f)) as titled,
        list_filter(funds.names, lambda f: contains(printed_tables.note, f)) as named
    from printed_tables, funds
    where printed_tables.note is not null

),

empty_note_checks as (

    -- a table noted as empty that prints figures
    select
        document_id,
        'empty_note_with_figures' as check_name,
        'table:' || table_seq as check_key,
        table_title as subject,
        'error' as severity,
        cast(null as decimal(38, 2)) as observed,
        cast(null as decimal(38, 2)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        cast(null as varchar) as observed_unit,
        page,
        if(rows_with_figures > 0, 'failed', 'passed') as status,
        table_title || ', page ' || coalesce(cast(page as varchar), '?') || ': the table carries figures ('
            || rows_with_figures || ' rows) but also the note ''' || note || '''' as message
    from noted_tables

    union all

    -- an empty table whose note speaks of another fund than its title
    select
        document_id,
        'empty_note_names_other_table' as check_name,
        'table:' || table_seq as check_key,
        table_title as subject,
        'warning' as severity,
        cast(null as decimal(38, 2)) as observed,
        cast(null as decimal(38, 2)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        cast(null as varchar) as observed_unit,
        page,
        if(titled = named, 'passed', 'failed') as status,
        'The table ''' || table_title || ''' (page ' || coalesce(cast(nullif(page, 0) as varchar), '?')
            || ') is empty, but its note speaks of ' || named[1] || ', not of ' || titled[1] || ': '
            || note as message
    from noted_tables
    where rows_with_figures = 0 and len(titled) > 0 and len(named) > 0

    union all

    -- a table recognised by its title that carries no figure and no note saying it is empty:
    -- empty without saying so, or printed in a way the reader did not read (its figures are missing
    -- from the warehouse either way)
    select
        document_id,
        'table_without_figures' as check_name,
        'table:' || table_seq as check_key,
        table_title as subject,
        'info' as severity,
        cast(rows_with_figures as decimal(38, 2)) as observed,
        cast(null as decimal(38, 2)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        'rows' as observed_unit,
        page,
        if(rows_with_figures > 0 or note is not null, 'passed', 'failed') as status,
        'The table ''' || table_title || ''' (page ' || coalesce(cast(page as varchar), '?')
            || ', ' || table_kind || ') was recognised, but no figure was read from it and it prints no '
            || 'note saying it is empty: it is empty without saying so, or its layout was not read.'
            as message
    from printed_tables


),

-- a 类 code the reader completed from the rows above ('7' under 210): a parse issue, failures only
code_issues as (

    select
        issues.document_id,
        'table_code_misprinted' as check_name,
        concat_ws('|', issues.source_path, issues.issue_seq) as check_key,
        trim(split_part(issues.said, ', page', 1)) as subject,
        'warning' as severity,
        cast(null as decimal(38, 2)) as observed,
        cast(null as decimal(38, 2)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        cast(null as varchar) as observed_unit,
        issues.page,
        'failed' as status,
        issues.said as message
    from (
        select
            *,
            -- the message without the file's path ('path: <title>, page n ...')
            if(contains(message, ': '), substr(message, strpos(message, ': ') + 2), message) as said
        from {{ changed_documents_only(ref('stg_disclosures__parse_issues')) }}
        where issue_code = 'table_code_misprinted'
    ) as issues
    left join documents
        on issues.document_id = documents.document_id
    where documents.document_id is null
        or (documents.superseded_by is null and documents.duplicate_of is null)

),

current_documents as (

    select document_id, fiscal_year from documents where is_current is not false

),

-- 人员经费 and 公用经费 as the tables state them: the last figure of each per phase, as the
-- extractor kept it (documents checked as their issues are: not superseded or set aside)
basic_parts as (

    select statements.document_id, statements.phase, statements.statement_key, statements.amount_yuan,
        statements.page
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    left join documents
        on statements.document_id = documents.document_id
    where statements.source = 'table'
        and statements.statement_key in ('expenditure.personnel', 'expenditure.public_operating')
        and statements.phase in ('budget', 'actual')
        and (documents.document_id is null
             or (documents.superseded_by is null and documents.duplicate_of is null))
    qualify row_number() over (partition by statements.document_id, statements.phase, statements.statement_key
                               order by statements.statement_seq desc) = 1

),

-- the 基本支出 合计 of the 一般公共预算 functional table: its first total line per phase
basic_totals as (

    select document_id, phase, amount_yuan, page
    from {{ changed_documents_only(ref('stg_disclosures__classification_lines')) }}
    where table_kind = 'gpb_function'
        and is_total
        and column_key = 'basic'
    qualify row_number() over (partition by document_id, phase order by line_seq) = 1

),

basic_sums as (

    select
        parts.document_id,
        parts.phase,
        parts.personnel_yuan,
        parts.public_yuan,
        parts.personnel_yuan + parts.public_yuan as parts_yuan,
        parts.personnel_page,
        basic_totals.amount_yuan as basic_yuan,
        basic_totals.page as basic_page
    from (
        select
            document_id,
            phase,
            any_value(amount_yuan) filter (where statement_key = 'expenditure.personnel') as personnel_yuan,
            any_value(amount_yuan) filter (where statement_key = 'expenditure.public_operating') as public_yuan,
            any_value(page) filter (where statement_key = 'expenditure.personnel') as personnel_page,
            count(*) as n_parts
        from basic_parts
        group by document_id, phase
    ) as parts
    inner join basic_totals
        on parts.document_id = basic_totals.document_id
        and parts.phase = basic_totals.phase
    where parts.n_parts = 2
        and basic_totals.amount_yuan is not null

),

basic_checks as (

    select
        document_id,
        'identity:table_sum' as check_name,
        'basic:' || phase as check_key,
        -- a failure names its figures as the extractor's issue did (the frozen findings key on it)
        if(parts_yuan = basic_yuan, '人员经费 + 公用经费 = 一般公共预算 基本支出 (' || phase || ')', said)
            as subject,
        'warning' as severity,
        cast(null as decimal(38, 2)) as observed,
        cast(null as decimal(38, 2)) as expected,
        cast(0 as decimal(38, 2)) as tolerance,
        cast(null as varchar) as observed_unit,
        personnel_page as page,
        if(parts_yuan = basic_yuan, 'passed', 'failed') as status,
        said as message
    from (
        select
            *,
            '人员经费 ' || format('{:,.2f}', personnel_yuan) || ' + 公用经费 ' || format('{:,.2f}', public_yuan)
                || ' (page ' || coalesce(cast(personnel_page as varchar), 'None') || ') add up to '
                || {{ yuan_text('parts_yuan') }} || ' but the 一般公共预算 基本支出 total (page '
                || coalesce(cast(basic_page as varchar), 'None') || ') is printed as '
                || {{ yuan_text('basic_yuan') }} as said
        from basic_sums
    )

),

-- the standard economic names (部门预算支出经济分类), compared without spaces, brackets and 费
standard_names as (

    select code, year_from, year_to, name, {{ classification_name_key('name') }} as name_key
    from {{ ref('classification_code_names') }}
    where scheme = 'economic_department'

),

economic_lines as (

    select
        lines.document_id,
        lines.line_seq,
        lines.classification_code as code,
        coalesce(lines.classification_name, '') as name,
        {{ classification_name_key("coalesce(lines.classification_name, '')") }} as name_key,
        coalesce(lines.printed_code, '') as printed_code,
        -- the printed code's parts, split at whitespace ('301 2' -> ['301', '2'])
        regexp_extract_all(coalesce(lines.printed_code, ''), '[^\s\pZ\x{0b}\x{1c}-\x{1f}\x{85}]+')
            as printed_parts,
        lines.page,
        current_documents.fiscal_year
    from {{ changed_documents_only(ref('stg_disclosures__classification_lines')) }} as lines
    inner join current_documents
        on lines.document_id = current_documents.document_id
    where starts_with(lines.scheme, 'economic')
        and coalesce(lines.classification_code, '') <> ''

),

economic_verdicts as (

    select
        economic_lines.*,
        standard_names.name as standard_name,
        -- a 款 printed with one digit: '301 2' (the 款 code has two digits: 301 02)
        len(printed_parts) = 2 and length(printed_parts[1]) = 3 and length(printed_parts[2]) <> 2
            as is_misprinted,
        standard_names.name is not null and economic_lines.name <> ''
            and standard_names.name_key <> economic_lines.name_key
            as is_nonstandard
    from economic_lines
    left join standard_names
        on economic_lines.code = standard_names.code
        and coalesce(economic_lines.fiscal_year, standard_names.year_from)
            between standard_names.year_from and standard_names.year_to

),

-- one verdict per code and document: its first row printed wrongly (code, then name), or, when
-- every row prints it well, that it passed
economic_codes as (

    select
        *,
        bool_or(is_misprinted or is_nonstandard) over (partition by document_id, code) as code_failed
    from economic_verdicts
    qualify row_number() over (partition by document_id, code
                               order by (is_misprinted or is_nonstandard) desc, line_seq) = 1

),

code_checks as (

    select
        document_id,
        'table_code_misprinted' as check_name,
        code as check_key,
        code || ' ' || name as subject,
        'warning' as severity,
        page,
        if(is_misprinted, 'failed', 'passed') as status,
        'The economic classification row ''' || name || ''' (page '
            || coalesce(cast(nullif(page, 0) as varchar), '?') || ') prints its code as ''' || printed_code
            || '''; the 款 code has two digits (' || code[1:3] || ' ' || code[4:] || ').' as message
    from economic_codes
    where is_misprinted or not code_failed

    union all

    select
        document_id,
        'economic_name_nonstandard' as check_name,
        code as check_key,
        code || ' ' || name as subject,
        'warning' as severity,
        page,
        if(is_nonstandard and not is_misprinted, 'failed', 'passed') as status,
        'Economic classification code ' || code || ' is printed as ''' || name || ''' (page '
            || coalesce(cast(nullif(page, 0) as varchar), '?') || '); the standard name of ' || code
            || ' is ''' || coalesce(standard_name, '?')
            || '''. Figures filed under this code may belong to another item.' as message
    from economic_codes
    where (is_nonstandard and not is_misprinted) or (not code_failed and standard_name is not null and name <> '')

),

checks as (

    select * from sum_checks
    union all by name
    select * from code_issues
    union all by name
    select * from basic_checks
    union all by name
    select * from empty_note_checks
    union all by name
    select * from code_checks

)

{{ typed_checks('tables') }}
