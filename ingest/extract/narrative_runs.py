"""Runs of narrative text: paragraphs a PDF broke in the middle of a sentence, joined again.

A PDF reader gives one paragraph per printed line when a page has no paragraph spacing
('…收入支出总' / '计 307.82 万元。'); the narrative engine needs the sentence whole. A run is a
paragraph with the paragraphs that continue it: same section, no table between them, the
previous one not ending a sentence or a list lead ('。', '：', '；', …) and the next not a
heading. The texts are joined without a separator (Chinese has no spaces between words), and
:meth:`Run.locate` maps a position in the run back to the page and the character offset in that
page's text, so provenance still points at the printed figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Document, Extraction, Paragraph, Section
from ..sections import heading_level, paragraphs_with_sections
from .narrative_items import opens_class_path

SENTENCE_ENDS = ("。", "！", "？", "：", ":", "；", ";")


@dataclass
class Run:
    section: Section | None
    pieces: list[tuple[int, Paragraph]] = field(default_factory=list)  # (start in run, paragraph)
    text: str = ""

    def add(self, para: Paragraph) -> None:
        self.pieces.append((len(self.text), para))
        self.text += para.text

    @property
    def page(self) -> int:
        return self.pieces[0][1].page

    def locate(self, pos: int) -> tuple[int, int]:
        """(page, offset in the page text) of the run position ``pos``."""
        start, para = self.pieces[0]
        for s, p in self.pieces:
            if s > pos:
                break
            start, para = s, p
        return para.page, para.char_start + (pos - start)

    def span(self, start: int, end: int) -> tuple[int, int, int]:
        """(page, char_start, char_end) of the run span [start, end); a span broken over two
        paragraphs on different pages ends where its first paragraph ends."""
        page, cs = self.locate(start)
        end_page, ce = self.locate(max(start, end - 1))
        if end_page != page:
            for s, p in self.pieces:
                if p.page == page and s <= start:
                    ce = p.char_end - 1
        return page, cs, ce + 1


def _continues(prev: Paragraph, para: Paragraph) -> bool:
    tail = prev.text.rstrip()
    return bool(tail) and not tail.endswith(SENTENCE_ENDS) \
        and (heading_level(prev.text) is None or opens_class_path(prev.text)) \
        and heading_level(para.text) is None and bool(para.text.strip())


def paragraph_runs(doc: Document, ex: Extraction) -> list[Run]:
    """The document's paragraphs as runs, in document order."""
    block_index = {id(b): i for i, b in enumerate(doc.blocks())}
    runs: list[Run] = []
    prev: Paragraph | None = None
    for para, sec in paragraphs_with_sections(doc, ex):
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
