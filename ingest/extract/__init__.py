"""Extractors: Document to records. Each is ``extract_<x>(doc, ex)`` appending to an
:class:`~ingest.model.Extraction`; they run in the order below (profile and sections first, so
that later extractors can use ``ex.profile`` and ``ex.sections``).

A new layout is a new rule (or a new extractor listed here), never a change to a reader.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from ..model import Document, Extraction, ParseIssue
from ..sections import extract_sections
from .narrative import extract_narrative
from .performance import extract_performance
from .profile import extract_profile
from .tables import extract_tables

Extractor = Callable[[Document, Extraction], None]

EXTRACTORS: tuple[Extractor, ...] = (
    extract_profile,
    extract_sections,
    extract_narrative,
    extract_performance,
    extract_tables,
)


def extractor_name(fn: Extractor) -> str:
    """``module:function`` of an extractor, as its failures name it."""
    return f"{fn.__module__}:{fn.__qualname__}"


def extract(doc: Document, extractors: tuple[Extractor, ...] = EXTRACTORS) -> Extraction:
    """Run every extractor. One failing extractor becomes a parse issue; the others still run."""
    ex = Extraction()
    for fn in extractors:
        try:
            fn(doc, ex)
        except Exception as exc:  # noqa: BLE001 - recorded, never silent
            ex.issues.append(ParseIssue(
                severity="error", code="extractor_failed",
                message=f"{doc.source_path}: extractor {extractor_name(fn)} failed: {exc!r}; "
                        f"{traceback.format_exc(limit=3).splitlines()[-1]}",
            ))
    return ex
