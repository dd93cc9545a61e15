-- Per document and first-level indicator class (产出/效益/满意度指标): how many indicators, and
-- the share with a numeric target. level1 '(all)' is the whole document (level1_kind 'document'),
-- '(none)' the indicators printed without a level1 (level1_kind 'unprinted'): level1_kind keeps
-- them apart from a class printed with those words.
with

indicators as (

    select * from {{ ref('fct_performance_indicator') }}

),

by_level1 as (

    select
        document_id,
        coalesce(level1, '(none)') as level1,
        case when level1 is null then 'unprinted' else 'printed' end as level1_kind,
        count(*) as n_indicators,
        count(*) filter (where has_numeric_target) as n_numeric_targets,
        count(distinct project_seq) as n_projects
    from indicators
    group by document_id, coalesce(level1, '(none)'), case when level1 is null then 'unprinted' else 'printed' end

),

whole_document as (

    select
        document_id,
        '(all)' as level1,
        'document' as level1_kind,
        count(*) as n_indicators,
        count(*) filter (where has_numeric_target) as n_numeric_targets,
        count(distinct project_seq) as n_projects
    from indicators
    group by document_id

),

final as (

    select
        document_id,
        level1,
        level1_kind,
        n_indicators,
        n_numeric_targets,
        cast(n_numeric_targets as decimal(9, 4)) / n_indicators as share_numeric_target,
        n_projects
    from by_level1
    union all
    select
        document_id,
        level1,
        level1_kind,
        n_indicators,
        n_numeric_targets,
        cast(n_numeric_targets as decimal(9, 4)) / n_indicators as share_numeric_target,
        n_projects
    from whole_document

)

select * from final
