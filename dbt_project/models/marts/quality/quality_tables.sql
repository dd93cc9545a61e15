-- Tables as printed, five checks, one row per check instance:
--   identity:table_sum: a printed 合计 / subtotal is not the sum of its line items; and 人员经费 +
--     公用经费 (the economic table) is not the 基本支出 total of the 一般公共预算 functional table
--     (warning);
--   empty_note_with_figures: a table carries figures and also the note '本表为空表' (error);
--   table_code_misprinted: a classification code printed wrongly ('7' for 210; '301 2' for
--     301 02) (warning);
--   empty_note_names_other_table: an empty table's note speaks of another fund than its title
--     (国有资本经营 table, note about 政府性基金) (warning);
--   economic_name_nonstandard: an economic classification code printed with another name than
--     the standard one (seed classification_code_names: 30202 印刷费, not 咨询费) (warning).
--
-- 人员经费 + 公用经费 vs 基本支出, the codes' and names' checks and the empty tables' notes are
-- computed here from raw.statements, raw.classification_lines and the empty tables' info issues.
-- The other sums, empty_note_with_figures and the 类 codes read from the rows above are noticed by
-- the table extractor while it reads (ingest/extract/tables.py) and recorded as parse issues; only
-- their failures exist, so only failed rows come from them, and the figures of a sum are read back
-- from the issue's message. They stay there until the raw tables carry what they need:
-- raw.classification_lines does not say which printed table a line was read from (one document
-- can print two tables of one table_kind) nor which column group of the table (the 基本支出
-- economic table prints 人员经费 | 公用经费 side by side, each with its own 合计 on the same row
-- and column_key), so a 合计 cannot be matched to its own rows; nor does it keep the table's title
-- or rows printed without figures; raw.statements keep a 三公 table's number (table_cell) but
-- not its title, and a figure repeated from an earlier table is loaded once.
with

-- which parse issue becomes which check, and how serious its failure is
issue_checks as (

    select * from (values
        ('table_sum_mismatch', 'identity:table_sum', 'warning'),
        ('empty_note_with_figures', 'empty_note_with_figures', 'error'),
        ('table_code_misprinted', 'table_code_misprinted', 'warning')
    ) as t (issue_code, check_name, severity)

),

-- the funds an empty table's title and its note may name, in the order they are looked for
funds as (

    select ['政府性基金', '国有资本经营'] as names

),

documents as (

    select * from {{ ref('dim_document') }}

),

-- a superseded version, or a file set aside for another holding the same disclosure, is not
-- checked again (its pair is one finding, quality_duplicates); a file-level issue is
issues as (

    select
        issues.*,
        -- the message without the file's path ('path: <title>, page n ...')
        if(contains(issues.message, ': '), substr(issues.message, strpos(issues.message, ': ') + 2),
           issues.message) as said
    from {{ ref('stg_disclosures__parse_issues') }} as issues
    left join documents
        on issues.document_id = documents.document_id
    where documents.document_id is null
        or (documents.superseded_by is null and documents.duplicate_of is null)

),

titled_issues as (

    select
        *,
        -- the table's title: what the message names before ', page'
        trim(split_part(said, ', page', 1)) as table_title,
        concat_ws('|', source_path, issue_seq) as issue_key
    from issues

),

-- '... add up to 1,055,900.00 yuan but the printed total is 1,055,800.00 yuan'
read_issues as (

    select
        titled_issues.*,
        issue_checks.check_name,
        issue_checks.severity as check_severity,
        regexp_extract(said, 'add up to ([\d,]+\.\d\d) yuan but the printed total is ([\d,]+\.\d\d) yuan',
                       ['parts', 'total']) as sums
    from titled_issues
    inner join issue_checks
        on titled_issues.issue_code = issue_checks.issue_code

),

issue_failures as (

    select
        document_id,
        check_name,
        issue_key as check_key,
        table_title as subject,
        check_severity as severity,
        cast(nullif(replace(sums.total, ',', ''), '') as decimal(38, 2)) as observed,
        cast(nullif(replace(sums.parts, ',', ''), '') as decimal(38, 2)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        if(sums.total <> '', 'yuan', null) as observed_unit,
        page,
        'failed' as status,
        said as message
    from read_issues

),

-- an empty table's note ('... empty, as its note says: ''注：本单位无国有资本经营预算…''')
empty_notes as (

    select
        document_id,
        issue_key,
        table_title,
        page,
        trim(split_part(said, 'note says:', -1)) as note,
        list_filter(funds.names, lambda f: contains(table_title, f)) as titled,
        list_filter(funds.names, lambda f: contains(split_part(said, 'note says:', -1), f)) as named
    from titled_issues, funds
    where issue_code = 'empty_table_with_note'

),

empty_note_checks as (

    select
        document_id,
        'empty_note_names_other_table' as check_name,
        issue_key as check_key,
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
    from empty_notes
    where len(titled) > 0 and len(named) > 0

),

current_documents as (

    select document_id, fiscal_year from documents where is_current is not false

),

-- 人员经费 and 公用经费 as the tables state them: the last figure of each per phase, as the
-- extractor kept it (documents checked as their issues are: not superseded or set aside)
basic_parts as (

    select statements.document_id, statements.phase, statements.statement_key, statements.amount_yuan,
        statements.page
    from {{ ref('stg_disclosures__statements') }} as statements
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
    from {{ ref('stg_disclosures__classification_lines') }}
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
    from {{ ref('stg_disclosures__classification_lines') }} as lines
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

    select * from issue_failures
    union all by name
    select * from basic_checks
    union all by name
    select * from empty_note_checks
    union all by name
    select * from code_checks

)

select
    'tables' as concern,
    cast(document_id as varchar) as document_id,
    cast(check_name as varchar) as check_name,
    cast(check_key as varchar) as check_key,
    cast(subject as varchar) as subject,
    cast(severity as varchar) as severity,
    cast(observed as decimal(38, 2)) as observed,
    cast(expected as decimal(38, 2)) as expected,
    cast(tolerance as decimal(38, 2)) as tolerance,
    cast(observed_unit as varchar) as observed_unit,
    cast(page as integer) as page,
    cast(status as varchar) as status,
    cast(message as varchar) as message
from checks
