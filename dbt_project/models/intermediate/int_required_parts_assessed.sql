-- Every required part (seed required_parts) of every document that is assessed, found or not:
-- status present / empty_with_note / missing, the page and what was found (evidence).
--
-- A document is assessed against two lists of its kind (a null kind is a budget): its own region's
-- (the rows whose region_prefix starts its region_code; the general list '*' where none does), and
-- the general list, the same for every region (what the transparency marts compare). A part of
-- both lists is one row, flagged for each. A rejected file (not a disclosure, no text layer …) or
-- a document that is not current is not assessed.
--
-- How a part is looked for in what the extractors produced, the first way that finds it winning:
--   a table: rows of one of its table_kinds (the first kind the list names that the document has:
--     its first table row's page, else the first figure read from a table of that kind) ->
--     present; else the first table figure whose statement_key starts with one of its
--     table_statement_keys -> present; else the first table the reader recognised
--     (raw.printed_tables) whose title holds every one of its title_terms -> empty_with_note when
--     it prints no figures and the note that it is empty, else present; else missing;
--   a section: the first section whose section_key is one of its section_keys (or under one:
--     'sangong.total' under 'sangong') -> present; else the first heading holding one of its
--     heading_terms -> present; else the first text figure of one of its narrative_keys ->
--     present; else missing.
-- "First" is in the document's order (statement_seq, line_seq, section_seq, table_seq).
-- Built by document (each document's parts depend only on its own rows and its dim_document row):
-- a build rebuilds the documents of its change set.
{{ config(materialized='by_document') }}

with

parts as (

    select
        part_seq,
        disclosure_kind,
        region_prefix,
        part_key,
        part_name,
        part_type,
        severity_if_missing,
        source,
        -- the '|'-separated lists, empty entries dropped
        list_filter(string_split(coalesce(table_kinds, ''), '|'), lambda t: t <> '') as table_kinds,
        list_filter(string_split(coalesce(table_statement_keys, ''), '|'), lambda t: t <> '') as table_statement_keys,
        list_filter(string_split(coalesce(title_terms, ''), '|'), lambda t: t <> '') as title_terms,
        list_filter(string_split(coalesce(section_keys, ''), '|'), lambda t: t <> '') as section_keys,
        list_filter(string_split(coalesce(heading_terms, ''), '|'), lambda t: t <> '') as heading_terms,
        list_filter(string_split(coalesce(narrative_keys, ''), '|'), lambda t: t <> '') as narrative_keys
    from {{ ref('required_parts') }}

),

documents as (

    select
        document_id,
        coalesce(disclosure_kind, 'budget') as disclosure_kind,
        coalesce(region_code, '') as region_code
    from {{ changed_documents_only(ref('dim_document')) }}
    where is_current is distinct from false
        and status is distinct from 'rejected'

),

-- each document with the parts of its kind's lists that may apply: the general list and the
-- regional lists its region_code starts with
candidate_parts as (

    select
        documents.document_id,
        parts.*,
        parts.region_prefix <> '*' as is_regional
    from documents
    inner join parts
        on parts.disclosure_kind = documents.disclosure_kind
        and (parts.region_prefix = '*' or starts_with(documents.region_code, parts.region_prefix))

),

document_parts as (

    select
        *,
        -- its own region's list: the regional rows, or the general list where there are none
        is_regional or not bool_or(is_regional) over (partition by document_id) as is_own_list,
        not is_regional as is_general_list
    from candidate_parts

),

-- evidence -------------------------------------------------------------------------------------

statements as (

    select document_id, statement_seq, statement_key, source, table_kind, page
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }}
    where coalesce(statement_key, '') <> ''

),

-- per document and table kind, the page it is first seen on: its first table row's, else the
-- first figure read from a table of that kind
table_kind_pages as (

    select document_id, table_kind, page
    from (
        select document_id, table_kind, page, 0 as from_figures, line_seq as seq
        from {{ changed_documents_only(ref('stg_disclosures__classification_lines')) }}
        union all
        select document_id, table_kind, page, 1 as from_figures, statement_seq as seq
        from statements
        where source = 'table' and coalesce(table_kind, '') <> ''
    )
    qualify row_number() over (partition by document_id, table_kind order by from_figures, seq) = 1

),

sections as (

    select document_id, section_seq, nullif(section_key, '') as section_key, coalesce(heading, '') as heading, page
    from {{ changed_documents_only(ref('stg_disclosures__sections')) }}

),

