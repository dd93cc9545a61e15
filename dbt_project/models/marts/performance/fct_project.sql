{{ config(materialized='by_document') }}
-- One row per project table (项目支出绩效目标表), with its funds, spending plan summary and
-- indicator counts. Withheld projects (涉密, disclosed only by number) have is_withheld = true.
with

projects as (

    select * from {{ changed_documents_only(ref('stg_disclosures__projects')) }}

),

documents as (

    select * from {{ changed_documents_only(ref('int_documents_ranked')) }}

),

spending_plans as (

    select * from {{ changed_documents_only(ref('int_spending_plans_summarized')) }}

),

indicators as (

    select * from {{ changed_documents_only(ref('stg_disclosures__indicators')) }}

),

indicator_counts as (

    select
        document_id,
        project_seq,
        count(*) as n_indicators,
        count(target_value) as n_numeric_targets
    from indicators
    where project_seq is not null
    group by document_id, project_seq

),

final as (

    select
        projects.document_id,
        documents.department_id,
        documents.fiscal_year,
        projects.project_seq,
        projects.project_code,
        projects.project_name,
        projects.budget_yuan,
        {{ yuan_to_wan_yuan('projects.budget_yuan') }} as budget_wan_yuan,
        projects.fiscal_funds_yuan,
        {{ yuan_to_wan_yuan('projects.fiscal_funds_yuan') }} as fiscal_funds_wan_yuan,
        projects.other_funds_yuan,
        {{ yuan_to_wan_yuan('projects.other_funds_yuan') }} as other_funds_wan_yuan,
        projects.is_withheld,
        projects.purpose,
        projects.goals,
        projects.unit_label,
        projects.printed_unit,
        coalesce(spending_plans.n_plan_checkpoints, 0) as n_plan_checkpoints,
        spending_plans.plan_final_pct,
        spending_plans.plan_final_checkpoint,
        spending_plans.plan_min_step_pct,
        spending_plans.plan_is_non_decreasing,
        spending_plans.plan_text,
        coalesce(indicator_counts.n_indicators, 0) as n_indicators,
        coalesce(indicator_counts.n_numeric_targets, 0) as n_numeric_targets,
        projects.page

    from projects
    inner join documents
        on projects.document_id = documents.document_id
    left join spending_plans
        on projects.document_id = spending_plans.document_id
        and projects.project_seq = spending_plans.project_seq
    left join indicator_counts
        on projects.document_id = indicator_counts.document_id
        and projects.project_seq = indicator_counts.project_seq
    where documents.is_current

)

select * from final
