{#- How the quality models print figures in their messages (the findings' text). -#}

{#- '994.08万元' for 9,940,800 yuan; '?' for null. -#}
{% macro wan_text(yuan) -%}
    coalesce(format('{:,.2f}万元', round(({{ yuan }}) / 10000, 2)), '?')
{%- endmacro %}

{#- '9,940,800.00 yuan'; '?' for null. -#}
{% macro yuan_text(yuan) -%}
    coalesce(format('{:,.2f} yuan', ({{ yuan }})), '?')
{%- endmacro %}

{#- A decimal as printed, without trailing zeros: 174.33, 0, 100. -#}
{% macro number_text(value) -%}
    case when ({{ value }}) is null then '?'
         else rtrim(rtrim(cast(cast({{ value }} as decimal(38, 10)) as varchar), '0'), '.') end
{%- endmacro %}

{#- The columns every quality model has, in this order (quality_findings unions them).
    check_key names the row checked within its document and check (unique with them). -#}
{% macro quality_columns() -%}
    concern, document_id, check_name, check_key, subject, severity, observed, expected, tolerance,
    observed_unit, page, status, message
{%- endmacro %}
