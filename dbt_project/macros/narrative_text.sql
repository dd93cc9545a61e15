{#- How the narrative checks (quality_narrative, quality_narrative_items) read the text's figures
    and labels: the printed precision of a figure, a classification name as compared, the 类/款/项
    path of an item explanation's label, and figures in messages exactly as Python's Decimal prints
    them. -#}

{#- Python's \s (Unicode whitespace) as an RE2 class (RE2's \s is ASCII only). -#}
{% macro unicode_space() -%}
    [\s\x{0b}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]
{%- endmacro %}

{#- Yuan of one unit in the last printed digit, exactly (decimal(38, 12)): '887.36' in 万元 ->
    100, '4,614' in 万元 -> 10000, '873,617.00' in 元 -> 0.01. A figure printed to that step may
    differ from the exact one by half a step when rounded and by up to one step when truncated.
    The digits after the first '.' count (the digits and dots of the printed text). -#}
{% macro printed_step(printed_value, printed_unit) -%}
    {#- yuan per printed unit (ingest.amounts.UNIT_TO_YUAN); any other unit counts as 元 -#}
    {%- set yuan_per_unit = {'元': 1, '万元': 10000, '亿元': 100000000, '千元': 1000, '百万元': 1000000} -%}
    cast(
        (case coalesce(nullif({{ printed_unit }}, ''), '元')
            {%- for unit, yuan in yuan_per_unit.items() %} when '{{ unit }}' then {{ yuan }}{% endfor %}
            else 1 end)
        || 'e-'
        || coalesce(length(regexp_replace(coalesce({{ printed_value }}, ''), '[^\p{Nd}.]', '', 'g'))
                    - nullif(strpos(regexp_replace(coalesce({{ printed_value }}, ''), '[^\p{Nd}.]', '', 'g'), '.'), 0),
                    0)
        as decimal(38, 12))
{%- endmacro %}

{#- A classification name as compared: no spaces or quotes, ASCII parentheses, 其它 = 其他, no
    leading or trailing dashes, 、 or dots. -#}
{% macro class_name_key(name) -%}
    trim(replace(regexp_replace(replace(replace(coalesce({{ name }}, ''), '（', '('), '）', ')'),
                                '[ \x{3000}“”"]', '', 'g'),
                 '其它', '其他'),
         '-—、.． ')
{%- endmacro %}

{#- The 类/款/项 names of an item explanation's label, as compared (class_name_key), in that order:
    '社会保障和就业支出(类)行政事业单位养老支出(款)职业年金(项)' -> [类, 款, 项] (each marked level the
    text before its mark; a level marked twice, the last), else a label in dashes
    '一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行' -> its first three non-empty parts.
    An empty list when the label names no path. -#}
{% macro class_path(label) -%}
    {%- set text -%}
        replace(replace(coalesce({{ label }}, ''), '（', '('), '）', ')')
    {%- endset -%}
    {%- set space = unicode_space() -%}
    {%- set level_mark = "'[（(]" ~ space ~ "*\\p{Nd}*" ~ space ~ "*(类|款|项)" ~ space ~ "*[)）]'" -%}
    {%- set dash = "'" ~ space ~ "*[-—]" ~ space ~ "*'" -%}
    case
        when len(regexp_extract_all({{ text }}, {{ level_mark }}, 1)) > 0 then
            list_filter(
                list_transform(['类', '款', '项'], lambda level:
                    case when list_contains(regexp_extract_all({{ text }}, {{ level_mark }}, 1), level) then
                        {{ class_name_key(
                            "regexp_split_to_array(" ~ text ~ ", " ~ level_mark ~ ")["
                            ~ "len(regexp_extract_all(" ~ text ~ ", " ~ level_mark ~ ", 1)) + 1 - "
                            ~ "list_position(list_reverse(regexp_extract_all(" ~ text ~ ", " ~ level_mark ~ ", 1)), level)]"
                        ) }}
                    end),
                lambda name: name is not null)
        else
            list_filter(
                list_transform(regexp_split_to_array({{ text }}, {{ dash }}), lambda part: {{ class_name_key('part') }}),
                lambda name: name <> '')[1:3]
    end
{%- endmacro %}

{#- '9,940,800.00 yuan' (rounded half to even to the cent); '?' for null. -#}
{% macro yuan_text_even(yuan) -%}
    coalesce(format('{:,.2f} yuan', round_even(cast({{ yuan }} as decimal(38, 12)), 2)), '?')
{%- endmacro %}
