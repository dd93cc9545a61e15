"""Pages per second: our PDF reader (pypdfium2 + ruling-line tables) against pdfplumber
(``page.extract_tables()`` + ``page.extract_text()``), on every PDF under data/samples/ (or
``--dir``; files our reader refuses, a scan or a web page saved as .pdf, are left out).

Run from the repository root::

    .venv/bin/python benchmarks/bench_pdf_reader.py [--repeat N] [--min-ratio 10] [--dir data/samples/regional]

Exits 1 when ours is less than ``--min-ratio`` times faster.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.errors import ReadError
from ingest.readers.pdf import pdf_to_document


def bench_ours(files: list[tuple[str, bytes]], repeat: int) -> tuple[int, float]:
    pages = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for path, data in files:
            pages += pdf_to_document(data, path).page_count
    return pages, time.perf_counter() - start


def bench_pdfplumber(files: list[tuple[str, bytes]]) -> tuple[int, float]:
    import io

    import pdfplumber

    pages = 0
    start = time.perf_counter()
    for _, data in files:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                page.extract_text()
                pages += 1
    return pages, time.perf_counter() - start


def _readable(path: str, data: bytes) -> bool:
    try:
        pdf_to_document(data, path)
    except ReadError as exc:
        print(f"left out: {Path(path).name} ({exc})", file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of our reader (pdfplumber runs once)")
    ap.add_argument("--min-ratio", type=float, default=10.0)
    ap.add_argument("--dir", default=str(ROOT / "data" / "samples"), help="folder of the PDFs")
    args = ap.parse_args(argv)
    files = [(str(p), p.read_bytes()) for p in sorted(Path(args.dir).glob("*.pdf"))]
    files = [(path, data) for path, data in files if _readable(path, data)]
    if not files:
        print(f"no readable PDFs under {args.dir}", file=sys.stderr)
        return 2
    ours_pages, ours_s = bench_ours(files, args.repeat)
    plumber_pages, plumber_s = bench_pdfplumber(files)
    ours_rate, plumber_rate = ours_pages / ours_s, plumber_pages / plumber_s
    ratio = ours_rate / plumber_rate
    print(f"files: {len(files)}, pages: {plumber_pages}")
    print(f"ours (pypdfium2):  {ours_pages:5d} pages in {ours_s:7.2f} s = {ours_rate:8.1f} pages/s")
    print(f"pdfplumber:        {plumber_pages:5d} pages in {plumber_s:7.2f} s = {plumber_rate:8.1f} pages/s")
    print(f"ratio: ours is {ratio:.1f}x faster (required: {args.min_ratio:g}x)")
    return 0 if ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
