"""Text normalization applied by every reader before offsets are computed.

- traditional characters to simplified (only when the text has traditional characters),
- full-width digits, Latin letters and ASCII punctuation to half-width (Chinese sentence
  punctuation ，。：；！？、 is kept: it is the normal form of Chinese text),
- Word field codes flattened into exported text (``TC 1、标题 \\f C \\l 1``, ``PAGEREF``, ``TOC``),
- zero-width characters, BOM, non-breaking spaces and CR removed.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Chinese sentence punctuation that stays full-width.
_KEEP = set("，：；！？")
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP}
_FW_TABLE[0x3000] = 0x20  # ideographic space
_FW_TABLE.update({0x00A0: 0x20, 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0x0D: None,
                  0x2212: ord("-")})

# Word field codes that survive a text export. Each removes the field, keeping what Word shows.
FIELD_CODE_PATTERNS: list[re.Pattern[str]] = [
    # TC entries (table-of-contents captions): ' TC 1、标题 \f C \l 1 '
    re.compile(r"\s*\bTC\s+.*?\\f\s+\w+(?:\s+\\l\s+\d+)?\s*$"),
    re.compile(r"\s*\bTC\s+\"[^\"]*\"(?:\s+\\[a-z](?:\s+\w+)?)*\s*"),
    re.compile(r"\s*\bPAGEREF\s+_Toc\d+(?:\s+\\h)?\s*"),
    re.compile(r"\s*\bTOC\s+(?:\\[a-z](?:\s+\"[^\"]*\")?\s*)+"),
    re.compile(r"\s*\bHYPERLINK\s+(?:\\l\s+)?\"[^\"]*\"\s*"),
]


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # opencc-python-reimplemented

    return OpenCC("t2s")


# Characters that exist only in traditional writing and are common in budget texts. Their
# presence decides whether the (slow, pure-Python) t2s conversion runs at all.
_TRADITIONAL_MARKERS = set("預決算經費財政撥款實產資務機關運總計項國稅與從對後補貼員單據設備購買務採購報")


def has_traditional(text: str) -> bool:
    return sum(1 for ch in text if ch in _TRADITIONAL_MARKERS) >= 3


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def strip_field_codes(line: str) -> str:
    for pat in FIELD_CODE_PATTERNS:
        line = pat.sub("", line)
    return line


def normalize_chars(text: str) -> str:
    """Full-width forms to half-width, invisible characters dropped."""
    return text.translate(_FW_TABLE)


def normalize_text(text: str, *, simplify: bool | None = None) -> str:
    """Normalize one block of text. ``simplify`` None means: detect traditional characters."""
    text = normalize_chars(text)
    if simplify is None:
        simplify = has_traditional(text)
    if simplify:
        text = to_simplified(text)
    return "\n".join(strip_field_codes(line) for line in text.split("\n"))


def normalize_document(doc) -> None:
    """Normalize every block of ``doc`` in place (one traditional/simplified decision for the
    whole document), then compute page texts and offsets."""
    from .model import Paragraph

    sample = "".join(
        (b.text if isinstance(b, Paragraph) else "".join("".join(r) for r in b.rows))
        for b in doc.blocks()
    )
    simplify = has_traditional(normalize_chars(sample))
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            if block.raw is None:
                block.raw = block.text
            block.text = normalize_text(block.text, simplify=simplify).strip()
        else:
            block.rows = [[normalize_text(c, simplify=simplify).strip() for c in row] for row in block.rows]
            if block.title:
                block.title = normalize_text(block.title, simplify=simplify).strip()
    doc.layout()
