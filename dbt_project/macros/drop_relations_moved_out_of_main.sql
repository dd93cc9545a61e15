{#- A warehouse built before the layers had their own schemas holds its staging, intermediate, seed
    and quality-component tables in `main`; the refresh works on a copy of it, so they would stay
    there, stale, beside the marts. Run at the start of every dbt invocation (on-run-start): drops
    from the target schema each table this project now builds in another schema. Nothing else
    (raw, the checkpoint's tables, a table the project does not know) is touched. -#}
{% macro drop_relations_moved_out_of_main() %}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
                if node.resource_type in ('model', 'seed') and node.schema != target.schema -%}
            {%- set stale = adapter.get_relation(database=target.database, schema=target.schema,
                                                 identifier=node.alias) -%}
            {%- if stale is not none -%}
                {%- do log('dropping ' ~ stale ~ ' (now built in schema ' ~ node.schema ~ ')', info=false) -%}
                {%- do adapter.drop_relation(stale) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
