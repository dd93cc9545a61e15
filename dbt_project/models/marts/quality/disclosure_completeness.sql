-- Per document, every section and table its own region's list requires (seed required_parts: the
-- Shanghai review checklist and the budget / final-accounts templates for Shanghai documents, the
-- general list elsewhere): present, empty_with_note or missing, with its page and what was found.
-- How a part is looked for: int_required_parts_assessed. quality_completeness grades the rows.
with

assessed as (

    select * from {{ ref('int_required_parts_assessed') }}
    where is_own_list

),

final as (

    select
        document_id,
        disclosure_kind,
        list_region,
        part_key,
        part_name,
        part_type,
        severity_if_missing,
        status,
        page,
        evidence,
        source
    from assessed

)

select * from final
order by all
