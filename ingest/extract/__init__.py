"""Extractors: Document to records. Each is ``extract_<x>(doc, ex)`` appending to an
:class:`~ingest.model.Extraction`; they run in the order below (profile and sections first, so
that later extractors can use ``ex.profile`` and ``ex.sections``).

A new layout is a new rule (or a new extractor listed here), never a change to a reader.
"""

from __future__ import annotations

import importlib
import traceback

from ..model import Document, Extraction, ParseIssue

EXTRACTORS: list[str] = [
    "ingest.extract.profile:extract_profile",
    "ingest.sections:extract_sections",
    "ingest.extract.narrative:extract_narrative",
    "ingest.extract.performance:extract_performance",
    "ingest.extract.tables:extract_tables",
]


def _load(target: str):
    module_name, func = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None  # extractor not written yet
        raise
    return getattr(module, func)


def extract(doc: Document) -> Extraction:
    """Run every extractor. One failing extractor becomes a parse issue; the others still run."""
    ex = Extraction()
    for target in EXTRACTORS:
        fn = _load(target)
        if fn is None:
            continue
        try:
            fn(doc, ex)
        except Exception as exc:  # noqa: BLE001 - recorded, never silent
            ex.issues.append(ParseIssue(
                severity="error", code="extractor_failed",
                message=f"{doc.source_path}: extractor {target} failed: {exc!r}; "
                        f"{traceback.format_exc(limit=3).splitlines()[-1]}",
            ))
    return ex
