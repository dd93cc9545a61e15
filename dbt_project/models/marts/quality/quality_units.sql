{{ config(materialized='by_document') }}
-- Unit anomalies: a figure printed in another unit than the figures around it. Within one current
-- document, statement family ('assets', 'sangong', ...) and source (narrative / table), amounts are
-- normally printed in one unit (the most common one; a tie goes to the document's currency unit,
-- or leaves the group unchecked). One row per amount of a group of two or more; a figure in
-- another unit fails, never corrected. Read in the family's unit, it is confirmed (error) when it
-- equals the sum of some of its siblings (the largest such subset of at most 14 siblings, e.g.
-- 174.33 + 459.89 + 0 = 634.22万元) or the same key stated elsewhere; otherwise it is an info.
with

unit_scales as (

    select * from (values ('元', 1), ('万元', 10000), ('亿元', 100000000), ('千元', 1000), ('百万元', 1000000))
        as t (unit, yuan_per_unit)

),

documents as (

    select document_id, currency_unit from {{ changed_documents_only(ref('dim_document')) }} where is_current is not false

),

items as (

    select
        statements.document_id,
        statements.statement_seq,
        statements.statement_key,
        split_part(statements.statement_key, '.', 1) as family,
        coalesce(statements.source, '') as source,
        statements.amount_yuan as amount,
        statements.printed_unit as unit,
        statements.printed_value,
        statements.page,
        unit_scales.yuan_per_unit
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join documents
        on statements.document_id = documents.document_id
    inner join unit_scales
        on statements.printed_unit = unit_scales.unit
    where statements.measure = 'amount'
        and statements.amount_yuan is not null
        and nullif(statements.statement_key, '') is not null

),

unit_counts as (

    select document_id, family, source, unit, count(*) as n
    from items
    group by all

),

groups as (

    select
        unit_counts.document_id,
        unit_counts.family,
        unit_counts.source,
        sum(unit_counts.n) as n_members,
        list(unit_counts.unit) filter (where unit_counts.n = top.n_max) as best_units
    from unit_counts
    inner join (
        select document_id, family, source, max(n) as n_max from unit_counts group by all
    ) as top
        on unit_counts.document_id = top.document_id
        and unit_counts.family = top.family
        and unit_counts.source = top.source
    group by all

),

dominant as (

    select
        groups.document_id,
        groups.family,
        groups.source,
        case
            when len(groups.best_units) = 1 then groups.best_units[1]
            when list_contains(groups.best_units, documents.currency_unit) then documents.currency_unit
        end as dominant_unit
    from groups
    inner join documents
        on groups.document_id = documents.document_id
    where groups.n_members >= 2

),

checked as (

    select
        items.*,
        dominant.dominant_unit,
        unit_scales.yuan_per_unit as dominant_yuan_per_unit,
        items.unit = dominant.dominant_unit as unit_consistent,
        items.amount / items.yuan_per_unit as number,
        round(items.amount / items.yuan_per_unit * unit_scales.yuan_per_unit, 2) as reread
    from items
    inner join dominant
        on items.document_id = dominant.document_id
        and items.family = dominant.family
        and items.source = dominant.source
    inner join unit_scales
        on dominant.dominant_unit = unit_scales.unit
    where dominant.dominant_unit is not null

),

suspects as (

    select
        suspect.document_id,
        suspect.statement_seq,
        suspect.reread,
        list({'amount': sibling.amount,
              'text': sibling.statement_key || ' ' || {{ number_text('sibling.amount / sibling.yuan_per_unit') }}
                      || sibling.unit}
             order by sibling.statement_seq) as siblings
    from checked as suspect
    inner join checked as sibling
        on suspect.document_id = sibling.document_id
        and suspect.family = sibling.family
        and suspect.source = sibling.source
        and sibling.unit_consistent
    where not suspect.unit_consistent
    group by all

),

subsets as (

    select
        suspects.document_id,
        suspects.statement_seq,
        suspects.reread,
        list_filter(suspects.siblings, lambda s, i: (masks.mask >> (i - 1)) & 1 = 1) as parts,
        list_filter(range(1, len(suspects.siblings) + 1), lambda i: (masks.mask >> (i - 1)) & 1 = 1) as positions
    from suspects,
        range(1, cast(pow(2, len(suspects.siblings)) as bigint)) as masks (mask)
    where len(suspects.siblings) between 2 and 14
        and bit_count(masks.mask) >= 2

),

matching as (

    select
        document_id,
        statement_seq,
        arg_min(parts, [-len(positions)] || positions) as parts
    from subsets
    where list_sum([p.amount for p in parts]) = reread
    group by document_id, statement_seq

),

elsewhere as (

    select distinct checked.document_id, checked.statement_seq
    from checked
    inner join items as other
        on checked.document_id = other.document_id
        and checked.statement_key = other.statement_key
        and checked.reread = other.amount
    where not checked.unit_consistent

),

explained as (

    select
        checked.*,
        matching.parts,
        elsewhere.statement_seq is not null as same_key_elsewhere,
        {{ number_text('checked.number') }} || checked.dominant_unit as reread_text,
        case
            when ends_with(coalesce(checked.printed_value, {{ number_text('checked.number') }}), checked.unit)
                then coalesce(checked.printed_value, {{ number_text('checked.number') }})
            else coalesce(checked.printed_value, {{ number_text('checked.number') }}) || checked.unit
        end as printed_text
    from checked
    left join matching
        on checked.document_id = matching.document_id
        and checked.statement_seq = matching.statement_seq
    left join elsewhere
        on checked.document_id = elsewhere.document_id
        and checked.statement_seq = elsewhere.statement_seq

),

final as (

    select
        'units' as concern,
        document_id,
        'unit_anomaly' as check_name,
        cast(statement_seq as varchar) as check_key,
        statement_key as subject,
        case when unit_consistent then null
             when parts is not null or same_key_elsewhere then 'error' else 'info' end as severity,
        amount as observed,
        case when unit_consistent then null else reread end as expected,
        cast(0 as decimal(20, 2)) as tolerance,
        'yuan' as observed_unit,
        page,
        case when unit_consistent then 'passed' else 'failed' end as status,
        case when not unit_consistent then
            statement_key || coalesce(' on page ' || page, '') || ' is printed as ''' || printed_text
            || ''', but the other ' || family || ' figures of this document''s ' || coalesce(nullif(source, ''), 'text')
            || ' are printed in ' || dominant_unit || '.'
            || case
                when parts is not null then ' Its parts add up to it in ' || dominant_unit || ': '
                    || array_to_string([p.text for p in parts], ' + ') || ' = ' || reread_text || '.'
                when same_key_elsewhere then ' The same figure is stated elsewhere in the document as '
                    || reread_text || '.'
                else ''
            end
            || ' The printed unit is probably wrong: read as ' || reread_text || ' it would be '
            || {{ yuan_text('reread') }} || '. Loaded as printed (' || {{ yuan_text('amount') }} || '); not corrected.'
        end as message
    from explained

)

select {{ quality_columns() }} from final
