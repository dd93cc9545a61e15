{#- Primary-key test for a key of one or more columns (written here: no dbt packages).
    Fails on every key value that occurs more than once and, unless allow_nulls, on every row
    where a key column is null. -#}
{% test unique_combination(model, combination_of_columns, allow_nulls=false) %}
{%- set cols = combination_of_columns | join(', ') %}

with duplicated as (
    select {{ cols }}, count(*) as n_rows, 'duplicate key' as failure
    from {{ model }}
    group by {{ cols }}
    having count(*) > 1
)
{%- if not allow_nulls %},

null_keys as (
    select {{ cols }}, 1 as n_rows, 'null key column' as failure
    from {{ model }}
    where {% for c in combination_of_columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}
)

select * from duplicated
union all
select * from null_keys
{%- else %}

select * from duplicated
{%- endif %}
{% endtest %}
