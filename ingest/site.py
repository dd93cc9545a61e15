"""``budgetwh site``: a static, offline site of the warehouse for readers who do not write SQL.

Pages, all plain HTML written under one folder (no CDN, no web font, nothing fetched from the
network: the stylesheet and the search script are files under ``assets/``, charts are inline SVG,
and each page's Content-Security-Policy allows nothing else):

- ``departments/<id>.html``, one per row of ``dim_department``: its name, region and category,
  the key figures of every year it disclosed (rpt_department_trend) with each item and its page
  (rpt_department_items), a chart of 三公经费 and 机关运行经费 over the years, the findings on its
  documents with their pages (quality_findings), and every source file's name and sha256
  (dim_document);
- ``compare/<category>-<year>.html``, one per department category and fiscal year of
  rpt_regional_comparison: the regions side by side, one table per disclosure kind and scope;
- ``index.html``: every department and comparison, with a search box (assets/search.js).

The warehouse is read through the query sandbox (:mod:`ingest.sandbox`); every text from the
warehouse (names come from documents, so they are untrusted) is escaped by jinja2's autoescape.
Chinese headers and code labels come from :func:`site_labels`, the one place they are looked up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .errors import BudgetWarehouseError
from .sandbox import connect_sandboxed

TEMPLATES = Path(__file__).with_name("site_templates")
ASSETS = ("site.css", "search.js")
MARKER = ".budgetwh-site"  # written into the folder: a folder without it is never emptied
OWNED = ("departments", "compare", "assets", "index.html", MARKER)
# No request may leave the page's own folder: the stylesheet and script are files beside it.
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
UNCLASSIFIED = "未分类"
YUAN_PER_WAN = Decimal(10000)

# The figures of a department's years table, in order: (trend column, page column, indent level).
TREND_FIGURES = (
    ("revenue_total_yuan", "revenue_total_page", 0),
    ("expenditure_total_yuan", "expenditure_total_page", 0),
    ("expenditure_basic_yuan", None, 1),
    ("expenditure_personnel_yuan", None, 2),
    ("expenditure_public_operating_yuan", None, 2),
    ("expenditure_project_yuan", None, 1),
    ("fiscal_appropriation_yuan", "fiscal_appropriation_page", 0),
    ("stated_fiscal_change_yuan", None, 1),
    ("computed_fiscal_change_yuan", None, 1),
    ("fiscal_change_gap_yuan", None, 1),
    ("sangong_total_yuan", "sangong_total_page", 0),
    ("sangong_overseas_travel_yuan", None, 1),
    ("sangong_vehicle_total_yuan", None, 1),
    ("sangong_vehicle_purchase_yuan", None, 2),
    ("sangong_vehicle_operation_yuan", None, 2),
    ("sangong_reception_yuan", None, 1),
    ("operating_expenses_yuan", "operating_expenses_page", 0),
    ("procurement_total_yuan", None, 0),
)
ITEM_COLUMNS = ("item_zh", "amount_yuan", "source", "page", "stated_change_yuan", "computed_change_yuan",
                "change_gap_yuan")
FINDING_COLUMNS = ("severity", "page", "check_name", "source_path", "message")
DOCUMENT_COLUMNS = ("source_path", "document_id", "fiscal_year", "disclosure_kind", "scope", "source_format",
                    "page_count", "status", "is_current")
COMPARISON_COLUMNS = ("expenditure_total_yuan", "fiscal_appropriation_yuan", "sangong_total_yuan",
                      "sangong_reception_yuan", "operating_expenses_yuan", "sangong_share_of_expenditure",
                      "staff_count", "sangong_per_staff_yuan", "expenditure_total_rank", "sangong_total_rank",
                      "operating_expenses_rank")
# Columns whose peer-group median the comparison shows under the table (the others show nothing).
COMPARISON_MEDIANS = {c: c.removesuffix("_yuan") + "_category_median_yuan" for c in COMPARISON_COLUMNS
                      if c.endswith("_yuan") and c not in ("fiscal_appropriation_yuan", "sangong_per_staff_yuan")}
COMPARISON_MEDIANS["sangong_share_of_expenditure"] = "sangong_share_of_expenditure_category_median"
COMPARISON_MEDIANS["fiscal_appropriation_yuan"] = "fiscal_appropriation_category_median_yuan"
COMPARISON_MEDIANS["sangong_per_staff_yuan"] = "sangong_per_staff_category_median_yuan"
FAMILY_ORDER = {f: i for i, f in enumerate(("revenue", "expenditure", "fiscal_appropriation", "sangong",
                                             "operating_expenses", "procurement"))}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_CODES = set(SEVERITY_ORDER)


class SiteFolderError(BudgetWarehouseError):
    """The folder named for the site holds files the site did not write."""


@dataclass(frozen=True)
class Labels:
    """Chinese headers and code labels, from the one source the exports use."""

    columns: dict[str, str]

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def value(self, column: str, code) -> str:
        from .export import values_of

        if code is None:
            return ""
        if isinstance(code, bool):
            return "是" if code else "否"
        table = values_of(column)
        return table.get(code, str(code)) if table else str(code)


#: The marts whose columns the site shows; a name in two of them takes the first one's label.
LABELLED_MARTS = ("rpt_department_trend", "rpt_department_items", "quality_findings", "dim_document",
                  "rpt_regional_comparison")


def site_labels() -> Labels:
    """The labels the site shows: each column's ``label_zh`` in the marts' dbt yml
    (:func:`ingest.labels.column_labels`, as the export), code values from export_values.csv."""
    from .labels import column_labels

    columns: dict[str, str] = {}
    for mart in LABELLED_MARTS:
        for column, label in column_labels(mart).items():
            columns.setdefault(column, label)
    return Labels(columns)


@dataclass(frozen=True)
class SiteResult:
    index: Path
    department_pages: list[Path]
    comparison_pages: list[Path]


# --- small formatting steps ----------------------------------------------------------------------

def yuan_text(value) -> str:
    """An amount as printed on the site: ``1,234,567.00`` (empty for none)."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def share_text(value) -> str:
    return "" if value is None else f"{float(value) * 100:.2f}%"


