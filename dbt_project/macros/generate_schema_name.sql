{#- Every model lands in the target schema (`main`), or exactly in a custom schema when one is set:
    never `main_<custom>` (dbt's default concatenation). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
