"""Issue 12, fuzzing: every real file the project ships, mutated, through the readers and the loader.

Sources: data/samples/*.txt and *.pdf, a sample of data/samples/regional/*.pdf (every fifth by
name; all of them when more cases are asked for), and a .docx, an .xlsx and an .html built here
from the Hebei text (the corpus holds none). Mutations, one to three per case: truncations, byte
flips (at edges and scattered), chunks deleted / repeated / inserted; PDF pages shuffled, dropped or repeated (the file
rewritten by pypdfium2) and bytes flipped inside its streams; zip members swapped, dropped,
damaged, inflated (past the XML limit, a bomb of many members, a high ratio, their own content
repeated), an entity-expansion bomb, a member twice; text and web pages re-encoded (gb18030,
utf-16 with and without BOM, big5, …; a page's declared charset rewritten or left lying) and tags
broken (``>`` or ``<`` dropped, unclosed tables, deep nesting, no closing tags, NULs); a line of
thousands of characters without punctuation (CJK, digits, amounts, tags) or all lines joined.

Each case runs in the pipeline's own parser worker (:func:`ingest.workers.bounded_map`, two
workers) under a wall-time bound of 30 s and the pipeline's memory bound (1536 MiB): read, checked
for being a disclosure, extracted, checked against the raw contract and loaded into an in-memory
DuckDB. Every outcome must be a document or a rejection whose message names the file (a
``ReadError`` / ``NotADisclosureError``); never another exception, a worker killed for time or
memory, or one that died. The figures (cases, outcomes, slowest case, peak memory) are printed
(``-s``) and, with ``BUDGETWH_FUZZ_REPORT=path``, written as JSON.

Why Hypothesis rather than atheris: the mutations are structured (pages of a PDF, members of a
zip, encodings of a text), which Hypothesis strategies draw directly, biased towards the edges
that break readers (truncation at 0 or at the last byte, the first or last member, one page);
its draws are reproducible (``derandomize``: the default run is the same in CI and here, and a
failure is a named, replayable case), and it runs inside pytest in pure Python. atheris is
coverage-guided byte fuzzing through libFuzzer: strong for long unattended campaigns on native
parsers, but it needs its own process and entry point, its runs are not reproducible by default,
and random bytes mostly stop at a zip's or a stream's checksum before reaching our readers.
Hypothesis draws the plans (cheap, in this process); the workers run them in parallel, so the
time and memory of each case are bounded exactly as a refresh bounds a file. Hypothesis does not
shrink here (a plan is already one to three named mutations of one file).

``BUDGETWH_FUZZ_CASES`` (default 300) sets the number of cases, ``BUDGETWH_FUZZ_SEED`` draws
other cases than the default ones.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ingest.readers import DEFAULT_MAX_PARSE_MIB, read_file
from ingest.workers import WorkerFailure, bounded_map

from .conftest import ROOT, SAMPLES, SEED
from .helpers_fuzz import ENCODINGS, FUZZ_SETTINGS_SECONDS, LONG_RUNS, Case, fuzz_one
from .helpers_render import document_to_docx, document_to_html, document_to_xlsx

CASES = int(os.environ.get("BUDGETWH_FUZZ_CASES", "300"))
SEED_ENV = os.environ.get("BUDGETWH_FUZZ_SEED")
REGIONAL_EVERY = 5 if CASES <= 300 else 1
JOBS = 2

fracs = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
masks = st.integers(min_value=1, max_value=255)


def byte_ops() -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.just("truncate"), fracs),
        st.tuples(st.just("flip"), st.lists(st.tuples(fracs, masks), min_size=1, max_size=16).map(tuple)),
        st.tuples(st.just("scatter"), st.integers(0, 2**32 - 1), st.sampled_from([1, 4, 32, 256])),
        st.tuples(st.just("splice"), st.sampled_from(["delete", "repeat"]), fracs, st.integers(1, 4096)),
        st.tuples(st.just("splice"), st.just("insert"), fracs, st.just(0), st.binary(min_size=1, max_size=64)),
    )


def pdf_ops() -> st.SearchStrategy:
    pages = st.tuples(st.just("pdf_pages"), st.sampled_from(["shuffle", "drop", "repeat"]), st.integers(0, 2**16))
    streams = st.tuples(st.just("pdf_stream_flip"),
                        st.lists(st.tuples(fracs, fracs, masks), min_size=1, max_size=24).map(tuple))
    return st.one_of(pages, streams, streams, byte_ops())


def zip_ops() -> st.SearchStrategy:
    modes = ["swap", "drop", "damage", "inflate_repeat", "inflate_xml_over_limit", "inflate_bomb",
             "inflate_ratio", "laughs", "twice"]
    members = st.tuples(st.just("zip"), st.sampled_from(modes), fracs, fracs, masks)
    return st.one_of(members, members, byte_ops())


def text_ops(html: bool) -> st.SearchStrategy:
    encodings = st.tuples(st.just("reencode"), st.sampled_from(ENCODINGS), st.booleans() if html else st.just(False))
    lines = st.one_of(
        st.tuples(st.just("long_line"), st.sampled_from(sorted(LONG_RUNS)), fracs, st.sampled_from([200, 2000])),
        st.tuples(st.just("join_lines"), fracs))
    if not html:
        return st.one_of(encodings, lines, byte_ops())
    modes = ["drop_gt", "drop_lt", "unclosed", "nest", "strip_close", "null"]
    tags = st.tuples(st.just("html_break"), st.sampled_from(modes), fracs,
                     st.sampled_from([1, 10, 200, 5000, 100_000]))
    return st.one_of(tags, encodings, tags, lines, byte_ops())


def ops_for(path: Path) -> st.SearchStrategy:
    kind = path.suffix.lower()
    op = {".pdf": pdf_ops(), ".docx": zip_ops(), ".xlsx": zip_ops(), ".html": text_ops(True)}.get(kind, text_ops(False))
    return st.lists(op, min_size=1, max_size=3).map(tuple)


def draw_cases(source: Path, n: int) -> list[Case]:
    """``n`` mutation plans for one file, drawn by Hypothesis (reproducible unless a seed is given)."""
    plans: list[tuple] = []

    @settings(max_examples=n, database=None, deadline=None, derandomize=SEED_ENV is None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(ops_for(source))
    def collect(ops: tuple) -> None:
        plans.append(ops)

    if SEED_ENV is not None:
        collect = seed(int(SEED_ENV))(collect)
    collect()
    return [Case(str(source), ops) for ops in dict.fromkeys(plans)][:n]


def workbook_with_title_sheet(doc, path: Path) -> Path:
    """The Hebei tables as .xlsx (one sheet per table), with a first sheet holding the text's
    opening lines (its title: '2021年部门预算公开…'), so that the workbook is a disclosure."""
    import openpyxl

    document_to_xlsx(doc, path)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("部门预算公开说明", 0)
    for row, paragraph in enumerate(list(doc.paragraphs())[:40], start=1):
        sheet.cell(row, 1, paragraph.text)
    book.save(path)
    return path


def shipped_sources(folder: Path) -> list[Path]:
    """The real files: samples, a sample of the regional PDFs, and the Hebei text as .docx/.xlsx/.html."""
    regional = sorted((SAMPLES / "regional").glob("*.pdf"))[::REGIONAL_EVERY]
    seed_doc = read_file(str(SEED))
    built = [document_to_docx(seed_doc, folder / "weixian_2021.docx"),
             workbook_with_title_sheet(seed_doc, folder / "weixian_2021.xlsx")]
    page = folder / "weixian_2021.html"
    page.write_bytes(document_to_html(seed_doc, "gb2312").encode("gb18030"))
    return sorted(SAMPLES.glob("*.txt")) + sorted(SAMPLES.glob("*.pdf")) + regional + built + [page]


def all_cases(folder: Path) -> list[Case]:
    """``CASES`` plans over the sources: a PDF gets one share, a text, page, .docx or .xlsx three
    (they have more kinds of mutation, and there are few of them)."""
    sources = shipped_sources(folder)
    weights = [1 if s.suffix == ".pdf" else 3 for s in sources]
    shares = [CASES * w // sum(weights) for w in weights]
    for i in range(CASES - sum(shares)):
        shares[i % len(shares)] += 1
    cases = []
    for source, n in zip(sources, shares):
        cases += draw_cases(source, n)
    return cases


def summarize(results: list[dict], seconds: float) -> dict:
    outcomes: dict[str, int] = {}
    for r in results:
        key = r["outcome"] if r["outcome"] != "rejection" else f"rejection:{r['code']}"
        outcomes[key] = outcomes.get(key, 0) + 1
    slowest = max(results, key=lambda r: r.get("seconds", 0))
    return {
        "cases": len(results), "seconds": round(seconds, 1), "jobs": JOBS,
        "bound_seconds": FUZZ_SETTINGS_SECONDS, "bound_mib": DEFAULT_MAX_PARSE_MIB,
        "sources": len({r["source"] for r in results}), "outcomes": dict(sorted(outcomes.items())),
        "failures": sum(1 for r in results if r["outcome"] not in ("document", "rejection")),
        "hangs": sum(1 for r in results if r["outcome"] == "parse_timeout"),
        "over_memory": sum(1 for r in results if r["outcome"] == "parse_memory"),
        "slowest_case": {"case": slowest["case"], "seconds": slowest.get("seconds")},
        "peak_mib": max((r.get("peak_mib") or 0) for r in results),
    }


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    cases = all_cases(folder)
    # the workers import this package's helpers_fuzz by name
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), saved) if p)
    started = time.monotonic()
    try:
        results = []
        for case, out in zip(cases, bounded_map(fuzz_one, cases, jobs=JOBS, max_seconds=FUZZ_SETTINGS_SECONDS,
                                                 max_mib=DEFAULT_MAX_PARSE_MIB)):
            if isinstance(out, WorkerFailure):
                out = {"case": case.label, "source": case.source, "outcome": out.code, "error": out.message}
            results.append(out)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    summary = summarize(results, time.monotonic() - started)
    print("\nfuzzing:", json.dumps(summary, ensure_ascii=False, indent=1))
    if os.environ.get("BUDGETWH_FUZZ_REPORT"):
        Path(os.environ["BUDGETWH_FUZZ_REPORT"]).write_text(
            json.dumps({"summary": summary, "results": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    return cases, results, summary


def test_every_mutant_is_a_document_or_a_named_rejection(fuzzed):
    _, results, summary = fuzzed
    failures = [r for r in results if r["outcome"] not in ("document", "rejection")]
    report = "\n\n".join(f"{r['outcome']}: {r['case']}\n{r.get('error', '')}\n{r.get('traceback', '')}"
                         for r in failures[:10])
    assert not failures, f"{len(failures)} of {summary['cases']} cases failed:\n{report}"


def test_the_fuzzing_covers_every_shipped_file_and_both_outcomes(fuzzed):
    cases, results, summary = fuzzed
    assert summary["cases"] == len(cases) >= min(CASES, 200)
    assert {Path(c.source).suffix for c in cases} == {".txt", ".pdf", ".docx", ".xlsx", ".html"}
    assert {Path(c.source).name for c in cases} >= {p.name for p in SAMPLES.glob("*.*") if p.suffix in (".txt", ".pdf")}
    outcomes = {r["outcome"] for r in results}
    assert {"document", "rejection"} <= outcomes
    assert summary["peak_mib"] < DEFAULT_MAX_PARSE_MIB
