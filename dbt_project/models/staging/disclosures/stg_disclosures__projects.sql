with

source as (

    select * from {{ source('disclosures', 'projects') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(project_seq as integer) as project_seq,
        cast(project_code as varchar) as project_code,
        cast(project_name as varchar) as project_name,
        cast(budget_yuan as decimal(20, 2)) as budget_yuan,
        cast(fiscal_funds_yuan as decimal(20, 2)) as fiscal_funds_yuan,
        cast(other_funds_yuan as decimal(20, 2)) as other_funds_yuan,
        cast(purpose as varchar) as purpose,
        cast(goals as varchar) as goals,
        cast(coalesce(is_withheld, false) as boolean) as is_withheld,
        cast(unit_label as varchar) as unit_label,
        cast(printed_unit as varchar) as printed_unit,
        cast(page as integer) as page

    from source

)

select * from final
