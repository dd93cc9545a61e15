"""Is a document a budget or final-accounts disclosure? Positive evidence only.

A document is a disclosure when
- its cover names one (rules/disclosure_recognition.csv, role title: 部门预算, 单位预算, 部门决算,
  部门综合预算, 预算公开 …) with a year, the title is not itself a notice about one (…的通知),
  and the document prints figures or standard tables (a page that only announces a budget and
  links to it is not the budget); or
- it holds at least :data:`MIN_STANDARD_TABLES` different standard tables (role table: 收支总表,
  收入总表, 财政拨款收支总表 …).
Anything else is not a disclosure, and the verdict says what it looks like instead: the first
'not' row of the rules matching its cover lines (a gazette notice, an inspection notice, a
statistics bulletin, a company annual report, a notice), or an announcement pointing to an
attachment (role attachment / attachment_file), naming the attachment when a line names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Document
from .cover import Cover, compact, document_to_cover, recognition_rules

MIN_STANDARD_TABLES = 2
COVER_HEAD_LINES = 12  # the lines a rejected file is described by
_AMOUNT_RE = re.compile(r"(?<![\d,])\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|元)")  # from a run's start: linear
_FIGURE_RE = re.compile(r"^-?[\d,]+\.\d+$|^-?\d{1,3}(?:,\d{3})+$")
_QUOTE_MAX = 40


@dataclass(frozen=True)
class Verdict:
    is_disclosure: bool
    reason: str  # why (for a rejection: what the document looks like instead)


def standard_tables(doc: Document) -> int:
    """How many different standard tables the document names (captions, headings, contents)."""
    rules = recognition_rules().tables
    texts = [compact(p.text) for p in doc.paragraphs()] + [compact(t.title) for t in doc.tables() if t.title]
    texts += [compact(c) for t in doc.tables() for row in t.rows[:3] for c in row]
    return sum(1 for rx in rules if any(rx.search(t) for t in texts))


def has_figures(doc: Document) -> bool:
    """Whether the document prints an amount ('9626.78万元') or a table of figures."""
    if any(_AMOUNT_RE.search(p.text) for p in doc.paragraphs()):
        return True
    return any(_FIGURE_RE.match(c.strip()) for t in doc.tables() for row in t.rows for c in row)


def attachment_names(doc: Document) -> tuple[bool, list[str]]:
    """(whether the text says the content is in an attachment, the attached files' names)."""
    rules = recognition_rules()
    lines = [p.text.strip() for p in doc.paragraphs()]
    cue = any(rx.search(line) for rx in rules.attachment for line in lines)
    files = [m.group(1).strip() for line in lines for rx in rules.attachment_file if (m := rx.match(line))]
    return cue, files


def _quote(text: str) -> str:
    return repr(text if len(text) <= _QUOTE_MAX else text[:_QUOTE_MAX] + "…")


def looks_like(cover: Cover) -> tuple[str, str] | None:
    """(what the cover looks like, the line that says so) from the rules' 'not' rows."""
    head = cover.lines[:COVER_HEAD_LINES]
    joined = "".join(line.compact for line in head)
    for rx, what in recognition_rules().looks_like:
        for line in head:
            if rx.search(line.compact):
                return what, line.text
        if rx.search(joined):  # a cover whose words stand on several lines
            return what, joined
    return None


def document_to_verdict(doc: Document, cover: Cover | None = None) -> Verdict:
    """Whether ``doc`` is a disclosure, and why (see the module docstring)."""
    cover = cover or document_to_cover(doc)
    title = cover.title
    n_tables = standard_tables(doc)
    if title:
        notice = next((what for rx, what in recognition_rules().notice_title if rx.search(title)), None)
        if notice:
            return Verdict(False, f"its title {_quote(title)} is {notice} about a disclosure, not one")
        if n_tables or has_figures(doc):
            return Verdict(True, f"its title {_quote(title)} names a disclosure and a year")
        cue, files = attachment_names(doc)
        if cue or files:
            named = f" ({', '.join(map(_quote, files))})" if files else ""
            return Verdict(False, f"an announcement of {_quote(title)} pointing to an attachment{named}: "
                                  f"it prints no figures and no standard tables itself")
        return Verdict(False, f"its title {_quote(title)} names a disclosure, but it prints no figures "
                              f"and no standard tables (a cover or an announcement)")
    if n_tables >= MIN_STANDARD_TABLES:
        return Verdict(True, f"it holds {n_tables} standard tables of a disclosure")
    seen = looks_like(cover)
    if seen:
        what, line = seen
        return Verdict(False, f"{what}: {_quote(line)}")
    first = cover.lines[0].text if cover.lines else ""
    return Verdict(False, "no budget or final-accounts title (部门预算 / 单位预算 / 部门决算 …) with a year "
                          f"and no standard tables (收支总表 …); it begins {_quote(first)}")
