-- What this build saw of each document: the fingerprints of its raw.documents row and its
-- dim_document row. The next build compares with them (int_raw_documents_changed,
-- int_documents_changed) to rebuild only the documents that changed.
with

final as (

    select document_id, raw_fingerprint, document_fingerprint
    from {{ ref('int_documents_changed') }}
    where raw_fingerprint is not null or document_fingerprint is not null

)

select * from final
