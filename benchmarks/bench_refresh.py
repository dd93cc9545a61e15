"""Refresh at scale: full refresh, refresh with nothing new, refresh with one new file, documents
per second and peak memory, at several corpus sizes made by varying the real sample documents.

Usage: .venv/bin/python benchmarks/bench_refresh.py [--sizes 500,2000,10000] [--jobs 2]
                                                     [--corpus distinct|copies] [--one-new 3]
                                                     [--from data/samples/regional]
                                                     [--json docs/bench_refresh.json]

``--corpus distinct`` (the default): nine files in ten are distinct disclosures (the Hebei text
as another county and fiscal year with its own figures, benchmarks/text_corpus.py), so the marts
and the checks grow with the corpus; every tenth is a copy of one of the Shanghai PDFs with a
comment appended after %%EOF (its own sha256 and the full parse cost of a PDF; the marts keep one
current disclosure per copy group). ``--corpus copies``: every file a copy of a sample (the
figures of docs/scaling.md before December 2026), which leaves only nine disclosures current.
``--from DIR``: the real disclosures of a folder (the regional corpus: a one-file refresh against
a full refresh of the same few dozen files, where the fixed costs weigh most).

The refresh with one new file runs ``--one-new`` times, each adding the next file to the corpus;
the median is the figure (every run is in the JSON): on a shared machine one run of ~10 s varies by
a second or two either way. The ``watch`` figure is its own process's second refresh.

Peak memory is the largest resident set of the refresh process and its workers together, sampled
every 50 ms. The steps of each refresh (planning, parsing and loading, dbt, checks, swap) are
timed from the stage log the pipeline writes when BUDGETWH_TEST_STAGE_LOG is set.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
BUDGETWH = Path(sys.executable).parent / "budgetwh"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from text_corpus import SEED, variant_text


def variant(src: Path, i: int) -> bytes:
    data = src.read_bytes()
    if src.suffix == ".pdf":
        return data + f"\n% variant {i}\n".encode()
    return data + f"\n(副本 {i})\n".encode()


def real_files(folder: Path) -> list[Path]:
    """The files of a folder of real disclosures (``--from``), in name order."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def make_corpus(folder: Path, n: int, start: int = 0, kind: str = "distinct") -> dict[str, int]:
    """Write files ``start`` … ``start + n - 1`` of a corpus of ``kind``; return how many of each
    sort were written. ``kind`` ``dir:<folder>``: those files of a folder of real disclosures
    (:func:`real_files`), copied."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind.startswith("dir:"):
        taken = real_files(Path(kind[4:]))[start:start + n]
        for src in taken:
            shutil.copyfile(src, folder / src.name)
        return {"real": len(taken)}
    sources = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt"))
    pdfs = [p for p in sources if p.suffix == ".pdf"]
    seed = SEED.read_text(encoding="utf-8")
    counts = {"distinct_text": 0, "pdf_copy": 0, "copy": 0}
    for i in range(start, start + n):
        if kind == "copies":
            src = sources[i % len(sources)]
            (folder / f"{src.stem}__v{i:05d}{src.suffix}").write_bytes(variant(src, i))
            counts["copy"] += 1
        elif i % 10 == 9:
            src = pdfs[(i // 10) % len(pdfs)]
            (folder / f"{src.stem}__v{i:05d}{src.suffix}").write_bytes(variant(src, i))
            counts["pdf_copy"] += 1
        else:
            (folder / f"hebei_variant_{i:05d}.txt").write_text(variant_text(seed, i), encoding="utf-8")
            counts["distinct_text"] += 1
    return {k: v for k, v in counts.items() if v}


#: The stage log's names, grouped into the steps reported.
STEPS = {"recover": "start", "planning": "plan", "parsing": "parse+load", "loading": "parse+load",
         "dbt": "dbt", "checks": "checks", "record": "record+swap", "swap": "record+swap",
         "swapped": "record+swap"}


def step_seconds(log: Path, t0: float, t1: float) -> dict[str, float]:
    """Seconds per step of one refresh, from its stage log (each stage's first start; a step ends
    where the next begins, the last at ``t1``)."""
    firsts: dict[str, float] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] not in firsts:
            firsts[parts[0]] = float(parts[2])
    marks = sorted((t, STEPS.get(name, name)) for name, t in firsts.items())
    out: dict[str, float] = {}
    for (t, step), nxt in zip(marks, [m[0] for m in marks[1:]] + [t1], strict=True):
        out[step] = round(out.get(step, 0.0) + nxt - t, 2)
    out["start"] = round(out.get("start", 0.0) + (marks[0][0] - t0 if marks else 0.0), 2)
    return out


def run_refresh(corpus: Path, db: Path, jobs: int) -> tuple[float, float, dict[str, float]]:
    """(seconds, peak MiB of the process tree, seconds per step)."""
    log = db.parent / "stages.log"
    log.unlink(missing_ok=True)
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", BUDGETWH_TEST_STAGE_LOG=str(log))
    t_wall = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BUDGETWH), "refresh", "--corpus", str(corpus), "--db", str(db), "--quiet",
                             "--jobs", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=ROOT)
    peak = _sample_peak(proc)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"refresh failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    steps = step_seconds(log, t_wall, t_wall + seconds) if log.exists() else {}
    return seconds, peak / 2**20, steps


WATCH_DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[4])
from pathlib import Path
from bench_refresh import make_corpus
from ingest.pipeline import watch
corpus, db, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
kind, jobs = sys.argv[5], int(sys.argv[6])
events = watch(str(corpus), db, interval=0, runs=2, quiet=True, jobs=jobs,
               sleep=lambda _s: make_corpus(corpus, 1, start=n, kind=kind))
print(json.dumps([e.seconds for e in events]))
"""


