{#- Schemas of the warehouse: a model lands in the target schema (`main`, the marts analysts browse)
    unless dbt_project.yml gives it a custom schema (`staging`, `intermediate`, `seeds`, `quality`);
    then exactly in that schema, never `main_<custom>` (dbt's default concatenation); so a mart in
    a folder with a custom schema (quality_findings in marts/quality) is set back with `+schema: main`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
