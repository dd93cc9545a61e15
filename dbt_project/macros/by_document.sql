{#- Building by document (materialization `by_document`): the change sets, and the filter a
    by_document model puts on each of its per-document inputs.

    int_raw_documents_changed: every document in raw.documents now or at the last build, with
    is_changed when its raw.documents row (which a load rewrites with every row a document owns)
    differs from the one recorded by that build (int_document_build_state), or the document came
    or went. int_documents_changed: the same, or the document's dim_document row changed (a newer
    version or another file became current, its department, region or year was identified anew).

    `changed_documents_only(relation, changes)` is the relation itself when the model is built
    whole, and only the changed documents' rows of it when the model is built by document. The
    ref is always called, so that dbt knows the model depends on its change set. -#}

{% macro document_changes(changes) -%}
  {%- if changes == 'raw' -%}
    {{ return(ref('int_raw_documents_changed')) }}
  {%- elif changes == 'documents' -%}
    {{ return(ref('int_documents_changed')) }}
  {%- else -%}
    {{ exceptions.raise_compiler_error("changed_documents_only: changes is 'raw' or 'documents', not " ~ changes) }}
  {%- endif -%}
{%- endmacro %}

{#- The change model a by_document model refs (None when it refs neither); 'documents' first. -#}
{% macro document_changes_of_model() -%}
  {%- set nodes = model.depends_on.nodes -%}
  {%- for name in ['int_documents_changed', 'int_raw_documents_changed'] -%}
    {%- if ('model.' ~ project_name ~ '.' ~ name) in nodes -%}
      {{ return(ref(name)) }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(none) }}
{%- endmacro %}

{#- Whether this model is being built by document now: a by_document model whose table exists,
    in a build that is not a full refresh. -#}
{% macro building_by_document() -%}
  {%- if not execute or config.get('materialized') != 'by_document' -%}
    {{ return(false) }}
  {%- endif -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {{ return(existing is not none and existing.is_table and not should_full_refresh()) }}
{%- endmacro %}

{% macro changed_documents_only(relation, changes='documents') -%}
  {%- set change_model = document_changes(changes) -%}
  {%- if building_by_document() -%}
    (select * from {{ relation }} where document_id in (select document_id from {{ change_model }} where is_changed))
  {%- elif config.get('materialized') == 'by_document' -%}
    (select * from {{ relation }} where {{ by_document_slice_marker() }})
  {%- else -%}
    {{ relation }}
  {%- endif -%}
{%- endmacro %}

{#- Building a by_document model whole, in slices of documents: a whole build of a by_document
    model reads each per-document input through this marker (a no-op, `true`), and the
    materialization, when the warehouse holds more documents than
    BUDGETWH_BY_DOCUMENT_SLICE_DOCUMENTS (default 2,000), builds the table slice by slice, the
    marker replaced by `hash(document_id) % <slices> = <slice>` in each. A model's rows depend only
    on its document's own rows, so the slices' union is the whole table; what the slowest
    operators hold (a window's partitions, an ordered string_agg's lists) is then one slice's,
    not the corpus's, and the memory of a full build stays flat as the corpus grows. -#}
{% macro by_document_slice_marker() -%}
  true /* by_document slice */
{%- endmacro %}

{#- The number of slices a whole build of a by_document model takes (1: built in one query):
    the documents its change set lists over BUDGETWH_BY_DOCUMENT_SLICE_DOCUMENTS, rounded up. -#}
{% macro by_document_slices(changes) -%}
  {%- set per_slice = env_var('BUDGETWH_BY_DOCUMENT_SLICE_DOCUMENTS', '2000') | int -%}
  {%- if per_slice <= 0 or not execute -%}
    {{ return(1) }}
  {%- endif -%}
  {%- set n = run_query('select count(*) from ' ~ changes).columns[0].values()[0] | int -%}
  {{ return([1, ((n + per_slice - 1) // per_slice) | int] | max) }}
{%- endmacro %}

{#- Each document in `now_documents` (a CTE of document_id and `fingerprint`) or recorded by the
    last build (int_document_build_state, in this model's schema; none on a first build): its
    fingerprint now (null: gone) and whether it differs from the recorded one (is_changed). -#}
{% macro changed_since_last_build(now_documents, fingerprint) -%}
{%- set state = adapter.get_relation(database=this.database, schema=this.schema,
                                     identifier='int_document_build_state') if execute else none -%}
    select
        coalesce({{ now_documents }}.document_id, last_build.document_id) as document_id,
        {{ now_documents }}.{{ fingerprint }},
        {{ now_documents }}.{{ fingerprint }} is distinct from last_build.{{ fingerprint }} as is_changed
    from {{ now_documents }}
    full outer join (
{%- if state is not none %}
        select document_id, {{ fingerprint }} from {{ state }}
{%- else %}
        select null::varchar as document_id, null::varchar as {{ fingerprint }} where false
{%- endif %}
    ) as last_build
        on {{ now_documents }}.document_id = last_build.document_id
{%- endmacro %}

{#- The marker's replacement in slice `i` of `slices`. -#}
{% macro by_document_slice_filter(slices, i) -%}
  hash(document_id) % {{ slices }} = {{ i }}
{%- endmacro %}
