-- One row per department category, region, fiscal year, disclosure kind and scope: the summed
-- totals of the region's departments of that category, and the region's rank and share among all
-- regions for the same category, year, kind and scope (rank 1 = largest; share of the total of
-- all regions). Department (部门, subordinate units included) and unit (单位) scopes are never
-- summed together: scope is part of the key. 'unclassified' departments form their own category.
with

trend as (

    select * from {{ ref('rpt_department_trend') }}

),

departments as (

    select * from {{ ref('dim_department') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

by_region as (

    select
        departments.category,
        coalesce(trend.region_code, 'unknown') as region_code,
        trend.fiscal_year,
        trend.disclosure_kind,
        trend.scope,
        count(distinct trend.department_id) as n_departments,
        string_agg(distinct trend.department_name, ' | ' order by trend.department_name)
            as department_names,
        sum(trend.expenditure_total_yuan) as expenditure_total_yuan,
        sum(trend.fiscal_appropriation_yuan) as fiscal_appropriation_yuan,
        sum(trend.sangong_total_yuan) as sangong_total_yuan,
        sum(trend.sangong_reception_yuan) as sangong_reception_yuan,
        sum(trend.operating_expenses_yuan) as operating_expenses_yuan
    from trend
    inner join departments
        on trend.department_id = departments.department_id
    group by departments.category, coalesce(trend.region_code, 'unknown'), trend.fiscal_year, trend.disclosure_kind,
        trend.scope

),

ranked as (

    select
        *,
        rank() over (peer_regions order by expenditure_total_yuan desc nulls last)
            as expenditure_rank,
        expenditure_total_yuan / nullif(sum(expenditure_total_yuan) over peer_regions, 0)
            as expenditure_share,
        rank() over (peer_regions order by sangong_total_yuan desc nulls last) as sangong_rank,
        sangong_total_yuan / nullif(sum(sangong_total_yuan) over peer_regions, 0) as sangong_share,
        rank() over (peer_regions order by sangong_reception_yuan desc nulls last)
            as reception_rank,
        sangong_reception_yuan / nullif(sum(sangong_reception_yuan) over peer_regions, 0)
            as reception_share,
        count(*) over peer_regions as n_regions
    from by_region
    window peer_regions as (partition by category, fiscal_year, disclosure_kind, scope)

),

final as (

    select
        ranked.category,
        ranked.region_code,
        regions.full_name as region_full_name,
        regions.level as region_level,
        ranked.fiscal_year,
        ranked.disclosure_kind,
        ranked.scope,
        ranked.n_departments,
        ranked.department_names,
        ranked.n_regions,
        ranked.expenditure_total_yuan,
        {{ yuan_to_wan_yuan('ranked.expenditure_total_yuan') }} as expenditure_total_wan_yuan,
        ranked.expenditure_rank,
        cast(ranked.expenditure_share as decimal(9, 6)) as expenditure_share,
        ranked.fiscal_appropriation_yuan,
        ranked.sangong_total_yuan,
        ranked.sangong_rank,
        cast(ranked.sangong_share as decimal(9, 6)) as sangong_share,
        ranked.sangong_reception_yuan,
        ranked.reception_rank,
        cast(ranked.reception_share as decimal(9, 6)) as reception_share,
        ranked.operating_expenses_yuan

    from ranked
    left join regions
        on ranked.region_code = regions.region_code

)

select * from final
