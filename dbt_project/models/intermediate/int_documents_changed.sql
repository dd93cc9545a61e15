-- The documents a build by document rebuilds in the per-document quality models: those whose raw
-- rows changed (int_raw_documents_changed) and those whose dim_document row changed since the last
-- build (int_document_build_state): another version or another file became current, its
-- department, region, year or status was identified anew. Every document present now or then.
with

raw_changes as (

    select * from {{ ref('int_raw_documents_changed') }}

),

now_documents as (

    select document_id, md5(documents::varchar) as document_fingerprint
    from {{ ref('dim_document') }} as documents

),

documents as (

{{ changed_since_last_build('now_documents', 'document_fingerprint') }}

),

final as (

    select
        coalesce(raw_changes.document_id, documents.document_id) as document_id,
        raw_changes.raw_fingerprint,
        documents.document_fingerprint,
        coalesce(raw_changes.is_changed, true) or coalesce(documents.is_changed, true) as is_changed
    from raw_changes
    full outer join documents
        on raw_changes.document_id = documents.document_id

)

select * from final
