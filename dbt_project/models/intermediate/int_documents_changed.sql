-- The documents a build by document rebuilds in the per-document quality models: those whose raw
-- rows changed (int_raw_documents_changed) and those whose dim_document row changed since the last
-- build (int_document_build_state): another version or another file became current, its
-- department, region, year or status was identified anew. Every document present now or then.
{%- set state = adapter.get_relation(database=this.database, schema=this.schema,
                                     identifier='int_document_build_state') if execute else none %}
with

raw_changes as (

    select * from {{ ref('int_raw_documents_changed') }}

),

now_documents as (

    select document_id, md5(documents::varchar) as document_fingerprint
    from {{ ref('dim_document') }} as documents

),

last_build as (

{%- if state is not none %}
    select document_id, document_fingerprint from {{ state }}
{%- else %}
    select null::varchar as document_id, null::varchar as document_fingerprint where false
{%- endif %}

),

documents as (

    select
        coalesce(now_documents.document_id, last_build.document_id) as document_id,
        now_documents.document_fingerprint,
        now_documents.document_fingerprint is distinct from last_build.document_fingerprint as dim_changed
    from now_documents
    full outer join last_build
        on now_documents.document_id = last_build.document_id

),

final as (

    select
        coalesce(raw_changes.document_id, documents.document_id) as document_id,
        raw_changes.raw_fingerprint,
        documents.document_fingerprint,
        coalesce(raw_changes.is_changed, true) or coalesce(documents.dim_changed, true) as is_changed
    from raw_changes
    full outer join documents
        on raw_changes.document_id = documents.document_id

)

select * from final
