"""The document profile: issuer, unit code and name, region, fiscal year, kind, scope and consolidation.

Everything is read from the cover (``cover.py``: the first lines and the title among them), the
unit lines and project codes of the tables, and, for the region only, the text.

- **Issuer**, the first candidate that is a body's name: a cover line 'label：name'
  (预算单位：上海市审计局); the title without its year and disclosure term
  (2026年深圳市民政局(本级)部门预算 → 深圳市民政局); the line right before the title
  (北京市生态环境局 / 2026年度部门预算信息公开), then the one right after it. Scope markers printed
  after the name ((本级), (汇总), a trailing 部门) are dropped. A name is CJK only and ends the way
  a body's name ends (rules/issuer_names.csv, role suffix); a bare place name or a sentence is
  not a name. No name: None and a warning 'issuer_unknown'.
- **Year** and **kind** from the title (决算 → final_accounts, 预算 → budget); without a title,
  from the captions of the standard tables.
- **Scope**: 'unit' for 单位预算/单位决算 (or a unit line ending in 本级), 'department' for 部门预算
  /部门决算 (部门综合预算 included). **Consolidation**, the marker printed on the title or the
  name: 'consolidated' for 汇总, 'own_level' for 本级, else None.
- **Region** (6-digit GB/T 2260, see ``regions.py``), the first that decides:
  1. the region prefix of the project codes, when it is a real code;
  2. a place named at the start of the issuer, unit or title (after a party/organisation prefix
     such as 中共 or 中国共产党): province (北京市 → 110000), city (深圳市 → 440300) or county
     (上海市普陀区 → 310107); a bare short district name stays ambiguous;
  3. a central body (rules/issuer_names.csv, role central: 国家统计局, 国务院…, the ministries):
     ``regions.CENTRAL_CODE``;
  4. an issuer starting with a place's short name (长沙职业教育基地 → 长沙市 or 长沙县): the one
     candidate whose full name the document prints (长沙市教育局), when exactly one is printed;
  5. the place names printed in full on the cover and the first pages, when they all lie on one
     chain (湖南省, 长沙市 → 长沙市).
  Else None and a warning 'region_unknown'.
"""

from __future__ import annotations

import re
from collections import Counter

from .. import regions
from ..model import Document, DocumentProfile, Extraction, ParseIssue
from .cover import (
    YEAR_RE,
    Cover,
    compact,
    document_to_cover,
    issuer_rules,
    label_value,
    recognition_rules,
    title_term,
    year_of,
)

_UNIT_LINE_RE = re.compile(r"^(\d{6})\s*([\u4e00-\u9fff].*)$")
# Project codes: 6-digit region + 2-digit year + alphanumerics (13043421094ANOGIHASBI).
_PROJECT_CODE_RE = re.compile(r"^(\d{6})\d{2}[0-9A-Z]{8,}$")
_MONEY_UNIT_RE = re.compile(r"\d\s*(万元|亿元|元)")
_NAME_CHARS_RE = re.compile(r"^[\u4e00-\u9fff()（）·]{2,40}$")
_TRAILING_PAREN_RE = re.compile(r"[(（][^()（）]*[)）]$")
_LEVEL_WORD_RE = re.compile(r"(?:省级|市级|区级|县级|本级)$")
_UNIT_SCOPE_RE = re.compile(r"单位(?:综合|汇总)?(?:预算|决算)")
_DEPARTMENT_SCOPE_RE = re.compile(r"部门(?:综合|汇总)?(?:预算|决算)")
REGION_PAGES = 3  # pages whose place names may decide the region (step 5)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def strip_markers(name: str) -> tuple[str, str | None]:
    """The name without trailing scope markers, and the consolidation the markers state.

    '西安市审计局(汇总)' → ('西安市审计局', 'consolidated'); '北京市信访办公室部门' → ('北京市信访办公室', None).
    """
    consolidation = None
    changed = True
    while changed:
        changed = False
        for rx, value in issuer_rules().markers:
            m = re.search(f"(?:{rx.pattern})$", name)
            if m and m.start() > 0:
                name = name[:m.start()]
                consolidation = consolidation or value
                changed = True
    return name, consolidation


def is_body_name(name: str | None) -> bool:
    """CJK only, 2-40 characters, ending as a body's name ends (局, 委员会, 办公室, 中心 …)."""
    if not name or not _NAME_CHARS_RE.match(name):
        return False
    core = _TRAILING_PAREN_RE.sub("", name)
    return bool(core) and bool(issuer_rules().suffix.search(core))


def title_to_name(title: str) -> str | None:
    """The title before its disclosure term, without years ('2026年度苏州市水务局单位预算公开' →
    '苏州市水务局'); None when nothing is left."""
    m = title_term(title)
    head = title[:m.start()] if m else title
    head = YEAR_RE.sub("", head)
    head = re.sub(r"^关于|的$", "", head)
    head = _LEVEL_WORD_RE.sub("", head)
    return head.strip("：:,，、 ") or None


def candidate_names(cover: Cover) -> list[tuple[str, str]]:
    """(source, printed name) of every place the issuer may be printed, in order of trust."""
    out: list[tuple[str, str]] = []
    label = label_value(cover)
    if label:
        out.append(("label", compact(label[1])))
    if cover.title:
        name = title_to_name(cover.title)
        if name:
            out.append(("title", name))
    for source, offset in (("before_title", -1), ("after_title", 1)):
        line = cover.neighbour(offset)
        if line:
            out.append((source, line.compact))
    return out


def cover_to_issuer(cover: Cover) -> tuple[str | None, str | None, str | None]:
    """(issuer name, consolidation marker printed with it, source of the name)."""
    for source, printed in candidate_names(cover):
        name, consolidation = strip_markers(printed)
        if is_body_name(name):
            return name, consolidation, source
    return None, None, None


