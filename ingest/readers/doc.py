"""Word 97-2003 (.doc): converted to .docx by LibreOffice headless, then read by the docx reader,
so tables stay tables and the Document is the one the .docx would give.

Without LibreOffice, antiword gives the text only: paragraphs, and table rows as antiword draws
them (``|cell|cell|``, one row per printed line, so a cell of several lines becomes several
rows). Without either, a clear :class:`ReadError` says what to install.

LibreOffice runs with a private, throw-away profile (so it neither collides with a running
office nor with a parallel conversion) and a timeout; on timeout its whole process group is
killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import ReadError
from ..model import Document, Page, Paragraph, Table

DEFAULT_CONVERT_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile
SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "install LibreOffice (apt: libreoffice-writer-nogui) or antiword"


def find_soffice() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(cmd: list[str], timeout: float, cwd: str | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group; kill the group on timeout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def doc_bytes_to_docx_bytes(data: bytes, path: str, soffice: str, timeout: float) -> bytes:
    """Convert .doc bytes to .docx bytes with LibreOffice headless.

    Raises:
        ReadError: ``conversion_failed`` (LibreOffice failed, timed out, or wrote nothing).
    """
    with tempfile.TemporaryDirectory(prefix="budgetwh-doc-") as tmp:
        src = Path(tmp, "input.doc")
        src.write_bytes(data)
        outdir = Path(tmp, "out")
        profile = Path(tmp, "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(outdir), str(src)]
        env = dict(os.environ, HOME=tmp)  # LibreOffice may touch ~/.config even with a profile
        try:
            result = _run(cmd, timeout, cwd=tmp, env=env)
        except subprocess.TimeoutExpired as exc:
            raise ReadError(path, f"LibreOffice did not convert the .doc within {timeout:g} s",
                            code="conversion_failed") from exc
        except OSError as exc:
            raise ReadError(path, f"cannot run LibreOffice ({exc})", code="conversion_failed") from exc
        out = outdir / "input.docx"
        if result.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip().splitlines()
            detail = [ln for ln in detail if "javaldx" not in ln]
            raise ReadError(path, "LibreOffice could not convert the .doc"
                                  + (f" ({detail[-1]})" if detail else f" (exit {result.returncode})"),
                            code="conversion_failed")
        return out.read_bytes()


def antiword_lines_to_blocks(lines: list[str], number: int, table_index: int) -> list:
    """One page of antiword's output: ``|``-framed lines are table rows, others paragraphs."""
    blocks: list = []
    rows: list[list[str]] = []
    for line in [*lines, ""]:
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            cells = [c.strip() for c in stripped[1:-1].split("|")]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append(cells)
            continue
        if rows:
            title = blocks[-1].text if blocks and isinstance(blocks[-1], Paragraph) else None
            blocks.append(Table(rows=rows, page=number, index=table_index, title=title))
            table_index += 1
            rows = []
        if stripped:
            blocks.append(Paragraph(text=stripped, page=number, raw=line))
    return blocks


def antiword_text_to_pages(text: str) -> list[Page]:
    """antiword's output to pages; a form feed starts a page."""
    pages: list[Page] = []
    table_index = 0
    for number, chunk in enumerate(text.split("\f"), start=1):
        blocks = antiword_lines_to_blocks(chunk.split("\n"), number, table_index)
        table_index += sum(1 for b in blocks if isinstance(b, Table))
        pages.append(Page(number=number, blocks=blocks))
    while len(pages) > 1 and not pages[-1].blocks:
        pages.pop()
    return pages


def doc_to_text_with_antiword(data: bytes, path: str, antiword: str, timeout: float) -> str:
    """Raises:
        ReadError: ``conversion_failed`` when antiword fails."""
    with tempfile.TemporaryDirectory(prefix="budgetwh-doc-") as tmp:
        src = Path(tmp, "input.doc")
        src.write_bytes(data)
        try:
            result = _run([antiword, "-m", "UTF-8.txt", "-w", "0", str(src)], timeout)
        except subprocess.TimeoutExpired as exc:
            raise ReadError(path, f"antiword did not finish within {timeout:g} s",
                            code="conversion_failed") from exc
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
            raise ReadError(path, f"antiword could not read the .doc ({detail})", code="conversion_failed")
        return result.stdout.decode("utf-8", "replace")


def doc_to_document(data: bytes, path: str, settings) -> Document:
    """Read a Word 97-2003 document.

    Raises:
        ReadError: ``converter_missing`` if neither LibreOffice nor antiword is installed,
            ``conversion_failed`` if the conversion fails, or any error of the docx reader.
    """
    timeout = getattr(settings, "convert_timeout", None) or DEFAULT_CONVERT_TIMEOUT
    soffice = find_soffice()
    if soffice:
        from .docx import docx_to_document

        converted = doc_bytes_to_docx_bytes(data, path, soffice, timeout)
        doc = docx_to_document(converted, path, settings)
        doc.source_format = "doc"
        doc.byte_size = len(data)
        return doc
    antiword = shutil.which("antiword")
    if antiword:
        text = doc_to_text_with_antiword(data, path, antiword, timeout)
        return Document(document_id="", source_path=path, source_format="doc", byte_size=len(data),
                        pages=antiword_text_to_pages(text), encoding="utf-8")
    raise ReadError(path, f"cannot read Word 97-2003 files: {INSTALL_HINT}", code="converter_missing")
