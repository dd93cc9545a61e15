{#- How the quality models print figures in their messages (the findings' text). -#}

{#- '994.08万元' for 9,940,800 yuan: the 万元 rounded half to even (as Python's Decimal rounds), a
    negative that rounds to zero printed '-0.00万元'; '?' for null. Every message prints 万元 so. -#}
{% macro wan_text(yuan) -%}
    coalesce(
        if(({{ yuan }}) < 0 and round_even(cast({{ yuan }} as decimal(36, 2)) * 0.0001, 2) = 0, '-', '')
        || format('{:,.2f}万元', round_even(cast({{ yuan }} as decimal(36, 2)) * 0.0001, 2)),
        '?')
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

{#- The last select of a quality model: its rows (from ``relation``, with the columns of
    quality_columns but concern) typed as the contract every quality model shares; with
    ``round_even_figures`` the figures are rounded half to even to the cent first. -#}
{% macro typed_checks(concern, relation='checks', round_even_figures=false) -%}
select
    '{{ concern }}' as concern,
    cast(document_id as varchar) as document_id,
    cast(check_name as varchar) as check_name,
    cast(check_key as varchar) as check_key,
    cast(subject as varchar) as subject,
    cast(severity as varchar) as severity,
    {%- for figure in ['observed', 'expected', 'tolerance'] %}
    cast({{ 'round_even(' ~ figure ~ ', 2)' if round_even_figures else figure }} as decimal(38, 2)) as {{ figure }},
    {%- endfor %}
    cast(observed_unit as varchar) as observed_unit,
    cast(page as integer) as page,
    cast(status as varchar) as status,
    cast(message as varchar) as message
from {{ relation }}
{%- endmacro %}
