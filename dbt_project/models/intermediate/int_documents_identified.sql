-- Documents with a provisional department_id: one id for one body across years.
-- For now: region_code + unit_code, or region_code + a hash of the normalized unit/issuer name
-- (whitespace removed, trailing 本级 dropped). A later issue builds dim_department properly.
with

documents as (

    select * from {{ ref('stg_disclosures__documents') }}

),

named as (

    select
        *,
        nullif(
            regexp_replace(
                regexp_replace(coalesce(unit_name, issuer_name, ''), '\s+', '', 'g'),
                '本级$', ''
            ),
            ''
        ) as normalized_name
    from documents

),

final as (

    select
        document_id,
        case
            when unit_code is not null
                then coalesce(region_code, '000000') || ':' || unit_code
            when normalized_name is not null
                then coalesce(region_code, '000000') || ':n' || left(md5(normalized_name), 12)
        end as department_id,
        coalesce(unit_name, issuer_name) as department_name,
        normalized_name as department_name_normalized,
        issuer_name,
        unit_name,
        unit_code,
        region_code,
        case when region_code similar to '[0-9]{6}' then left(region_code, 2) || '0000' end
            as province_code,
        case when region_code similar to '[0-9]{6}' then left(region_code, 4) || '00' end
            as city_code,
        fiscal_year,
        disclosure_kind,
        scope,
        status,
        error_message,
        title,
        currency_unit,
        is_current,
        superseded_by,
        source_path,
        source_format,
        byte_size,
        page_count,
        encoding,
        parser_version,
        ingested_at

    from named

)

select * from final
