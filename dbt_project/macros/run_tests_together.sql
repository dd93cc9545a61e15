{#- The data tests of a build that left them out, run together in one query at the end (the
    project's on-run-end hook).

    Every model, source and seed declares its tests in its YAML, and a full build runs each as a
    test node. A build by document (the project unchanged, ingest.transform.build_args) leaves out
    the project's own generic tests (`unique_combination`, `check_instances`, `expression_is_true`,
    `not_null_columns`: ingest.transform.TESTS_RUN_TOGETHER), since each node costs dbt ~40-60 ms
    of its own work beside a query of a few ms (docs/scaling.md), and this hook runs them instead:
    every such test that did not run, whose model this build built (or whose parent is a source
    of raw.* or a view, which the build leaves out), in one `union all` of the tests' own SQL (the
    same macros, the test's `where` applied as dbt applies it). A test left out of the build whose model it built but that is not
    one of those fails the build: the two lists (here and TESTS_RUN_TOGETHER) cannot drift apart
    silently. The failing rows of each are logged as one line the build reads
    back ('budgetwh-tests-together <json>': unique id, failing rows, seconds (the query's, shared
    out), severity, model), so that main.dbt_test_results lists them as a full build does; a test
    of severity `error` that fails fails the build here, naming the test and its model. A test
    with another fail_calc, warn_if, error_if or limit, or an argument dbt would render as Jinja,
    is refused (run it as a node). -#}
{% macro run_tests_together(results) %}
{%- if not execute -%}{{ return('') }}{%- endif -%}
{%- set test_macros = {
    'unique_combination': test_unique_combination,
    'check_instances': test_check_instances,
    'expression_is_true': test_expression_is_true,
    'not_null_columns': test_not_null_columns,
} -%}
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
{%- for node in graph.nodes.values() if node.resource_type == 'test' and node.unique_id not in ran -%}
    {%- set parent_id = node.depends_on.nodes[0] if node.depends_on.nodes else none -%}
    {%- if parent_id in built -%}
        {%- set relation = graph.nodes[parent_id].relation_name -%}
    {%- elif parent_id and parent_id.startswith('source.') -%}
        {%- set relation = graph.sources[parent_id].relation_name -%}
    {%- elif parent_id in graph.nodes and graph.nodes[parent_id].config.materialized == 'view' -%}
        {#- a view the build left out (ingest.transform.CODE_ONLY_SELECTORS): its rows are raw.*'s now -#}
        {%- set relation = graph.nodes[parent_id].relation_name -%}
    {%- else -%}
        {%- set relation = none -%}
    {%- endif -%}
    {%- if relation and not (node.test_metadata and node.test_metadata.name in test_macros) -%}
        {#- left out of a build that built its model (ingest.transform.TESTS_RUN_TOGETHER names
            more than this hook runs): it would silently not run -#}
        {%- do exceptions.raise_compiler_error('test ' ~ node.unique_id ~ ' was left out of the build, but '
            ~ 'run_tests_together runs only ' ~ (test_macros.keys() | list | join(', '))) -%}
    {%- endif -%}
    {%- if relation -%}
        {%- set config = node.config -%}
        {%- set kwargs = {} -%}
        {%- for name, value in node.test_metadata.kwargs.items() if name != 'model' -%}
            {%- do kwargs.update({name: value}) -%}
        {%- endfor -%}
        {%- if config.fail_calc != 'count(*)' or config.warn_if != '!= 0' or config.error_if != '!= 0'
               or config.limit is not none or '{{' in (kwargs | string) -%}
            {%- do exceptions.raise_compiler_error('test ' ~ node.unique_id ~ ' has a fail_calc, warn_if, error_if, '
                ~ 'limit or Jinja argument run_tests_together does not apply: run it as a node') -%}
        {%- endif -%}
        {%- if config.where -%}
            {#- as dbt's get_where_subquery does for a test node -#}
            {%- set relation = '(select * from ' ~ relation ~ ' where ' ~ config.where ~ ') as dbt_subquery' -%}
        {%- endif -%}
        {%- set test_sql = test_macros[node.test_metadata.name](model=relation, **kwargs) -%}
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
        {%- set kwargs = node.test_metadata.kwargs -%}
        {%- set what = kwargs.combination_of_columns or kwargs.columns or [] -%}
        {%- do broken.append(parent_id.split('.')[-1] ~ (' (' ~ (what | join(', ')) ~ ')' if what else '')
                             ~ ': ' ~ n ~ ' failing row(s) of ' ~ node.test_metadata.name ~ ', test ' ~ node.unique_id) -%}
    {%- endif -%}
{%- endfor -%}
{%- do log('budgetwh-tests-together ' ~ tojson(reported), info=false) -%}
{%- if broken -%}
    {%- do exceptions.raise_compiler_error('tests failed: ' ~ (broken | join('; '))) -%}
{%- endif -%}
{{ return('') }}
{%- endmacro %}
