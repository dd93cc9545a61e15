{{ config(materialized='by_document') }}
-- One row per performance indicator (绩效指标) of a project, or of the whole department
-- (indicator_scope 'department', project_seq null). indicator_id = '<project_seq|dept>.<row_seq>'.
with

indicators as (

    select * from {{ changed_documents_only(ref('stg_disclosures__indicators')) }}

),

projects as (

    select * from {{ changed_documents_only(ref('stg_disclosures__projects')) }}

),

documents as (

    select * from {{ changed_documents_only(ref('int_documents_ranked')) }}

),

final as (

    select
        indicators.document_id,
        coalesce(cast(indicators.project_seq as varchar), 'dept') || '.'
            || cast(indicators.row_seq as varchar) as indicator_id,
        documents.department_id,
        documents.fiscal_year,
        case when indicators.project_seq is null and indicators.project_code is null
            then 'department' else 'project' end as indicator_scope,
        indicators.project_seq,
        coalesce(indicators.project_code, projects.project_code) as project_code,
        projects.project_name,
        indicators.row_seq,
        indicators.level1,
        indicators.level2,
        indicators.level3,
        indicators.description,
        indicators.target_raw,
        indicators.target_op,
        indicators.target_value,
        indicators.target_unit,
        indicators.target_value is not null as has_numeric_target,
        indicators.basis,
        indicators.page

    from indicators
    inner join documents
        on indicators.document_id = documents.document_id
    left join projects
        on indicators.document_id = projects.document_id
        and indicators.project_seq = projects.project_seq
    where documents.is_current

)

select * from final
