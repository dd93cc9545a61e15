-- Duplicates: two files holding the same disclosure (rpt_duplicate_disclosures). One row per file
-- set aside, always failed: a warning 'duplicate_disclosure' naming both files, why the other
-- counts (int_documents_ranked.current_rule) and what differs between them.
with

pairs as (

    select
        *,
        regexp_extract(coalesce(source_path, '?'), '[^/]*$') as file_name,
        regexp_extract(coalesce(current_source_path, '?'), '[^/]*$') as current_file_name
    from {{ ref('rpt_duplicate_disclosures') }}

),

described as (

    select
        *,
        coalesce(department_name, department_id) || ', ' || coalesce(cast(fiscal_year as varchar), '?') || ' '
        || case disclosure_kind when 'final_accounts' then 'final accounts' else coalesce(disclosure_kind, '?') end
        || ', scope ' || coalesce(scope, 'unspecified') as what,
        case current_rule
            when 'better_status' then 'it was read completely (parsed before partial before rejected)'
            when 'still_present' then 'it is still in the corpus and the other is not'
            when 'seen_most_recently' then 'its bytes were seen more recently'
            when 'more_statements' then 'more figures were read from it'
            when 'smallest_document_id'
                then 'files first seen together and read alike: the smaller sha256 decides'
            else coalesce(current_rule, '?')
        end as rule_text,
        array_to_string(list_filter([
            case when source_format is distinct from current_source_format then 'format '
                || coalesce(source_format, 'unknown') || ' here, ' || coalesce(current_source_format, 'unknown')
                || ' in the current file' end,
            case when byte_size is distinct from current_byte_size then 'byte size '
                || coalesce(format('{:,}', byte_size), 'unknown') || ' here, '
                || coalesce(format('{:,}', current_byte_size), 'unknown') || ' in the current file' end,
            case when page_count is distinct from current_page_count then 'pages '
                || coalesce(format('{:,}', page_count), 'unknown') || ' here, '
                || coalesce(format('{:,}', current_page_count), 'unknown') || ' in the current file' end,
            case when status is distinct from current_status then 'status '
                || coalesce(status, 'unknown') || ' here, ' || coalesce(current_status, 'unknown')
                || ' in the current file' end,
            case
                when n_figures_compared = 0 then 'no figures were read from either'
                when n_figures_differing = 0 then 'the same figures (' || n_figures_compared || ' compared)'
                else n_figures_differing || ' of ' || n_figures_compared || ' figures stated differently'
                    || case when n_figures_differing > 5 then ' (the first five: ' || differing_figures || ')'
                            else ': ' || differing_figures end
            end
        ], lambda x: x is not null), '; ') as differences
    from pairs

),

final as (

    select
        'duplicates' as concern,
        document_id,
        'duplicate_disclosure' as check_name,
        current_document_id as check_key,
        file_name || ' = ' || current_file_name as subject,
        'warning' as severity,
        cast(n_figures_differing as decimal(20, 2)) as observed,
        cast(null as decimal(20, 2)) as expected,
        cast(null as decimal(20, 2)) as tolerance,
        'figures' as observed_unit,
        cast(null as integer) as page,
        'failed' as status,
        coalesce(source_path, '?') || ' and ' || coalesce(current_source_path, '?') || ' hold the same disclosure ('
        || what || '). Only ' || coalesce(current_source_path, '?') || ' counts (' || rule_text || '); '
        || coalesce(source_path, '?') || ' is set aside and counts nowhere. Differences: ' || differences
        || '. Remove the file that is wrong; while both are there, the rule in README (''Adding a year of '
        || 'files'') decides which counts.' as message
    from described

)

select {{ quality_columns() }} from final
