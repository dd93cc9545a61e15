"""Build the issue-12 oversized inputs in a temporary folder (never committed): a text export of
about 200 MB, and a .docx and an .xlsx of about 0.5 MB that unpack to about 53 MB while staying
under the zip-ratio limit (a padding member that does not compress keeps the ratio near 100).

Used by tests and by the measurement in the branch's note; each builder returns the file's path.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

from ingest.readers import read_file

from .conftest import SEED
from .helpers_render import document_to_docx, document_to_xlsx

UNPACKED_BYTES = 53 * 1000 * 1000
PACKED_BYTES = 530 * 1000  # ratio ~100: under DEFAULT_MAX_ZIP_RATIO (200)


def big_text(folder: Path, size: int = 199 * 1024 * 1024) -> Path:
    """The Hebei text repeated to ``size`` bytes (under the 200 MiB default size limit)."""
    data = SEED.read_bytes()
    out = folder / "big_200mb.txt"
    with open(out, "wb") as fh:
        written = 0
        while written + len(data) <= size:
            fh.write(data)
            written += len(data)
    return out


def _inflated_zip(template: Path, member: str, body_re: str, repeat_of: str, out: Path,
                  strip: str | None = None) -> Path:
    """Copy ``template`` with ``member``'s ``repeat_of`` element (the first match of ``body_re``)
    repeated until the member reaches UNPACKED_BYTES (``strip`` removed from the unit, e.g. the
    cells' fixed coordinates), then pad the archive with a stored member
    of random bytes up to PACKED_BYTES."""
    with zipfile.ZipFile(template) as src:
        infos = [(info, src.read(info)) for info in src.infolist()]
    xml = {i.filename: d for i, d in infos}[member].decode("utf-8")
    m = re.search(body_re, xml, re.DOTALL)
    unit = re.sub(strip, "", m.group(repeat_of)) if strip else m.group(repeat_of)
    n = max(1, (UNPACKED_BYTES - len(xml.encode())) // len(unit.encode()))
    inflated = (xml[: m.start(repeat_of)] + unit * n + xml[m.end(repeat_of):]).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in infos:
            dst.writestr(info.filename, inflated if info.filename == member else data,
                         compress_type=zipfile.ZIP_DEFLATED)
    packed = buf.getvalue()
    pad = max(0, PACKED_BYTES - len(packed))
    buf = io.BytesIO(packed)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as dst:
        dst.writestr("word/media/padding.jpeg", os.urandom(pad))
    out.write_bytes(buf.getvalue())
    return out


def inflated_docx(folder: Path) -> Path:
    """The Hebei text as .docx, its body tables repeated: ~0.5 MB packed, ~53 MB of document.xml."""
    template = document_to_docx(read_file(str(SEED)), folder / "seed_template.docx")
    return _inflated_zip(template, "word/document.xml", r"<w:body>(?P<unit>.*?</w:tbl>)", "unit",
                         folder / "inflated_53mb.docx")


def inflated_xlsx(folder: Path) -> Path:
    """The Hebei tables as .xlsx, the first sheet's rows repeated: ~0.5 MB packed, ~53 MB of XML."""
    template = document_to_xlsx(read_file(str(SEED)), folder / "seed_template.xlsx")
    return _inflated_zip(template, "xl/worksheets/sheet1.xml",
                         r"<sheetData>(?P<unit>(?:<row [^>]*>.*?</row>){1,40})", "unit",
                         folder / "inflated_53mb.xlsx", strip=r' r="[A-Z]*\d+"')
