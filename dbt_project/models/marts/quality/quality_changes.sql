{{ config(materialized='by_document') }}
-- Stated changes, shares and completion rates against the amounts the same text states, one row per
-- check instance (a stated change or rate of a current document's narrative):
--   change_wrong_base_year: a change stated against the figure's own year ('2026年预算 比2026年预算
--     增加…' in a 2026 budget; warning, always failed);
--   change_implies_negative_base: '0万元, 比上年增加1421.25万元': the increase is larger than the
--     amount it increased to, beyond half its printed step (error);
--   change_mismatch: a stated change (万元) that is not current - base of the stated amounts;
--   change_pct_mismatch: 'X万元, 比2022年执行数增加314.82%' where the amounts give +289.12%;
--   share_pct_mismatch: a stated share (占比) that is not the item over its total (SHARE_TOTALS below);
--   completion_pct_mismatch: a stated completion rate (完成年初预算的95.89%) that is not the actual
--     over the budget it names.
-- Which amounts: of the same subject (statement key, and label for a function item), the one printed
-- closest before the statement (else the first after it). Tolerance follows the printed precision:
-- each amount within half its last printed digit, each percentage within half of its own,
-- propagated through the ratio; a check fails when the gap exceeds it. Ratios are compared exactly,
-- multiplied through by their denominators (in double only beyond 10^10 yuan or 10^5 %, where DECIMAL(38)
-- could overflow). The stated vs computed change across years is quality_changes_across_years.
with

unit_scales as (

    select * from (values ('元', 1), ('万元', 10000), ('亿元', 100000000), ('千元', 1000), ('百万元', 1000000))
        as t (unit, yuan_per_unit)

),

-- the denominator of a stated share, by the start of the share's statement key (first match wins)
share_totals as (

    select * from (values
        (1, 'revenue.', 'revenue.total'),
        (2, 'expenditure.basic', 'expenditure.total'),
        (3, 'expenditure.project', 'expenditure.total'),
        (4, 'expenditure.function_item', 'expenditure.general_public_budget')
    ) as t (priority, key_prefix, total_key)

),

current_documents as (

    select document_id from {{ changed_documents_only(ref('dim_document')) }} where is_current is not false

),

statements as (

    select
        statements.document_id,
        statements.statement_seq,
        statements.statement_key,
        statements.reference_year,
        statements.base_year,
        statements.phase,
        statements.measure,
        statements.source,
        statements.amount_yuan,
        statements.percent,
        statements.printed_label,
        statements.page,
        -- a function item's subject is its label too; other keys are one subject per document
        if(statements.statement_key = 'expenditure.function_item', statements.printed_label, null)
            as subject_label,
        coalesce(nullif(statements.printed_label, ''), statements.statement_key) as label_text,
        statements.statement_key || coalesce(' ' || nullif(statements.printed_label, ''), '') as subject,
        coalesce(cast(nullif(statements.page, 0) as varchar), '?') as page_text,
        -- half a unit of the last printed digit: of a percentage as printed, and of an amount in yuan
        {{ half_printed_digit('statements.printed_value') }} as half_pct_step,
        coalesce(unit_scales.yuan_per_unit, 1) * {{ half_printed_digit('statements.printed_value') }}
            as half_step_yuan,
        {{ printed_decimals('statements.printed_value') }} <= 7 as step_is_exact
    from {{ changed_documents_only(ref('stg_disclosures__statements')) }} as statements
    inner join current_documents
        on statements.document_id = current_documents.document_id
    left join unit_scales
        on coalesce(nullif(statements.printed_unit, ''), '元') = unit_scales.unit

),

-- the narrative's amounts: what stated changes and rates are computed from
amounts as (

    select * from statements
    where measure = 'amount' and amount_yuan is not null and source = 'narrative'

),

stated_changes as (

    select
        *,
        if(measure = 'change', cast(amount_yuan as decimal(22, 4)), cast(percent as decimal(22, 4))) as stated
    from statements
    where measure in ('change', 'change_pct') and source = 'narrative'
        and if(measure = 'change', amount_yuan, percent) is not null

),

wrong_base_checks as (

    select
        document_id,
        'change_wrong_base_year' as check_name,
        statement_seq as check_key,
        subject,
        'warning' as severity,
        cast(base_year as decimal(38, 4)) as observed,
        cast(reference_year - 1 as decimal(38, 4)) as expected,
        0 as tolerance,
        'year' as observed_unit,
        page,
        'failed' as status,
        'The change of ' || statement_key || ' ('
            || if(measure = 'change', {{ wan_text('stated') }}, {{ pct_even('stated') }}) || ', page ' || page_text
            || ') is stated against ' || base_year || ', the year the figure is about; it should compare with '
            || (reference_year - 1) || '.' as message
    from stated_changes
    where base_year = reference_year

),

-- the amount each change is about: same subject, year and phase, printed closest before it
changes_with_current as (

    select
        changes.*,
        amounts.amount_yuan as current_yuan,
        amounts.half_step_yuan as current_half_step,
        amounts.step_is_exact as current_step_is_exact
    from stated_changes as changes
    inner join amounts
        on changes.document_id = amounts.document_id
        and changes.statement_key = amounts.statement_key
        and changes.subject_label is not distinct from amounts.subject_label
        and changes.reference_year is not distinct from amounts.reference_year
        and changes.phase = amounts.phase
    where changes.base_year is distinct from changes.reference_year
    qualify row_number() over (
        partition by changes.document_id, changes.statement_seq
        order by amounts.statement_seq < changes.statement_seq desc,
                 abs(amounts.statement_seq - changes.statement_seq)) = 1

),

-- an increase larger than the amount it increased to: the base year would be negative
negative_base as (

    select *
    from changes_with_current
    where measure = 'change' and stated > 0 and current_yuan >= 0
        and stated > current_yuan + current_half_step

),

negative_base_checks as (

    select
        document_id,
        'change_implies_negative_base' as check_name,
        statement_seq as check_key,
        subject,
        'error' as severity,
        cast(stated as decimal(38, 4)) as observed,
        cast(current_yuan as decimal(38, 4)) as expected,
        0 as tolerance,
        'yuan' as observed_unit,
        page,
        'failed' as status,
        label_text || ' is ' || {{ wan_text('current_yuan') }} || ' in ' || coalesce(cast(reference_year as varchar), 'None')
            || ', yet the text (page ' || page_text || ') says it grew by ' || {{ wan_text('stated') }} || ' against '
            || coalesce(cast(nullif(base_year, 0) as varchar), 'the previous year') || ': the base year would be '
            || {{ wan_text('current_yuan - stated') }}
            || ', which cannot be. The increase probably belongs to another line.' as message
    from negative_base

),

-- the base year's amount of the same subject (any phase), printed closest before the change
changes_with_base as (

    select
        changes.*,
        amounts.amount_yuan as base_yuan,
        amounts.half_step_yuan as base_half_step,
        amounts.step_is_exact as base_step_is_exact
    from changes_with_current as changes
    inner join amounts
        on changes.document_id = amounts.document_id
        and changes.statement_key = amounts.statement_key
        and changes.subject_label is not distinct from amounts.subject_label
        and changes.base_year = amounts.reference_year
    where not (changes.measure = 'change' and changes.stated > 0 and changes.current_yuan >= 0
               and changes.stated > changes.current_yuan + changes.current_half_step)
    qualify row_number() over (
        partition by changes.document_id, changes.statement_seq
        order by amounts.statement_seq < changes.statement_seq desc,
                 abs(amounts.statement_seq - changes.statement_seq)) = 1

),

-- a change in 万元: current - base, within the three figures' half steps
amount_change_checks as (

    select
        document_id,
        'change_mismatch' as check_name,
        statement_seq as check_key,
        subject,
        if(abs(stated - (current_yuan - base_yuan)) * 10 > abs(current_yuan - base_yuan), 'error', 'warning')
            as severity,
        cast(stated as decimal(38, 4)) as observed,
        cast(current_yuan - base_yuan as decimal(38, 4)) as expected,
        current_half_step + base_half_step + half_step_yuan as tolerance,
        'yuan' as observed_unit,
        page,
        if(abs(stated - (current_yuan - base_yuan)) > current_half_step + base_half_step + half_step_yuan,
           'failed', 'passed') as status,
        label_text || ': the text (page ' || page_text || ') states a change of ' || {{ wan_text('stated') }}
            || ' from ' || base_year || ' to ' || coalesce(cast(reference_year as varchar), 'None')
            || ', but its own amounts give ' || {{ wan_text('current_yuan') }} || ' - ' || {{ wan_text('base_yuan') }}
            || ' = ' || {{ wan_text('current_yuan - base_yuan') }} || '.' as message
    from changes_with_base
    where measure = 'change'

),

-- a change in %: (current - base) / base, tolerance 100 * (dc / base + |current| * db / base^2) + dp
-- with dc, db the amounts' half steps and dp the percentage's; compared multiplied by base^2
pct_changes as (

    select
        *,
        cast(percent as decimal(38, 4)) as pct,
        cast(current_yuan as decimal(38, 2)) as cur,
        cast(base_yuan as decimal(38, 2)) as prior,
        abs(current_yuan) < 1e10 and abs(base_yuan) < 1e10 and abs(percent) < 1e5
            and step_is_exact and current_step_is_exact and base_step_is_exact as is_exact,
        -- the computed change in hundredths of a percentage point, rounded half to even
        {{ div_round_even('cast((current_yuan - base_yuan) * 100 as hugeint) * 10000',
                          'cast(base_yuan * 100 as hugeint)') }} as computed_hundredths
    from changes_with_base
    where measure = 'change_pct' and base_yuan > 0

),

pct_change_verdicts as (

    select
        *,
        case when is_exact
             then abs(pct * prior * prior - 100 * (cur - prior) * prior)
                  > 100 * current_half_step * prior + 100 * abs(cur) * base_half_step + half_pct_step * prior * prior
             else abs(percent::double - (current_yuan - base_yuan)::double / base_yuan::double * 100)
                  > 100 * (current_half_step::double / base_yuan::double
                           + abs(current_yuan::double) * base_half_step::double / base_yuan::double ^ 2)
                    + half_pct_step::double
        end as is_beyond_rounding,
        case when is_exact then abs(pct * prior - 100 * (cur - prior)) > 5 * prior
             else abs(percent::double - (current_yuan - base_yuan)::double / base_yuan::double * 100) > 5
        end or (percent > 0) <> (current_yuan > base_yuan) as is_error
    from pct_changes

),

pct_change_checks as (

    select
        document_id,
        'change_pct_mismatch' as check_name,
        statement_seq as check_key,
        subject,
        if(is_error, 'error', 'warning') as severity,
        cast(percent as decimal(38, 4)) as observed,
        cast(computed_hundredths * 0.01 as decimal(38, 4)) as expected,
        round_even(100 * (current_half_step::double / base_yuan::double
                          + abs(current_yuan::double) * base_half_step::double / base_yuan::double ^ 2)
                   + half_pct_step::double, 2) as tolerance,
        'pct' as observed_unit,
        page,
        if(is_beyond_rounding, 'failed', 'passed') as status,
        label_text || ': the text (page ' || page_text || ') states a change of ' || {{ pct_even('percent') }}
            || ' from ' || base_year || ' to ' || coalesce(cast(reference_year as varchar), 'None')
            || ', but its own amounts give (' || {{ wan_text('current_yuan') }} || ' - ' || {{ wan_text('base_yuan') }}
            || ') / ' || {{ wan_text('base_yuan') }} || ' = ' || {{ pct_even('computed_hundredths * 0.01') }} || '.'
            as message
    from pct_change_verdicts

),

stated_rates as (

    select
        rates.*,
        share_totals.total_key
    from statements as rates
    left join share_totals
        on starts_with(rates.statement_key, share_totals.key_prefix)
    where rates.measure in ('share_pct', 'completion_pct') and rates.percent is not null
    qualify row_number() over (partition by rates.document_id, rates.statement_seq
                               order by share_totals.priority) = 1

),

-- a share: the item's amount (same subject, year and phase) over its total's (same year and phase)
share_figures as (

    select
        rates.*,
        'share_pct_mismatch' as check_name,
        'a share of ' || {{ pct_even('rates.percent') }} || ' of ' || rates.total_key as what,
        parts.amount_yuan as part_yuan,
        parts.half_step_yuan as part_half_step,
        parts.step_is_exact as part_step_is_exact,
        parts.statement_seq as part_seq,
        totals.amount_yuan as total_yuan,
        totals.half_step_yuan as total_half_step,
        totals.step_is_exact as total_step_is_exact,
        totals.page as total_page,
        totals.statement_seq as total_seq
    from stated_rates as rates
    inner join amounts as parts
        on rates.document_id = parts.document_id
        and rates.statement_key = parts.statement_key
        and rates.subject_label is not distinct from parts.subject_label
        and rates.reference_year = parts.reference_year
        and rates.phase = parts.phase
    inner join amounts as totals
        on rates.document_id = totals.document_id
        and rates.total_key = totals.statement_key
        and rates.reference_year = totals.reference_year
        and rates.phase = totals.phase
    where rates.measure = 'share_pct'
        and rates.total_key <> rates.statement_key

),

-- a completion rate: the actual over the phase it names, both of the same subject and year
completion_figures as (

    select
        rates.*,
        'completion_pct_mismatch' as check_name,
        'a completion rate of ' || {{ pct_even('rates.percent') }} || ' of the ' || coalesce(rates.phase, 'nan') as what,
        parts.amount_yuan as part_yuan,
        parts.half_step_yuan as part_half_step,
        parts.step_is_exact as part_step_is_exact,
        parts.statement_seq as part_seq,
        totals.amount_yuan as total_yuan,
        totals.half_step_yuan as total_half_step,
        totals.step_is_exact as total_step_is_exact,
        totals.page as total_page,
        totals.statement_seq as total_seq
    from stated_rates as rates
    inner join amounts as parts
        on rates.document_id = parts.document_id
        and rates.statement_key = parts.statement_key
        and rates.subject_label is not distinct from parts.subject_label
        and rates.reference_year = parts.reference_year
        and parts.phase = 'actual'
    inner join amounts as totals
        on rates.document_id = totals.document_id
        and rates.statement_key = totals.statement_key
        and rates.subject_label is not distinct from totals.subject_label
        and rates.reference_year = totals.reference_year
        and rates.phase = totals.phase
    where rates.measure = 'completion_pct'

),

-- each rate with its nearest part and its nearest total (printed closest before the rate)
rate_figures as (

    select * exclude (part_seq, total_seq)
    from (select * from share_figures union all by name select * from completion_figures)
    qualify rank() over (
                partition by document_id, statement_seq
                order by part_seq < statement_seq desc, abs(part_seq - statement_seq)) = 1
        and rank() over (
                partition by document_id, statement_seq
                order by total_seq < statement_seq desc, abs(total_seq - statement_seq)) = 1

),

-- over a total of zero no rate exists (failed when a positive rate is stated of a nonzero item)
rate_of_zero_checks as (

    select
        document_id,
        check_name,
        statement_seq as check_key,
        subject,
        'error' as severity,
        cast(percent as decimal(38, 4)) as observed,
        cast(null as decimal(38, 4)) as expected,
        cast(null as decimal(38, 2)) as tolerance,
        'pct' as observed_unit,
        page,
        if(percent > 0, 'failed', 'passed') as status,
        label_text || ': the text (page ' || page_text || ') states ' || what || ', but that figure is '
            || {{ wan_text('total_yuan') }} || ' (page ' || coalesce(cast(nullif(total_page, 0) as varchar), '?')
            || '): no rate of ' || {{ wan_text('part_yuan') }}
            || ' against zero exists; the rate was computed against another figure.' as message
    from rate_figures
    where total_yuan = 0 and percent <> 0 and part_yuan <> 0

),

-- a rate: part / total * 100, tolerance 100 * (dp / total + |part| * dt / total^2) + dr; compared
-- multiplied by total^2
rates as (

    select
        *,
        cast(percent as decimal(38, 4)) as pct,
        cast(part_yuan as decimal(38, 2)) as part,
        cast(total_yuan as decimal(38, 2)) as total,
        abs(part_yuan) < 1e10 and abs(total_yuan) < 1e10 and abs(percent) < 1e5
            and step_is_exact and part_step_is_exact and total_step_is_exact as is_exact,
        {{ div_round_even('cast(part_yuan * 100 as hugeint) * 10000', 'cast(total_yuan * 100 as hugeint)') }}
            as computed_hundredths,
        -- |stated - computed| in hundredths of a percentage point, rounded half to even
        {{ div_round_even('abs(cast(percent * 10000 as hugeint) * cast(total_yuan * 100 as hugeint)
                               - cast(part_yuan * 100 as hugeint) * 1000000)',
                          'abs(cast(total_yuan * 100 as hugeint)) * 100') }} as gap_hundredths
    from rate_figures
    where total_yuan <> 0

),

