{#- Outliers as questions, not verdicts: a region's figure more than 3 times, or less than a
    third of, its category's median (one category, fiscal year, disclosure kind and scope, at
    least three regions printing the figure), with the two pages to look at: the region's own
    page and the page of the region whose figure is nearest the median. -#}
{%- set figures = [
    ('expenditure_total', '支出总计', 'expenditure_total_page'),
    ('fiscal_appropriation', '财政拨款收入', 'fiscal_appropriation_page'),
    ('sangong_total', '“三公”经费', 'sangong_total_page'),
    ('sangong_reception', '公务接待费', 'sangong_reception_page'),
    ('operating_expenses', '机关运行经费', 'operating_expenses_page'),
    ('sangong_per_staff', '人均“三公”经费', 'sangong_total_page'),
] -%}
{%- set outlier_factor = 3 -%}

with

comparison as (

    select * from {{ ref('rpt_regional_comparison') }}

),

figures as (

    {%- for name, label, page in figures %}
    select
        category,
        category_name_zh,
        fiscal_year,
        disclosure_kind,
        scope,
        region_code,
        region_full_name,
        department_names,
        document_id,
        '{{ name }}' as figure,
        '{{ label }}' as figure_name_zh,
        {{ name }}_yuan as value_yuan,
        {{ name }}_category_median_yuan as category_median_yuan,
        {{ name }}_n_regions as n_regions,
        {{ page }} as page
    from comparison
    where {{ name }}_yuan is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

-- the region whose figure is nearest the category's median: the other page to look at
nearest_median as (

    select
        category, fiscal_year, disclosure_kind, scope, figure,
        arg_min(region_full_name, abs(value_yuan - category_median_yuan)) as median_region_full_name,
        arg_min(document_id, abs(value_yuan - category_median_yuan)) as median_document_id,
        arg_min(page, abs(value_yuan - category_median_yuan)) as median_page
    from figures
    group by all

),

final as (

    select
        figures.category,
        figures.category_name_zh,
        figures.fiscal_year,
        figures.disclosure_kind,
        figures.scope,
        figures.figure,
        figures.figure_name_zh,
        figures.region_code,
        figures.region_full_name,
        figures.department_names,
        figures.value_yuan,
        figures.category_median_yuan,
        cast(figures.value_yuan / figures.category_median_yuan as decimal(12, 2)) as ratio_to_median,
        case when figures.value_yuan > {{ outlier_factor }} * figures.category_median_yuan
            then 'above' else 'below' end as direction,
        figures.n_regions,
        figures.document_id,
        figures.page,
        nearest_median.median_region_full_name,
        nearest_median.median_document_id,
        nearest_median.median_page,
        printf('%s（%s）的%s为%s万元，是同类部门（%s，%s个地区）中位数%s万元的%s倍：请看本部门文件第%s页，以及最接近中位数的%s文件第%s页。',
               figures.department_names, figures.region_full_name, figures.figure_name_zh,
               cast({{ yuan_to_wan_yuan('figures.value_yuan', 2) }} as varchar),
               figures.category_name_zh, cast(figures.n_regions as varchar),
               cast({{ yuan_to_wan_yuan('figures.category_median_yuan', 2) }} as varchar),
               cast(cast(figures.value_yuan / figures.category_median_yuan as decimal(12, 2)) as varchar),
               coalesce(cast(figures.page as varchar), '?'), nearest_median.median_region_full_name,
               coalesce(cast(nearest_median.median_page as varchar), '?')) as question

    from figures
    inner join nearest_median
        on figures.category = nearest_median.category
        and figures.fiscal_year = nearest_median.fiscal_year
        and figures.disclosure_kind = nearest_median.disclosure_kind
        and figures.scope = nearest_median.scope
        and figures.figure = nearest_median.figure
    where figures.n_regions >= 3
        and figures.category_median_yuan > 0
        and (figures.value_yuan > {{ outlier_factor }} * figures.category_median_yuan
             or figures.value_yuan * {{ outlier_factor }} < figures.category_median_yuan)

)

select * from final
