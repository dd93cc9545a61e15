"""Text normalization applied by every reader before offsets are computed.

- traditional characters to simplified, only where there are any: every block of a document
  written in traditional characters, and in a simplified document only the blocks that hold a
  traditional-only character (t2s is slow, and changes 乾 or 於 in simplified text too),
- full-width digits, Latin letters and ASCII punctuation to half-width (Chinese sentence
  punctuation ，。：；！？、 is kept: it is the normal form of Chinese text),
- Word field codes flattened into exported text (``TC 1、标题 \\f C \\l 1``, ``PAGEREF``, ``TOC``),
- zero-width characters, BOM, non-breaking spaces and CR removed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# Chinese sentence punctuation that stays full-width.
_KEEP = set("，：；！？")
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP}
_FW_TABLE[0x3000] = 0x20  # ideographic space
_FW_TABLE.update({0x00A0: 0x20, 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0x0D: None,
                  0x2212: ord("-")})
# Any character the table changes (most blocks have none: translating them would copy them).
_FW_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FW_TABLE)) + "]")

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


def _opencc_characters(name: str) -> dict[str, list[str]]:
    """One of opencc's character tables: character -> its candidates (first is the default)."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / name
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) == 1 and values:
            table[key] = values.split()
    return table


@lru_cache(maxsize=1)
def _script_characters() -> tuple[frozenset[str], frozenset[str]]:
    """The characters that exist only in traditional writing, and those only in simplified.

    Taken from the tables t2s itself uses (opencc's TSCharacters/STCharacters): a traditional-only
    character is one t2s changes that is not itself a simplified form (乾, 於 are both, and are
    left out); a simplified-only character the same the other way round.
    """
    ts, st = _opencc_characters("TSCharacters.txt"), _opencc_characters("STCharacters.txt")
    return (frozenset(k for k, v in ts.items() if k not in v and k not in st),
            frozenset(k for k, v in st.items() if k not in v and k not in ts))


MIN_TRADITIONAL = 3  # distinct traditional-only characters before a text counts as traditional


def has_traditional(text: str) -> bool:
    """Whether ``text`` has a character that exists only in traditional writing."""
    return not _script_characters()[0].isdisjoint(text)


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in traditional characters: at least :data:`MIN_TRADITIONAL`
    distinct traditional-only characters, and more of them than distinct simplified-only ones."""
    return text_script(text) == "traditional"


def text_script(text: str) -> str:
    """'traditional' (see :func:`is_traditional`), 'mixed' (simplified, with a traditional-only
    character somewhere) or 'simplified'."""
    traditional, simplified = _script_characters()
    n = len(traditional.intersection(text))
    if n >= MIN_TRADITIONAL and n > len(simplified.intersection(text)):
        return "traditional"
    return "mixed" if n else "simplified"


SHORT_TEXT = 64  # characters: table cells and headings repeat from page to page and file to file


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (opencc t2s: slow, pure Python; call it only on text
    that needs it). Short texts are converted once each."""
    return _short_to_simplified(text) if len(text) <= SHORT_TEXT else _t2s().convert(text)


@lru_cache(maxsize=65536)
def _short_to_simplified(text: str) -> str:
    return _t2s().convert(text)


# Every field code pattern starts with one of these words, after a word boundary and before a
# space: text without them has no field code (most text: the patterns need not run).
_FIELD_CODE_WORD = re.compile(r"\b(?:TC|PAGEREF|TOC|HYPERLINK)\s")


def strip_field_codes(line: str) -> str:
    if not _FIELD_CODE_WORD.search(line):
        return line
    for pat in FIELD_CODE_PATTERNS:
        line = pat.sub("", line)
    return line


def normalize_chars(text: str) -> str:
    """Full-width forms to half-width, invisible characters dropped."""
    return text.translate(_FW_TABLE) if _FW_RE.search(text) else text


def normalize_text(text: str, *, simplify: bool | None = None) -> str:
    """Normalize one block of text. ``simplify`` None means: convert when the block has a
    traditional-only character."""
    text = normalize_chars(text)
    if simplify is None:
        simplify = has_traditional(text)
    if simplify:
        text = to_simplified(text)
    if not _FIELD_CODE_WORD.search(text):
        return text
    return "\n".join(strip_field_codes(line) for line in text.split("\n"))


def document_text(doc) -> str:
    """Every block's text (table cells run together), as the script decision reads it."""
    from .model import Paragraph

    return "".join((b.text if isinstance(b, Paragraph) else "".join("".join(r) for r in b.rows))
                   for b in doc.blocks())


def normalize_document(doc) -> None:
    """Normalize every block of ``doc`` in place, then compute page texts and offsets.

    One decision for the whole document: written in traditional characters
    (:func:`is_traditional`), every block is converted; otherwise only a block that holds a
    traditional-only character is, and none when the document has none (the common case).
    """
    from .model import Paragraph

    # (full-width forms and invisible characters are neither script's: read before normalizing)
    simplify = {"traditional": True, "mixed": None, "simplified": False}[text_script(document_text(doc))]
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
