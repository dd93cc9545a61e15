"""Refresh at scale: full refresh, refresh with nothing new, refresh with one new file, documents
per second and peak memory, at several corpus sizes made by varying the real sample documents.

Usage: .venv/bin/python benchmarks/bench_refresh.py [--sizes 500,1000,2000] [--jobs 2]
                                                     [--json docs/bench_refresh.json]

Each variant is a real sample with a few bytes appended after its end (a trailing paragraph for
text, a comment after %%EOF for PDF), so every file has its own sha256 and the full parse cost.
Peak memory is the largest resident set of the refresh process and its workers together, sampled
every 50 ms.
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


def variant(src: Path, i: int) -> bytes:
    data = src.read_bytes()
    if src.suffix == ".pdf":
        return data + f"\n% variant {i}\n".encode()
    return data + f"\n(副本 {i})\n".encode()


def make_corpus(folder: Path, n: int, start: int = 0) -> None:
    sources = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        src = sources[i % len(sources)]
        (folder / f"{src.stem}__v{i:05d}{src.suffix}").write_bytes(variant(src, i))


def run_refresh(corpus: Path, db: Path, jobs: int) -> tuple[float, float]:
    """(seconds, peak MiB of the process tree)."""
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BUDGETWH), "refresh", "--corpus", str(corpus), "--db", str(db), "--quiet",
                             "--jobs", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=ROOT)
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"refresh failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return seconds, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,1000,2000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench{n}_") as tmp:
            corpus, db = Path(tmp) / "corpus", Path(tmp) / "budget.duckdb"
            make_corpus(corpus, n)
            full_s, full_mb = run_refresh(corpus, db, args.jobs)
            noop_s, noop_mb = run_refresh(corpus, db, args.jobs)
            make_corpus(corpus, 1, start=n)
            one_s, one_mb = run_refresh(corpus, db, args.jobs)
            row = {"documents": n, "full_refresh_s": round(full_s, 1), "docs_per_s": round(n / full_s, 1),
                   "nothing_new_s": round(noop_s, 2), "one_new_file_s": round(one_s, 1),
                   "peak_mib": round(max(full_mb, noop_mb, one_mb)), "db_mib": round(db.stat().st_size / 2**20, 1),
                   "jobs": args.jobs}
            results.append(row)
            print(json.dumps(row), flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
    print()
    print("| documents | full refresh (s) | docs/s | nothing new (s) | one new file (s) | peak MiB | db MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['documents']} | {r['full_refresh_s']} | {r['docs_per_s']} | {r['nothing_new_s']} | "
              f"{r['one_new_file_s']} | {r['peak_mib']} | {r['db_mib']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
