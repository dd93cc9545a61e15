"""`budgetwh site`: the static site built from a warehouse of the samples, read back as HTML and
opened in a real browser (headless Chromium from the Debian package, driven by Playwright)."""

from __future__ import annotations

import copy
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from ingest.cli import main

from .conftest import query

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">"\'&'


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def site(built_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    r = run("site", "--db", built_warehouse, "--out", out)
    assert r.exit_code == 0, r.output
    assert str(out / "index.html") in r.output
    return out


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


# --- the command -----------------------------------------------------------------------------------

def test_site_usage_errors(tmp_path, built_warehouse):
    r = run("site", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "s")
    assert r.exit_code == 2 and "no warehouse at" in r.output and "budgetwh refresh" in r.output
    assert not (tmp_path / "s").exists()
    r = CliRunner().invoke(main, ["site", "--db", str(built_warehouse)])
    assert r.exit_code == 2 and "--out" in r.output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    r = run("site", "--db", built_warehouse, "--out", foreign)
    assert r.exit_code == 2 and "not empty" in r.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert "site" in CliRunner().invoke(main, ["--help"]).output


def test_site_rebuilds_its_own_folder(built_warehouse, tmp_path):
    out = tmp_path / "s"
    assert run("site", "--db", built_warehouse, "--out", out).exit_code == 0
    stale = out / "departments" / "gone.html"
    stale.write_text("<p>a department no longer in the warehouse</p>", encoding="utf-8")
    assert run("site", "--db", built_warehouse, "--out", out).exit_code == 0
    assert not stale.exists()


# --- the pages, read as HTML -----------------------------------------------------------------------

def test_one_page_per_department_and_per_category_year(site, built_warehouse):
    departments = query(built_warehouse, "select department_id, department_name from dim_department")
    pages = sorted((site / "departments").glob("*.html"))
    assert len(pages) == len(departments)
    names = sorted(_soup(p).select_one("h1#department-name").get_text() for p in pages)
    assert names == sorted(name for _, name in departments)
    slots = query(built_warehouse, "select distinct category, fiscal_year from rpt_regional_comparison")
    assert len(list((site / "compare").glob("*.html"))) == len(slots)
    index = _soup(site / "index.html")
    links = {a["href"] for a in index.select("li.department a")}
    assert links == {f"departments/{p.name}" for p in pages}
    assert {a["href"] for a in index.select("li.comparison a")} == {
        f"compare/{p.name}" for p in (site / "compare").glob("*.html")}


def _department_page(site: Path, name: str) -> BeautifulSoup:
    for p in (site / "departments").glob("*.html"):
        soup = _soup(p)
        if soup.select_one("h1#department-name").get_text() == name:
            return soup
    raise AssertionError(f"no page for {name}")


def test_seed_department_page_holds_its_figures_findings_and_files(site, built_warehouse, seed_golden):
    doc = seed_golden["sha256"]
    (dep_id, name), = query(built_warehouse, "select department_id, department_name from dim_document "
                                             "where document_id = ?", [doc])
    page = _department_page(site, name)
    # 三公 of the seed: 545,000 yuan, all of it reception; 机关运行经费 as the trend has it
    (sangong, operating), = query(built_warehouse, "select sangong_total_yuan, operating_expenses_yuan from "
                                                   "rpt_department_trend where document_id = ?", [doc])
    figures = {tr.select_one("th").get_text(): [td.get_text(" ") for td in tr.select("td")]
               for tr in page.select("table.figures tbody tr")}
    assert figures["三公经费合计(元)"][0].startswith(f"{sangong:,.2f}")
    assert figures["机关运行经费(元)"][0].startswith(f"{operating:,.2f}")
    # the chart: inline SVG, a bar for each series, its value in 万元
    svg = page.select_one("figure.chart svg")
    assert svg is not None and len(svg.select("rect")) == 2
    assert f"{sangong / 10000:,.2f}" in svg.get_text()
    # every finding of its documents, with its page
    findings = query(built_warehouse, "select f.page, f.message from quality_findings f join dim_document d "
                                      "using (document_id) where d.department_id = ?", [dep_id])
    rows = [[td.get_text() for td in tr.select("td")] for tr in page.select("table.findings tbody tr")]
    assert len(rows) == len(findings) and findings
    assert sorted((r[1], r[4]) for r in rows) == sorted(("" if p is None else str(p), m) for p, m in findings)
    # the source file's name and sha256
    (path,), = query(built_warehouse, "select source_path from dim_document where document_id = ?", [doc])
    assert Path(path).name in [td.get_text() for td in page.select("table.documents td.file")]
    assert doc in [c.get_text() for c in page.select("table.documents code.sha256")]


def test_comparison_page_ranks_the_regions_of_one_category(site, built_warehouse):
    (category, year, n), = query(built_warehouse, "select category, fiscal_year, count(*) from "
                                                  "rpt_regional_comparison group by all order by 3 desc, 1, 2 "
                                                  "limit 1")
    regions = query(built_warehouse, "select region_full_name from rpt_regional_comparison where category = ? "
                                     "and fiscal_year = ?", [category, year])
    pages = [p for p in (site / "compare").glob("*.html") if p.name.startswith(category)]
    page = next(_soup(p) for p in pages if f"{year}" in p.name)
    shown = [tr.select_one("th").get_text() for tr in page.select("table.comparison tbody tr")]
    assert sorted(shown) == sorted(r for (r,) in regions) and len(shown) == n
    # each region's departments link to their pages
    for a in page.select("table.comparison tbody a"):
        assert (site / "compare" / a["href"]).resolve().exists()


def test_text_from_documents_is_escaped(built_warehouse, tmp_path):
    from ingest.sandbox import connect_sandboxed
    from ingest.site import read_site_data, write_site

    con = connect_sandboxed(built_warehouse)
    try:
        data = read_site_data(con)
    finally:
        con.close()
    data = copy.deepcopy(data)
    data["departments"][0]["department_name"] = HOSTILE
    for f in data["findings"]:
        f["message"] = HOSTILE
    for doc in data["documents"]:
        doc["source_path"] = "/x/" + HOSTILE
    result = write_site(data, tmp_path / "hostile")
    for page in [result.index, *result.department_pages]:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=\"(\.\./)?assets/search\.js\")", html)
    page = _department_page(tmp_path / "hostile", HOSTILE)
    assert page.select_one("h1#department-name").get_text() == HOSTILE


