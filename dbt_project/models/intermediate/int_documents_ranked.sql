-- One current disclosure per identity: department_id, fiscal_year, disclosure_kind and scope.
-- Two files may hold the same disclosure (a corrected copy, a re-download under another name, a
-- web-page copy of a PDF): their bytes differ, so they are two documents, but only one may count.
-- Among the latest versions of files (is_latest_version: not superseded by a newer version of the
-- same file) with the same identity, the current one is the first by:
--   1. how it was read: 'parsed' before 'partial' (rows set aside) before 'rejected';
--   2. a file still in the corpus before one no longer there;
--   3. the bytes the warehouse saw most recently (first_seen_at: when these bytes were first seen
--      under any name): a corrected copy or a re-download added later replaces the earlier one;
--   4. more statements read;
--   5. the smallest document_id (sha256 of the bytes): arbitrary, but stable and never the name.
-- File names never decide. The others are set aside (is_current false, duplicate_of = the
-- current one); current_rule names the step that decided (between the current one and the
-- runner-up, for the current one). A document whose identity is incomplete (department, year or
-- kind unknown) is not compared: it is current when it is the latest version of its file.
-- is_current is what every fact, trend, comparison and check reads: the latest version of its
-- file and the current disclosure of its identity.
with

documents as (

    select * from {{ ref('int_documents_identified') }}

),

paths as (

    select * from {{ ref('stg_disclosures__document_paths') }}

),

statements as (

    select * from {{ ref('stg_disclosures__statements') }}

),

seen as (

    select
        document_id,
        min(first_seen_at) as first_seen_at,
        bool_or(is_present) as is_present
    from paths
    group by document_id

),

statement_counts as (

    select document_id, count(*) as n_statements_read
    from statements
    group by document_id

),

keyed as (

    select
        documents.*,
        coalesce(seen.first_seen_at, documents.ingested_at) as first_seen_at,
        coalesce(seen.is_present, true) as is_present,
        coalesce(statement_counts.n_statements_read, 0) as n_statements_read,
        case documents.status when 'parsed' then 0 when 'partial' then 1 else 2 end as status_rank,
        documents.is_latest_version
            and documents.department_id is not null
            and documents.fiscal_year is not null
            and documents.disclosure_kind is not null as is_compared,
        coalesce(documents.scope, 'unspecified') as scope_key
    from documents
    left join seen
        on documents.document_id = seen.document_id
    left join statement_counts
        on documents.document_id = statement_counts.document_id

),

ranked as (

    select
        *,
        row_number() over ordered_identity as disclosure_rank,
        count(*) over identity as n_identity_files,
        first_value(document_id) over ordered_identity as first_document_id,
        -- the current one's keys, and the runner-up's (to say what set the current one apart)
        first_value(status_rank) over ordered_identity as first_status_rank,
        first_value(is_present) over ordered_identity as first_is_present,
        first_value(first_seen_at) over ordered_identity as first_first_seen_at,
        first_value(n_statements_read) over ordered_identity as first_n_statements_read,
        nth_value(status_rank, 2) over ordered_identity as second_status_rank,
        nth_value(is_present, 2) over ordered_identity as second_is_present,
        nth_value(first_seen_at, 2) over ordered_identity as second_first_seen_at,
        nth_value(n_statements_read, 2) over ordered_identity as second_n_statements_read
    from keyed
    window
        identity as (partition by is_compared, department_id, fiscal_year, disclosure_kind, scope_key),
        ordered_identity as (
            partition by is_compared, department_id, fiscal_year, disclosure_kind, scope_key
            order by status_rank, is_present desc, first_seen_at desc, n_statements_read desc, document_id
            rows between unbounded preceding and unbounded following
        )

),

-- which step of the rule told this document apart from the one it was compared with
ruled as (

    select
        *,
        case
            when not is_compared or n_identity_files = 1 then null
            when disclosure_rank = 1 then
                case
                    when status_rank <> second_status_rank then 'better_status'
                    when is_present <> second_is_present then 'still_present'
                    when first_seen_at <> second_first_seen_at then 'seen_most_recently'
                    when n_statements_read <> second_n_statements_read then 'more_statements'
                    else 'smallest_document_id'
                end
            else
                case
                    when status_rank <> first_status_rank then 'better_status'
                    when is_present <> first_is_present then 'still_present'
                    when first_seen_at <> first_first_seen_at then 'seen_most_recently'
                    when n_statements_read <> first_n_statements_read then 'more_statements'
                    else 'smallest_document_id'
                end
        end as decisive_step
    from ranked

),

final as (

    select
        * exclude (
            status_rank, is_compared, scope_key, disclosure_rank, n_identity_files, first_document_id,
            first_status_rank, first_is_present, first_first_seen_at, first_n_statements_read,
            second_status_rank, second_is_present, second_first_seen_at, second_n_statements_read,
            decisive_step
        ),
        case when is_compared then disclosure_rank = 1 else is_latest_version end as is_current,
        case when is_compared and disclosure_rank > 1 then first_document_id end as duplicate_of,
        case
            when superseded_by is not null then 'superseded_version'
            when not is_latest_version then 'unread_new_version'
            when not is_compared then 'no_identity'
            when n_identity_files = 1 then 'only_file'
            else decisive_step
        end as current_rule,
        case when is_compared then n_identity_files else 1 end as n_disclosure_files,
        case when is_compared then disclosure_rank end as disclosure_rank

    from ruled

)

select * from final
