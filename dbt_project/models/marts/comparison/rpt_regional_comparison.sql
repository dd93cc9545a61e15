{#- One row per department category, region, fiscal year, disclosure kind and scope: like with
    like. A 部门 budget (scope 'department', subordinate units included) and a 单位 budget (scope
    'unit', the unit alone) are never compared, nor a budget with final accounts: the four are the
    peer group's key. Within a peer group (one category, year, kind and scope across regions) each
    figure has its rank (1 = largest), its percentile (0 = smallest, 100 = largest, among the
    regions that print the figure), the category's median and the region's ratio to it.
    A region's figures are the sum over its departments of the category (n_departments says how
    many; usually one). Staff (编制人数 / 实有人数) where the documents print them, and figures per
    staff member where every department of the row prints its staff (has_staff). -#}
{%- set figures = [
    'revenue_total', 'expenditure_total', 'fiscal_appropriation', 'sangong_total',
    'sangong_overseas_travel', 'sangong_vehicle_total', 'sangong_vehicle_purchase',
    'sangong_vehicle_operation', 'sangong_reception', 'operating_expenses',
] -%}
{%- set ranked_figures = [
    'expenditure_total', 'fiscal_appropriation', 'sangong_total', 'sangong_reception',
    'operating_expenses', 'sangong_share_of_expenditure', 'sangong_per_staff',
    'operating_expenses_per_staff',
] -%}

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

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

staff_statements as (

    select * from {{ ref('int_statements_deduplicated') }}
    where measure = 'quantity' and statement_key in ('staff.authorized', 'staff.actual')

),

