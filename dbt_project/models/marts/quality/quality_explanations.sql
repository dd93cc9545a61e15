{{ config(materialized='by_document') }}
-- Item explanations: what the text says about a function item agrees with the item itself; one row
-- per check instance, all warnings (the figures may be right, the text explaining them is not):
--   explanation_reason_direction: the reason given right after a function item's stated change
--     ('比2023年预算执行数减少2.98%。主要原因是：…经费增加') names only the opposite direction of the
--     change (an up word for a decrease, a down word for an increase); a reason naming both, or
--     neither, passes. Between the change and its reason only punctuation or the direction itself
--     ('增加的') may stand: '决算数小于全年预算数的主要原因' explains another comparison.
--   explanation_purpose_names_other_item: the purpose ('主要用于：…') names another 项 of the
--     document's own function tables (a 7-digit code, a name of 4 characters or more) and shares no
--     two consecutive characters with the item's own 项 name: it was copied from another item.
--   project_period_year: a project's 实施周期 ('五、实施周期' then '2025年1月1日-2025年12月31日',
--     or '实施周期：…' in one line) whose years do not include the document's fiscal year: the
--     description was carried over from another year.
-- The item's explanation is the statement's context (the narrative extractor keeps it with each
-- function item's statements); a project description is raw.sections' heading and lead.
-- Python's white space (regex \s, str.strip) is wider than RE2's: py_space() spells it out.
{%- set ws = py_space() %}
{#- a heading's leading number: '五、', '3.', '(二)' -#}
{%- set numbering -%}
^[{{ ws }}]*(?:[一二三四五六七八九十]+[{{ ws }}]*[、.．]|\p{Nd}{1,2}[{{ ws }}]*[、.．]|[(（][{{ ws }}]*[一二三四五六七八九十\p{Nd}]+[{{ ws }}]*[)）])
{%- endset %}
with

direction_words as (

    select * from (values
        ('增加', 1), ('增长', 1), ('上升', 1), ('提高', 1), ('增多', 1), ('扩大', 1), ('新增', 1),
        ('减少', -1), ('下降', -1), ('降低', -1), ('压减', -1), ('缩减', -1), ('调减', -1), ('节约', -1)
    ) as t (word, direction)

),

current_documents as (

    select document_id from {{ changed_documents_only(ref('dim_document')) }} where is_current is not false

),

-- function items' statements whose explanation the text prints, in order
items as (

    select statements.*
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join current_documents
        on statements.document_id = current_documents.document_id
    where statements.statement_key = 'expenditure.function_item'
        and coalesce(statements.context, '') <> ''

),

-- the text after a stated change, up to where its reason starts ('主要原因')
change_texts as (

    select
        document_id,
        statement_seq,
        printed_label,
        printed_value,
        page,
        if(measure = 'change_pct', percent, amount_yuan) > 0 as is_increase,
        substr(context, strpos(context, printed_value) + length(printed_value)) as after_change
    from items
    where measure in ('change', 'change_pct')
        and coalesce(printed_value, '') <> ''
        and if(measure = 'change_pct', percent, amount_yuan) <> 0
        and strpos(context, printed_value) > 0

),

-- the reason right after the change: only punctuation (or '增加的') between them; one per item and
-- printed change (the first)
reasons as (

    select
        *,
        {{ py_strip("regexp_extract(substr(after_change, strpos(after_change, '主要原因')),
                                     '^主要原因(?:是|为)?[：:]?([^。；;]*)', 1)") }} as reason
    from change_texts
    where strpos(after_change, '主要原因') > 0
        and regexp_matches(substr(after_change, 1, strpos(after_change, '主要原因') - 1),
                           '^[。，,；;{{ ws }}]*(?:(?:增加|减少|下降|增长|变动|变化)的)?\n?$')
    qualify row_number() over (partition by document_id, printed_label, printed_value order by statement_seq) = 1

),

reason_directions as (

    select
        reasons.*,
        -- 1: names only an increase, -1: only a decrease, 0: both or neither
        case when bool_or(words.direction = 1) and not bool_or(words.direction = -1) then 1
             when bool_or(words.direction = -1) and not bool_or(words.direction = 1) then -1
             else 0 end as said
    from reasons
    left join direction_words as words
        on contains(reasons.reason, words.word)
    group by all

),

reason_checks as (

    select
        document_id,
        'explanation_reason_direction' as check_name,
        statement_seq as check_key,
        coalesce(printed_label, 'None') || ' ' || if(is_increase, '增加', '减少') || ltrim(printed_value, '-')
            as subject,
        page,
        if(said <> 0 and said <> if(is_increase, 1, -1), 'failed', 'passed') as status,
        'The explanation of ' || coalesce(printed_label, 'None') || ' (page ' || coalesce(cast(page as varchar), 'None')
            || ') states a change of ' || if(is_increase, '增加', '减少') || ltrim(printed_value, '-')
            || ' but gives as its reason ''' || reason || ''', which names the opposite direction ('
            || if(said > 0, 'an increase', 'a decrease') || ').' as message
    from reason_directions

),

-- the 类/款/项 path of an item's label: '社会保障和就业支出(类)行政事业单位养老支出(款)职业年金(项)'
-- by its markers (the name before each), else '一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行'
-- split at its dashes (the first three names)
labels as (

    select
        *,
        replace(replace(coalesce(printed_label, ''), '（', '('), '）', ')') as label_text,
        regexp_extract_all(replace(replace(coalesce(printed_label, ''), '（', '('), '）', ')'),
                           '[（(][{{ ws }}]*\p{Nd}*[{{ ws }}]*(类|款|项)[{{ ws }}]*[)）]', 1) as levels,
        regexp_split_to_array(replace(replace(coalesce(printed_label, ''), '（', '('), '）', ')'),
                              '[（(][{{ ws }}]*\p{Nd}*[{{ ws }}]*(类|款|项)[{{ ws }}]*[)）]') as level_names
    from items

),

label_paths as (

    select
        *,
        case when len(levels) > 0
             -- each level's name is the text before its (last) marker
             then [{{ norm_name("level_names[len(levels) + 1 - list_position(list_reverse(levels), level)]") }}
                   for level in ['类', '款', '项'] if list_contains(levels, level)]
             else [name for name in [{{ norm_name('part') }}
                                     for part in regexp_split_to_array(label_text, '[{{ ws }}]*[-—][{{ ws }}]*')]
                   if name <> ''][1:3]
        end as path
    from labels

),

-- the purpose of a 项 ('主要用于：…'): the first per item label
purposes as (

    select
        document_id,
        statement_seq,
        printed_label,
        page,
        path,
        path[3] as own_name,
        regexp_extract(context, '主要用于[：:]?([^。；;]*)', 1) as purpose_text
    from label_paths
    where len(path) >= 3
        and strpos(context, '主要用于') > 0
    qualify row_number() over (partition by document_id, printed_label order by statement_seq) = 1

),

-- per document: the names of the 项 (level-3 function rows) its tables print
item_names as (

    select distinct document_id, {{ norm_name('classification_name') }} as item_name
    from {{ changed_documents_only(ref('stg_disclosures__classification_lines')) }}
    where scheme = 'function'
        and is_total is not true
        and length(coalesce(classification_code, '')) = 7
        and length({{ norm_name('classification_name') }}) >= 4

),

-- other items the purpose names: not the item itself nor a name within (or around) its path
purpose_names as (

    select
        purposes.*,
        {{ norm_name('purposes.purpose_text') }} as purpose,
        list_sort(list(item_names.item_name) filter (
            where item_names.item_name is not null
                and contains({{ norm_name('purposes.purpose_text') }}, item_names.item_name)
                and item_names.item_name <> purposes.own_name
                and not list_bool_or([contains(step, item_names.item_name) or contains(item_names.item_name, step)
                                      for step in purposes.path]))) as other_items
    from purposes
    left join item_names
        on purposes.document_id = item_names.document_id
    group by all

),

purpose_checks as (

    select
        document_id,
        'explanation_purpose_names_other_item' as check_name,
        statement_seq as check_key,
        printed_label as subject,
        page,
        -- the purpose shares nothing with the item's own name (not even two characters in a row)
        if(len(other_items) > 0
           and length(own_name) >= 2
           and not list_bool_or([contains(purpose, substr(own_name, i, 2)) for i in range(1, length(own_name))]),
           'failed', 'passed') as status,
        'The explanation of ' || printed_label || ' (page ' || coalesce(cast(page as varchar), 'None')
            || ') says it is used for ''' || {{ py_strip('purpose_text') }}
            || ''', which names another item of the function tables ('
            || coalesce(nullif(array_to_string(other_items, '、'), ''), '-') || '), not ' || own_name || '.' as message
    from purpose_names
    where purpose <> ''

),

-- a 实施周期 heading, or its line, with the years it states
periods as (

    select
        sections.document_id,
        sections.section_seq,
        sections.page,
        cast(documents.fiscal_year as integer) as fiscal_year,
        coalesce(sections.heading, '') as heading,
        strpos(coalesce(sections.heading, ''), '实施周期') as period_at,
        trim(substr(coalesce(sections.heading, ''), strpos(coalesce(sections.heading, ''), '实施周期') + 4), ' ：:')
            as rest,
        coalesce(sections.lead, '') as lead
    from {{ changed_documents_only(source('disclosures', 'sections')) }} as sections
    inner join current_documents
        on sections.document_id = current_documents.document_id
    inner join {{ changed_documents_only(ref('dim_document')) }} as documents
        on sections.document_id = documents.document_id
    where strpos(coalesce(sections.heading, ''), '实施周期') > 0
        and documents.fiscal_year is not null

),

period_texts as (

    select
        *,
        substr(coalesce(nullif(rest, ''), lead), 1, 60) as period_text,
        [cast(translate(year, '０１２３４５６７８９', '0123456789') as integer)
         for year in regexp_extract_all(substr(coalesce(nullif(rest, ''), lead), 1, 60),
                                        '(20[0-9０-９]{2})[{{ ws }}]*年', 1)] as years
    from periods
    -- '项目实施周期安排…' inside a longer heading is not a heading of its own
    where not (rest = ''
               and {{ py_strip("regexp_replace(substr(heading, 1, period_at - 1), '" ~ numbering ~ "', '')") }} <> '')

),

period_checks as (

    select
        document_id,
        'project_period_year' as check_name,
        section_seq as check_key,
        '实施周期 ' || period_text as subject,
        page,
        if(fiscal_year between list_min(years) and list_max(years), 'passed', 'failed') as status,
        'A project description (page ' || coalesce(cast(page as varchar), 'None') || ') gives its 实施周期 as '''
            || period_text || ''', which does not include the document''s fiscal year ' || fiscal_year
            || ': the description seems carried over from another year.' as message
    from period_texts
    where len(years) > 0

),

checks as (

    select * from reason_checks
    union all by name
    select * from purpose_checks
    union all by name
    select * from period_checks

)

select
    'explanations' as concern,
    cast(document_id as varchar) as document_id,
    cast(check_name as varchar) as check_name,
    cast(check_key as varchar) as check_key,
    cast(subject as varchar) as subject,
    'warning' as severity,
    cast(null as decimal(38, 2)) as observed,
    cast(null as decimal(38, 2)) as expected,
    cast(null as decimal(38, 2)) as tolerance,
    cast(null as varchar) as observed_unit,
    cast(page as integer) as page,
    cast(status as varchar) as status,
    cast(message as varchar) as message
from checks
