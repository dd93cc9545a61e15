"""Split a Document into sections by its numbered headings (一、 / (一) / 1、 short lines).

Each section gets a ``section_key`` from the alias table ``extract/rules/sections.csv`` (the
first pattern that matches the heading wins), so that extractors can ask "which section is this
paragraph in" without knowing the layout.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from .model import Document, Extraction, Paragraph, Section

RULES = Path(__file__).parent / "extract" / "rules" / "sections.csv"
TITLE_RULES = Path(__file__).parent / "extract" / "rules" / "section_titles.csv"
MAX_TITLE_CHARS = 40
_SENTENCE_PUNCT = re.compile(r"[，。：:；;、…]")

_CN_NUM = "一二三四五六七八九十"
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^\s*第[{_CN_NUM}]+部分")),
    (1, re.compile(rf"^\s*[{_CN_NUM}]+\s*[、.．]")),
    (2, re.compile(rf"^\s*[(（][{_CN_NUM}]+[)）]")),
    (3, re.compile(r"^\s*\d{1,2}\s*[、.．](?!\d)")),
]
MAX_MINOR_HEADING_CHARS = 30


@lru_cache(maxsize=1)
def section_rules() -> list[tuple[str, re.Pattern[str]]]:
    with open(RULES, encoding="utf-8") as fh:
        return [(row["section_key"], re.compile(row["pattern"])) for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def title_rules() -> list[re.Pattern[str]]:
    with open(TITLE_RULES, encoding="utf-8") as fh:
        return [re.compile(row["pattern"]) for row in csv.DictReader(fh)]


def heading_level(text: str) -> int | None:
    """The heading level of a paragraph, or None if it is body text.

    Numbered headings (一、 / (一) / 1、) give their level; an unnumbered short title line such
    as '上海市普陀区司法局主要职能' or '名词解释' (rules/section_titles.csv) is a level-1 heading.
    """
    line = text.strip()
    if not line or "\n" in line:
        return None
    if (len(line) <= MAX_TITLE_CHARS and not _SENTENCE_PUNCT.search(line)
            and not any(pat.match(line) for _, pat in HEADING_PATTERNS)
            and any(rule.search(line) for rule in title_rules())):
        return 1
    for level, pat in HEADING_PATTERNS:
        if pat.match(line):
            if level == 1 and len(line) > 40:
                return None
            if level >= 2 and (len(line) > MAX_MINOR_HEADING_CHARS or line.endswith("。") or "：" in line
                               or ":" in line):
                return None
            return level
    return None


def classify_heading(text: str) -> str | None:
    for key, pat in section_rules():
        if pat.search(text):
            return key
    return None


LEAD_MAX = 200  # characters of a section's first paragraph kept with it (raw.sections.lead)


def extract_sections(doc: Document, ex: Extraction) -> None:
    """Append a Section for every heading; ends are filled from the next heading of the same or a
    higher level."""
    sections: list[Section] = []
    stack: list[Section] = []
    for para in doc.paragraphs():
        level = heading_level(para.text)
        if level is None:
            if sections and sections[-1].lead is None and para.text.strip():
                sections[-1].lead = para.text.strip()[:LEAD_MAX]
            continue
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        # Numbered items (level 3) belong to their parent's section; others classify themselves.
        key = parent.section_key if (level >= 3 and parent and parent.section_key) else classify_heading(para.text)
        sec = Section(section_seq=len(sections) + 1, heading=para.text.strip(), level=level,
                      section_key=key or (parent.section_key if parent else None), page=para.page,
                      char_start=para.char_start, char_end=None,
                      parent_seq=parent.section_seq if parent else None)
        sections.append(sec)
        stack.append(sec)
    ex.sections.extend(sections)


def paragraphs_with_sections(doc: Document, ex: Extraction) -> list[tuple[Paragraph, Section | None]]:
    """Every paragraph with the innermost section it falls in (document order)."""
    by_start = {(s.page, s.char_start): s for s in ex.sections}
    out: list[tuple[Paragraph, Section | None]] = []
    current: Section | None = None
    for para in doc.paragraphs():
        sec = by_start.get((para.page, para.char_start))
        if sec is not None:
            current = sec
        out.append((para, current))
    return out


def section_path(ex: Extraction, sec: Section | None) -> list[str]:
    """Keys of ``sec`` and its ancestors, innermost first."""
    by_seq = {s.section_seq: s for s in ex.sections}
    keys: list[str] = []
    while sec is not None:
        if sec.section_key and sec.section_key not in keys:
            keys.append(sec.section_key)
        sec = by_seq.get(sec.parent_seq) if sec.parent_seq else None
    return keys