# --- in a real browser -----------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reads failures from the browser, not this log
        pass


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _Browser:
    """One Chromium page that records console errors, page errors, failed requests and every
    request that would leave the site (those are aborted)."""

    def __init__(self, context, origin: str):
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.origin = self.allowed = origin
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(
            f"console {m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.allowed):
            route.continue_()
        else:
            self.problems.append(f"request leaving the site: {url}")
            route.abort()

    def open(self, url: str, allowed: str | None = None):
        """Load ``url``; returns what went wrong (requests outside ``allowed``, default the server)."""
        self.allowed = allowed or self.origin
        self.problems.clear()
        self.page.goto(url, wait_until="load")
        self.page.evaluate("document.fonts.ready")
        return self.problems[:]


@pytest.fixture(scope="module")
def browser(tmp_path_factory, served):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/install_system_deps.sh installs the Debian package)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, locale="zh-CN")
        try:
            yield _Browser(context, served)
        finally:
            context.close()


# Whether the glyphs of ``text`` are drawn, not boxes: on a canvas in the page's own font, each
# character's pixels must differ from those of the others and from a character no font has
# (a private-use code point, drawn as the missing-glyph box).
GLYPHS_DRAWN = """(text) => {
  const font = getComputedStyle(document.querySelector('h1')).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d');
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 64);
    ctx.fillStyle = '#000'; ctx.font = '48px ' + font; ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
  };
  const missing = draw('\\u{10FFFD}');
  const seen = new Set([missing]);
  for (const ch of Array.from(text)) {
    const pixels = draw(ch);
    if (seen.has(pixels)) { return false; }
    seen.add(pixels);
  }
  return true;
}"""


