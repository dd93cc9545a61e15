{#- The key tests of a build that left them out, run together in one query at the end (the
    project's on-run-end hook).

    Every model, source and seed declares its key once, as a `unique_combination` test in its
    YAML. A full build runs each as a test node of its own. A build by document (the project
    unchanged, ingest.transform.build_args) leaves them out with `--exclude
    test_name:unique_combination`, since each node costs dbt ~40 ms of its own work beside a
    query of a few ms (docs/scaling.md), and this hook runs them instead: every such test that did
    not run, whose model this build built (or whose parent is a source of raw.*), in one `union
    all` of the tests' own SQL (the generic test `unique_combination`). The failures of each are
    logged as one line the build reads back ('budgetwh-key-tests <json>': unique id, failing rows,
    seconds (the query's, shared out), severity, model), so that main.dbt_test_results lists them as a full build does; a test of severity
    `error` that fails fails the build here, naming the model and its key. A test's `where` is
    applied as dbt applies it; one with another fail_calc, warn_if, error_if or limit is refused. -#}
{% macro check_keys_together(results) %}
{%- if not execute -%}{{ return('') }}{%- endif -%}
{%- set ran = [] -%}
{%- set built = [] -%}
{%- for r in results -%}
    {%- do ran.append(r.node.unique_id) -%}
    {%- if r.node.resource_type == 'model' and r.status == 'success' -%}
        {%- do built.append(r.node.unique_id) -%}
    {%- endif -%}
{%- endfor -%}
{%- if not built -%}{{ return('') }}{%- endif -%}

{%- set tests = [] -%}
{%- set parts = [] -%}
{%- for node in graph.nodes.values()
        if node.resource_type == 'test' and node.test_metadata
        and node.test_metadata.name == 'unique_combination' and node.unique_id not in ran -%}
    {%- set parent_id = node.depends_on.nodes[0] if node.depends_on.nodes else none -%}
    {%- if parent_id in built -%}
        {%- set relation = graph.nodes[parent_id].relation_name -%}
    {%- elif parent_id and parent_id.startswith('source.') -%}
        {%- set relation = graph.sources[parent_id].relation_name -%}
    {%- else -%}
        {%- set relation = none -%}
    {%- endif -%}
    {%- set config = node.config -%}
    {%- if relation and (config.fail_calc != 'count(*)' or config.warn_if != '!= 0' or config.error_if != '!= 0'
                         or config.limit is not none) -%}
        {%- do exceptions.raise_compiler_error('test ' ~ node.unique_id ~ ' has a fail_calc, warn_if, error_if or '
            ~ 'limit this hook does not apply: give check_keys_together what it needs, or run it as a node') -%}
    {%- endif -%}
    {%- if relation and config.where -%}
        {#- as dbt's get_where_subquery does for a test node -#}
        {%- set relation = '(select * from ' ~ relation ~ ' where ' ~ config.where ~ ') as dbt_subquery' -%}
    {%- endif -%}
    {%- if relation -%}
        {%- set kwargs = node.test_metadata.kwargs -%}
        {%- set test_sql = test_unique_combination(
                model=relation,
                combination_of_columns=kwargs.combination_of_columns,
                allow_nulls=kwargs.get('allow_nulls', false),
                nullable_columns=kwargs.get('nullable_columns', [])) -%}
        {%- do tests.append(node) -%}
        {%- do parts.append("select '" ~ node.unique_id ~ "' as unique_id, count(*) as failures from ("
                            ~ test_sql ~ "\n) as t") -%}
    {%- endif -%}
{%- endfor -%}
{%- if not parts -%}{{ return('') }}{%- endif -%}

{%- set started = modules.datetime.datetime.now() -%}
{%- set table = run_query(parts | join('\nunion all\n')) -%}
{%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
{%- set failures = {} -%}
{%- for row in table.rows -%}
    {%- do failures.update({row[0]: row[1] | int}) -%}
{%- endfor -%}

{%- set reported = [] -%}
{%- set broken = [] -%}
{%- for node in tests -%}
    {%- set n = failures.get(node.unique_id, 0) -%}
    {%- set parent_id = node.depends_on.nodes[0] -%}
    {%- do reported.append({'unique_id': node.unique_id, 'failures': n, 'seconds': seconds / (tests | length),
                            'severity': node.config.severity | lower,
                            'model': parent_id.split('.')[-1] if parent_id.startswith('model.') else none}) -%}
    {%- if n and (node.config.severity | lower) == 'error' -%}
        {%- do broken.append(parent_id.split('.')[-1] ~ ' (' ~ (node.test_metadata.kwargs.combination_of_columns | join(', '))
                             ~ '): ' ~ n ~ ' duplicate or null key(s), test ' ~ node.unique_id) -%}
    {%- endif -%}
{%- endfor -%}
{%- do log('budgetwh-key-tests ' ~ tojson(reported), info=false) -%}
{%- if broken -%}
    {%- do exceptions.raise_compiler_error('key tests failed: ' ~ (broken | join('; '))) -%}
{%- endif -%}
{{ return('') }}
{%- endmacro %}
