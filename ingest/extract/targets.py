"""The grammar of performance targets (指标值): '≥80%', '满意度大于80%', '总费用37.29万元'.

A target is a comparison, a number and a unit: ``Target(op, value, unit)``. The grammar is data:
``TARGET_PATTERNS`` below, tried in order, each a regular expression over the whole (cleaned)
text and the comparison it states. Add a pattern (or a unit) to cover a new wording; do not
special-case a document.

Only a *clean* target parses: exactly one number, an optional label before it (``总费用``), a
unit from ``TARGET_UNITS`` after it and nothing else. Qualitative values ('正常运转',
'非常满意'), lists with several numbers ('对讲46个、会议系统29个') and numbers followed by free
text ('12会议费用', '≥80网络满意度') stay unparsed: the caller keeps the raw text only.

Numbers are read by :mod:`ingest.amounts`, the one module that parses printed numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..amounts import NUMBER_RE, parse_number, to_ascii_digits
from ..errors import AmountError

# Units a target may end with, as printed. Longest first is applied when the regex is built.
TARGET_UNITS: tuple[str, ...] = (
    "%", "‰", "亿元", "万元", "千元", "元", "万人次", "人次", "万人", "人数", "人", "个工作日",
    "工作日", "个", "次", "件", "台套", "台", "套", "家", "户", "天", "日", "小时", "分钟", "周",
    "个月", "月", "年", "项", "篇", "期", "份", "场", "批", "辆", "所", "座", "条", "册", "本",
    "处", "间", "张", "平方米", "亩", "公里", "千米", "米", "吨", "分", "名", "支", "部", "段",
)

# Printed unit -> unit stored in target_unit.
UNIT_ALIASES: dict[str, str] = {
    "人数": "人",
    "工作日": "个工作日",
}

# Comparison signs as some documents print them (full-width, ASCII digraphs) -> one form.
_SIGNS = str.maketrans({"＞": ">", "＜": "<", "＝": "=", "≧": "≥", "≦": "≤", "\u3000": " ",
                        "（": "(", "）": ")"})
# Trailing punctuation that does not belong to a target.
_TRAILING = "。.;；，,、 "

_NUM = rf"(?P<value>{NUMBER_RE})"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(TARGET_UNITS, key=len, reverse=True))
# A unit, bare or in parentheses as some forms print it: '≥13459.00(平方米)', '=100.00(%)'.
_UNIT = rf"(?:(?P<unit>{_UNIT_ALT})|\((?P<punit>{_UNIT_ALT})\))"
# The label before the comparison: free text without digits or comparison signs.
_LABEL = r"(?P<label>[^\d<>≥≤=]*?)"

_AT_LEAST = "≥|>=|不低于|不少于|不小于|大于或等于|大于等于|至少|最少"
_AT_MOST = "≤|<=|不高于|不超过|不多于|不大于|小于或等于|小于等于|至多|最多"

# (regex over the whole cleaned text, op), tried in order; the first that matches wins.
TARGET_PATTERNS: list[tuple[str, str]] = [
    (rf"{_LABEL}(?:{_AT_LEAST})\s*{_NUM}\s*{_UNIT}?\s*(?:及以上|以上)?", ">="),
    (rf"{_LABEL}(?:{_AT_MOST})\s*{_NUM}\s*{_UNIT}?\s*(?:及以下|以下|以内)?", "<="),
    (rf"{_LABEL}(?:达到|达|在)?\s*{_NUM}\s*{_UNIT}?\s*(?:及以上|以上)", ">="),
    (rf"{_LABEL}(?:控制在|在)?\s*{_NUM}\s*{_UNIT}?\s*(?:及以下|以下|以内)", "<="),
    (rf"{_LABEL}(?:>|大于|高于|超过|多于)\s*{_NUM}\s*{_UNIT}?", ">"),
    (rf"{_LABEL}(?:<|小于|低于|少于)\s*{_NUM}\s*{_UNIT}?", "<"),
    (rf"{_LABEL}(?:达到|达)\s*{_NUM}\s*{_UNIT}?", ">="),
    (rf"{_LABEL}(?:=|＝|为|是|共计|合计|总计|约)?\s*{_NUM}\s*{_UNIT}", "="),
]

_COMPILED: list[tuple[re.Pattern[str], str]] = [(re.compile(rx), op) for rx, op in TARGET_PATTERNS]
_NUMBER_ANY = re.compile(r"\d+(?:[,，]\d{3})*(?:\.\d+)?")
# Clause separators used when looking for targets inside a sentence.
_CLAUSE_SPLIT = re.compile(r"[，。；;,\n]")


@dataclass(frozen=True)
class Target:
    """A parsed target: ``op`` one of '>=', '<=', '>', '<', '='."""

    op: str
    value: Decimal
    unit: str | None
    label: str | None = None


def clean_target_text(text: str) -> str:
    """Half-width digits, no inner spaces around the number, no trailing punctuation."""
    s = to_ascii_digits(text or "").translate(_SIGNS).strip()
    return s.rstrip(_TRAILING).strip()


def parse_target(text: str | None) -> Target | None:
    """Parse a 指标值 cell into a :class:`Target`, or None when it is not a clean target.

    >>> parse_target('≥80%')
    Target(op='>=', value=Decimal('80'), unit='%', label=None)
    >>> parse_target('总费用37.29万元').op
    '='
    >>> parse_target('视频监控、对讲46个、会议系统29个') is None
    True
    """
    if not text:
        return None
    s = clean_target_text(text)
    if len(_NUMBER_ANY.findall(s)) != 1:
        return None
    for rx, op in _COMPILED:
        m = rx.fullmatch(s)
        if not m:
            continue
        try:
            value = parse_number(m.group("value"))
        except AmountError:
            return None
        unit = m.group("unit") or m.group("punit")
        unit = UNIT_ALIASES.get(unit, unit) if unit else None
        label = (m.group("label") or "").strip() or None
        return Target(op=op, value=value, unit=unit, label=label)
    return None


def find_targets(sentence: str | None) -> list[Target]:
    """Every clean target stated in a sentence, clause by clause, in order.

    '…领导满意，合格率达到90%以上。' gives ``[Target('>=', 90, '%')]``.
    """
    if not sentence:
        return []
    found = []
    for clause in _CLAUSE_SPLIT.split(to_ascii_digits(sentence)):
        t = parse_target(clause)
        if t is not None:
            found.append(t)
    return found
