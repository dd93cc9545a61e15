"""The document profile: issuer, unit code and name, region, fiscal year, kind and scope."""

from __future__ import annotations

import re
from collections import Counter

from .. import regions
from ..model import Document, Extraction

_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_UNIT_LINE_RE = re.compile(r"^(\d{6})\s*([\u4e00-\u9fff].*)$")
# Project codes: 6-digit region + 2-digit year + alphanumerics (13043421094ANOGIHASBI).
_PROJECT_CODE_RE = re.compile(r"^(\d{6})\d{2}[0-9A-Z]{8,}$")
_TITLE_WORDS = ("预算", "决算")
_ISSUER_LINE_RE = re.compile(r"^\s*(?:预算主管部门|决算主管部门|主管部门|预算单位|决算单位|部门名称|单位名称)\s*[：:]\s*(\S.+)$")
_MONEY_UNIT_RE = re.compile(r"\d\s*(万元|亿元|元)")


def _title_paragraphs(doc: Document, limit: int = 12) -> list[str]:
    out = []
    for para in doc.paragraphs():
        t = para.text.strip()
        if not t:
            continue
        out.append(t)
        if len(out) >= limit:
            break
    return out


def extract_profile(doc: Document, ex: Extraction) -> None:
    p = ex.profile
    head = _title_paragraphs(doc)
    # The title: the first lines up to and including the one naming the year and 预算/决算.
    title_lines: list[str] = []
    for i, line in enumerate(head[:8]):
        title_lines.append(line)
        joined = "".join(title_lines)
        if _YEAR_RE.search(joined) and any(w in joined for w in _TITLE_WORDS):
            # a following short line ('说明') still belongs to the title
            if i + 1 < len(head) and len(head[i + 1]) <= 6 and not head[i + 1][0].isdigit():
                title_lines.append(head[i + 1])
            break
    title = re.sub(r"\s+", "", "".join(title_lines))
    p.title = title or None
    m = _YEAR_RE.search(title)
    if m:
        p.fiscal_year = int(m.group(1))
    if "决算" in title:
        p.disclosure_kind = "final_accounts"
    elif "预算" in title:
        p.disclosure_kind = "budget"
    # Issuer: an explicit '预算主管部门：…' line, else the title text before the year.
    for line in head:
        mi = _ISSUER_LINE_RE.match(line)
        if mi:
            p.issuer_name = mi.group(1).strip()
            break
    if p.issuer_name is None and title:
        before_year = _YEAR_RE.split(title)[0] if _YEAR_RE.search(title) else title_lines[0]
        p.issuer_name = re.sub(r"\s+", "", before_year).strip(" ：:") or None

    # Unit code and name: a table cell or line '201001中国共产党魏县委员会办公室本级'.
    units: Counter[tuple[str, str]] = Counter()
    prefixes: Counter[str] = Counter()
    for table in doc.tables():
        for row in table.rows:
            for cell in row:
                c = cell.strip()
                mu = _UNIT_LINE_RE.match(c)
                if mu and len(c) <= 60:
                    units[(mu.group(1), mu.group(2).strip())] += 1
                mp = _PROJECT_CODE_RE.match(c)
                if mp:
                    prefixes[mp.group(1)] += 1
    if units:
        (code, name), _ = units.most_common(1)[0]
        p.unit_code, p.unit_name = code, name
    # Region: the prefix of the project codes when it is a real region code, else the name.
    for prefix, _ in prefixes.most_common():
        if regions.is_known(prefix):
            p.region_code = prefix
            break
    if p.region_code is None:
        for candidate in (p.issuer_name, p.unit_name, title):
            if candidate:
                code = regions.code_from_name(candidate)
                if code:
                    p.region_code = code
                    break

    # Scope: a unit's own budget (本级, 单位预算) vs a department's consolidated one.
    title = re.sub(r"\s+", "", title)
    if (p.unit_name and p.unit_name.endswith("本级")) or "单位预算" in title or "单位决算" in title:
        p.scope = "unit"
    elif "部门预算" in title or "部门决算" in title:
        p.scope = "department"

    # The unit the narrative prints amounts in.
    units_seen = Counter(m.group(1) for para in doc.paragraphs() for m in _MONEY_UNIT_RE.finditer(para.text))
    if units_seen:
        p.currency_unit = units_seen.most_common(1)[0][0]
