-- The documents whose raw rows changed since the last build: every document in raw.documents now
-- or recorded by the last build (int_document_build_state), with is_changed when it is new, gone,
-- or its raw.documents row differs (a load rewrites that row, with ingested_at, whenever it
-- replaces what the document owns; superseding a version rewrites is_current and superseded_by).
-- The staging models built by document (materialization by_document) rebuild these documents only.
{%- set state = adapter.get_relation(database=this.database, schema=this.schema,
                                     identifier='int_document_build_state') if execute else none %}
with

now_documents as (

    select document_id, md5(documents::varchar) as raw_fingerprint
    from {{ source('disclosures', 'documents') }} as documents

),

last_build as (

{%- if state is not none %}
    select document_id, raw_fingerprint from {{ state }}
{%- else %}
    select null::varchar as document_id, null::varchar as raw_fingerprint where false
{%- endif %}

),

final as (

    select
        coalesce(now_documents.document_id, last_build.document_id) as document_id,
        now_documents.raw_fingerprint,
        now_documents.raw_fingerprint is distinct from last_build.raw_fingerprint as is_changed
    from now_documents
    full outer join last_build
        on now_documents.document_id = last_build.document_id

)

select * from final
