{#- The `by_document` materialization: a table whose rows each belong to one document
    (document_id never null) and depend only on that document's own rows and its dim_document
    row. A build that finds the table and is not a full refresh rebuilds only the documents of
    the build's change set (macros/by_document.sql):

        begin;
        delete from <model> where document_id in (<changed documents>);
        insert into <model> by name (<the model's select, its inputs cut to those documents>);
        commit

    Otherwise (no table yet, `dbt build --full-refresh`) it is built whole like a `table`
    (macros/materializations/table.sql), with its comments; in slices of documents, one query
    each, when the warehouse holds more than BUDGETWH_BY_DOCUMENT_SLICE_DOCUMENTS documents
    (macros/by_document.sql: by_document_slices). Which change set a model reads is
    the change model it refs: int_raw_documents_changed (the raw rows changed) or
    int_documents_changed (the raw rows or the dim_document row changed). A refresh passes
    --full-refresh whenever the parser, the dbt project or the checks changed
    (ingest.pipeline.build_fingerprint): rows computed by other SQL are never kept. -#}
{% materialization by_document, adapter="duckdb" %}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set changes = document_changes_of_model() -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if changes is none %}
    {{ exceptions.raise_compiler_error(
        "model " ~ this ~ " is materialized by_document but refs neither int_documents_changed "
        ~ "nor int_raw_documents_changed (use the macro changed_documents_only)") }}
  {% endif %}

  {% if existing_relation is not none and not existing_relation.is_table %}
    {% do adapter.drop_relation(existing_relation) %}
    {% set existing_relation = none %}
  {% endif %}

  {% if existing_relation is none or should_full_refresh() %}
    {%- set marker = by_document_slice_marker() -%}
    {%- set slices = by_document_slices(changes) if marker in compiled_code else 1 -%}
    {% call statement('main') -%}
      create or replace table {{ target_relation }} as (
        {{ compiled_code if slices == 1 else compiled_code.replace(marker, by_document_slice_filter(slices, 0)) }}
      );
      {{ model_comments(target_relation, model) }}
    {%- endcall %}
    {% for i in range(1, slices) %}
      {% call statement('slice_' ~ i) -%}
        insert into {{ target_relation }} by name (
          {{ compiled_code.replace(marker, by_document_slice_filter(slices, i)) }}
        );
      {%- endcall %}
    {% endfor %}
  {% else %}
    {% call statement('delete_changed') -%}
      delete from {{ target_relation }}
      where document_id in (select document_id from {{ changes }} where is_changed);
    {%- endcall %}
    {% call statement('main') -%}
      insert into {{ target_relation }} by name (
        {{ compiled_code }}
      );
    {%- endcall %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
