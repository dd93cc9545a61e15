{{ config(materialized='by_document') }}
-- Identities: parts add up to totals (seeds/identity_rules.csv, evaluated in rpt_identity_residuals).
-- One row per document and identity that could be evaluated; it fails when the stated total and
-- the sum of its parts differ. A failure within the rounding of figures printed to 0.01万元
-- (tolerance_yuan) is a warning, not an error; the withheld residual keeps the seed's severity
-- (info where withheld 涉密 projects explain it).
with

residuals as (

    select * from {{ changed_documents_only(ref('rpt_identity_residuals')) }}

),

graded as (

    select
        *,
        case
            when check_name <> 'withheld_residual' and severity_if_failed = 'error'
                and abs(diff_yuan) <= tolerance_yuan then 'warning'
            else severity_if_failed
        end as severity,
        case when page is not null then ' (page ' || page || ')' else '' end as where_text
    from residuals

),

final as (

    select
        'identities' as concern,
        document_id,
        check_name,
        concat_ws('|', phase, reference_year, subject) as check_key,
        subject,
        severity,
        observed_yuan as observed,
        expected_yuan as expected,
        tolerance_yuan as tolerance,
        'yuan' as observed_unit,
        page,
        case when diff_yuan = 0 then 'passed' else 'failed' end as status,
        case
            when check_name = 'withheld_residual' then
                'Disclosed project tables add up to ' || {{ wan_text('expected_yuan') }} || ' (' || parts_text
                || '), but the document states project expenditure (项目支出) of ' || {{ wan_text('observed_yuan') }}
                || where_text || ': ' || {{ wan_text('diff_yuan') }} || ' is not covered by a disclosed project table'
                || case when severity_if_failed = 'info'
                        then ' (withheld 涉密 projects are disclosed only by number).' else '.' end
            else
                rule_text || ' does not hold for ' || subject || where_text || ': the stated total is '
                || {{ wan_text('observed_yuan') }} || ' (' || {{ yuan_text('observed_yuan') }} || '), its parts add up to '
                || {{ wan_text('expected_yuan') }} || ' (' || parts_text || '); difference '
                || {{ wan_text('diff_yuan') }} || ' (' || {{ yuan_text('diff_yuan') }} || ').'
                || case when severity = 'warning'
                        then ' The difference is within the rounding of figures printed to 0.01万元.' else '' end
        end as message
    from graded

)

select {{ quality_columns() }} from final
