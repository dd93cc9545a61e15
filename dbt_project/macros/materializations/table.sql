{#- The `table` materialization of this project (it takes precedence over dbt-duckdb's own): the
    table is replaced in place, in one transaction, with its comments in the same statement
    (macros/model_comments.sql):

        begin; create or replace table <model> as (...); comment on ...; commit

    dbt-duckdb's own builds `<model>__dbt_tmp`, renames the old table to `__dbt_backup`, renames the
    new one into place, commits and drops the backup, and asks the catalog for indexes and foreign
    keys on the way: ten statements a model instead of three (four, then two for the comments and
    two `describe`s for dbt's persist_docs), and about half of a one-file refresh's per-model time
    at 2,000 documents (docs/scaling.md). The backup buys nothing here: a refresh
    builds in a copy of the warehouse and discards it whole if any node fails
    (ingest.pipeline.refresh), and no table of this project has indexes, constraints or foreign
    keys. A Python model (int_regions_listed) is written by dbt-duckdb's own create_table_as after
    its old table is dropped, and commented by a statement of its own, in the same transaction. -#}
{% materialization table, adapter="duckdb", supported_languages=['sql', 'python'] %}

  {%- set language = model['language'] -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if existing_relation is not none and not existing_relation.is_table %}
    {% do adapter.drop_relation(existing_relation) %}
    {% set existing_relation = none %}
  {% endif %}

  {% if language == 'sql' %}
    {% call statement('main', language=language) -%}
      {%- set sql_header = config.get('sql_header', none) -%}
      {{ sql_header if sql_header is not none }}
      create or replace table {{ target_relation }} as (
        {{ compiled_code }}
      );
      {{ model_comments(target_relation, model) }}
    {%- endcall %}
  {% else %}
    {% if existing_relation is not none %}
      {% do adapter.drop_relation(existing_relation) %}
    {% endif %}
    {% call statement('main', language=language) -%}
      {{- create_table_as(False, target_relation, compiled_code, language) }}
    {%- endcall %}
    {% set comments = model_comments(target_relation, model) %}
    {% if comments | trim %}
      {% call statement('comments') -%}
        {{ comments }}
      {%- endcall %}
    {% endif %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
