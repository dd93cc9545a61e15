"""How complete and consistent the warehouse's budgets are, per city: the figures the regional
comparison rests on.

For every current budget document (dim_document, disclosure_kind 'budget') it counts, per city
(the region's city, or its province for a province-level city, or 中央):

- identified: issuer, fiscal year, kind, scope and region code all known;
- balanced: its rpt_department_trend row has 收入总计 = 支出总计 (both present);
- 三公 adds up: the row has a 三公 total and at least one part, total = 因公出国 + 公务用车 + 公务接待
  and 公务用车 = 购置 + 运行, a part printed nowhere (a blank cell the text does not fill either,
  e.g. '本部门年初不编制因公出国(境)费用预算') counting 0.

Files that were not taken (not a disclosure, no text layer …) are listed apart with their reason.

Usage: python scripts/regional_shares.py [warehouse/budget.duckdb] [--min-share 0.95]
Exit code 1 when --min-share is given and a share over all cities falls below it.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

QUERY = """
with docs as (
    select d.document_id, d.source_path, d.department_name, d.fiscal_year, d.disclosure_kind, d.scope,
           d.region_code,
           coalesce(case when r.level = 'central' then r.region_name end, r.city_name, r.province_name,
                    r.full_name, '(no region)') as city
    from main.dim_document d
    left join main.dim_region r on d.region_code = r.region_code
    where d.is_current and d.disclosure_kind = 'budget' and d.status <> 'rejected'
),
trend as (
    select document_id, revenue_total_yuan, expenditure_total_yuan, sangong_total_yuan,
           sangong_overseas_travel_yuan as t, sangong_vehicle_total_yuan as v,
           sangong_vehicle_purchase_yuan as vp, sangong_vehicle_operation_yuan as vo,
           sangong_reception_yuan as r
    from main.rpt_department_trend
)
select
    docs.city,
    docs.source_path,
    docs.department_name is not null and docs.fiscal_year is not null and docs.disclosure_kind is not null
        and docs.scope is not null and docs.region_code is not null as identified,
    coalesce(trend.revenue_total_yuan = trend.expenditure_total_yuan, false) as balanced,
    coalesce(trend.sangong_total_yuan is not null
             and coalesce(trend.t, trend.v, trend.vp, trend.vo, trend.r) is not null
             and trend.sangong_total_yuan = coalesce(trend.t, 0) + coalesce(trend.v, coalesce(trend.vp, 0)
                                                                    + coalesce(trend.vo, 0)) + coalesce(trend.r, 0)
             and (trend.v is null or coalesce(trend.vp, trend.vo) is null
                  or trend.v = coalesce(trend.vp, 0) + coalesce(trend.vo, 0)), false)
        as sangong_adds_up
from docs
left join trend on docs.document_id = trend.document_id
order by 1, 2
"""

NOT_TAKEN = """
select source_path, code, message from raw.parse_issues
where document_id is null or document_id in (select document_id from raw.documents where status = 'rejected')
order by source_path
"""


def shares(db: str) -> tuple[list[tuple], list[tuple]]:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute(QUERY).fetchall(), con.execute(NOT_TAKEN).fetchall()
    finally:
        con.close()


def render(rows: list[tuple], not_taken: list[tuple]) -> tuple[str, dict[str, float]]:
    by_city: dict[str, list[tuple]] = {}
    for row in rows:
        by_city.setdefault(row[0], []).append(row)
    lines = [f"{'city':<12} {'budgets':>7} {'identified':>11} {'balanced':>9} {'三公 adds up':>12}"]

    def pct(n: int, d: int) -> str:
        return f"{n}/{d}" if d else "-"

    for city, items in sorted(by_city.items()):
        n = len(items)
        lines.append(f"{city:<12} {n:>7} {pct(sum(r[2] for r in items), n):>11} "
                     f"{pct(sum(r[3] for r in items), n):>9} {pct(sum(r[4] for r in items), n):>12}")
    n = len(rows)
    overall = {"identified": sum(r[2] for r in rows) / n if n else 0.0,
               "balanced": sum(r[3] for r in rows) / n if n else 0.0,
               "sangong_adds_up": sum(r[4] for r in rows) / n if n else 0.0}
    lines.append(f"{'all':<12} {n:>7} {overall['identified']:>10.0%} {overall['balanced']:>9.0%} "
                 f"{overall['sangong_adds_up']:>12.0%}")
    short = [r for r in rows if not all(r[2:])]
    if short:
        lines.append("\nfalling short:")
        for city, path, ident, bal, sg in short:
            what = [w for w, ok in (("identity", ident), ("收入≠支出", bal), ("三公", sg)) if not ok]
            lines.append(f"  {city}  {path}: {', '.join(what)}")
    if not_taken:
        lines.append("\nnot taken:")
        for path, code, message in not_taken:
            lines.append(f"  {path}: {code}: {message[:160]}")
    return "\n".join(lines), overall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", nargs="?", default="warehouse/budget.duckdb")
    ap.add_argument("--min-share", type=float, default=None)
    args = ap.parse_args(argv)
    rows, not_taken = shares(args.db)
    text, overall = render(rows, not_taken)
    print(text)
    if args.min_share is not None and min(overall.values()) < args.min_share:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
