{#- Fails on every row where `expression` is false (written here: no dbt packages; same semantics
    as dbt_utils.expression_is_true: a null result, e.g. a part that was not stated, passes).
    Used for totals: parts add up to the total. Narrow rows with the test's `where` config. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name }}{{ expression }})

{% endtest %}
