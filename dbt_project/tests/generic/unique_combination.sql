{#- Primary-key test for a key of one or more columns (written here: no dbt packages).
    Fails on every key value that occurs more than once (nulls group together) and, unless
    allow_nulls, on every row where a key column is null, except the nullable_columns (a key part
    a document may lack, e.g. the reference year of a document whose year is unknown). -#}
{% test unique_combination(model, combination_of_columns, allow_nulls=false, nullable_columns=[]) %}
{%- set cols = combination_of_columns | join(', ') %}
{%- set required = combination_of_columns | reject('in', nullable_columns) | list %}

with duplicated as (
    select {{ cols }}, count(*) as n_rows, 'duplicate key' as failure
    from {{ model }}
    group by {{ cols }}
    having count(*) > 1
)
{%- if not allow_nulls and required %},

null_keys as (
    select {{ cols }}, 1 as n_rows, 'null key column' as failure
    from {{ model }}
    where {% for c in required %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}
)

select * from duplicated
union all
select * from null_keys
{%- else %}

select * from duplicated
{%- endif %}
{% endtest %}
