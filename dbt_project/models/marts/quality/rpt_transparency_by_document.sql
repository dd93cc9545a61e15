-- Per document, the share of what a disclosure must contain that it publishes (present, or present
-- but empty as its note says): against the general list, the same for every region (published_pct,
-- the missing parts named, ranked within year and kind), and against its own region's list
-- (own_list_*). From int_required_parts_assessed; a document no list applies to has no row.
with

assessed as (

    select * from {{ ref('int_required_parts_assessed') }}

),

general_list as (

    select
        document_id,
        count(*) as n_required,
        count(*) filter (where status <> 'missing') as n_published,
        -- half to even, as Python's round() of the float share
        round_even(100.0 * count(*) filter (where status <> 'missing') / count(*), 1) as published_pct,
        string_agg(part_name, '；' order by part_seq) filter (where status = 'missing') as missing_parts
    from assessed
    where is_general_list
    group by document_id

),

own_list as (

    select
        document_id,
        count(*) as own_list_n_required,
        round_even(100.0 * count(*) filter (where status <> 'missing') / count(*), 1) as own_list_published_pct,
        string_agg(part_name, '；' order by part_seq) filter (where status = 'missing') as own_list_missing_parts
    from assessed
    where is_own_list
    group by document_id

),

final as (

    select
        general_list.document_id,
        documents.department_id,
        documents.department_name,
        documents.region_code,
        regions.full_name as region_full_name,
        documents.fiscal_year,
        documents.disclosure_kind,
        documents.scope,
        general_list.n_required,
        general_list.n_published,
        general_list.published_pct,
        general_list.missing_parts,
        own_list.own_list_n_required,
        own_list.own_list_published_pct,
        own_list.own_list_missing_parts,
        rank() over (partition by documents.fiscal_year, documents.disclosure_kind
                     order by general_list.published_pct desc) as transparency_rank
    from general_list
    inner join {{ ref('dim_document') }} as documents
        on documents.document_id = general_list.document_id
    left join own_list
        on own_list.document_id = general_list.document_id
    left join {{ ref('dim_region') }} as regions
        on regions.region_code = documents.region_code

)

select * from final
