with

source as (

    select * from {{ source('disclosures', 'documents') }}

),

final as (

    select
        cast(document_id as varchar) as document_id,
        cast(source_path as varchar) as source_path,
        cast(source_format as varchar) as source_format,
        cast(byte_size as bigint) as byte_size,
        cast(page_count as integer) as page_count,
        cast(encoding as varchar) as encoding,
        cast(parser_version as varchar) as parser_version,
        cast(ingested_at as timestamp) as ingested_at,
        cast(issuer_name as varchar) as issuer_name,
        cast(unit_name as varchar) as unit_name,
        cast(unit_code as varchar) as unit_code,
        cast(region_code as varchar) as region_code,
        cast(fiscal_year as integer) as fiscal_year,
        cast(disclosure_kind as varchar) as disclosure_kind,
        cast(scope as varchar) as scope,
        cast(consolidation as varchar) as consolidation,
        cast(status as varchar) as status,
        cast(error as varchar) as error_message,
        cast(title as varchar) as title,
        cast(currency_unit as varchar) as currency_unit,
        cast(coalesce(is_current, true) as boolean) as is_latest_version,
        cast(superseded_by as varchar) as superseded_by

    from source

)

select * from final
