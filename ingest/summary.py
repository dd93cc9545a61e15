"""One-screen summaries printed by the CLI."""

from __future__ import annotations

import duckdb


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema=? and table_name=?",
                            [schema, table]).fetchall()[0][0])


SKIPPED_SHOWN = 5


def set_aside_duplicates(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(document_id, path set aside, path of the current file, rule) for every file that holds a
    disclosure another file holds (main.dim_document.duplicate_of); none before the marts exist."""
    if not _table_exists(con, "main", "rpt_duplicate_disclosures"):
        return []
    return con.execute("select document_id, source_path, current_source_path, current_rule "
                       "from main.rpt_duplicate_disclosures order by 2").fetchall()


def ingest_summary(stats) -> str:
    lines = [(f"run {stats.run_id}: {len(stats.outcomes)} files seen, {stats.count('new')} new, "
             f"{stats.count('changed')} changed, {stats.count('unchanged')} unchanged, "
             f"{stats.count('duplicate')} duplicate, {len(stats.failed)} not taken, "
             f"{len(stats.removed)} removed")]
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
    skipped = getattr(stats, "skipped", [])
    if skipped:
        lines.append(f"  {len(skipped)} skipped (budgetwh status lists them): "
                     + "; ".join(f"{s.path}: {s.reason}" for s in skipped[:SKIPPED_SHOWN])
                     + (" …" if len(skipped) > SKIPPED_SHOWN else ""))
    for note in getattr(stats, "notes", []):
        lines.append(f"  at start: {note}")
    return "\n".join(lines)


def _dbt_line(db_path: str, dbt) -> str:
    """The dbt build in one line: its counts (or why it was skipped) and where its log is."""
    from .warehouse import warehouse_dirs

    log = warehouse_dirs(db_path).dbt_logs / "dbt.log"
    if isinstance(dbt, str):
        return f"dbt build: {dbt}"
    return (f"dbt build: {dbt.passed} passed, {dbt.warned} warned, {dbt.errored} errored, {dbt.skipped} skipped "
            f"in {dbt.seconds:.1f} s (log: {log})")


def refresh_summary(db_path: str, result, *, quiet: bool = False, display=None) -> str:
    """What a refresh did: the files, the dbt build, the findings, the documents, the version,
    then (unless ``quiet``) the steps of ``display`` (:class:`ingest.progress.RunDisplay`) with
    their times."""
    lines = [ingest_summary(result.stats)]
    if result.dbt is not None:
        lines.append(_dbt_line(db_path, result.dbt))
    by_sev = result.finding_counts
    lines.append("findings: " + (", ".join(f"{n} {s}" for s, n in sorted(by_sev.items())) or "none")
                 + "  (budgetwh check, or query main.quality_findings)")
    con = duckdb.connect(db_path, read_only=True)
    try:
        rows = con.execute("select status, count(*) from raw.documents where is_current group by 1 order by 1").fetchall()
        duplicates = set_aside_duplicates(con)
        lines.append("documents: " + ", ".join(f"{n} {s}" for s, n in rows)
                     + (f"; {len(duplicates)} set aside: another file holds the same disclosure "
                        "(budgetwh status, or quality_findings duplicate_disclosure)" if duplicates else ""))
    finally:
        con.close()
    lines.append(f"warehouse {db_path} is now version {result.warehouse_version}")
    if display is not None and not quiet:
        if not isinstance(result.dbt, str) and result.dbt is not None:
            display.note("building", f"{len(result.dbt.nodes)} dbt nodes")
        display.note("checking", f"{result.n_findings} findings")
        lines.append(display.summary())
    return "\n".join(lines)


TOP_FINDINGS = 5  # per document and severity, in `budgetwh check`
MESSAGE_WIDTH = 160


def _short(text: str | None, width: int = MESSAGE_WIDTH) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def severity_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Findings per severity in main.quality_findings (empty before the first refresh)."""
    if not _table_exists(con, "main", "quality_findings"):
        return {}
    return dict(con.execute("select severity, count(*) from main.quality_findings group by 1").fetchall())


def findings_summary(con: duckdb.DuckDBPyConnection, severity: str | None = None,
                     top: int = TOP_FINDINGS) -> str:
    """Per document: counts by severity, then the top findings of each severity with their pages.

    Errors and warnings are listed (``top`` per severity, most frequent checks first, then page);
    infos are counted by check. Then the completeness of each document (present / empty with note
    / missing, from main.disclosure_completeness) and the dbt tests that warned or failed.
    """
    if not _table_exists(con, "main", "quality_findings"):
        return "no findings table yet: run `budgetwh refresh` first"
    where = "where f.severity = ?" if severity else ""
    params = [severity] if severity else []
    rows = con.execute(f"""
        select coalesce(d.source_path, f.document_id, '(warehouse)') as document,
               f.document_id, f.severity, f.check_name, f.page, f.message,
               count(*) over (partition by f.document_id, f.severity, f.check_name) as n_check
        from main.quality_findings f left join raw.documents d using (document_id)
        {where}
        order by 1, case f.severity when 'error' then 0 when 'warning' then 1 else 2 end,
                 n_check desc, f.check_name, f.page nulls last, coalesce(f.subject, ''), f.message""",
        params).fetchall()
    if not rows:
        return "no findings" + (f" of severity {severity}" if severity else "")
    docs: dict[str, list[tuple]] = {}
    for r in rows:
        docs.setdefault(r[0], []).append(r)
    completeness = {}
    if _table_exists(con, "main", "disclosure_completeness"):
        for doc_id, status, n, names in con.execute("""
                select document_id, status, count(*), string_agg(part_name, '、' order by part_name)
                from main.disclosure_completeness group by 1, 2""").fetchall():
            completeness.setdefault(doc_id, {})[status] = (n, names)
    order = sorted(docs, key=lambda d: (-sum(r[2] == "error" for r in docs[d]),
                                        -sum(r[2] == "warning" for r in docs[d]), d))
    out = []
    for document in order:
        members = docs[document]
        counts = {s: sum(r[2] == s for r in members) for s in ("error", "warning", "info")}
        out.append(f"{document}: {counts['error']} error, {counts['warning']} warning, {counts['info']} info")
        for sev in ("error", "warning"):
            listed = [r for r in members if r[2] == sev]
            for r in listed[:top]:
                page = f"p.{r[4]}" if r[4] is not None else "p.-"
                out.append(f"  [{sev}] {r[3]} {page}: {_short(r[5])}")
            if len(listed) > top:
                more: dict[str, int] = {}
                for r in listed[top:]:
                    more[r[3]] = more.get(r[3], 0) + 1
                out.append(f"  [{sev}] … {len(listed) - top} more: "
                           + ", ".join(f"{c} x{n}" for c, n in sorted(more.items())))
        infos: dict[str, int] = {}
        for r in members:
            if r[2] == "info":
                infos[r[3]] = infos.get(r[3], 0) + 1
        if infos:
            out.append("  [info] " + ", ".join(f"{c} x{n}" for c, n in sorted(infos.items())))
        parts = completeness.get(members[0][1])
        if parts:
            line = ", ".join(f"{parts[s][0]} {s.replace('_', ' ')}" for s in ("present", "empty_with_note", "missing")
                             if s in parts)
            if "missing" in parts:
                line += f" (missing: {_short(parts['missing'][1], 120)})"
            out.append(f"  completeness: {line}")
    if _table_exists(con, "main", "dbt_test_results"):
        bad = con.execute("""select status, test_name, failures from main.dbt_test_results
                             where status not in ('pass', 'success') order by 1, 2""").fetchall()
        total = con.execute("select count(*) from main.dbt_test_results").fetchone()[0]
        if total:
            out.append(f"dbt tests: {total - len(bad)} of {total} passed"
                       + "".join(f"\n  [{s}] {n} ({f} failing rows)" for s, n, f in bad))
    out.append("details: budgetwh query \"select * from quality_findings\"; "
               "completeness: \"select * from disclosure_completeness\"")
    return "\n".join(out)


def status_data(con: duckdb.DuckDBPyConnection) -> dict:
    """What ``budgetwh status`` shows, as data (``status --json``): the last runs, the current
    documents, the files not taken (rejected), the files set aside as duplicates, the skipped."""
    runs = [dict(zip(("run_id", "command", "started_at", "finished_at", "files_seen", "files_new",
                      "files_changed", "files_failed", "status", "warehouse_version", "message"), r))
            for r in con.execute("""select run_id, command, started_at, finished_at, files_seen, files_new,
            files_changed, files_failed, status, warehouse_version, message from raw.ingest_runs
            order by started_at desc limit 5""").fetchall()]
    duplicates = set_aside_duplicates(con)
    aside = {d[0] for d in duplicates}
    coverage = [dict(zip(("region_code", "issuer", "fiscal_year", "disclosure_kind", "status", "document_id"), r))
                for r in con.execute("""select coalesce(region_code, '?'), coalesce(issuer_name, unit_name, '?'),
            fiscal_year, disclosure_kind, status, document_id from raw.documents
            where is_current and status <> 'rejected' order by 1, 2, 3""").fetchall() if r[5] not in aside]
    rejected = [{"path": path, "code": code, "message": _without_path(message, path)}
                for path, code, message in con.execute("""
        select p.source_path, coalesce(i.code, 'rejected'), coalesce(i.message, d.error, '')
        from raw.documents as d
        join raw.document_paths as p on p.document_id = d.document_id and p.is_present
        left join raw.parse_issues as i on i.document_id = d.document_id and i.severity = 'error'
        where d.status = 'rejected'
        union
        select source_path, code, message from raw.parse_issues where document_id is null and severity = 'error'
        order by 1""").fetchall()]
    skipped = None
    if _table_exists(con, "raw", "skipped_files"):
        skipped = [{"path": path, "reason": reason} for path, reason in
                   con.execute("select source_path, reason from raw.skipped_files order by 1").fetchall()]
    return {"runs": runs, "coverage": coverage, "rejected": rejected,
            "set_aside": [{"document_id": d, "path": path, "current_path": current, "rule": rule}
                          for d, path, current, rule in duplicates],
            "skipped": skipped}


def status_summary(con: duckdb.DuckDBPyConnection) -> str:
    """``budgetwh status`` as text (:func:`status_data`)."""
    data = status_data(con)
    out = ["last runs:"]
    for r in data["runs"]:
        out.append(f"  {r['run_id']} {r['command']} {r['started_at']:%Y-%m-%d %H:%M:%S} {r['status']}: "
                   f"{r['files_seen']} seen, {r['files_new']} new, {r['files_changed']} changed, "
                   f"{r['files_failed']} failed (version {r['warehouse_version']})")
    out.append("coverage (current documents):")
    for r in data["coverage"]:
        out.append(f"  {r['region_code']}  {r['issuer']}  {r['fiscal_year']}  {r['disclosure_kind']}  {r['status']}")
    out.append(f"not taken ({len(data['rejected'])} rejected):")
    out.extend(f"  {r['path']}: [{r['code']}] {_short(r['message'], 200)}" for r in data["rejected"])
    if data["set_aside"]:
        out.append(f"set aside ({len(data['set_aside'])}: another file holds the same disclosure and counts instead):")
        out.extend(f"  {d['path']}: the same disclosure as {d['current_path']} ({d['rule']})" for d in data["set_aside"])
    if data["skipped"] is not None:
        out.append(f"skipped ({len(data['skipped'])}):")
        out.extend(f"  {r['path']}: {r['reason']}" for r in data["skipped"])
    return "\n".join(out)


def _without_path(message: str, path: str) -> str:
    return message[len(path) + 2:] if message.startswith(path + ": ") else message
