"""The one-file `dbt build` alone, in one process (as `budgetwh watch` builds: dbt imported, the
project parsed once): a warehouse is built from a bench corpus, one more file is loaded into a
copy of it (`budgetwh ingest`, no build), and that copy is built again and again, each round from
the same loaded state.

Usage: .venv/bin/python benchmarks/bench_dbt_build.py [--documents 2000] [--rounds 3] [--work DIR]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_refresh import make_corpus


def budgetwh(*args: str) -> None:
    subprocess.run([str(ROOT / ".venv" / "bin" / "budgetwh"), *args, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, help="a folder to keep the corpus and warehouses in")
    opts = parser.parse_args()
    work = opts.work or Path(tempfile.mkdtemp(prefix="bench_dbt_"))
    corpus, built, loaded, target = (work / "corpus", work / "built", work / "loaded", work / "t")
    if not (built / "budget.duckdb").exists():
        make_corpus(corpus, opts.documents)
        budgetwh("refresh", "--corpus", str(corpus), "--db", str(built / "budget.duckdb"), "--jobs", "2")
    shutil.rmtree(loaded, ignore_errors=True)
    shutil.copytree(built, loaded)
    make_corpus(corpus, 1, start=opts.documents + 10_000 + int(time.time()) % 10_000)
    subprocess.run([str(ROOT / ".venv" / "bin" / "budgetwh"), "ingest", str(corpus), "--db",
                    str(loaded / "budget.duckdb"), "--jobs", "2"], check=True, stdout=subprocess.DEVNULL)

    from ingest import transform

    def fresh() -> str:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(loaded, target)
        return str(target / "budget.duckdb")

    # the first build parses the project (and keeps the manifest): not counted
    transform.run_dbt_build(fresh(), quiet=True, project_unchanged=True, reuse_manifest=True)
    for i in range(opts.rounds):
        db = fresh()
        t, c = time.perf_counter(), time.process_time()
        result = transform.run_dbt_build(db, quiet=True, project_unchanged=True, reuse_manifest=True)
        print(f"round {i + 1}: dbt build {time.perf_counter() - t:.2f} s, CPU {time.process_time() - c:.2f} s, "
              f"{len(result.nodes)} nodes", flush=True)
    if opts.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
