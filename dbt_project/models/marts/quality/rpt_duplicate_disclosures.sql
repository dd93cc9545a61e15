-- One row per file set aside because another file holds the same disclosure (int_documents_ranked:
-- one current disclosure per department, year, kind and scope), beside the current one: both
-- paths, what differs between them (byte size, pages, format, how they were read) and the figures
-- they state differently. A figure is a statement key with its label, phase, reference year,
-- measure and source; its value is the set of values the document states for it. Read by
-- expectations/ (duplicates.py) to write a 'duplicate_disclosure' finding naming both files.
with

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

statements as (

    select * from {{ ref('stg_disclosures__statements') }}

),

pairs as (

    select
        set_aside.document_id,
        set_aside.duplicate_of as current_document_id,
        set_aside.department_id,
        set_aside.department_name,
        set_aside.fiscal_year,
        set_aside.disclosure_kind,
        set_aside.scope,
        set_aside.current_rule,
        set_aside.n_disclosure_files,
        set_aside.source_path,
        current_doc.source_path as current_source_path,
        set_aside.source_format,
        current_doc.source_format as current_source_format,
        set_aside.byte_size,
        current_doc.byte_size as current_byte_size,
        set_aside.page_count,
        current_doc.page_count as current_page_count,
        set_aside.status,
        current_doc.status as current_status,
        set_aside.first_seen_at,
        current_doc.first_seen_at as current_first_seen_at,
        set_aside.is_present,
        current_doc.is_present as current_is_present
    from documents as set_aside
    inner join documents as current_doc
        on set_aside.duplicate_of = current_doc.document_id
    where set_aside.duplicate_of is not null

),

figures as (

    select
        statements.document_id,
        statements.statement_key,
        coalesce(statements.printed_label, '') as label,
        coalesce(statements.phase, '') as phase,
        statements.reference_year,
        statements.measure,
        statements.source,
        string_agg(distinct figure, ' / ' order by figure) as stated
    from (
        select
            *,
            coalesce(
                cast(amount_yuan as varchar), cast(percent as varchar) || '%',
                cast(quantity as varchar) || coalesce(' ' || quantity_unit, '')
            ) as figure
        from statements
    ) as statements
    where statements.document_id in (
        select document_id from pairs
        union
        select current_document_id from pairs
    )
    group by all

),

sides as (

    select pairs.document_id as pair_id, 'set_aside' as side, figures.*
    from pairs
    inner join figures
        on pairs.document_id = figures.document_id
    union all
    select pairs.document_id as pair_id, 'current' as side, figures.*
    from pairs
    inner join figures
        on pairs.current_document_id = figures.document_id

),

compared as (

    select
        pair_id,
        statement_key,
        label,
        phase,
        reference_year,
        measure,
        source,
        max(stated) filter (where side = 'set_aside') as set_aside_stated,
        max(stated) filter (where side = 'current') as current_stated
    from sides
    group by all

),

differences as (

    select
        pair_id,
        count(*) as n_figures_compared,
        count(*) filter (where set_aside_stated is distinct from current_stated) as n_figures_differing,
        list(
            statement_key || coalesce(' ' || nullif(label, ''), '')
            || ' (' || coalesce(source, '?') || ', ' || coalesce(nullif(phase, ''), '?')
            || ' ' || coalesce(cast(reference_year as varchar), '?')
            || case when measure = 'amount' then '' else ', ' || coalesce(measure, '?') end || '): '
            || coalesce(set_aside_stated, 'not stated') || ' here, '
            || coalesce(current_stated, 'not stated') || ' in the current file'
            order by statement_key, label, source, phase, reference_year, measure
        ) filter (where set_aside_stated is distinct from current_stated) as differing
    from compared
    group by pair_id

),

final as (

    select
        pairs.*,
        coalesce(differences.n_figures_compared, 0) as n_figures_compared,
        coalesce(differences.n_figures_differing, 0) as n_figures_differing,
        array_to_string(list_slice(differences.differing, 1, 5), '; ') as differing_figures

    from pairs
    left join differences
        on pairs.document_id = differences.pair_id

)

select * from final
