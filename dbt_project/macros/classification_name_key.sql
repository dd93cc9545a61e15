{#- A classification name as compared with the standard one (quality_tables): 其它 = 其他, without whitespace, brackets, 缴费, 费用 and 费. -#}
{%- macro classification_name_key(name) -%}
    regexp_replace(replace({{ name }}, '其它', '其他'), '[\s\pZ\x{0b}\x{1c}-\x{1f}\x{85}()（）]|缴费|费用|费', '', 'g')
{%- endmacro %}
