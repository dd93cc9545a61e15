"""Start-up costs: seconds to import the CLI, dbt and Great Expectations in a fresh process.

Usage: .venv/bin/python benchmarks/bench_startup.py [--repeat 3] [--json out.json]

A refresh pays each once per process; ``budgetwh watch`` pays them once for many refreshes.
Each figure is the best of ``--repeat`` fresh interpreters (``python -c 'import …'``), minus the
bare interpreter's start.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

MODULES = {
    "python": "pass",
    "budgetwh CLI (ingest.cli)": "import ingest.cli",
    "ingest.pipeline": "import ingest.pipeline",
    "dbt (dbt.cli.main)": "import dbt.cli.main",
    "Great Expectations": "import great_expectations",
    "Great Expectations as the checks import it (scipy.stats lazy)":
        "from expectations.checkpoint import import_gx; import_gx()",
    "the checks (expectations.checkpoint, without GX)": "import expectations.checkpoint",
}


def seconds(code: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    bare = seconds("pass", args.repeat)
    out = {name: round(seconds(code, args.repeat) - (0 if code == "pass" else bare), 2)
           for name, code in MODULES.items()}
    for name, s in out.items():
        print(f"{name:40s} {s:6.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