def plain_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"
    return str(value)


def file_name(source_path: str | None) -> str:
    return os.path.basename(source_path or "") or (source_path or "")


def page_slug(key: str, taken: set[str]) -> str:
    """A file name for ``key``: its letters, digits, ``-`` and ``_`` (others become ``_``), with a
    short hash of the key appended when that name is already taken or nothing is left of it."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", key).strip("_")[:80]
    if not slug or slug in taken:
        slug = f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}".lstrip("-")
    taken.add(slug)
    return slug


def search_text(*parts) -> str:
    """What the index's search box matches against (NFKC, lower case: the script does the same)."""
    text = " ".join(str(p) for p in parts if p not in (None, ""))
    return unicodedata.normalize("NFKC", text).lower()


def in_tree_order(items: list[dict]) -> list[dict]:
    """rpt_department_items rows of one disclosure, family by family (FAMILY_ORDER), each part
    right under the item it is part of (parent_item)."""
    by_item = {it["item"]: it for it in items}

    def path(it: dict) -> tuple:
        chain, seen, parent = [it["item"]], set(), it.get("parent_item")
        while parent in by_item and parent not in seen:
            seen.add(parent)
            chain.append(parent)
            parent = by_item[parent].get("parent_item")
        return tuple(reversed(chain))

    return sorted(items, key=lambda it: (FAMILY_ORDER.get(it.get("family"), len(FAMILY_ORDER)),
                                         str(it.get("family")), path(it)))


def years_text(first, last) -> str:
    if first is None:
        return "无年度数字"
    return f"{first}年" if first == last else f"{first}–{last}年"


def slot_label(labels: Labels, fiscal_year, kind, scope) -> str:
    parts = [f"{fiscal_year}年", labels.value("disclosure_kind", kind)]
    if scope:
        parts.append(labels.value("scope", scope))
    return " ".join(parts)


# --- the chart -----------------------------------------------------------------------------------

CHART_SERIES = (("sangong_total_yuan", "三公经费合计", "#0b5cad"), ("operating_expenses_yuan", "机关运行经费", "#c4661f"))
CHART_PANEL_W, CHART_H, CHART_TOP, CHART_BOTTOM = 330, 250, 34, 54


