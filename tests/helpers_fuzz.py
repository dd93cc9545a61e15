"""Mutations of the project's real files, and the job a parser worker runs on each mutant.

A :class:`Case` is data: the path of a real file and a few mutations with their parameters
(positions as fractions of the length, so one plan fits any file). The parser worker
(:func:`fuzz_one`, run through :func:`ingest.workers.bounded_map` with the pipeline's bounds)
applies the mutations, runs the reader, the disclosure check, the extractors, the raw-contract
check and the loader (into an in-memory DuckDB), and says what came of it: a document, a rejection
(a :class:`~ingest.errors.ReadError` naming the file) or a crash (anything else). Used by
``test_fuzz_readers``; :func:`mutant_bytes` rebuilds a mutant to reproduce a case by hand.
"""

from __future__ import annotations

import io
import random
import re
import resource
import time
import traceback
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

Op = tuple  # (name, *parameters)
FUZZ_SETTINGS_SECONDS = 30.0  # the per-file wall-time bound of the fuzz run (the pipeline's is 120 s)
ENCODINGS = ("gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "big5", "gbk")
INFLATE_BYTES = {"xml_over_limit": 33 * 1024 * 1024, "ratio": 8 * 1024 * 1024}
BOMB_MEMBERS, BOMB_MEMBER_BYTES = 100, 3 * 1024 * 1024  # 300 MiB declared in all, 3 MiB at a time
MAX_MUTANT_UNZIPPED = 64 * 1024 * 1024


def billion_laughs() -> bytes:
    """An XML entity-expansion bomb (10^9 'lol's if the parser expands entities)."""
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(entities) + "]><lolz>&lol9;</lolz>").encode()


@dataclass(frozen=True)
class Case:
    """One mutant: the real file it comes from and the mutations applied in order."""

    source: str
    ops: tuple[Op, ...]

    @property
    def label(self) -> str:
        return f"{Path(self.source).name} {' + '.join(op_to_text(op) for op in self.ops)}"


def op_to_text(op: Op) -> str:
    name, *args = op
    shown = [f"{a:.3f}" if isinstance(a, float) else (f"{len(a)} bytes" if isinstance(a, bytes) else repr(a))
             for a in args]
    return f"{name}({', '.join(shown)})"


def _at(data: bytes, frac: float) -> int:
    return min(len(data), max(0, int(frac * len(data))))


# ---------------------------------------------------------------------------------------------
# Byte-level mutations (any format)
# ---------------------------------------------------------------------------------------------


def truncate(data: bytes, frac: float) -> bytes:
    return data[:_at(data, frac)]


def flip(data: bytes, flips: tuple[tuple[float, int], ...]) -> bytes:
    out = bytearray(data)
    for frac, mask in flips:
        if out:
            i = min(len(out) - 1, _at(data, frac))
            out[i] ^= mask
    return bytes(out)


def scatter(data: bytes, seed: int, n: int) -> bytes:
    """``n`` bytes flipped at positions spread uniformly over the file (``seed`` draws them)."""
    if not data:
        return data
    rng, out = random.Random(seed), bytearray(data)
    for _ in range(n):
        out[rng.randrange(len(out))] ^= rng.randrange(1, 256)
    return bytes(out)


def splice(data: bytes, mode: str, frac: float, length: int, payload: bytes = b"") -> bytes:
    i = _at(data, frac)
    if mode == "delete":
        return data[:i] + data[i + length:]
    if mode == "repeat":
        return data[:i + length] + data[i:i + length] * 3 + data[i + length:]
    return data[:i] + payload + data[i:]


# ---------------------------------------------------------------------------------------------
# PDF: pages rewritten with pypdfium2, content streams damaged
# ---------------------------------------------------------------------------------------------


def pdf_pages(data: bytes, mode: str, seed: int) -> bytes:
    """Pages shuffled, dropped or repeated, the file rewritten by pdfium (unchanged when it cannot
    be opened: another mutation may have broken it already)."""
    import pypdfium2 as pdfium

    try:
        src = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return data
    try:
        n, rng = len(src), random.Random(seed)
        order = list(range(n))
        if mode == "shuffle":
            rng.shuffle(order)
        elif mode == "drop" and n > 1:
            order = sorted(rng.sample(order, rng.randint(1, n - 1)))
        elif mode == "repeat" and n:
            order = order + [rng.randrange(n) for _ in range(3)]
        dst = pdfium.PdfDocument.new()
        try:
            dst.import_pages(src, order)
            buf = io.BytesIO()
            dst.save(buf)
            return buf.getvalue()
        finally:
            dst.close()
    except pdfium.PdfiumError:
        return data
    finally:
        src.close()


_STREAM_RE = re.compile(rb"stream\r?\n")


