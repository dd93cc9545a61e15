"""Readers: bytes to :class:`~ingest.model.Document`. One module per format.

``read_file`` decides the format from the bytes, not from the file name: a '.doc' that is
really HTML is read as HTML. Each reader is ``<format>_to_document(data, path, settings)``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

# the bounds' defaults, declared where the CLI reads them without importing the readers
from ..defaults import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMBER_BYTES,
    DEFAULT_MAX_PARSE_MIB,
    DEFAULT_MAX_PARSE_SECONDS,
    DEFAULT_MAX_UNZIPPED_BYTES,
    DEFAULT_MAX_XML_BYTES,
    DEFAULT_MAX_ZIP_RATIO,
)
from ..errors import ReadError
from ..model import Document

# The reader modules import their third-party libraries (pypdfium2, lxml, openpyxl …) when they
# first read a file, so importing them here costs little.
from .doc import doc_to_document
from .docx import docx_to_document
from .html import html_to_document
from .pdf import pdf_to_document
from .text import text_to_document
from .xlsx import xls_to_document, xlsx_to_document


@dataclass(frozen=True)
class ReaderSettings:
    """Limits every reader respects, and the bounds of the parser worker per file.

    Attributes:
        max_bytes: size of a file (larger files are refused before they are read).
        max_unzipped_bytes: what a .docx/.xlsx unpacks to in all (the sizes its members declare;
            Python's zipfile never inflates a member past its declared size).
        max_member_bytes: what one member of the archive unpacks to.
        max_xml_bytes: one XML part that is parsed (the body of a .docx, a sheet, the shared
            strings of an .xlsx): the parse of a larger part is not attempted.
        max_zip_ratio: unpacked size over file size (a zip bomb).
        max_parse_seconds: wall time of one file's read and extraction (the worker is killed).
        max_parse_mib: resident memory of the worker reading one file (it is killed past it).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES
    max_zip_ratio: int = DEFAULT_MAX_ZIP_RATIO
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_xml_bytes: int = DEFAULT_MAX_XML_BYTES
    max_parse_seconds: float = DEFAULT_MAX_PARSE_SECONDS
    max_parse_mib: int = DEFAULT_MAX_PARSE_MIB

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.max_unzipped_bytes, self.max_zip_ratio, self.max_member_bytes,
               self.max_xml_bytes, self.max_parse_seconds, self.max_parse_mib) <= 0:
            raise ValueError("reader limits must be positive")


Reader = Callable[[bytes, str, ReaderSettings], Document]

# format (as sniff_format tells it) -> reader
READERS: dict[str, Reader] = {
    "text": text_to_document,
    "pdf": pdf_to_document,
    "docx": docx_to_document,
    "doc": doc_to_document,
    "html": html_to_document,
    "xlsx": xlsx_to_document,
    "xls": xls_to_document,
}

_IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}


_EXTENSION_NAMES = {"pdf": "a PDF", "docx": "a Word .docx", "doc": "a Word .doc", "xlsx": "an Excel .xlsx",
                    "xls": "an Excel .xls"}


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control bytes, in the first 4 KiB (UTF-16 text excepted)."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05


def _ascii_head(data: bytes, size: int = 2048) -> bytes:
    """The first ``size`` bytes, left-stripped, for markup tests; a UTF-16 text (with its
    byte-order mark: a web page saved as 'Unicode') is decoded first, so that its tags show."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[: 2 * size].decode("utf-16", errors="replace").encode("utf-8", errors="replace")[:size].lstrip()
    return data[:size].lstrip()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sniff_format(data: bytes, path: str) -> str:
    """Tell the format from the content.

    Raises:
        ReadError: empty, an image, or binary content no reader knows.
    """
    if not data.strip():
        raise ReadError(path, "empty file", code="empty_file")
    for sig, what in _IMAGE_SIGNATURES.items():
        if data.startswith(sig):
            raise ReadError(path, f"{what}, not a disclosure (OCR is not supported)", code="not_a_disclosure")
    head = _ascii_head(data)
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        import io
        import zipfile

        from .docx import ZIP_OPEN_ERRORS

        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except ZIP_OPEN_ERRORS as exc:
            raise ReadError(path, f"a damaged zip archive ({exc})", code="corrupt") from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ReadError(path, "a zip archive that is neither .docx nor .xlsx", code="unsupported_format")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            return "doc"
        if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data or b"B\x00o\x00o\x00k" in data:
            return "xls"
        raise ReadError(path, "an OLE compound file that is neither .doc nor .xls", code="unsupported_format")
    low = head[:512].lower()
    window = _ascii_head(data, 8192).lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or (
        low.startswith(b"<") and (b"<body" in window or b"<table" in window)
    ):
        return "html"
    if _looks_binary(data):
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        if ext in _EXTENSION_NAMES:
            raise ReadError(path, f"named .{ext}, but its bytes are not {_EXTENSION_NAMES[ext]} "
                                  f"(damaged or mislabelled)", code="corrupt")
        raise ReadError(path, "binary content of no known format", code="unsupported_format")
    return "text"


def read_bytes(path: str, settings: ReaderSettings = ReaderSettings()) -> bytes:
    """Read a file, refusing files over the size limit.

    Raises:
        ReadError: missing, unreadable or too large.
    """
    try:
        size = os.path.getsize(path)
        if size > settings.max_bytes:
            raise ReadError(path, f"file is {size:,} bytes, over the limit of {settings.max_bytes:,}",
                            code="too_large")
        with open(path, "rb") as fh:
            return fh.read(settings.max_bytes + 1)
    except FileNotFoundError as exc:
        raise ReadError(path, "file vanished before it could be read", code="vanished") from exc
    except OSError as exc:
        raise ReadError(path, f"cannot read file ({exc.strerror})", code="unreadable") from exc


def bytes_to_document(data: bytes, path: str, settings: ReaderSettings = ReaderSettings(),
                      fmt: str | None = None) -> Document:
    """Decode bytes with the reader their content calls for, then normalize.

    Raises:
        ReadError: the bytes cannot be read as a disclosure.
    """
    from ..normalize import normalize_document

    fmt = fmt or sniff_format(data, path)
    reader = READERS.get(fmt)
    if reader is None:
        raise ReadError(path, f"no reader for format {fmt!r}", code="unsupported_format")
    doc = reader(data, path, settings)
    doc.document_id = sha256_hex(data)
    doc.byte_size = len(data)
    normalize_document(doc)
    return doc


def read_file(path: str, settings: ReaderSettings = ReaderSettings()) -> Document:
    """Read one file into a normalized :class:`Document`.

    Raises:
        ReadError: with the path and the reason.
    """
    return bytes_to_document(read_bytes(path, settings), path, settings)
