"""One file's bytes to a Document and its Extraction: what a parser worker runs per file."""

from __future__ import annotations

from .errors import NotADisclosureError, ReadError
from .extract import extract
from .extract.disclosure import document_to_verdict
from .model import Document, Extraction
from .readers import ReaderSettings, bytes_to_document, read_bytes, sha256_hex
from .stages import stage


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
    return doc, extract(doc)


def parse_file(args: tuple[str, str, ReaderSettings]):
    """Worker job: read ``path``, check its bytes are still the ones planned, parse and extract.

    Returns:
        ``((doc, extraction), None)`` or ``(None, (code, message, page))``.
    """
    path, expected_id, settings = args
    stage("parsing")
    try:
        data = read_bytes(path, settings)
        if sha256_hex(data) != expected_id:
            raise ReadError(path, "file changed while the refresh ran; it is taken by the next refresh",
                            code="changed_during_run")
        return parse_bytes(data, path, settings), None
    except ReadError as exc:
        return None, (exc.code, str(exc), exc.page)
    except RecursionError:
        return None, ("reader_crashed", f"{path}: nested too deeply to read (recursion limit)", None)
    except MemoryError:
        return None, ("parse_memory", f"{path}: parse ran out of memory", None)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the others
        return None, ("reader_crashed", f"{path}: unexpected error while reading: {exc!r}", None)
