"""Every finding the checks raised on the shipped samples before they moved into dbt (issue 13)
is raised still: tests/data/sample_findings.csv, written by scripts/freeze_findings.py from a
warehouse of data/samples, keyed by file, document, check, severity, page, subject and figures
(not by the wording of the message)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from freeze_findings import FROZEN, findings_of, read_frozen


def test_the_frozen_file_is_not_empty():
    frozen = read_frozen(FROZEN)
    assert len(frozen) > 100
    assert {row[2] for row in frozen} >= {"identity:table_sum", "unit_anomaly", "narrative_vs_table",
                                          "withheld_residual", "completeness:missing"}


def test_every_frozen_finding_is_still_raised(built_warehouse):
    now = Counter(findings_of(built_warehouse))
    missing = Counter(read_frozen(FROZEN)) - now
    assert not missing, "findings no longer raised:\n" + "\n".join(
        ",".join(row) for row in sorted(missing.elements()))
