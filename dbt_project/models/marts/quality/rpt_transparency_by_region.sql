-- Per region, fiscal year and kind, the share of the general list its documents publish (summed
-- over documents), the least complete document, the parts most often missing ('名称（n）', most
-- often first), ranked within year and kind (rpt_transparency_by_document per document).
with

documents as (

    select * from {{ ref('rpt_transparency_by_document') }}

),

by_region as (

    select
        region_code,
        fiscal_year,
        disclosure_kind,
        count(*) as n_documents,
        sum(n_published) as n_published,
        sum(n_required) as n_required,
        round(100.0 * sum(n_published) / sum(n_required), 1) as published_pct,
        min(published_pct) as least_complete_document_pct
    from documents
    group by all

),

missing_parts as (

    select region_code, fiscal_year, disclosure_kind, unnest(string_split(missing_parts, '；')) as part
    from documents
    where missing_parts is not null

),

missing_counts as (

    select region_code, fiscal_year, disclosure_kind, part, count(*) as n
    from missing_parts
    group by all

),

missing as (

    select
        region_code,
        fiscal_year,
        disclosure_kind,
        string_agg(part || '（' || n || '）', '；' order by n desc, part) as missing_parts
    from missing_counts
    group by all

),

final as (

    select
        by_region.region_code,
        regions.full_name as region_full_name,
        regions.level as region_level,
        by_region.fiscal_year,
        by_region.disclosure_kind,
        by_region.n_documents,
        by_region.n_required,
        by_region.n_published,
        by_region.published_pct,
        by_region.least_complete_document_pct,
        missing.missing_parts,
        rank() over (partition by by_region.fiscal_year, by_region.disclosure_kind
                     order by by_region.published_pct desc) as transparency_rank,
        count(*) over (partition by by_region.fiscal_year, by_region.disclosure_kind) as n_regions
    from by_region
    left join {{ ref('dim_region') }} as regions
        on regions.region_code = by_region.region_code
    left join missing
        on missing.region_code = by_region.region_code
        and missing.fiscal_year = by_region.fiscal_year
        and missing.disclosure_kind = by_region.disclosure_kind

)

select * from final