def chart_svg(slots: list[dict]) -> Markup:
    """Two bar panels (三公经费合计, 机关运行经费), one bar per disclosure (year, kind, scope), each on
    its own scale, in 万元; a figure the disclosure does not state is marked 未公开."""
    width = CHART_PANEL_W * len(CHART_SERIES)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {CHART_H}" width="{width}" '
            f'height="{CHART_H}" role="img" aria-label="三公经费与机关运行经费">')]
    plot_h = CHART_H - CHART_TOP - CHART_BOTTOM
    for p, (column, title, colour) in enumerate(CHART_SERIES):
        x0 = p * CHART_PANEL_W + 20
        inner = CHART_PANEL_W - 40
        out.append(f'<text x="{x0}" y="18" font-size="14" fill="#1f2328">{escape(title)}(万元)</text>')
        base = CHART_TOP + plot_h
        out.append(f'<line x1="{x0}" y1="{base}" x2="{x0 + inner}" y2="{base}" stroke="#8c959f"/>')
        values = [s["figures"].get(column) for s in slots]
        top = max([v for v in values if v is not None] + [Decimal(0)])
        step = inner / max(len(slots), 1)
        bar_w = min(48.0, step * 0.6)
        for i, (slot, value) in enumerate(zip(slots, values)):
            cx = x0 + step * (i + 0.5)
            out.append(f'<text x="{cx:.1f}" y="{base + 16}" font-size="11" text-anchor="middle" '
                       f'fill="#59636e">{escape(slot["short_label"])}</text>')
            if value is None:
                out.append(f'<text x="{cx:.1f}" y="{base - 6}" font-size="11" text-anchor="middle" '
                           f'fill="#59636e">未公开</text>')
                continue
            wan = Decimal(value) / YUAN_PER_WAN
            h = float(plot_h * Decimal(value) / top) if top > 0 else 0.0
            out.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{colour}"><title>{escape(slot["label"])}:{wan:,.2f} 万元</title></rect>')
            out.append(f'<text x="{cx:.1f}" y="{base - h - 4:.1f}" font-size="11" text-anchor="middle" '
                       f'fill="#1f2328">{wan:,.2f}</text>')
    out.append("</svg>")
    return Markup("".join(out))


# --- reading the warehouse -----------------------------------------------------------------------

def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute("select column_name from information_schema.columns "
                                      "where table_schema = 'main' and table_name = ?", [table]).fetchall()}


def read_site_data(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict]]:
    """What the pages show, read from the marts (each list ordered as the pages show it)."""
    missing = [t for t in ("dim_department", "dim_document", "rpt_department_trend", "rpt_department_items",
                           "rpt_regional_comparison", "quality_findings") if not _columns(con, t)]
    if missing:
        raise BudgetWarehouseError(f"the warehouse has no {', '.join(missing)}; run `budgetwh refresh` first")
    version = con.execute("select max(warehouse_version) from raw.ingest_runs where status = 'succeeded'"
                          ).fetchall() if _has_runs(con) else [(None,)]
    return {
        "version": version[0][0],
        "departments": _rows(con, "select * from main.dim_department order by region_code, department_name, "
                                  "department_id"),
        "trend": _rows(con, "select * from main.rpt_department_trend order by department_id, fiscal_year, "
                            "disclosure_kind, scope"),
        "items": _rows(con, "select * from main.rpt_department_items order by department_id, fiscal_year, "
                            "disclosure_kind, scope, family, level, item"),
        "documents": _rows(con, "select * from main.dim_document order by department_id, fiscal_year, "
                                "disclosure_kind, scope, is_current desc, source_path"),
        "findings": _rows(con, "select f.document_id, f.check_name, f.severity, f.page, f.message, "
                               "d.department_id, d.source_path from main.quality_findings as f "
                               "join main.dim_document as d using (document_id) "
                               "order by d.department_id, f.page nulls last, f.check_name, f.message"),
        "comparison": _rows(con, "select * from main.rpt_regional_comparison order by category, fiscal_year, "
                                 "disclosure_kind, scope, region_code"),
    }


def _has_runs(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                            "and table_name = 'ingest_runs'").fetchall()[0][0])


def _group(rows: list[dict], key: str) -> dict:
    out: dict = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


# --- the pages -----------------------------------------------------------------------------------

def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _prepare_folder(out: Path) -> None:
    """Create ``out``, or empty what an earlier build wrote there; refuse a folder with other files."""
    if out.exists() and not out.is_dir():
        raise SiteFolderError(f"{out} is a file; name a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteFolderError(f"{out} is not empty and holds no site built by budgetwh; name an empty or new "
                              f"folder (nothing in it is removed)")
    out.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    (out / MARKER).write_text("written by budgetwh site; the folder is rebuilt by the next `budgetwh site`\n",
                              encoding="utf-8")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build_site(db_path: str | os.PathLike, out_dir: str | os.PathLike) -> SiteResult:
    """Write the site of the warehouse at ``db_path`` into ``out_dir``; returns the pages written.

    Raises:
        SiteFolderError: ``out_dir`` holds files that an earlier ``budgetwh site`` did not write.
        BudgetWarehouseError: the warehouse has no marts yet.
        duckdb.Error: the warehouse cannot be opened.
    """
    con = connect_sandboxed(db_path)
    try:
        data = read_site_data(con)
    finally:
        con.close()
    return write_site(data, out_dir)


