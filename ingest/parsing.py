"""One file's bytes to a Document and its Extraction, and what a parser worker runs per file
(:func:`parse_file`; the parent names it as :func:`ingest.jobs.parse_file`)."""

from __future__ import annotations

import datetime as dt

from .contract import extraction_to_valid
from .errors import NotADisclosureError, ReadError
from .extract import extract
from .extract.disclosure import document_to_verdict
from .model import Document, Extraction
from .readers import ReaderSettings, bytes_to_document, read_bytes, sha256_hex
from .rows import ParsedFile, document_to_rows
from .stages import stage

MAX_ERROR_CHARS = 2000  # raw.documents.error: the messages of the document's errors, cut here


def warm_up() -> None:
    """Read or compile now what the parser otherwise reads or compiles on its first document: the
    rule files of the extractors and the readers' sections, the region list, the script tables
    (each cached for the process). A parser worker's zygote calls it once, before it forks the
    workers (``ingest.workers.WARM_UP``): some 0.1 s of each worker's first file."""
    from . import normalize, regions, sections
    from .extract import cover, narrative, sangong_tables, table_dims, tables_layout

    regions.places()
    regions._name_re()
    regions._places_by_name()
    normalize._script_characters()
    sections.section_rules()
    sections.title_rules()
    cover.recognition_rules()
    cover.issuer_rules()
    narrative.label_rules()
    tables_layout.load_rules()
    sangong_tables._part_rules()
    table_dims._rules()


def parse_bytes(data: bytes, path: str, settings: ReaderSettings) -> tuple[Document, Extraction]:
    """Read one file's bytes, check it is a disclosure, extract it.

    Raises:
        ReadError: unreadable; NotADisclosureError: readable, but no positive evidence of a
            disclosure (see ``ingest.extract.disclosure``), with what it looks like instead.
    """
    doc = bytes_to_document(data, path, settings)
    verdict = document_to_verdict(doc)
    if not verdict.is_disclosure:
        raise NotADisclosureError(path, f"not a disclosure: {verdict.reason}")
    ex = extract(doc)
    ex.issues.extend(doc.reader_issues)
    return doc, ex


def extraction_to_status(ex: Extraction) -> tuple[str, str | None]:
    """'partial' with the messages of its errors when the extraction has any, else 'parsed'."""
    errors = [iss for iss in ex.issues if iss.severity == "error"]
    return ("partial" if errors else "parsed"), ("; ".join(e.message for e in errors)[:MAX_ERROR_CHARS] or None)


def parse_file(args: tuple[str, str, ReaderSettings, str, dt.datetime]):
    """Worker job: read ``path``, check its bytes are still the ones planned, parse and extract,
    set aside what breaks the raw contract and build the rows to load (run ``run_id`` at ``now``).

    Returns:
        ``(ParsedFile, None)`` or ``(None, (code, message, page))``.
    """
    path, expected_id, settings, run_id, now = args
    stage("parsing")
    try:
        data = read_bytes(path, settings)
        if sha256_hex(data) != expected_id:
            raise ReadError(path, "file changed while the refresh ran; it is taken by the next refresh",
                            code="changed_during_run")
        doc, ex = parse_bytes(data, path, settings)
    except ReadError as exc:
        return None, (exc.code, str(exc), exc.page)
    except RecursionError:
        return None, ("reader_crashed", f"{path}: nested too deeply to read (recursion limit)", None)
    except MemoryError:
        return None, ("parse_memory", f"{path}: parse ran out of memory", None)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the others
        return None, ("reader_crashed", f"{path}: unexpected error while reading: {exc!r}", None)
    try:
        ex = extraction_to_valid(ex, doc.page_count, path)
        status, error = extraction_to_status(ex)
        rows = document_to_rows(doc, ex, status=status, error=error, run_id=run_id, now=now)
    except Exception as exc:  # noqa: BLE001 - one document's rows must not stop the others
        return None, ("load_failed", f"{path}: could not be loaded into raw.*: {exc}", None)
    return ParsedFile(rows, status, error), None