def pdf_stream_flip(data: bytes, flips: tuple[tuple[float, float, int], ...]) -> bytes:
    """Flip bytes inside the file's streams (compressed content, fonts, images): for each flip,
    which stream (a fraction of their number), where in it, and the bit mask."""
    starts = [m.end() for m in _STREAM_RE.finditer(data)]
    if not starts:
        return data
    out = bytearray(data)
    for which, frac, mask in flips:
        start = starts[min(len(starts) - 1, int(which * len(starts)))]
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        i = min(len(data) - 1, start + int(frac * max(0, end - start - 1)))
        out[i] ^= mask
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# .docx / .xlsx: members swapped, inflated, dropped, damaged
# ---------------------------------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[str, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i.filename, z.read(i)) for i in z.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    except Exception:  # noqa: BLE001 - zlib.error and others: the mutation does not apply
        return None


def _zip(members: list[tuple[str, bytes]], stored: frozenset[str] = frozenset()) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        warnings.simplefilter("ignore")  # 'Duplicate name': a member twice is one of the mutations
        for name, body in members:
            z.writestr(name, body, compress_type=zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _pick(members: list, frac: float) -> int:
    return min(len(members) - 1, int(frac * len(members)))


def zip_op(data: bytes, mode: str, a: float, b: float, mask: int) -> bytes:
    """``swap`` two members' bodies, ``drop`` one, ``damage`` one byte of a member's body,
    ``inflate_<kind>`` a member (past the XML limit, a bomb, a high ratio, or its own content
    repeated), ``laughs`` (an entity-expansion bomb for a member), ``twice`` (a member stored
    twice under one name). Unchanged when the bytes are no longer a zip."""
    members = _members(data)
    if not members or sum(len(body) for _, body in members) > MAX_MUTANT_UNZIPPED:
        return data  # not a zip any more, or already a bomb: inflating it again only costs time
    i, j = _pick(members, a), _pick(members, b)
    name, body = members[i]
    if mode == "swap":
        members[i], members[j] = (name, members[j][1]), (members[j][0], body)
    elif mode == "drop":
        del members[i]
    elif mode == "damage" and body:
        k = min(len(body) - 1, int(b * len(body)))
        members[i] = (name, body[:k] + bytes([body[k] ^ mask]) + body[k + 1:])
    elif mode == "inflate_repeat" and body:
        cut = body.rfind(b"</", 0, max(1, len(body) - 1))
        cut = cut if cut > 0 else len(body)
        k = min(len(body) - 1, int(b * cut))
        members[i] = (name, body[:k] + body[k:cut] * 4 + body[cut:])
    elif mode == "inflate_bomb":
        members += [(f"{name}.pad{k}", b"\0" * BOMB_MEMBER_BYTES) for k in range(BOMB_MEMBERS)]
    elif mode.startswith("inflate_"):
        size = INFLATE_BYTES[mode.removeprefix("inflate_")]
        head = body.split(b"?>", 1)
        pad = b"<!--" + b" " * size + b"-->"
        members[i] = (name, head[0] + b"?>" + pad + head[1] if len(head) == 2 else pad + body)
        if mode == "inflate_xml_over_limit":  # random bytes that do not compress keep the ratio low
            members.append(("word/media/padding.bin", random.Random(size).randbytes(size // 150)))
            return _zip(members, stored=frozenset({"word/media/padding.bin"}))
    elif mode == "laughs":
        members[i] = (name, billion_laughs())
    elif mode == "twice":
        members.append((name, members[j][1]))
    return _zip(members)


# ---------------------------------------------------------------------------------------------
# Text and web pages: encodings switched, tags broken
# ---------------------------------------------------------------------------------------------


def _text_of(data: bytes) -> str | None:
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def reencode(data: bytes, encoding: str, relabel: bool) -> bytes:
    """The text in another encoding; for a web page, ``relabel`` also rewrites its declared charset
    (else the page keeps declaring the old one: a lie)."""
    text = _text_of(data)
    if text is None:
        return data
    if relabel:
        text = re.sub(r"charset\s*=\s*[\"']?[A-Za-z0-9_\-]+", f"charset={encoding}", text, count=1)
    return text.encode(encoding, errors="replace")


def html_break(data: bytes, mode: str, frac: float, n: int) -> bytes:
    """``drop_gt`` / ``drop_lt``: n '>' or '<' removed from the position on; ``unclosed``: n open
    table tags never closed; ``nest``: n nested elements; ``strip_close``: no closing tag at all;
    ``null``: NUL bytes inside the markup."""
    i = _at(data, frac)
    if mode in ("drop_gt", "drop_lt"):
        ch = b">" if mode == "drop_gt" else b"<"
        head, tail = data[:i], data[i:]
        return head + tail.replace(ch, b"", n)
    if mode == "unclosed":
        return data[:i] + b"<table><tr><td>" * n + data[i:]
    if mode == "nest":
        return data[:i] + b"<div><span>" * n + "三公经费".encode() + data[i:]
    if mode == "strip_close":
        return re.sub(rb"</[A-Za-z0-9]+\s*>", b"", data)
    if mode == "null":
        return data[:i] + b"\x00" * n + data[i:]
    return data


LONG_RUNS = {  # runs with no punctuation, space or line break (what quadratic patterns choke on)
    "cjk": "支出经费项目资金", "digits": "1234567890", "amounts": "12,345.67万元", "tags": "<div><span>",
    "path": "一般公共服务支出(类)政府办公厅及相关机构事务",
}


def long_line(data: bytes, kind: str, frac: float, n: int) -> bytes:
    """A line of ``n`` repeats of a run without punctuation or spaces, inserted at a line start."""
    text = _text_of(data)
    if text is None:
        return data
    i = text.rfind("\n", 0, int(frac * len(text))) + 1
    enc = "utf-8" if _is_utf8(data) else "gb18030"
    return (text[:i] + LONG_RUNS[kind] * n + "\n" + text[i:]).encode(enc, errors="replace")


def join_lines(data: bytes, frac: float) -> bytes:
    """The line breaks from the position on removed (one very long line)."""
    i = _at(data, frac)
    return data[:i] + data[i:].replace(b"\r", b"").replace(b"\n", b"")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


MUTATIONS = {
    "truncate": truncate, "flip": flip, "scatter": scatter, "splice": splice, "pdf_pages": pdf_pages,
    "pdf_stream_flip": pdf_stream_flip, "zip": zip_op, "reencode": reencode, "html_break": html_break,
    "long_line": long_line, "join_lines": join_lines,
}


def mutant_bytes(case: Case) -> bytes:
    """The case's bytes: the real file with its mutations applied in order."""
    data = Path(case.source).read_bytes()
    for name, *args in case.ops:
        data = MUTATIONS[name](data, *args)
    return data


# ---------------------------------------------------------------------------------------------
# The worker's job
# ---------------------------------------------------------------------------------------------

_LOADER = None


def _loader():
    """An in-memory warehouse with the raw schema, one per worker."""
    global _LOADER
    if _LOADER is None:
        import duckdb

        from ingest.load import ensure_schema

        _LOADER = duckdb.connect(":memory:")
        ensure_schema(_LOADER)
    return _LOADER


def _reset_peak() -> None:
    """Reset the process's peak resident memory (Linux: VmHWM), so the next reading is this case's."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_mib() -> float:
    """Peak resident memory since the last reset (VmHWM), else the process's maximum."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def fuzz_one(case: Case) -> dict:
    """Read, check, extract and load one mutant; what came of it, as a dict.

    ``outcome`` is 'document' (with ``status`` parsed/partial), 'rejection' (a ReadError whose
    message names the file: ``code``, ``message``), or a failure: 'crash' (an exception other
    than ReadError while reading or extracting), 'extractor_crash' (an extractor raised: the
    document would load as partial with an 'extractor_failed' issue, a bug all the same),
    'load_crash' (while checking or loading it), 'unnamed' (a rejection whose message does not
    name the file) or 'mutation_failed'. ``seconds`` and ``peak_mib`` are those of the reading
    (the mutation is done before, outside them).
    """
    from ingest.contract import extraction_to_valid
    from ingest.errors import ReadError
    from ingest.load import load_document
    from ingest.parsing import parse_bytes
    from ingest.readers import ReaderSettings

    result = {"case": case.label, "source": case.source}
    try:
        data = mutant_bytes(case)
    except Exception as exc:  # noqa: BLE001 - a bug of the mutation, not of the reader
        return {**result, "outcome": "mutation_failed", "error": repr(exc), "traceback": traceback.format_exc()}
    path = f"/fuzz/{Path(case.source).stem}-mutant{Path(case.source).suffix}"
    result["bytes"] = len(data)
    _reset_peak()
    started = time.monotonic()
    try:
        doc, ex = parse_bytes(data, path, ReaderSettings())
    except ReadError as exc:
        named = str(exc).startswith(path)
        result.update(outcome="rejection" if named else "unnamed", code=exc.code, message=str(exc)[:300])
    except BaseException as exc:  # noqa: BLE001 - what the fuzzing is looking for
        result.update(outcome="crash", error=repr(exc)[:500], traceback=traceback.format_exc()[-3000:])
    else:
        failed = [i.message for i in ex.issues if i.code == "extractor_failed"]
        try:
            valid = extraction_to_valid(ex, doc.page_count, path)
            status = "partial" if any(i.severity == "error" for i in valid.issues) else "parsed"
            load_document(_loader(), doc, valid, status=status)
            result.update(outcome="document", status=status, pages=doc.page_count)
        except BaseException as exc:  # noqa: BLE001
            result.update(outcome="load_crash", error=repr(exc)[:500], traceback=traceback.format_exc()[-3000:])
        if failed:
            result.update(outcome="extractor_crash", error=failed[0][:1500])
    result.update(seconds=round(time.monotonic() - started, 3), peak_mib=round(_peak_mib(), 1))
    return result
