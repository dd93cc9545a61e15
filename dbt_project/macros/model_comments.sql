{#- The comments of a model's table, as SQL run in the statement that creates the table (the
    materializations `table` and `by_document`): `comment on table` with the model's description
    and `comment on column` for each column described in its yml, as the project's +persist_docs
    asks (relation, columns). DBeaver and duckdb_columns() show them.

    dbt's own persist_docs runs them as two more statements after the create and asks the table
    for its columns twice first (dbt-duckdb's `describe`), to leave out a described column the
    table lacks: four statements a model, about a third of a one-file refresh's time per table
    model (docs/scaling.md). Here every described column must exist: a yml that describes a column
    the model no longer has fails the build at this comment, naming the column and the model. -#}
{% macro model_comments(relation, model) -%}
  {%- if config.persist_relation_docs() and model.description %}
  comment on table {{ relation }} is {{ duckdb_escape_comment(model.description) }};
  {%- endif %}
  {%- if config.persist_column_docs() and model.columns %}
    {%- for name, column in model.columns.items() if column.description %}
  comment on column {{ relation }}.{{ adapter.quote(name) if column.quote else name }} is {{ duckdb_escape_comment(column.description) }};
    {%- endfor %}
  {%- endif %}
{%- endmacro %}
