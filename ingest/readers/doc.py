"""Word 97-2003 (.doc): converted to .docx by LibreOffice headless, then read by the docx reader,
so tables stay tables and the Document is the one the .docx would give.

Without LibreOffice, antiword gives the text only: paragraphs, and table rows as antiword draws
them (``|cell|cell|``, one row per printed line, so a cell of several lines becomes several
rows). Without either, a clear :class:`ReadError` says what to install.

The .doc comes from the internet, so the converter runs confined (:class:`Confinement`, chosen
once per process by what the machine allows, strongest first):

- always: its own temporary folder (the input, the output and a throw-away LibreOffice profile,
  so it neither collides with a running office nor with a parallel conversion; removed after),
  HOME pointed there, stdin closed, its own session, a time limit (its whole process group is
  killed past it) and a memory limit (``RLIMIT_AS``, :data:`DEFAULT_CONVERT_MAX_MIB`);
  LibreOffice's profile disables macros (Basic and VBA: not loaded, not run) and blocks linked
  content from untrusted places;
- ``bwrap`` (bubblewrap, installed by scripts/install_system_deps.sh): no network (a network
  namespace holding only a loopback), its own PID and IPC namespaces, the whole file system
  read-only except its temporary folder, a private /tmp, killed with its parent;
- ``netns`` (``unshare --net``, as root or through a user namespace): no network only;
- ``none``: no network isolation is available; the file is still converted, and the parse issue
  ``converter_unconfined`` (info) says so.
See docs/security.md.
"""

from __future__ import annotations

import logging
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ReadError
from ..model import Document, Page, Paragraph, ParseIssue, Table

log = logging.getLogger(__name__)

DEFAULT_CONVERT_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile
# Address space of the converter (RLIMIT_AS, MiB). Measured with LibreOffice 7.4: it does not
# start under 256 MiB, converts a small .doc from 384 MiB; its resident size is ~210 MiB.
DEFAULT_CONVERT_MAX_MIB = 2048
PROBE_TIMEOUT = 10  # seconds for `<sandbox> true`
SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "install LibreOffice (apt: libreoffice-writer-nogui) or antiword"


def find_soffice() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# LibreOffice settings of the throw-away profile: no macro runs (Basic or VBA, signed or not), VBA
# is not even loaded, and linked images from untrusted places are blocked.
PROFILE_SETTINGS = (
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Writer/Filter/Import/VBA", "Load", "false"),
    ("/org.openoffice.Office.Writer/Filter/Import/VBA", "Executable", "false"),
    ("/org.openoffice.Office.Calc/Filter/Import/VBA", "Load", "false"),
    ("/org.openoffice.Office.Calc/Filter/Import/VBA", "Executable", "false"),
)


def write_profile(profile_dir: Path, settings=PROFILE_SETTINGS) -> Path:
    """Write the LibreOffice user profile's settings (``user/registrymodifications.xcu``)."""
    items = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value>'
                    f"</prop></item>\n" for path, name, value in settings)
    xcu = profile_dir / "user" / "registrymodifications.xcu"
    xcu.parent.mkdir(parents=True, exist_ok=True)
    xcu.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                   '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
                   'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                   'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + "</oor:items>\n",
                   encoding="utf-8")
    return xcu


@dataclass(frozen=True)
class Confinement:
    """How a converter is confined beyond its folder and limits: ``bwrap``, ``netns`` or ``none``."""

    level: str
    program: tuple[str, ...] = ()  # ``bwrap`` or ``unshare`` and its fixed arguments

    @property
    def isolates_network(self) -> bool:
        return self.level != "none"

    def wrap(self, cmd: list[str], workdir: str) -> list[str]:
        """``cmd`` run in this confinement, writing only under ``workdir`` (for ``bwrap``)."""
        if self.level == "bwrap":
            return [*self.program, "--bind", workdir, workdir, "--chdir", workdir, "--", *cmd]
        return [*self.program, *cmd]


