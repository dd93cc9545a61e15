{#- The one place amounts change unit: yuan (元) to 10,000 yuan (万元), exact decimal. -#}
{% macro yuan_to_wan_yuan(column_name, scale=6) -%}
    cast({{ column_name }} / 10000 as decimal(24, {{ scale }}))
{%- endmacro %}
