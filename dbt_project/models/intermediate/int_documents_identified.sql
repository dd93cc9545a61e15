-- Documents with their department_id: one id for one body across years, whatever the name
-- variant printed in a given year's document.
--   1. Names are normalized (macro normalize_department_name: whitespace, full-width parentheses,
--      trailing '(部门)' / '(单位)' / '本级' dropped) and reduced to a match key within the region
--      (the region's own names at the start dropped: '上海市普陀区财政局' = '普陀区财政局').
--   2. The seed department_aliases (region_code, alias, canonical_name[, unit_code]) maps name
--      variants to one canonical name; the unit name is tried before the issuer name.
--   3. The unit code is the document's own, else the alias's, else the one another document of
--      the same region and canonical name prints.
--   4. department_id = region_code || ':' || unit_code, or region_code || ':n' || the first 12 hex
--      of md5(canonical match key) when no unit code is known.
-- Scope (department / unit) is not part of the id: it is its own column, kept apart downstream.
with

documents as (

    select * from {{ ref('stg_disclosures__documents') }}

),

regions as (

    select * from {{ ref('int_regions_resolved') }}

),

aliases as (

    select * from {{ ref('department_aliases') }}

),

named as (

    select
        documents.*,
        {{ normalize_department_name('documents.unit_name') }} as unit_name_normalized,
        {{ normalize_department_name('documents.issuer_name') }} as issuer_name_normalized,
        regions.level as region_level,
        regions.province_name as region_province_name,
        regions.city_name as region_city_name,
        regions.county_name as region_county_name
    from documents
    left join regions
        on documents.region_code = regions.region_code

),

keyed as (

    select
        *,
        {{ department_match_key('unit_name_normalized', 'region_province_name',
                                'region_city_name', 'region_county_name') }} as unit_match_key,
        {{ department_match_key('issuer_name_normalized', 'region_province_name',
                                'region_city_name', 'region_county_name') }} as issuer_match_key
    from named

),

alias_keys as (

    select
        cast(aliases.region_code as varchar) as region_code,
        {{ department_match_key(normalize_department_name('aliases.alias'), 'regions.province_name',
                                'regions.city_name', 'regions.county_name') }} as alias_match_key,
        {{ normalize_department_name('aliases.canonical_name') }} as canonical_name,
        {{ department_match_key(normalize_department_name('aliases.canonical_name'),
                                'regions.province_name', 'regions.city_name',
                                'regions.county_name') }} as canonical_match_key,
        nullif(trim(cast(aliases.unit_code as varchar)), '') as alias_unit_code
    from aliases
    left join regions
        on cast(aliases.region_code as varchar) = regions.region_code

),

-- one row per (region, alias key): a canonical name that is itself listed maps to itself
alias_lookup as (

    select
        region_code,
        alias_match_key,
        min(canonical_name) as canonical_name,
        min(canonical_match_key) as canonical_match_key,
        min(alias_unit_code) as alias_unit_code
    from (
        select region_code, alias_match_key, canonical_name, canonical_match_key, alias_unit_code
        from alias_keys
        union all
        select region_code, canonical_match_key, canonical_name, canonical_match_key, alias_unit_code
        from alias_keys
    ) as both_sides
    group by region_code, alias_match_key

),

resolved as (

    select
        keyed.*,
        coalesce(unit_alias.canonical_name, issuer_alias.canonical_name) as alias_canonical_name,
        coalesce(unit_alias.alias_unit_code, issuer_alias.alias_unit_code) as alias_unit_code,
        coalesce(
            unit_alias.canonical_match_key, issuer_alias.canonical_match_key,
            keyed.unit_match_key, keyed.issuer_match_key
        ) as canonical_match_key
    from keyed
    left join alias_lookup as unit_alias
        on keyed.region_code is not distinct from unit_alias.region_code
        and keyed.unit_match_key = unit_alias.alias_match_key
    left join alias_lookup as issuer_alias
        on keyed.region_code is not distinct from issuer_alias.region_code
        and keyed.issuer_match_key = issuer_alias.alias_match_key

),

coded as (

    select
        *,
        coalesce(
            unit_code,
            alias_unit_code,
            min(unit_code) over (partition by region_code, canonical_match_key)
        ) as resolved_unit_code
    from resolved

),

identified as (

    select
        *,
        case
            when resolved_unit_code is not null
                then coalesce(region_code, '000000') || ':' || resolved_unit_code
            when canonical_match_key is not null
                then coalesce(region_code, '000000') || ':n' || left(md5(canonical_match_key), 12)
        end as department_id,
        coalesce(unit_name_normalized, issuer_name_normalized) as printed_name_normalized
    from coded

),

named_departments as (

    select
        *,
        -- the display name: the alias's canonical name, else the latest document's printed name
        coalesce(
            max(alias_canonical_name) over (partition by department_id),
            first_value(printed_name_normalized ignore nulls) over (
                partition by department_id
                order by fiscal_year desc nulls last, ingested_at desc, document_id
                rows between unbounded preceding and unbounded following
            )
        ) as canonical_department_name
    from identified

),

final as (

    select
        document_id,
        department_id,
        canonical_department_name as department_name,
        coalesce(unit_name, issuer_name) as printed_department_name,
        printed_name_normalized as department_name_normalized,
        canonical_match_key as department_match_key,
        alias_canonical_name is not null as is_name_from_alias,
        resolved_unit_code as department_unit_code,
        issuer_name,
        unit_name,
        unit_code,
        region_code,
        region_level,
        -- the parents' codes from the code's shape (int_regions_resolved gives every code a level):
        -- none for a central body, no city for a province-level one
        case when region_level in ('province', 'city', 'county')
            then left(region_code, 2) || '0000' end as province_code,
        case when region_level in ('city', 'county')
            then left(region_code, 4) || '00' end as city_code,
        fiscal_year,
        disclosure_kind,
        scope,
        consolidation,
        status,
        error_message,
        title,
        currency_unit,
        is_latest_version,
        superseded_by,
        source_path,
        source_format,
        byte_size,
        page_count,
        encoding,
        parser_version,
        ingested_at

    from named_departments

)

select * from final