rate_verdicts as (

    select
        *,
        case when is_exact
             then abs(pct * total * total - 100 * part * total)
                  > 100 * part_half_step * total + 100 * abs(part) * total_half_step + half_pct_step * total * total
             else abs(percent::double - part_yuan::double / total_yuan::double * 100)
                  > 100 * (part_half_step::double / total_yuan::double
                           + abs(part_yuan::double) * total_half_step::double / total_yuan::double ^ 2)
                    + half_pct_step::double
        end as is_beyond_rounding,
        case when is_exact then abs(pct * total - 100 * part) > 0.05 * abs(total)
             else abs(percent::double - part_yuan::double / total_yuan::double * 100) > 0.05
        end as is_notable
    from rates

),

rate_checks as (

    select
        document_id,
        check_name,
        statement_seq as check_key,
        subject,
        if(is_notable, 'warning', 'info') as severity,
        cast(percent as decimal(38, 4)) as observed,
        cast(computed_hundredths * 0.01 as decimal(38, 4)) as expected,
        round_even(100 * (part_half_step::double / total_yuan::double
                          + abs(part_yuan::double) * total_half_step::double / total_yuan::double ^ 2)
                   + half_pct_step::double, 2) as tolerance,
        'pct' as observed_unit,
        page,
        if(is_beyond_rounding, 'failed', 'passed') as status,
        label_text || ': the text (page ' || page_text || ') states ' || what || ', but '
            || {{ wan_text('part_yuan') }} || ' / ' || {{ wan_text('total_yuan') }} || ' = '
            || {{ pct_even('computed_hundredths * 0.01') }} || ' (difference '
            || cast(gap_hundredths * 0.01 as varchar) || ' percentage points, more than rounding).' as message
    from rate_verdicts

),

checks as (

    select * from wrong_base_checks
    union all by name
    select * from negative_base_checks
    union all by name
    select * from amount_change_checks
    union all by name
    select * from pct_change_checks
    union all by name
    select * from rate_of_zero_checks
    union all by name
    select * from rate_checks

)

{{ typed_checks('changes', round_even_figures=true) }}