def write_site(data: dict, out_dir: str | os.PathLike) -> SiteResult:
    """Write the pages of ``data`` (as :func:`read_site_data` returns it) into ``out_dir``.

    Raises:
        SiteFolderError: ``out_dir`` holds files that an earlier ``budgetwh site`` did not write.
    """
    out = Path(out_dir)
    _prepare_folder(out)
    labels = site_labels()
    env = _environment()
    common = {"csp": CSP, "generated_at": f"{dt.datetime.now():%Y-%m-%d %H:%M}",
              "warehouse_version": data["version"] if data["version"] is not None else "—"}
    (out / "assets").mkdir()
    for asset in ASSETS:
        shutil.copyfile(TEMPLATES / asset, out / "assets" / asset)

    departments = data["departments"]
    dept_slugs: dict[str, str] = {}
    taken: set[str] = set()
    for d in departments:
        dept_slugs[d["department_id"]] = page_slug(d["department_id"], taken)
    comparison_slugs: dict[tuple, str] = {}
    taken = set()
    for r in data["comparison"]:
        key = (r["category"], r["fiscal_year"])
        if key not in comparison_slugs:
            comparison_slugs[key] = page_slug(f"{r['category']}-{r['fiscal_year']}", taken)
    category_of = {d["department_id"]: d.get("category") for d in departments}

    department_pages = _department_pages(env, common, labels, out, data, dept_slugs, comparison_slugs, category_of)
    comparison_pages, comparison_index = _comparison_pages(env, common, labels, out, data, dept_slugs,
                                                           comparison_slugs, category_of)
    index_entries = [{
        "name": d["department_name"], "href": f"departments/{dept_slugs[d['department_id']]}.html",
        "region": d.get("region_full_name") or d.get("region_code") or "",
        "category": d.get("category_name_zh") or UNCLASSIFIED,
        "years": years_text(d.get("first_fiscal_year"), d.get("last_fiscal_year")),
        "search": search_text(d["department_name"], d.get("printed_names"), d.get("region_full_name"),
                              d.get("region_code"), d.get("category_name_zh"), d.get("category"),
                              d.get("first_fiscal_year"), d.get("last_fiscal_year"), d["department_id"]),
    } for d in departments]
    index = _write(out / "index.html", env.get_template("index.html").render(
        root="", departments=index_entries, comparisons=comparison_index, **common))
    return SiteResult(index, department_pages, comparison_pages)


def _department_pages(env, common, labels: Labels, out: Path, data, dept_slugs, comparison_slugs,
                      category_of) -> list[Path]:
    trend = _group(data["trend"], "department_id")
    items = _group(data["items"], "department_id")
    documents = _group(data["documents"], "department_id")
    findings = _group(data["findings"], "department_id")
    template = env.get_template("department.html")
    item_headers = [labels.column(c) for c in ITEM_COLUMNS]
    finding_headers = [labels.column(c) for c in FINDING_COLUMNS]
    document_headers = [labels.column(c) for c in DOCUMENT_COLUMNS]
    pages = []
    for d in data["departments"]:
        dep_id = d["department_id"]
        items_by_slot: dict[tuple, list[dict]] = {}
        for it in items.get(dep_id, []):
            items_by_slot.setdefault((it["fiscal_year"], it["disclosure_kind"], it["scope"]), []).append(it)
        items_by_slot = {k: in_tree_order(v) for k, v in items_by_slot.items()}
        slots = []
        for t in trend.get(dep_id, []):
            key = (t["fiscal_year"], t["disclosure_kind"], t["scope"])
            comparison = comparison_slugs.get((category_of.get(dep_id), t["fiscal_year"]))
            slots.append({
                "label": slot_label(labels, *key),
                "short_label": f"{t['fiscal_year']} {labels.value('disclosure_kind', t['disclosure_kind'])}",
                "figures": t,
                "comparison_href": f"../compare/{comparison}.html" if comparison else None,
                "item_rows": [{"level": it.get("level") or 0, "cells": [
                    it.get("item_zh") or it["item"], yuan_text(it.get("amount_yuan")),
                    labels.value("source", it.get("source")), plain_text(it.get("page")),
                    yuan_text(it.get("stated_change_yuan")), yuan_text(it.get("computed_change_yuan")),
                    yuan_text(it.get("change_gap_yuan"))]} for it in items_by_slot.get(key, [])],
            })
        figure_rows = [{
            "label": labels.column(column), "level": level,
            "cells": [{"text": yuan_text(s["figures"].get(column)),
                       "page": s["figures"].get(page) if page else None} for s in slots],
        } for column, page, level in TREND_FIGURES if any(s["figures"].get(column) is not None for s in slots)]
        dep_findings = sorted(findings.get(dep_id, []), key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9),
                                                                      f["page"] is None, f["page"] or 0))
        view = {
            "department_id": dep_id, "name": d["department_name"],
            "region": d.get("region_full_name") or "", "region_code": d.get("region_code") or "",
            "category": d.get("category_name_zh") or UNCLASSIFIED,
            "years": years_text(d.get("first_fiscal_year"), d.get("last_fiscal_year")),
            "printed_names": d.get("printed_names") if d.get("printed_names") != d["department_name"] else None,
        }
        html = template.render(
            root="../", d=view, slots=slots, figure_rows=figure_rows, chart=chart_svg(slots) if slots else "",
            item_headers=item_headers, finding_headers=finding_headers, document_headers=document_headers,
            findings=[{"severity": labels.value("severity", f["severity"]),
                       "severity_code": f["severity"] if f["severity"] in SEVERITY_CODES else "other",
                       "page": plain_text(f["page"]), "check_name": f["check_name"],
                       "file_name": file_name(f["source_path"]), "message": f["message"]} for f in dep_findings],
            documents=[{"file_name": file_name(doc.get("source_path")), "document_id": doc["document_id"],
                        "cells": [labels.value(c, doc.get(c)) if c in ("disclosure_kind", "scope", "status",
                                                                       "is_current")
                                  else plain_text(doc.get(c)) for c in DOCUMENT_COLUMNS[2:]]}
                       for doc in documents.get(dep_id, [])],
            **common)
        pages.append(_write(out / "departments" / f"{dept_slugs[dep_id]}.html", html))
    return pages


