{#- Exact figures and Python-compatible text for the quality models that read printed figures and prose
    (quality_changes, quality_explanations). -#}

{#- Digits after the decimal point of a printed figure ('887.36万元' -> 2, '4,614万元' -> 0): the
    digits and points it holds, counted after the first point. -#}
{% macro printed_decimals(printed) -%}
    coalesce(length(nullif(
        substr(regexp_replace(coalesce({{ printed }}, ''), '[^\p{Nd}.]', '', 'g'),
               strpos(regexp_replace(coalesce({{ printed }}, ''), '[^\p{Nd}.]', '', 'g'), '.') + 1),
        regexp_replace(coalesce({{ printed }}, ''), '[^\p{Nd}.]', '', 'g'))), 0)
{%- endmacro %}

{#- Half of one unit in the last printed digit, exactly, as DECIMAL(38, 8): '887.36' -> 0.005, '4,614'
    -> 0.5 (times the unit's yuan it is half the printed step of an amount). -#}
{% macro half_printed_digit(printed) -%}
    cast('0.' || repeat('0', {{ printed_decimals(printed) }}) || '5' as decimal(38, 8))
{%- endmacro %}

{#- n / d rounded half to even (Python's Decimal.quantize default), for integers (HUGEINT); d <> 0. -#}
{% macro div_round_even(n, d) -%}
    ((case when ({{ n }} < 0) <> ({{ d }} < 0) then -1 else 1 end)
     * (abs({{ n }}) // abs({{ d }})
        + case when 2 * (abs({{ n }}) % abs({{ d }})) > abs({{ d }})
                 or (2 * (abs({{ n }}) % abs({{ d }})) = abs({{ d }}) and (abs({{ n }}) // abs({{ d }})) % 2 = 1)
               then 1 else 0 end))
{%- endmacro %}

{#- A percentage as printed in messages: rounded half to even to 0.01, no grouping ('314.82%'). -#}
{% macro pct_even(value) -%}
    coalesce(cast(cast(round_even({{ value }}, 2) as decimal(38, 2)) as varchar) || '%', '?')
{%- endmacro %}

{#- The characters Python's str.isspace() / regex \s take as white space (RE2's \s is ASCII only), for
    use inside a regex character class. -#}
{% macro py_space() -%}
    \s\x{0B}\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}
{%- endmacro %}

{#- Python's str.strip(): the text without white space at either end. -#}
{% macro py_strip(text) -%}
    regexp_replace({{ text }}, '^[{{ py_space() }}]+|[{{ py_space() }}]+$', '', 'g')
{%- endmacro %}

{#- A classification name for comparison (expectations' norm_name): no spaces or quotes, ASCII
    parentheses, 其它 = 其他, no dashes, 、 or points at either end. -#}
{% macro norm_name(name) -%}
    trim(replace(translate(coalesce({{ name }}, ''), '（）“”" ' || chr(12288), '()'), '其它', '其他'),
         '-—、.． ')
{%- endmacro %}
