"""The PDFium calls the PDF reader makes per page, per character and per page object, made
through cffi.

pypdfium2 binds PDFium with ctypes. A page costs the reader one call per character (its box) and
two or more per page object (its type; a path's draw mode and bounds), some 1,000 calls a page;
a ctypes call costs about 0.8 µs, a cffi call on the same function about 0.3 µs. The functions
are pypdfium2's own (cast from their ctypes addresses), so both share one PDFium and its handles:
a handle from pypdfium2 (``pdf.raw``, ``page.raw``, ``textpage.raw``) is passed in as it is. The
reader loads and closes its pages and their text pages here too, as plain handles: pypdfium2's
``PdfPage`` and ``PdfTextPage`` each register a finalizer and a weak reference with their parent
(some 50 µs a page), which a page closed before the next one is loaded does not need.

Each function takes and returns plain values (floats, ints, handles), never a structure to read
field by field.
"""

from __future__ import annotations

import ctypes
from typing import Any

from _cffi_backend import FFI  # cffi's C core: it parses these plain C types itself, without pycparser

_FFI = FFI()
# name: C signature (the handles are opaque pointers), as in PDFium's public headers
_SIGNATURES = {
    "FPDF_LoadPage": "void*(*)(void*, int)",
    "FPDF_ClosePage": "void(*)(void*)",
    "FPDF_GetPageWidthF": "float(*)(void*)",
    "FPDF_GetPageHeightF": "float(*)(void*)",
    "FPDFPage_GetRotation": "int(*)(void*)",  # 0-3: quarter turns clockwise
    "FPDFText_LoadPage": "void*(*)(void*)",
    "FPDFText_ClosePage": "void(*)(void*)",
    "FPDFText_CountChars": "int(*)(void*)",
    "FPDFText_GetText": "int(*)(void*, int, int, unsigned short*)",  # UTF-16LE, and a NUL
    "FPDFText_GetUnicode": "unsigned int(*)(void*, int)",
    "FPDFText_GetLooseCharBox": "int(*)(void*, int, float*)",  # FS_RECTF: left, top, right, bottom
    "FPDFPage_CountObjects": "int(*)(void*)",
    "FPDFPage_GetObject": "void*(*)(void*, int)",
    "FPDFFormObj_CountObjects": "int(*)(void*)",
    "FPDFFormObj_GetObject": "void*(*)(void*, unsigned long)",
    "FPDFPageObj_GetType": "int(*)(void*)",
    "FPDFPageObj_GetBounds": "int(*)(void*, float*, float*, float*, float*)",
    "FPDFPageObj_GetMatrix": "int(*)(void*, float*)",  # FS_MATRIX: a, b, c, d, e, f
    "FPDFPath_GetDrawMode": "int(*)(void*, int*, int*)",
    "FPDFPath_CountSegments": "int(*)(void*)",
    "FPDFPath_GetPathSegment": "void*(*)(void*, int)",
    "FPDFPathSegment_GetPoint": "int(*)(void*, float*, float*)",
    "FPDFPathSegment_GetType": "int(*)(void*)",
    "FPDFPathSegment_GetClose": "int(*)(void*)",
}


def _bind(name: str) -> Any:
    """PDFium's ``name`` as a cffi function pointer (the address pypdfium2's ctypes binding has)."""
    from pypdfium2 import raw  # here, not at import: the CLI imports the readers and reads no PDF

    address = ctypes.cast(getattr(raw, name), ctypes.c_void_p).value
    return _FFI.cast(_SIGNATURES[name], address)


class _Pdfium:
    """The functions of :data:`_SIGNATURES`, bound on first use (pypdfium2 loads PDFium)."""

    def __getattr__(self, name: str) -> Any:
        fn = _bind(name)
        setattr(self, name, fn)
        return fn


lib = _Pdfium()


def handle(obj) -> Any:
    """The cffi pointer of a pypdfium2 object (``PdfPage``, ``PdfTextPage``) or of its raw
    ctypes handle."""
    return _FFI.cast("void*", ctypes.cast(getattr(obj, "raw", obj), ctypes.c_void_p).value or 0)


def is_null(ptr) -> bool:
    """Whether a handle a function returned is NULL (the call failed)."""
    return ptr == _FFI.NULL


def utf16(n: int) -> Any:
    """A zeroed C ``unsigned short[n]``, for UTF-16 text."""
    return _FFI.new("unsigned short[]", n)


def floats(n: int) -> Any:
    """A zeroed C ``float[n]``, for the functions that write floats (a box, a matrix, a point)."""
    return _FFI.new("float[]", n)


def ints(n: int) -> Any:
    """A zeroed C ``int[n]``."""
    return _FFI.new("int[]", n)


_boxes: list[Any] = [None, []]  # a float array and a pointer to each of its boxes (four floats)


def box_slots(n: int) -> tuple[Any, list[Any]]:
    """A C ``float`` array of at least ``4 * n`` and the pointers to its first ``n`` boxes (four
    floats each): for a bulk of calls that each write one box (``map`` over the pointers). The
    array is reused by the next call (made anew only when it grows): read it before."""
    array, pointers = _boxes
    if array is None or len(pointers) < n:
        size = max(n, 2 * len(pointers), 1024)
        array = floats(4 * size)
        pointers = [array + k for k in range(0, 4 * size, 4)]
        _boxes[:] = [array, pointers]
    return array, pointers[:n]


def buffer(cdata, size: int = -1) -> Any:
    """The memory of a C array from :func:`floats`, :func:`ints` or :func:`utf16` (for
    ``numpy.frombuffer``), or its first ``size`` bytes."""
    return _FFI.buffer(cdata, size)
