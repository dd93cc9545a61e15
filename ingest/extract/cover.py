"""The cover of a document: its first lines and, among them, the title that names the disclosure.

The vocabulary is data (``rules/disclosure_recognition.csv`` for the title terms and the
standard tables, ``rules/issuer_names.csv`` for issuer names); this module only reads it.

The title is the shortest run of at most :data:`MAX_TITLE_LINES` cover lines (on one page) that
ends at the first line completing a title term (部门预算, 单位预算, 部门综合预算, 预算公开 …)
together with a year ('2026年', '2026年度', '(2026)'). Joining the run mends a word broken over
lines ('…部门预' + '算'). A short line right after it ('说明', '信息公开') still belongs to it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..model import Document

RULES_DIR = Path(__file__).parent / "rules"
COVER_LINES = 40  # a web page's menu comes before its title
LABEL_LINES = 12  # 'label：name' lines are looked for this far
MAX_TITLE_LINES = 3
MAX_TITLE_LINE_LEN = 60  # longer lines are body text, not a title
MAX_CONTINUATION_LEN = 6

YEAR_RE = re.compile(r"(20\d{2})\s*年(?:度)?|[(（](20\d{2})[)）]")
_WS_RE = re.compile(r"\s+")
_NOT_TITLE_RE = re.compile(r"^(?:目录|[-—–\d\s]+|第[一二三四五六七八九十]+部分.*|[一二三四五六七八九十]+、.*)$")


@dataclass(frozen=True)
class RecognitionRules:
    """rules/disclosure_recognition.csv, compiled."""

    title: tuple[re.Pattern[str], ...]
    tables: tuple[re.Pattern[str], ...]
    looks_like: tuple[tuple[re.Pattern[str], str], ...]
    notice_title: tuple[tuple[re.Pattern[str], str], ...]
    attachment: tuple[re.Pattern[str], ...]
    attachment_file: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class IssuerRules:
    """rules/issuer_names.csv, compiled."""

    label: re.Pattern[str]
    markers: tuple[tuple[re.Pattern[str], str | None], ...]  # unanchored; value: the consolidation
    org_prefix: re.Pattern[str]
    suffix: re.Pattern[str]
    central: tuple[re.Pattern[str], ...]


def _read_rules(name: str) -> list[dict[str, str]]:
    with open(RULES_DIR / name, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["role"] and not r["role"].startswith("#")]


@lru_cache(maxsize=1)
def recognition_rules() -> RecognitionRules:
    rows = _read_rules("disclosure_recognition.csv")

    def of(role: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(r["pattern"], re.IGNORECASE) for r in rows if r["role"] == role)

    def described(role: str) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(r["pattern"]), r["looks_like"]) for r in rows if r["role"] == role)

    return RecognitionRules(of("title"), of("table"), described("not"), described("notice_title"),
                            of("attachment"), of("attachment_file"))


@lru_cache(maxsize=1)
def issuer_rules() -> IssuerRules:
    rows = _read_rules("issuer_names.csv")

    def joined(role: str) -> str:
        return "|".join(f"(?:{r['pattern']})" for r in rows if r["role"] == role)

    label = re.compile(rf"^\s*(?:{joined('label')})\s*[：:]\s*(\S.*)$")
    markers = tuple((re.compile(r["pattern"]), r["value"] or None) for r in rows if r["role"] == "marker")
    org_prefix = re.compile(rf"^(?:{joined('org_prefix')})")
    suffix = re.compile(joined("suffix"))
    central = tuple(re.compile(r["pattern"]) for r in rows if r["role"] == "central")
    return IssuerRules(label, markers, org_prefix, suffix, central)


def compact(text: str) -> str:
    """Text without any whitespace (titles are printed letter-spaced or broken over lines)."""
    return _WS_RE.sub("", text)


def year_of(text: str) -> int | None:
    m = YEAR_RE.search(text)
    return int(m.group(1) or m.group(2)) if m else None


def title_term(text: str) -> re.Match[str] | None:
    """The earliest title term in ``text`` (部门预算, 单位决算, 预算公开 …), or None."""
    found = [m for rx in recognition_rules().title if (m := rx.search(text))]
    return min(found, key=lambda m: m.start()) if found else None


@dataclass(frozen=True)
class Line:
    text: str  # as printed, stripped
    page: int

    @property
    def compact(self) -> str:
        return compact(self.text)


@dataclass(frozen=True)
class Cover:
    """The first lines of a document and the span of its title among them (``lines[start:end]``)."""

    lines: tuple[Line, ...]
    start: int | None = None
    end: int | None = None

    @property
    def title(self) -> str | None:
        if self.start is None:
            return None
        return "".join(line.compact for line in self.lines[self.start:self.end]) or None

    @property
    def title_page(self) -> int | None:
        return self.lines[self.start].page if self.start is not None else None

    def neighbour(self, offset: int) -> Line | None:
        """The line just before (-1) or after (+1) the title, on the title's page."""
        if self.start is None:
            return None
        i = self.start - 1 if offset < 0 else self.end
        if 0 <= i < len(self.lines) and self.lines[i].page == self.title_page:
            return self.lines[i]
        return None


def document_to_lines(doc: Document, limit: int = COVER_LINES) -> tuple[Line, ...]:
    """The first ``limit`` non-empty paragraphs of the document."""
    out: list[Line] = []
    for para in doc.paragraphs():
        text = para.text.strip()
        if text:
            out.append(Line(text, para.page))
            if len(out) >= limit:
                break
    return tuple(out)


def _is_title_line(line: Line) -> bool:
    return len(line.compact) <= MAX_TITLE_LINE_LEN and not _NOT_TITLE_RE.match(line.compact)


def lines_to_title_span(lines: tuple[Line, ...]) -> tuple[int, int] | None:
    """(start, end) of the title among ``lines``, or None (see the module docstring)."""
    for j, last in enumerate(lines):
        if not _is_title_line(last):
            continue
        for i in range(j, max(-1, j - MAX_TITLE_LINES), -1):
            if lines[i].page != last.page or not _is_title_line(lines[i]):
                break
            joined = "".join(line.compact for line in lines[i:j + 1])
            if title_term(joined) and year_of(joined):
                end = j + 1
                if end < len(lines) and _is_continuation(lines[end], last):
                    end += 1
                return i, end
    return None


def _is_continuation(line: Line, last: Line) -> bool:
    text = line.compact
    return (line.page == last.page and 0 < len(text) <= MAX_CONTINUATION_LEN and not text[0].isdigit()
            and not _NOT_TITLE_RE.match(text) and not issuer_rules().suffix.search(text))


def document_to_cover(doc: Document) -> Cover:
    lines = document_to_lines(doc)
    span = lines_to_title_span(lines)
    return Cover(lines, *span) if span else Cover(lines)


def label_value(cover: Cover) -> tuple[Line, str] | None:
    """The first cover line 'label：name' (预算单位：上海市审计局), with the name."""
    rx = issuer_rules().label
    for line in cover.lines[:LABEL_LINES]:
        m = rx.match(line.text)
        if m:
            return line, m.group(1).strip()
    return None