BWRAP_ARGS = ("--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--die-with-parent",
              "--new-session", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp")


def _works(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=PROBE_TIMEOUT).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def confinement_candidates() -> list[Confinement]:
    """The confinements this machine has the programs for, strongest first."""
    found: list[Confinement] = []
    bwrap = shutil.which("bwrap")
    if bwrap:
        found.append(Confinement("bwrap", (bwrap, *BWRAP_ARGS)))
    unshare = shutil.which("unshare")
    if unshare:
        if os.geteuid() == 0:
            found.append(Confinement("netns", (unshare, "--net")))
        found.append(Confinement("netns", (unshare, "--net", "--map-root-user")))
    return found


@lru_cache(maxsize=1)
def detect_confinement() -> Confinement:
    """The strongest confinement that runs here (``true`` inside it succeeds); once per process.
    A kernel or container that refuses namespaces leaves ``none``, logged once."""
    with tempfile.TemporaryDirectory(prefix="budgetwh-probe-") as tmp:
        for candidate in confinement_candidates():
            true = shutil.which("true") or "/bin/true"
            if _works(candidate.wrap([true], tmp)):
                return candidate
    log.warning("no network isolation for converters of untrusted files (neither bubblewrap nor "
                "`unshare --net` works here); they run with the network (docs/security.md)")
    return Confinement("none")


def _limit_memory(max_mib: int):
    """A ``preexec_fn`` capping the child's address space at ``max_mib``."""
    limit = max_mib * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _run(cmd: list[str], timeout: float, cwd: str | None = None,
         env: dict[str, str] | None = None, max_mib: int | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group (its address space capped at ``max_mib`` MiB when
    given); kill the group on timeout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            # only setrlimit runs between fork and exec (the readers start no threads)
                            preexec_fn=_limit_memory(max_mib) if max_mib else None)  # noqa: PLW1509
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


def soffice_command(soffice: str, tmp: str, confinement: Confinement) -> list[str]:
    """The command converting ``<tmp>/input.doc`` into ``<tmp>/out/input.docx``, confined."""
    profile = Path(tmp, "profile")
    write_profile(profile)
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
           "--outdir", str(Path(tmp, "out")), str(Path(tmp, "input.doc"))]
    return confinement.wrap(cmd, tmp)


def doc_bytes_to_docx_bytes(data: bytes, path: str, soffice: str, timeout: float,
                            max_mib: int = DEFAULT_CONVERT_MAX_MIB,
                            confinement: Confinement | None = None) -> bytes:
    """Convert .doc bytes to .docx bytes with LibreOffice headless, confined (module docstring).

    Raises:
        ReadError: ``conversion_failed`` (LibreOffice failed, timed out, or wrote nothing).
    """
    confinement = confinement or detect_confinement()
    with tempfile.TemporaryDirectory(prefix="budgetwh-doc-") as tmp:
        tmp = os.path.realpath(tmp)
        src = Path(tmp, "input.doc")
        src.write_bytes(data)
        outdir = Path(tmp, "out")
        cmd = soffice_command(soffice, tmp, confinement)
        env = dict(os.environ, HOME=tmp)  # LibreOffice may touch ~/.config even with a profile
        try:
            result = _run(cmd, timeout, cwd=tmp, env=env, max_mib=max_mib)
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
                                  + (f" ({detail[-1]})" if detail else f" (exit {result.returncode})")
                                  + f" [confined: {confinement.level}, {max_mib} MiB, {timeout:g} s]",
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
        tmp = os.path.realpath(tmp)
        src = Path(tmp, "input.doc")
        src.write_bytes(data)
        confinement = detect_confinement()
        try:
            cmd = confinement.wrap([antiword, "-m", "UTF-8.txt", "-w", "0", str(src)], tmp)
            result = _run(cmd, timeout, max_mib=DEFAULT_CONVERT_MAX_MIB)
        except subprocess.TimeoutExpired as exc:
            raise ReadError(path, f"antiword did not finish within {timeout:g} s",
                            code="conversion_failed") from exc
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
            raise ReadError(path, f"antiword could not read the .doc ({detail})", code="conversion_failed")
        return result.stdout.decode("utf-8", "replace")


def _note_confinement(doc: Document, converter: str) -> Document:
    """Record on ``doc`` that its converter ran without network isolation, if it did."""
    confinement = detect_confinement()
    if not confinement.isolates_network:
        doc.reader_issues.append(ParseIssue(
            severity="info", code="converter_unconfined", source_path=doc.source_path,
            message=f"{converter} converted this file with network access: neither bubblewrap nor "
                    f"`unshare --net` works on this machine (time, memory and macro limits applied; "
                    f"docs/security.md)"))
    return doc


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

        max_mib = getattr(settings, "convert_max_mib", None) or DEFAULT_CONVERT_MAX_MIB
        converted = doc_bytes_to_docx_bytes(data, path, soffice, timeout, max_mib)
        doc = docx_to_document(converted, path, settings)
        doc.source_format = "doc"
        doc.byte_size = len(data)
        return _note_confinement(doc, "LibreOffice")
    antiword = shutil.which("antiword")
    if antiword:
        text = doc_to_text_with_antiword(data, path, antiword, timeout)
        doc = Document(document_id="", source_path=path, source_format="doc", byte_size=len(data),
                       pages=antiword_text_to_pages(text), encoding="utf-8")
        return _note_confinement(doc, "antiword")
    raise ReadError(path, f"cannot read Word 97-2003 files: {INSTALL_HINT}", code="converter_missing")