def test_every_department_page_opens_clean_in_chromium_with_chinese_drawn(browser, served, site,
                                                                        built_warehouse):
    departments = dict(query(built_warehouse, "select department_id, department_name from dim_department"))
    assert browser.open(served + "index.html") == []
    hrefs = browser.page.eval_on_selector_all("li.department a", "els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == len(departments) == len(list((site / "departments").glob("*.html")))
    seen = []
    for href in hrefs:
        assert browser.open(served + href) == [], href
        name = browser.page.inner_text("h1#department-name")
        seen.append(name)
        distinct = "".join(dict.fromkeys(ch for ch in name if "\u4e00" <= ch <= "\u9fff"))[:4]
        assert distinct and browser.page.evaluate(GLYPHS_DRAWN, distinct), f"{name}: CJK drawn as boxes"
        assert browser.page.locator("figure.chart svg, p.empty").count() >= 1
    assert sorted(seen) == sorted(departments.values())
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in browser.requests)


def test_every_comparison_page_opens_clean(browser, served, site):
    browser.open(served + "index.html")
    hrefs = browser.page.eval_on_selector_all("li.comparison a", "els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == len(list((site / "compare").glob("*.html"))) > 0
    for href in hrefs:
        assert browser.open(served + href) == [], href
        assert browser.page.locator("table.comparison tbody tr").count() >= 1


def test_search_box_filters_the_index(browser, served, built_warehouse):
    assert browser.open(served + "index.html") == []
    page = browser.page
    total = page.locator("li.department").count()
    (region, n_region), = query(built_warehouse, "select region_full_name, count(*) from dim_department "
                                                 "group by 1 order by 2 desc, 1 limit 1")

    def visible() -> list[str]:
        return page.eval_on_selector_all("li.department", "els => els.filter(e => !e.hidden)"
                                                          ".map(e => e.innerText)")

    page.fill("#search", region)
    shown = visible()
    assert n_region <= len(shown) < total
    assert all(region in text for text in shown)
    (name,), = query(built_warehouse, "select department_name from dim_department order by length(department_name) "
                                      "desc, department_name limit 1")
    page.fill("#search", f"  {name}  ")
    assert [t.split("\n")[0].split(" ")[0] for t in visible()] == [name]
    page.fill("#search", "没有这样的部门 zzzz")
    assert visible() == [] and page.locator("#no-match").is_visible()
    page.fill("#search", "")
    assert len(visible()) == total and not page.locator("#no-match").is_visible()
    assert browser.problems == []


def test_index_opens_from_disk_without_a_server(browser, site):
    # file:// pages: the stylesheet and script load, nothing is refused by the page's policy
    assert browser.open((site / "index.html").as_uri(), allowed=site.as_uri()) == []
    browser.page.fill("#search", "zzzz")
    assert browser.page.locator("li.department:not([hidden])").count() == 0


def test_hostile_names_stay_text_in_the_browser(browser, built_warehouse, tmp_path):
    from ingest.sandbox import connect_sandboxed
    from ingest.site import read_site_data, write_site

    con = connect_sandboxed(built_warehouse)
    try:
        data = copy.deepcopy(read_site_data(con))
    finally:
        con.close()
    data["departments"] = data["departments"][:1]
    data["departments"][0]["department_name"] = HOSTILE
    result = write_site(data, tmp_path / "hostile")
    assert browser.open(result.department_pages[0].as_uri(), allowed=(tmp_path / "hostile").as_uri()) == []
    assert browser.page.inner_text("h1#department-name") == HOSTILE
    assert browser.page.evaluate("document.querySelectorAll('img').length") == 0
