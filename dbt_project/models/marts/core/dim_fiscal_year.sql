-- Every fiscal year a current document is for, or a statement refers to.
with

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

statements as (

    select * from {{ ref('int_statements_deduplicated') }}

),

years as (

    select fiscal_year from documents where fiscal_year is not null and is_current
    union
    select reference_year from statements where reference_year is not null

),

document_counts as (

    select
        fiscal_year,
        count(*) as n_documents,
        count(*) filter (where disclosure_kind = 'budget') as n_budget_documents,
        count(*) filter (where disclosure_kind = 'final_accounts') as n_final_accounts_documents
    from documents
    where is_current
    group by fiscal_year

),

final as (

    select
        years.fiscal_year,
        years.fiscal_year between 2000 and 2100 as is_plausible,
        coalesce(document_counts.n_documents, 0) as n_documents,
        coalesce(document_counts.n_budget_documents, 0) as n_budget_documents,
        coalesce(document_counts.n_final_accounts_documents, 0) as n_final_accounts_documents

    from years
    left join document_counts
        on years.fiscal_year = document_counts.fiscal_year

)

select * from final
