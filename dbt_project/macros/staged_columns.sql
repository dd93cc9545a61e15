{#- The select list of a staging model: every column of raw.<table_name> as the raw contract
    declares it (the generated _disclosures__sources.yml: ingest/raw_contract.py), cast to its
    contract type, in contract order. `renames` maps a raw column to its staging name; `defaults`
    maps a raw column to the SQL that replaces its nulls (rows loaded before the column existed).
    While dbt parses (execute is false) the source's columns are not known yet: `*` stands in. -#}
{% macro staged_columns(table_name, renames={}, defaults={}) -%}
{%- if execute -%}
{%- set source_node = graph.sources['source.' ~ project_name ~ '.disclosures.' ~ table_name] -%}
{%- for name, column in source_node.columns.items() %}
        {% if name in defaults -%}
        cast(coalesce({{ name }}, {{ defaults[name] }}) as {{ column.data_type }}) as {{ renames.get(name, name) }}
        {%- else -%}
        cast({{ name }} as {{ column.data_type }}) as {{ renames.get(name, name) }}
        {%- endif -%}
        {{ "," if not loop.last }}
{%- endfor -%}
{%- else -%}
        *
{%- endif -%}
{%- endmacro %}
