{#- Fails on every row where one of `columns` is null: the not-null columns of a table in one
    query (written here: no dbt packages), so a table's contract costs one test, not one per column. -#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where {% for c in columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}

{% endtest %}