def _comparison_pages(env, common, labels: Labels, out: Path, data, dept_slugs, comparison_slugs,
                      category_of) -> tuple[list[Path], list[dict]]:
    # the departments behind each comparison row: the trend's rows of that category, region, year, kind, scope
    names = {d["department_id"]: d["department_name"] for d in data["departments"]}
    members: dict[tuple, list[str]] = {}
    for t in data["trend"]:
        key = (category_of.get(t["department_id"]), t["region_code"], t["fiscal_year"], t["disclosure_kind"],
               t["scope"])
        members.setdefault(key, []).append(t["department_id"])
    template = env.get_template("comparison.html")
    headers = [labels.column("region_full_name"), labels.column("department_names")] + [
        labels.column(c) for c in COMPARISON_COLUMNS]
    pages, index = [], []
    by_page: dict[tuple, list[dict]] = {}
    for r in data["comparison"]:
        by_page.setdefault((r["category"], r["fiscal_year"]), []).append(r)
    for (category, year), rows in by_page.items():
        title = rows[0].get("category_name_zh") or UNCLASSIFIED
        groups: dict[tuple, list[dict]] = {}
        for r in rows:
            groups.setdefault((r["disclosure_kind"], r["scope"]), []).append(r)
        views = []
        for (kind, scope), group in groups.items():
            group.sort(key=lambda r: (r.get("expenditure_total_rank") is None, r.get("expenditure_total_rank") or 0,
                                      r["region_code"]))
            first = group[0]
            views.append({
                "label": " ".join(x for x in (labels.value("disclosure_kind", kind), labels.value("scope", scope))
                                  if x),
                "rows": [{
                    "region": r.get("region_full_name") or r["region_code"],
                    "departments": [{"name": names.get(i, i), "href": f"../departments/{dept_slugs[i]}.html"
                                     if i in dept_slugs else None}
                                    for i in members.get((category, r["region_code"], year, kind, scope), [])]
                    or [{"name": r.get("department_names") or "", "href": None}],
                    "cells": [_comparison_cell(c, r.get(c)) for c in COMPARISON_COLUMNS],
                } for r in group],
                "medians": [_comparison_cell(c, first.get(COMPARISON_MEDIANS[c])) if c in COMPARISON_MEDIANS
                            and COMPARISON_MEDIANS[c] in first else "" for c in COMPARISON_COLUMNS],
            })
        slug = comparison_slugs[(category, year)]
        view = {"category": title, "fiscal_year": year}
        pages.append(_write(out / "compare" / f"{slug}.html", template.render(
            root="../", c=view, groups=views, headers=headers, **common)))
        index.append({"category": title, "fiscal_year": year, "href": f"compare/{slug}.html",
                      "n_regions": len({r["region_code"] for r in rows}),
                      "search": search_text(title, category, year, "地区比较")})
    return pages, index


def _comparison_cell(column: str, value) -> str:
    if column.startswith("sangong_share"):
        return share_text(value)
    if column.endswith("_yuan"):
        return yuan_text(value)
    return plain_text(value)
