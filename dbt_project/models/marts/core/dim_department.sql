-- One row per department (one body across years, whatever its name variant): its canonical name,
-- region, unit code, every printed name, the scopes and years it disclosed, and its category for
-- regional comparison (named in the seed department_categories). The category comes from the seed
-- department_category_rules (pattern,
-- category, priority): every printed name is tried against every pattern (regular expression) and
-- the match with the lowest priority wins; no match is 'unclassified' (reported by a warn test).
-- The rules are read when the model is compiled and written into its SQL as constants: DuckDB
-- compiles a constant regular expression once per query, but one read from a column once per row
-- (a join of the names with the rules' patterns compiled 44 expressions for every name: ~0.3 s of
-- CPU at 2,000 documents, most of this model's time).
{%- set category_rules = ref('department_category_rules') %}
{%- set rules = run_query('select pattern, category, priority from ' ~ category_rules
                          ~ ' order by priority, category, pattern').rows if execute else [] %}
with

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

regions as (

    select * from {{ ref('int_regions_resolved') }}

),

categories as (

    select * from {{ ref('department_categories') }}

),

names as (

    select distinct department_id, name
    from (
        select department_id, department_name as name from documents
        union all
        select department_id, department_name_normalized from documents
        union all
        select department_id, {{ normalize_department_name('issuer_name') }} from documents
        union all
        select department_id, {{ normalize_department_name('unit_name') }} from documents
    ) as all_names
    where department_id is not null and name is not null

),

-- every (name, rule) whose pattern the name matches
name_rule_matches as (

    {%- for rule in rules %}
    select
        department_id,
        name,
        {{ sql_literal(rule[1]) }} as category,
        {{ sql_literal(rule[0]) }} as pattern,
        cast({{ rule[2] | int }} as integer) as priority
    from names
    where regexp_matches(name, {{ sql_literal(rule[0]) }})
    union all
    {%- endfor %}
    select null::varchar, null::varchar, null::varchar, null::varchar, null::integer
    where false

),

rule_matches as (

    select
        department_id,
        category,
        pattern,
        priority,
        name as matched_name,
        row_number() over (
            partition by department_id
            order by priority, category, name
        ) as match_rank
    from name_rule_matches

),

departments as (

    select
        department_id,
        any_value(department_name) as department_name,
        any_value(region_code) as region_code,
        any_value(department_unit_code) as unit_code,
        bool_or(is_name_from_alias) as is_name_from_alias,
        string_agg(distinct printed_department_name, ' | ' order by printed_department_name)
            as printed_names,
        count(distinct printed_department_name) as n_name_variants,
        string_agg(distinct scope, ', ' order by scope) as scopes,
        count(*) filter (where is_current) as n_documents,
        count(*) filter (where is_current and disclosure_kind = 'budget') as n_budget_documents,
        count(*) filter (where is_current and disclosure_kind = 'final_accounts')
            as n_final_accounts_documents,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year
    from documents
    where department_id is not null
    group by department_id

),

final as (

    select
        departments.department_id,
        departments.department_name,
        departments.region_code,
        regions.full_name as region_full_name,
        regions.level as region_level,
        departments.unit_code,
        coalesce(rule_matches.category, 'unclassified') as category,
        categories.name_zh as category_name_zh,
        categories.name_en as category_name_en,
        rule_matches.pattern as category_pattern,
        rule_matches.matched_name as category_matched_name,
        departments.is_name_from_alias,
        departments.printed_names,
        departments.n_name_variants,
        departments.scopes,
        departments.n_documents,
        departments.n_budget_documents,
        departments.n_final_accounts_documents,
        departments.first_fiscal_year,
        departments.last_fiscal_year

    from departments
    left join rule_matches
        on departments.department_id = rule_matches.department_id
        and rule_matches.match_rank = 1
    left join regions
        on departments.region_code = regions.region_code
    left join categories
        on rule_matches.category = categories.category

)

select * from final
