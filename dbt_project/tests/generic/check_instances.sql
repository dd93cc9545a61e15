{#- The contract of a quality model (marts/quality/quality_*: one row per check instance), in one
    query, so that a model costs one test node, not three (each node costs dbt ~50 ms of its own
    work on top of the query; docs/scaling.md). Fails on every row that breaks one of the rules,
    and the `failure` column names which:
      - 'duplicate key': the key (`combination_of_columns`) occurs more than once (nulls group
        together; n_rows says how often);
      - 'null key column': a key column other than the `nullable_columns` is null;
      - 'status not a verdict': status is neither 'passed' nor 'failed';
      - 'failure without severity or message': a failed row whose severity is not one of
        `severities` or whose message is null.
    As with expression_is_true, a rule whose expression is null passes (a null status is not
    checked). -#}
{% test check_instances(model, combination_of_columns=['document_id', 'check_name', 'check_key'],
                        nullable_columns=[], severities=['error', 'warning', 'info']) %}
{%- set cols = combination_of_columns | join(', ') %}
{%- set required = combination_of_columns | reject('in', nullable_columns) | list %}
{%- set severity_list = "'" ~ (severities | join("', '")) ~ "'" %}

with duplicated as (
    select {{ cols }}, count(*) as n_rows, 'duplicate key' as failure
    from {{ model }}
    group by {{ cols }}
    having count(*) > 1
),

broken as (
    select {{ cols }}, 1 as n_rows,
        case
            {%- if required %}
            when {% for c in required %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}
                then 'null key column'
            {%- endif %}
            when not (status in ('passed', 'failed')) then 'status not a verdict'
            when status = 'failed' and not (severity in ({{ severity_list }}) and message is not null)
                then 'failure without severity or message'
        end as failure
    from {{ model }}
),

final as (
    select * from duplicated
    union all
    select * from broken where failure is not null
)

select * from final

{% endtest %}
