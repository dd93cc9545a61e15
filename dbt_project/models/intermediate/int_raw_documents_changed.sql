-- The documents whose raw rows changed since the last build: every document in raw.documents now
-- or recorded by the last build (int_document_build_state), with is_changed when it is new, gone,
-- or its raw.documents row differs (a load rewrites that row, with ingested_at, whenever it
-- replaces what the document owns; superseding a version rewrites is_current and superseded_by).
-- int_documents_changed adds the documents whose dim_document row changed; a model built by document
-- on raw.* rows alone could read this change set (changed_documents_only(..., 'raw')).
with

now_documents as (

    select document_id, md5(documents::varchar) as raw_fingerprint
    from {{ source('disclosures', 'documents') }} as documents

),

final as (

{{ changed_since_last_build('now_documents', 'raw_fingerprint') }}

)

select * from final
