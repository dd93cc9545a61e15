{#- A value as a SQL string literal (single quotes doubled), for values a model writes into its
    SQL when it is compiled (dim_department's category rules). -#}
{% macro sql_literal(value) -%}
'{{ dbt.escape_single_quotes(value | string) }}'
{%- endmacro %}