def place_part(name: str) -> str:
    """The name from its place on: '中共西安市委宣传部' → '西安市委宣传部'."""
    return issuer_rules().org_prefix.sub("", name)


def is_central(name: str | None) -> bool:
    return bool(name) and any(rx.search(name) for rx in issuer_rules().central)


# ---------------------------------------------------------------------------------------------
# Region
# ---------------------------------------------------------------------------------------------


def prefixes_to_region(prefixes: Counter[str]) -> str | None:
    for prefix, _ in prefixes.most_common():
        if regions.is_known(prefix):
            return prefix
    return None


def names_to_region(names: list[str | None]) -> str | None:
    for candidate in names:
        if candidate:
            code = regions.code_from_name(place_part(candidate))
            if code:
                return code
    return None


def short_prefix_to_region(issuer: str | None, text: str) -> str | None:
    """The place whose short name starts the issuer and whose full name the text prints, when
    exactly one candidate is printed."""
    if not issuer:
        return None
    printed = [p.code for p in regions.codes_by_short_prefix(place_part(issuer)) if p.name in text]
    return printed[0] if len(printed) == 1 else None


def text_to_region(text: str) -> str | None:
    """The most specific region the text names in full, when every one it names lies on one chain."""
    return regions.most_specific_consistent(list(regions.codes_in_text(text)))


def document_to_region(doc: Document, p: DocumentProfile, cover: Cover,
                       prefixes: Counter[str]) -> tuple[str | None, str]:
    """(region code, how it was decided). See the module docstring for the order."""
    code = prefixes_to_region(prefixes)
    if code:
        return code, "project_codes"
    code = names_to_region([p.issuer_name, p.unit_name, p.title])
    if code:
        return code, "name"
    if is_central(p.issuer_name):
        return regions.CENTRAL_CODE, "central"
    code = short_prefix_to_region(p.issuer_name, doc.full_text())
    if code:
        return code, "short_name"
    first_pages = "\n".join(pg.text for pg in doc.pages[:REGION_PAGES])
    code = text_to_region("\n".join(line.text for line in cover.lines) + "\n" + first_pages)
    if code:
        return code, "text"
    return None, "unknown"


# ---------------------------------------------------------------------------------------------
# Year and kind without a title
# ---------------------------------------------------------------------------------------------


def table_captions(doc: Document) -> list[str]:
    """Lines naming a standard table (收支总表 …), from paragraphs and table titles."""
    rules = recognition_rules().tables
    texts = [para.text for para in doc.paragraphs()] + [t.title for t in doc.tables() if t.title]
    return [compact(t) for t in texts if len(t) <= 80 and any(rx.search(compact(t)) for rx in rules)]


def captions_to_year_kind(captions: list[str]) -> tuple[int | None, str | None]:
    years = Counter(y for c in captions if (y := year_of(c)))
    kinds = Counter("final_accounts" if "决算" in c else "budget" for c in captions if "算" in c)
    return (years.most_common(1)[0][0] if years else None,
            kinds.most_common(1)[0][0] if kinds else None)


# ---------------------------------------------------------------------------------------------
# The profile
# ---------------------------------------------------------------------------------------------


def _units_and_prefixes(doc: Document) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Unit lines ('201001中国共产党魏县委员会办公室本级') and project-code prefixes in table cells."""
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
    return units, prefixes


def _consolidation(title: str | None, marker: str | None, unit_name: str | None) -> str | None:
    if marker:
        return marker
    for rx, value in issuer_rules().markers:
        if value and title and rx.search(title):
            return value
    if unit_name and unit_name.endswith("本级"):
        return "own_level"
    return None


def extract_profile(doc: Document, ex: Extraction) -> None:
    p = ex.profile
    cover = document_to_cover(doc)
    issuer, marker, source = cover_to_issuer(cover)
    p.issuer_name = issuer
    title = cover.title
    if title and source == "before_title":
        title = cover.neighbour(-1).compact + title  # the name line belongs to the title
    p.title = title
    if title:
        p.fiscal_year = year_of(title)
        p.disclosure_kind = "final_accounts" if "决算" in title else "budget" if "预算" in title else None
    else:
        p.fiscal_year, p.disclosure_kind = captions_to_year_kind(table_captions(doc))

    units, prefixes = _units_and_prefixes(doc)
    if units:
        (code, name), _ = units.most_common(1)[0]
        p.unit_code, p.unit_name = code, name

    p.region_code, _how = document_to_region(doc, p, cover, prefixes)

    scope_text = title or ""
    if (p.unit_name and p.unit_name.endswith("本级")) or _UNIT_SCOPE_RE.search(scope_text):
        p.scope = "unit"
    elif _DEPARTMENT_SCOPE_RE.search(scope_text):
        p.scope = "department"
    p.consolidation = _consolidation(title, marker, p.unit_name)

    # The unit the narrative prints amounts in.
    units_seen = Counter(m.group(1) for para in doc.paragraphs() for m in _MONEY_UNIT_RE.finditer(para.text))
    if units_seen:
        p.currency_unit = units_seen.most_common(1)[0][0]

    page = cover.title_page or 1
    if p.issuer_name is None:
        said = f"the title reads {title!r}" if title else "no title naming the disclosure was found"
        ex.issues.append(ParseIssue(
            "warning", "issuer_unknown",
            f"{doc.source_path}: the issuing body cannot be told from the cover ({said}); issuer left empty",
            page=page, source_path=doc.source_path))
    if p.region_code is None:
        ex.issues.append(ParseIssue(
            "warning", "region_unknown",
            f"{doc.source_path}: no region code: the issuer {p.issuer_name!r} names no place, and no single "
            f"place is printed on the cover or first pages", page=page, source_path=doc.source_path))
