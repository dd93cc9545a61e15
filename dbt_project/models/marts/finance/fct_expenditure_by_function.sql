-- Lines of the functional classification tables (支出功能分类: 类/款/项), one row per printed cell
-- (a line and one of its amount columns: total / basic / project / ...). canonical_function_name
-- is the name the seed classification_code_names gives the code in the document's fiscal year
-- (功能分类 names change: 210 医疗卫生与计划生育支出 until 2018, 卫生健康支出 from 2019), else, for a
-- code the seed does not list, the name the documents of that fiscal year print for it most often
-- (canonical_name_source 'seed' | 'printed'); beside it the name as printed (function_name).
with

classification_lines as (

    select * from {{ ref('stg_disclosures__classification_lines') }}

),

documents as (

    select * from {{ ref('int_documents_ranked') }}

),

code_names as (

    select * from {{ ref('classification_code_names') }}
    where scheme = 'function'

),

-- for codes the seed does not list: the name printed most often for the code in the fiscal year
printed_names as (

    select
        classification_lines.classification_code as code,
        documents.fiscal_year,
        replace(replace(regexp_replace(classification_lines.classification_name, '\s+', '', 'g'),
            '(', '（'), ')', '）') as name,
        count(distinct classification_lines.document_id) as n_documents
    from classification_lines
    inner join documents
        on classification_lines.document_id = documents.document_id
    where classification_lines.scheme = 'function'
        and documents.is_current
        and classification_lines.classification_code is not null
        and nullif(trim(classification_lines.classification_name), '') is not null
    group by all

),

printed_mode as (

    select code, fiscal_year, arg_max(name, n_documents * 100000 - length(name)) as name
    from printed_names
    group by code, fiscal_year

),

final as (

    select
        classification_lines.document_id,
        documents.department_id,
        documents.fiscal_year,
        classification_lines.line_seq,
        classification_lines.table_kind,
        classification_lines.classification_code as function_code,
        classification_lines.printed_code,
        classification_lines.classification_level as function_level,
        left(classification_lines.classification_code, 3) as class_code,
        case when length(classification_lines.classification_code) >= 5
            then left(classification_lines.classification_code, 5) end as section_code,
        case when length(classification_lines.classification_code) >= 7
            then left(classification_lines.classification_code, 7) end as item_code,
        classification_lines.classification_name as function_name,
        coalesce(code_names.name, printed_mode.name) as canonical_function_name,
        case
            when code_names.name is not null then 'seed'
            when printed_mode.name is not null then 'printed'
        end as canonical_name_source,
        code_names.year_from as canonical_name_year_from,
        code_names.year_to as canonical_name_year_to,
        case when coalesce(code_names.name, printed_mode.name) is not null then
            replace(replace(regexp_replace(classification_lines.classification_name, '\s+', '', 'g'),
                '(', '（'), ')', '）') = coalesce(code_names.name, printed_mode.name)
        end as is_printed_name_canonical,
        classification_lines.column_key,
        classification_lines.phase,
        classification_lines.amount_yuan,
        {{ yuan_to_wan_yuan('classification_lines.amount_yuan') }} as amount_wan_yuan,
        classification_lines.printed_value,
        classification_lines.is_total,
        classification_lines.row_seq,
        classification_lines.page

    from classification_lines
    inner join documents
        on classification_lines.document_id = documents.document_id
    left join code_names
        on classification_lines.classification_code = code_names.code
        and documents.fiscal_year between code_names.year_from and code_names.year_to
    left join printed_mode
        on classification_lines.classification_code = printed_mode.code
        and documents.fiscal_year = printed_mode.fiscal_year
    where classification_lines.scheme = 'function'
        and documents.is_current

)

select * from final
