"""Runs of narrative text: paragraphs a PDF broke in the middle of a sentence, joined again.

A PDF reader gives one paragraph per printed line when a page has no paragraph spacing
('…收入支出总' / '计 307.82 万元。'); the narrative engine needs the sentence whole. A run is a
paragraph with the paragraphs that continue it: same section, no table between them, the
previous one not ending a sentence or a list lead ('。', '：', '；', …) and the next not a
heading. The texts are joined without a separator (Chinese has no spaces between words), and
:meth:`Run.locate` maps a position in the run back to the page and the character offset in that
page's text, so provenance still points at the printed figure.

Letter-spacing goes here too, once for every rule of the engine: a text layer that prints
'2 0 2 6年 … 6 6 , 3 0 7 . 9 8万元' or '深 圳 市 医 疗 保 障 局' or '其 中 ：' is read as
'2026年 … 66,307.98万元', '深圳市医疗保障局', '其中：' (:func:`squeeze_spacing`); the run keeps,
for every character it holds, where that character is in its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Document, Extraction, Paragraph, Section
from ..sections import heading_level, paragraphs_with_sections
from .narrative_items import opens_class_path

SENTENCE_ENDS = ("。", "！", "？", "：", ":", "；", ";")

# Characters between which a space is never a word break in Chinese text: ideographs, CJK and
# full-width punctuation, quotes and brackets.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’()《》"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_WORD_RE = re.compile(r"[^ \t]+")
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4})\s*$")
_SPACED_MIN = 3  # single characters in a row that make a letter-spaced stretch ('其 中 ：')


def squeeze_spacing(text: str) -> tuple[str, list[int]]:
    """``text`` without the spaces of letter-spacing, and for each character kept its index in
    ``text``. A space goes when it sits between two Chinese characters, or inside (or at either
    end of) a stretch of at least three single characters each set apart by spaces
    ('6 6 , 3 0 7 . 9 8万元', '2026 年 深 圳 市'). Other spaces ('2026 年', '12.5 万元') stay."""
    drop: set[int] = set()
    for m in _CJK_GAP_RE.finditer(text):
        drop.update(range(m.start(), m.end()))
    words = list(_WORD_RE.finditer(text))
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j].group()) == 1:
            j += 1
        if j - i >= _SPACED_MIN:
            for k in range(max(i - 1, 0), min(j, len(words) - 1)):
                drop.update(range(words[k].end(), words[k + 1].start()))
        i = max(j, i + 1)
    if not drop:
        return text, list(range(len(text)))
    kept = [i for i in range(len(text)) if i not in drop]
    return "".join(text[i] for i in kept), kept


@dataclass
class Run:
    section: Section | None
    # (start in run text, paragraph, index in the paragraph's text of each character it adds)
    pieces: list[tuple[int, Paragraph, list[int]]] = field(default_factory=list)
    text: str = ""

    def add(self, para: Paragraph) -> None:
        text, origin = squeeze_spacing(para.text)
        self.pieces.append((len(self.text), para, origin))
        self.text += text

    @property
    def page(self) -> int:
        return self.pieces[0][1].page

    def locate(self, pos: int) -> tuple[int, int]:
        """(page, offset in the page text) of the run position ``pos``."""
        start, para, origin = self.pieces[0]
        for s, p, o in self.pieces:
            if s > pos:
                break
            start, para, origin = s, p, o
        local = pos - start
        if local < len(origin):
            return para.page, para.char_start + origin[local]
        return para.page, para.char_start + len(para.text) + local - len(origin)  # past its end

    def span(self, start: int, end: int) -> tuple[int, int, int]:
        """(page, char_start, char_end) of the run span [start, end); a span broken over two
        paragraphs on different pages ends where its first paragraph ends."""
        page, cs = self.locate(start)
        end_page, ce = self.locate(max(start, end - 1))
        if end_page != page:
            for s, p, _ in self.pieces:
                if p.page == page and s <= start:
                    ce = p.char_end - 1
        return page, cs, ce + 1


def _continues(prev: Paragraph, para: Paragraph) -> bool:
    tail = prev.text.rstrip()
    return bool(tail) and not tail.endswith(SENTENCE_ENDS) \
        and (heading_level(prev.text) is None or opens_class_path(prev.text)) \
        and heading_level(para.text) is None and bool(para.text.strip())


def is_page_number(text: str) -> bool:
    """A page's printed number ('- 5 -', '-26-', '第3页', '8'): page furniture, no narrative."""
    return bool(PAGE_NUMBER_RE.match(text))


def paragraph_runs(doc: Document, ex: Extraction) -> list[Run]:
    """The document's paragraphs as runs, in document order. Page numbers are left out, so a
    sentence broken over a page ('占本年' / '- 4 -' / '支出预算77.75%') is joined whole."""
    kept = (b for b in doc.blocks() if not (isinstance(b, Paragraph) and is_page_number(b.text)))
    block_index = {id(b): i for i, b in enumerate(kept)}
    runs: list[Run] = []
    prev: Paragraph | None = None
    for para, sec in paragraphs_with_sections(doc, ex):
        if id(para) not in block_index:
            continue
        current = runs[-1] if runs else None
        if (current is not None and prev is not None
                and (current.section is sec or (sec is not None and sec.page == prev.page
                                                and sec.char_start == prev.char_start))
                and block_index[id(para)] == block_index[id(prev)] + 1 and _continues(prev, para)):
            current.add(para)
        else:
            run = Run(sec)
            run.add(para)
            runs.append(run)
        prev = para
    return runs
