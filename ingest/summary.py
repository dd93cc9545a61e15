"""One-screen summaries printed by the CLI."""

from __future__ import annotations

import duckdb


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema=? and table_name=?",
                            [schema, table]).fetchall()[0][0])


def ingest_summary(stats) -> str:
    lines = [f"run {stats.run_id}: {len(stats.outcomes)} files seen, {stats.count('new')} new, "
             f"{stats.count('changed')} changed, {stats.count('unchanged')} unchanged, "
             f"{stats.count('duplicate')} duplicate, {len(stats.failed)} not taken, "
             f"{len(stats.removed)} removed"]
    partial = [o for o in stats.outcomes if o.doc_status == "partial"]
    for o in stats.failed:
        lines.append(f"  not taken: {o.reason}" if o.reason and o.reason.startswith(o.path) else f"  not taken: {o.path}: {o.reason}")
    for o in partial:
        lines.append(f"  partly parsed: {o.path} (see raw.parse_issues)")
    for o in stats.outcomes:
        if o.status == "duplicate":
            lines.append(f"  duplicate: {o.path}: {o.reason}")
    for p in stats.removed:
        lines.append(f"  removed from the corpus (kept, marked): {p}")
    return "\n".join(lines)


def refresh_summary(db_path: str, result, *, quiet: bool = False) -> str:
    lines = [ingest_summary(result.stats)]
    if result.dbt is not None:
        lines.append(f"dbt build: {result.dbt}")
    by_sev: dict[str, int] = {}
    for f in result.findings:
        by_sev[f.get("severity", "?")] = by_sev.get(f.get("severity", "?"), 0) + 1
    lines.append("findings: " + (", ".join(f"{n} {s}" for s, n in sorted(by_sev.items())) or "none")
                 + "  (budgetwh check, or query main.quality_findings)")
    con = duckdb.connect(db_path, read_only=True)
    try:
        rows = con.execute("select status, count(*) from raw.documents where is_current group by 1 order by 1").fetchall()
        lines.append("documents: " + ", ".join(f"{n} {s}" for s, n in rows))
    finally:
        con.close()
    lines.append(f"warehouse {db_path} is now version {result.warehouse_version}")
    return "\n".join(lines)


def findings_summary(con: duckdb.DuckDBPyConnection, severity: str | None = None) -> str:
    if not _table_exists(con, "main", "quality_findings"):
        return "no findings table yet: run `budgetwh refresh` first"
    where = "where f.severity = ?" if severity else ""
    params = [severity] if severity else []
    rows = con.execute(f"""
        select coalesce(d.source_path, f.document_id, '(warehouse)') as document,
               count(*) filter (where f.severity='error') as errors,
               count(*) filter (where f.severity='warning') as warnings,
               count(*) filter (where f.severity='info') as infos,
               string_agg(distinct f.check_name, ', ' order by f.check_name) as checks
        from main.quality_findings f left join raw.documents d using (document_id)
        {where} group by 1 order by 2 desc, 3 desc, 1""", params).fetchall()
    if not rows:
        return "no findings"
    out = ["document | errors | warnings | info | checks"]
    out += [f"{r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]}" for r in rows]
    return "\n".join(out)


def status_summary(con: duckdb.DuckDBPyConnection) -> str:
    out = ["last runs:"]
    for r in con.execute("""select run_id, command, started_at, finished_at, files_seen, files_new,
            files_changed, files_failed, status, warehouse_version from raw.ingest_runs
            order by started_at desc limit 5""").fetchall():
        out.append(f"  {r[0]} {r[1]} {r[2]:%Y-%m-%d %H:%M:%S} {r[8]}: {r[4]} seen, {r[5]} new, {r[6]} changed, "
                   f"{r[7]} failed (version {r[9]})")
    out.append("coverage (current documents):")
    for r in con.execute("""select coalesce(region_code, '?'), coalesce(issuer_name, unit_name, '?'),
            fiscal_year, disclosure_kind, status from raw.documents where is_current
            order by 1, 2, 3""").fetchall():
        out.append(f"  {r[0]}  {r[1]}  {r[2]}  {r[3]}  {r[4]}")
    return "\n".join(out)
