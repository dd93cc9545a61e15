{#- One row per department, fiscal year, disclosure kind and scope: the document's own figures for
    its own year (a budget's phase 'budget', final accounts' phase 'actual'), the change against
    the previous year as the text states it beside the change computed from the previous year's
    own document (same department, kind and scope), the gap between them, and the budget of the
    year beside that year's final accounts where both exist.
    Figures come from int_statements_pivoted: for each figure, the source (table or narrative)
    whose figures add up (收入 = 支出, 三公 = its parts, 财政拨款 = its funds), then the table (in
    元, exact) before the narrative (rounded 万元); <figure>_source and <figure>_page say where
    each figure came from. The other mentions stay in the fct_* facts. A 部门 (department scope, subordinate units included) and a 单位 (unit scope) row
    are never added together: scope is part of the key. -#}
{%- set figures = [
    'revenue_overall', 'revenue_fiscal_appropriation',
    'expenditure_overall', 'expenditure_basic', 'expenditure_personnel',
    'expenditure_public_operating', 'expenditure_project',
    'sangong_total', 'sangong_overseas_travel', 'sangong_vehicle_total',
    'sangong_vehicle_purchase', 'sangong_vehicle_operation', 'sangong_reception',
    'operating_expenses_total', 'procurement_total',
] -%}

with

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

pivoted as (

    select * from {{ ref('int_statements_pivoted') }}

),

-- the document's own year, in the phase its kind discloses
own_year as (

    select *
    from pivoted
    where reference_year = fiscal_year
        and phase = case disclosure_kind when 'final_accounts' then 'actual' else 'budget' end

),

disclosures as (

    select
        documents.department_id,
        documents.department_name,
        documents.region_code,
        documents.fiscal_year,
        documents.disclosure_kind,
        coalesce(documents.scope, 'unspecified') as scope,
        documents.document_id,
        documents.printed_department_name,
        {%- for f in figures %}
        own_year.{{ f }}_yuan,
        own_year.{{ f }}_source,
        own_year.{{ f }}_page,
        {%- endfor %}
        own_year.revenue_overall_yuan as revenue_total_yuan,
        own_year.expenditure_overall_yuan as expenditure_total_yuan,
        own_year.totals_source_adds_up,
        own_year.sangong_source_adds_up,
        own_year.revenue_fiscal_appropriation_change_yuan as stated_fiscal_change_yuan,
        own_year.revenue_total_change_yuan as stated_revenue_change_yuan,
        own_year.expenditure_total_change_yuan as stated_expenditure_change_yuan,
        documents.n_disclosure_files as n_documents
    from documents
    left join own_year
        on documents.document_id = own_year.document_id
    where documents.is_current
        and documents.department_id is not null
        and documents.fiscal_year is not null
        and documents.disclosure_kind is not null

),

-- one current document per slot (int_documents_ranked: one current disclosure per identity)
slots as (

    select * from disclosures

),

with_previous as (

    select
        slots.*,
        previous.document_id as previous_document_id,
        previous.revenue_fiscal_appropriation_yuan as previous_fiscal_appropriation_yuan,
        previous.revenue_total_yuan as previous_revenue_total_yuan,
        previous.expenditure_total_yuan as previous_expenditure_total_yuan,
        previous.sangong_total_yuan as previous_sangong_total_yuan
    from slots
    left join slots as previous
        on slots.department_id = previous.department_id
        and slots.disclosure_kind = previous.disclosure_kind
        and slots.scope = previous.scope
        and slots.fiscal_year - 1 = previous.fiscal_year

),

budget_beside_final as (

    select
        department_id,
        fiscal_year,
        scope,
        max(case when disclosure_kind = 'budget' then document_id end) as budget_document_id,
        max(case when disclosure_kind = 'final_accounts' then document_id end)
            as final_document_id,
        max(case when disclosure_kind = 'budget' then expenditure_total_yuan end)
            as budget_expenditure_total_yuan,
        max(case when disclosure_kind = 'final_accounts' then expenditure_total_yuan end)
            as final_expenditure_total_yuan,
        max(case when disclosure_kind = 'budget' then revenue_fiscal_appropriation_yuan end)
            as budget_fiscal_appropriation_yuan,
        max(case when disclosure_kind = 'final_accounts' then revenue_fiscal_appropriation_yuan end)
            as final_fiscal_appropriation_yuan,
        max(case when disclosure_kind = 'budget' then sangong_total_yuan end)
            as budget_sangong_total_yuan,
        max(case when disclosure_kind = 'final_accounts' then sangong_total_yuan end)
            as final_sangong_total_yuan
    from slots
    group by department_id, fiscal_year, scope

),

final as (

    select
        with_previous.department_id,
        with_previous.department_name,
        with_previous.region_code,
        with_previous.fiscal_year,
        with_previous.disclosure_kind,
        with_previous.scope,
        with_previous.document_id,
        with_previous.printed_department_name,
        with_previous.n_documents,
        with_previous.revenue_total_yuan,
        with_previous.revenue_overall_source as revenue_total_source,
        with_previous.revenue_overall_page as revenue_total_page,
        with_previous.expenditure_total_yuan,
        with_previous.expenditure_overall_source as expenditure_total_source,
        with_previous.expenditure_overall_page as expenditure_total_page,
        with_previous.totals_source_adds_up,
        with_previous.revenue_fiscal_appropriation_yuan as fiscal_appropriation_yuan,
        with_previous.revenue_fiscal_appropriation_source as fiscal_appropriation_source,
        with_previous.revenue_fiscal_appropriation_page as fiscal_appropriation_page,
        with_previous.stated_fiscal_change_yuan,
        with_previous.previous_document_id,
        with_previous.previous_fiscal_appropriation_yuan,
        with_previous.revenue_fiscal_appropriation_yuan
            - with_previous.previous_fiscal_appropriation_yuan as computed_fiscal_change_yuan,
        with_previous.stated_fiscal_change_yuan
            - (with_previous.revenue_fiscal_appropriation_yuan
                - with_previous.previous_fiscal_appropriation_yuan) as fiscal_change_gap_yuan,
        with_previous.stated_revenue_change_yuan,
        with_previous.revenue_total_yuan
            - with_previous.previous_revenue_total_yuan as computed_revenue_change_yuan,
        with_previous.stated_expenditure_change_yuan,
        with_previous.expenditure_total_yuan
            - with_previous.previous_expenditure_total_yuan as computed_expenditure_change_yuan,
        with_previous.expenditure_basic_yuan,
        with_previous.expenditure_personnel_yuan,
        with_previous.expenditure_public_operating_yuan,
        with_previous.expenditure_project_yuan,
        with_previous.sangong_total_yuan,
        with_previous.sangong_overseas_travel_yuan,
        with_previous.sangong_vehicle_total_yuan,
        with_previous.sangong_vehicle_purchase_yuan,
        with_previous.sangong_vehicle_operation_yuan,
        with_previous.sangong_reception_yuan,
        with_previous.sangong_total_source,
        with_previous.sangong_total_page,
        with_previous.sangong_overseas_travel_source,
        with_previous.sangong_vehicle_total_source,
        with_previous.sangong_vehicle_purchase_source,
        with_previous.sangong_vehicle_operation_source,
        with_previous.sangong_reception_source,
        with_previous.sangong_source_adds_up,
        with_previous.sangong_total_yuan
            - with_previous.previous_sangong_total_yuan as computed_sangong_change_yuan,
        with_previous.operating_expenses_total_yuan as operating_expenses_yuan,
        with_previous.operating_expenses_total_source as operating_expenses_source,
        with_previous.operating_expenses_total_page as operating_expenses_page,
        with_previous.procurement_total_yuan,
        budget_beside_final.budget_document_id,
        budget_beside_final.final_document_id,
        budget_beside_final.budget_expenditure_total_yuan,
        budget_beside_final.final_expenditure_total_yuan,
        budget_beside_final.final_expenditure_total_yuan
            - budget_beside_final.budget_expenditure_total_yuan as final_minus_budget_expenditure_yuan,
        budget_beside_final.budget_fiscal_appropriation_yuan,
        budget_beside_final.final_fiscal_appropriation_yuan,
        budget_beside_final.budget_sangong_total_yuan,
        budget_beside_final.final_sangong_total_yuan

    from with_previous
    left join budget_beside_final
        on with_previous.department_id = budget_beside_final.department_id
        and with_previous.fiscal_year = budget_beside_final.fiscal_year
        and with_previous.scope = budget_beside_final.scope

)

select * from final
