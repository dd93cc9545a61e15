{#- The one place a printed department/unit name is normalized for matching: whitespace removed,
    full-width parentheses made ASCII, and a trailing scope marker dropped ('(部门)', '(单位)',
    '本级', '(本级)'). Scope is kept apart in its own column, never in the name. -#}
{% macro normalize_department_name(column_name) -%}
    nullif(
        regexp_replace(
            replace(replace(regexp_replace(coalesce({{ column_name }}, ''), '\s+', '', 'g'), '（', '('), '）', ')'),
            '(\((部门|单位|本级)\)|本级)+$', ''
        ),
        ''
    )
{%- endmacro %}

{#- The matching key of a normalized name within its region: the region's own names printed at the
    start ('上海市', '普陀区'; province, then city, then county) are dropped, so '上海市普陀区财政局'
    and '普陀区财政局' meet. The full name is kept when nothing would be left. -#}
{% macro department_match_key(name, province_name, city_name, county_name) -%}
    coalesce(nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace({{ name }},
                    '^' || coalesce({{ province_name }}, '\x00'), ''),
                '^' || coalesce({{ city_name }}, '\x00'), ''),
            '^' || coalesce({{ county_name }}, '\x00'), ''),
        ''), {{ name }})
{%- endmacro %}
