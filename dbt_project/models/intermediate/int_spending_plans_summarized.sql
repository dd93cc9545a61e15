{{ config(materialized='by_document') }}
-- One row per project: how its cumulative spending plan runs (non-decreasing? ends at 100%?).
with

spending_plans as (

    select * from {{ changed_documents_only(ref('stg_disclosures__spending_plans')) }}

),

stepped as (

    select
        *,
        cumulative_pct - lag(cumulative_pct) over (
            partition by document_id, project_seq order by checkpoint_seq
        ) as step_pct,
        row_number() over (
            partition by document_id, project_seq order by checkpoint_seq desc
        ) as rank_from_end
    from spending_plans

),

final as (

    select
        document_id,
        project_seq,
        count(*) as n_plan_checkpoints,
        max(case when rank_from_end = 1 then cumulative_pct end) as plan_final_pct,
        max(case when rank_from_end = 1 then checkpoint_label end) as plan_final_checkpoint,
        coalesce(min(step_pct), 0) as plan_min_step_pct,
        coalesce(min(step_pct), 0) >= 0 as plan_is_non_decreasing,
        string_agg(checkpoint_label || ' '
            || coalesce(regexp_replace(cast(cumulative_pct as varchar), '\.?0+$', ''), '?') || '%', ', '
            order by checkpoint_seq) as plan_text

    from stepped
    group by document_id, project_seq

)

select * from final