-- the tables the reader recognised, by their printed titles (an empty one with its note)
table_titles as (

    select
        document_id,
        table_seq,
        note is not null and coalesce(rows_with_figures, 0) = 0 as is_empty_with_note,
        page,
        coalesce(title, '') as title
    from {{ changed_documents_only(ref('stg_disclosures__printed_tables')) }}

),

-- what finds each part, one candidate per way (way: the order the ways are tried) -------------

by_table_rows as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        1 as way,
        list_position(document_parts.table_kinds, table_kind_pages.table_kind) as seq,
        'present' as status,
        table_kind_pages.page,
        'table rows (' || table_kind_pages.table_kind || ')' as evidence
    from document_parts
    inner join table_kind_pages
        on table_kind_pages.document_id = document_parts.document_id
        and list_contains(document_parts.table_kinds, table_kind_pages.table_kind)
    where document_parts.part_type = 'table'

),

by_table_figures as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        2 as way,
        statements.statement_seq as seq,
        'present' as status,
        statements.page,
        'table figure ' || statements.statement_key as evidence
    from document_parts
    inner join statements
        on statements.document_id = document_parts.document_id
        and statements.source = 'table'
        and list_bool_or(list_transform(document_parts.table_statement_keys,
                                        lambda k: starts_with(statements.statement_key, k)))
    where document_parts.part_type = 'table'

),

by_table_titles as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        3 as way,
        table_titles.table_seq as seq,
        if(table_titles.is_empty_with_note, 'empty_with_note', 'present') as status,
        table_titles.page,
        '''' || table_titles.title || ''''
            || if(table_titles.is_empty_with_note, ' is empty, as its note says', '') as evidence
    from document_parts
    inner join table_titles
        on table_titles.document_id = document_parts.document_id
        and len(document_parts.title_terms) > 0
        and list_bool_and(list_transform(document_parts.title_terms, lambda t: contains(table_titles.title, t)))
    where document_parts.part_type = 'table'

),

by_section_keys as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        4 as way,
        sections.section_seq as seq,
        'present' as status,
        sections.page,
        'section ' || sections.section_key as evidence
    from document_parts
    inner join sections
        on sections.document_id = document_parts.document_id
        and list_bool_or(list_transform(document_parts.section_keys,
                                        lambda k: sections.section_key = k or starts_with(sections.section_key, k || '.')))
    where document_parts.part_type <> 'table'

),

by_headings as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        5 as way,
        sections.section_seq as seq,
        'present' as status,
        sections.page,
        'heading ''' || sections.heading || '''' as evidence
    from document_parts
    inner join sections
        on sections.document_id = document_parts.document_id
        and list_bool_or(list_transform(document_parts.heading_terms, lambda t: contains(sections.heading, t)))
    where document_parts.part_type <> 'table'

),

by_text_figures as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        6 as way,
        statements.statement_seq as seq,
        'present' as status,
        statements.page,
        'text states ' || statements.statement_key as evidence
    from document_parts
    inner join statements
        on statements.document_id = document_parts.document_id
        and statements.source is distinct from 'table'
        and list_contains(document_parts.narrative_keys, statements.statement_key)
    where document_parts.part_type <> 'table'

),

found as (

    select document_id, part_seq, status, page, evidence
    from (
        select * from by_table_rows
        union all select * from by_table_figures
        union all select * from by_table_titles
        union all select * from by_section_keys
        union all select * from by_headings
        union all select * from by_text_figures
    )
    qualify row_number() over (partition by document_id, part_seq order by way, seq) = 1

),

final as (

    select
        document_parts.document_id,
        document_parts.part_seq,
        document_parts.disclosure_kind,
        document_parts.region_prefix as list_region,
        document_parts.part_key,
        document_parts.part_name,
        document_parts.part_type,
        document_parts.severity_if_missing,
        coalesce(found.status, 'missing') as status,
        cast(found.page as integer) as page,
        coalesce(found.evidence,
                 if(document_parts.part_type = 'table',
                    'no table rows, table figures or table title found',
                    'no section heading or statement found')) as evidence,
        document_parts.source,
        document_parts.is_own_list,
        document_parts.is_general_list
    from document_parts
    left join found
        on found.document_id = document_parts.document_id
        and found.part_seq = document_parts.part_seq

)

select * from final