def run_watch_one_new(corpus: Path, db: Path, n: int, kind: str, jobs: int) -> tuple[float, float]:
    """One new file refreshed by a process that already refreshed once (``budgetwh watch``: dbt
    and GX imported): (seconds of that refresh, peak MiB of the process tree)."""
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    err_log = db.parent / "watch.stderr"
    with open(err_log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", WATCH_DRIVER, str(corpus), str(db), str(n),
                                 str(Path(__file__).resolve().parent), kind, str(jobs)],
                                stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT)
        peak = _sample_peak(proc)
        out = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"watch failed ({proc.returncode}): {err_log.read_text(errors='replace')[-2000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])[1], peak / 2**20


def _sample_peak(proc: subprocess.Popen) -> int:
    """The largest resident set of ``proc`` and its children until it ends (every 50 ms)."""
    peak, ps = 0, psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True)))
        except psutil.Error:
            pass
        time.sleep(0.05)
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,2000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--corpus", choices=("distinct", "copies"), default="distinct")
    ap.add_argument("--from", dest="from_dir", default=None,
                    help="a folder of real disclosures instead (e.g. data/samples/regional): the full "
                         "refresh takes all its files but the last --one-new + 1, which are the new "
                         "files of the one-new runs and of `watch` (--sizes is not used)")
    ap.add_argument("--one-new", type=int, default=3,
                    help="refreshes that each add one new file (the median is the figure; default 3)")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.from_dir:
        args.corpus = f"dir:{Path(args.from_dir).resolve()}"
        sizes = [len(real_files(Path(args.from_dir))) - args.one_new - 1]
        if sizes[0] < 1:
            raise SystemExit(f"{args.from_dir}: fewer files than --one-new + 2")
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench{n}_") as tmp:
            corpus, db = Path(tmp) / "corpus", Path(tmp) / "budget.duckdb"
            made = make_corpus(corpus, n, kind=args.corpus)
            full_s, full_mb, full_steps = run_refresh(corpus, db, args.jobs)
            noop_s, noop_mb, _ = run_refresh(corpus, db, args.jobs)
            # one new file after another, each a refresh of its own; the median counts
            ones = []
            for k in range(args.one_new):
                make_corpus(corpus, 1, start=n + k, kind=args.corpus)
                ones.append(run_refresh(corpus, db, args.jobs))
            one_s, _, one_steps = sorted(ones, key=lambda r: r[0])[len(ones) // 2]
            one_mb = max(r[1] for r in ones)
            warm_s, warm_mb = run_watch_one_new(corpus, db, n + args.one_new, args.corpus, args.jobs)
            row = {"documents": n, "corpus": made, "full_refresh_s": round(full_s, 1),
                   "docs_per_s": round(n / full_s, 1), "nothing_new_s": round(noop_s, 2),
                   "one_new_file_s": round(one_s, 1), "one_new_file_share": round(one_s / full_s, 3),
                   "one_new_file_runs_s": [round(r[0], 2) for r in ones],
                   "one_new_file_watch_s": round(warm_s, 1), "one_new_file_watch_peak_mib": round(warm_mb),
                   "peak_mib": round(max(full_mb, noop_mb, one_mb, warm_mb)), "full_peak_mib": round(full_mb),
                   "one_new_file_peak_mib": round(one_mb), "db_mib": round(db.stat().st_size / 2**20, 1),
                   "full_steps_s": full_steps, "one_new_file_steps_s": one_steps, "jobs": args.jobs}
            results.append(row)
            print(json.dumps(row), flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
    print()
    print("| documents | full refresh (s) | docs/s | nothing new (s) | one new file (s) | one new / full "
          "| one new file, watch (s) | peak MiB | db MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['documents']} | {r['full_refresh_s']} | {r['docs_per_s']} | {r['nothing_new_s']} | "
              f"{r['one_new_file_s']} | {r['one_new_file_share']:.0%} | {r['one_new_file_watch_s']} | "
              f"{r['peak_mib']} | {r['db_mib']} |")
    print()
    print("| documents | refresh | " + " | ".join(sorted(set(STEPS.values()))) + " |")
    print("|---|---|" + "---|" * len(set(STEPS.values())))
    for r in results:
        for what, steps in (("full", r["full_steps_s"]), ("one new file", r["one_new_file_steps_s"])):
            print(f"| {r['documents']} | {what} | "
                  + " | ".join(str(steps.get(k, "")) for k in sorted(set(STEPS.values()))) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
