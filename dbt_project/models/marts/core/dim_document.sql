-- One row per disclosure file: who published it, for which region and year, and how it parsed.
with

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

statements as (

    select * from {{ ref('stg_disclosures__statements') }}

),

parse_issues as (

    select * from {{ ref('stg_disclosures__parse_issues') }}

),

statement_counts as (

    select document_id, count(*) as n_statements
    from statements
    group by document_id

),

issue_counts as (

    select
        document_id,
        count(*) as n_parse_issues,
        count(*) filter (where severity = 'error') as n_parse_errors
    from parse_issues
    where document_id is not null
    group by document_id

),

final as (

    select
        documents.* exclude (n_statements_read, disclosure_rank),
        coalesce(statement_counts.n_statements, 0) as n_statements,
        coalesce(issue_counts.n_parse_issues, 0) as n_parse_issues,
        coalesce(issue_counts.n_parse_errors, 0) as n_parse_errors

    from documents
    left join statement_counts
        on documents.document_id = statement_counts.document_id
    left join issue_counts
        on documents.document_id = issue_counts.document_id

)

select * from final
