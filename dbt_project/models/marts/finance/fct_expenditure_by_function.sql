-- Lines of the functional classification tables (支出功能分类: 类/款/项), one row per printed cell
-- (a line and one of its amount columns: total / basic / project / ...). canonical_function_name
-- is the name the seed classification_code_names gives the code in the document's fiscal year
-- (功能分类 names change: 210 医疗卫生与计划生育支出 until 2018, 卫生健康支出 from 2019), beside the
-- name as printed (function_name).
with

classification_lines as (

    select * from {{ ref('stg_disclosures__classification_lines') }}

),

documents as (

    select * from {{ ref('int_documents_identified') }}

),

code_names as (

    select * from {{ ref('classification_code_names') }}
    where scheme = 'function'

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
        code_names.name as canonical_function_name,
        code_names.year_from as canonical_name_year_from,
        code_names.year_to as canonical_name_year_to,
        case when code_names.name is not null then
            replace(replace(regexp_replace(classification_lines.classification_name, '\s+', '', 'g'),
                '(', '（'), ')', '）') = code_names.name
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
    where classification_lines.scheme = 'function'
        and documents.is_current

)

select * from final
