"""Freeze the findings a warehouse raises, as a sorted CSV of their key fields (not their wording).

Used to pin what the checks find on the shipped samples before the checks move (issue 13):
tests/test_findings_frozen.py compares a fresh warehouse with tests/data/sample_findings.csv and
requires every frozen finding to be raised still.

Usage::

    python scripts/freeze_findings.py WAREHOUSE.duckdb [--out tests/data/sample_findings.csv]

A finding is keyed by the file it is about (its name, and the document's sha256 = document_id),
check_name, severity, page, subject (files without their folder) and its observed / expected figures (DECIMAL(20,2) as text);
messages are left out so that their wording may change.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import duckdb

COLUMNS = ["file_name", "document_id", "check_name", "severity", "page", "subject", "observed", "expected"]
FROZEN = Path(__file__).resolve().parents[1] / "tests" / "data" / "sample_findings.csv"

SQL = """
select
    coalesce(regexp_extract(d.source_path, '[^/]+$'), '') as file_name,
    coalesce(f.document_id, '') as document_id,
    f.check_name,
    f.severity,
    coalesce(cast(f.page as varchar), '') as page,
    -- a subject naming a file (parse issues) names it without its folder: the corpus may move
    coalesce(regexp_replace(f.subject, '[^ =]*/', '', 'g'), '') as subject,
    coalesce(cast(f.observed as varchar), '') as observed,
    coalesce(cast(f.expected as varchar), '') as expected
from main.quality_findings as f
left join raw.documents as d using (document_id)
"""


def findings_of(db: str | Path) -> list[tuple[str, ...]]:
    """The key fields of every finding of the warehouse at ``db``, sorted (read-only)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(SQL).fetchall()
    finally:
        con.close()
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def read_frozen(path: str | Path = FROZEN) -> list[tuple[str, ...]]:
    """The frozen findings (rows of :data:`COLUMNS`)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != COLUMNS:
            raise ValueError(f"{path}: header {header} is not {COLUMNS}")
        return [tuple(row) for row in reader]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("db", help="the warehouse (after a refresh)")
    parser.add_argument("--out", default=str(FROZEN), help="the CSV to write (default: %(default)s)")
    args = parser.parse_args(argv)
    rows = findings_of(args.db)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"{len(rows)} findings written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