-- the staff a document states (its first mention of each; the count is as of the year's start)
staff as (

    select
        document_id,
        arg_min(quantity, page) filter (where statement_key = 'staff.authorized') as staff_authorized,
        arg_min(quantity, page) filter (where statement_key = 'staff.actual') as staff_actual,
        min(page) as staff_page
    from staff_statements
    group by document_id

),

per_department as (

    select
        trend.*,
        departments.category,
        documents.consolidation,
        staff.staff_authorized,
        staff.staff_actual,
        coalesce(staff.staff_actual, staff.staff_authorized) as staff_count,
        staff.staff_page
    from trend
    inner join departments
        on trend.department_id = departments.department_id
    left join documents
        on trend.document_id = documents.document_id
    left join staff
        on trend.document_id = staff.document_id

),

by_region as (

    select
        category,
        coalesce(region_code, 'unknown') as region_code,
        fiscal_year,
        disclosure_kind,
        scope,
        count(distinct department_id) as n_departments,
        string_agg(distinct department_name, ' | ' order by department_name) as department_names,
        string_agg(distinct document_id, ' | ' order by document_id) as document_ids,
        string_agg(distinct consolidation, ', ' order by consolidation) as consolidations,
        {%- for f in figures %}
        sum({{ f }}_yuan) as {{ f }}_yuan,
        {%- endfor %}
        -- pages where a row has one department (the figure's page in its document)
        case when count(*) = 1 then min(expenditure_total_page) end as expenditure_total_page,
        case when count(*) = 1 then min(fiscal_appropriation_page) end as fiscal_appropriation_page,
        case when count(*) = 1 then min(sangong_total_page) end as sangong_total_page,
        case when count(*) = 1 then min(sangong_total_page) end as sangong_reception_page,
        case when count(*) = 1 then min(operating_expenses_page) end as operating_expenses_page,
        case when count(*) = 1 then min(document_id) end as document_id,
        bool_and(staff_count is not null) as has_staff,
        case when bool_and(staff_count is not null) then sum(staff_authorized) end as staff_authorized,
        case when bool_and(staff_count is not null) then sum(staff_actual) end as staff_actual,
        case when bool_and(staff_count is not null) then sum(staff_count) end as staff_count
    from per_department
    group by category, coalesce(region_code, 'unknown'), fiscal_year, disclosure_kind, scope

),

derived as (

    select
        *,
        sangong_total_yuan / nullif(expenditure_total_yuan, 0) as sangong_share_of_expenditure,
        cast(sangong_total_yuan / nullif(staff_count, 0) as decimal(20, 2)) as sangong_per_staff_yuan,
        cast(operating_expenses_yuan / nullif(staff_count, 0) as decimal(20, 2))
            as operating_expenses_per_staff_yuan,
        cast(expenditure_total_yuan / nullif(staff_count, 0) as decimal(20, 2)) as expenditure_per_staff_yuan
    from by_region

),

ranked as (

    select
        *,
        count(*) over peers as n_regions,
        {%- for f in ranked_figures %}
        {%- set col = f if f.endswith('_expenditure') else f ~ '_yuan' %}
        case when {{ col }} is not null then
            rank() over (partition by category, fiscal_year, disclosure_kind, scope, {{ col }} is null
                         order by {{ col }} desc) end as {{ f }}_rank,
        case when {{ col }} is not null then
            100 * percent_rank() over (partition by category, fiscal_year, disclosure_kind, scope,
                                       {{ col }} is null order by {{ col }}) end as {{ f }}_percentile,
        median({{ col }}) over peers as {{ f }}_category_median,
        count({{ col }}) over peers as {{ f }}_n_regions,
        {%- endfor %}
        expenditure_total_yuan / nullif(sum(expenditure_total_yuan) over peers, 0) as expenditure_share,
        sangong_total_yuan / nullif(sum(sangong_total_yuan) over peers, 0) as sangong_share,
        sangong_reception_yuan / nullif(sum(sangong_reception_yuan) over peers, 0) as reception_share
    from derived
    window peers as (partition by category, fiscal_year, disclosure_kind, scope)

),

categories as (

    select * from {{ ref('department_categories') }}

),

final as (

    select
        ranked.category,
        categories.name_zh as category_name_zh,
        categories.name_en as category_name_en,
        ranked.region_code,
        regions.full_name as region_full_name,
        regions.region_name,
        regions.level as region_level,
        ranked.fiscal_year,
        ranked.disclosure_kind,
        ranked.scope,
        ranked.consolidations,
        ranked.n_departments,
        ranked.department_names,
        ranked.document_ids,
        ranked.document_id,
        ranked.n_regions,
        {%- for f in figures %}
        ranked.{{ f }}_yuan,
        {%- endfor %}
        {{ yuan_to_wan_yuan('ranked.expenditure_total_yuan') }} as expenditure_total_wan_yuan,
        cast(ranked.sangong_share_of_expenditure as decimal(9, 6)) as sangong_share_of_expenditure,
        ranked.has_staff,
        ranked.staff_authorized,
        ranked.staff_actual,
        ranked.staff_count,
        ranked.sangong_per_staff_yuan,
        ranked.operating_expenses_per_staff_yuan,
        ranked.expenditure_per_staff_yuan,
        {%- for f in ranked_figures %}
        ranked.{{ f }}_rank,
        cast(ranked.{{ f }}_percentile as decimal(6, 2)) as {{ f }}_percentile,
        {%- if f.endswith('_expenditure') %}
        cast(ranked.{{ f }}_category_median as decimal(9, 6)) as {{ f }}_category_median,
        {%- else %}
        cast(ranked.{{ f }}_category_median as decimal(20, 2)) as {{ f }}_category_median_yuan,
        {%- endif %}
        ranked.{{ f }}_n_regions,
        {%- endfor %}
        ranked.expenditure_total_page,
        ranked.fiscal_appropriation_page,
        ranked.sangong_total_page,
        ranked.sangong_reception_page,
        ranked.operating_expenses_page,
        -- the ranks and shares analysts already use
        ranked.expenditure_total_rank as expenditure_rank,
        cast(ranked.expenditure_share as decimal(9, 6)) as expenditure_share,
        ranked.sangong_total_rank as sangong_rank,
        cast(ranked.sangong_share as decimal(9, 6)) as sangong_share,
        ranked.sangong_reception_rank as reception_rank,
        cast(ranked.reception_share as decimal(9, 6)) as reception_share

    from ranked
    left join regions
        on ranked.region_code = regions.region_code
    left join categories
        on ranked.category = categories.category

)

select * from final
