"""The target grammar (指标值 → op, value, unit) on every 指标值 string of the golden key, and on the
other wordings the grammar accepts or must refuse."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.extract.targets import TARGET_PATTERNS, find_targets, parse_target

GOLDEN = Path(__file__).parents[1] / "tests" / "golden" / "weixian_xwb_2021_budget.json"


def _golden_cases() -> list[tuple[str, tuple | None]]:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    cases: dict[str, tuple | None] = {}
    for ind in data["indicators"]:
        t = ind["target"]
        want = None if t is None else (t["op"], Decimal(t["value"]), t["unit"])
        assert cases.setdefault(ind["target_raw"], want) == want  # one reading per string
    return sorted(cases.items())


GOLDEN_CASES = _golden_cases()


def _as_tuple(text: str) -> tuple | None:
    t = parse_target(text)
    return None if t is None else (t.op, t.value, t.unit)


@pytest.mark.parametrize("raw, want", GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_golden_target_strings(raw, want):
    assert _as_tuple(raw) == want


def test_golden_has_both_kinds():
    assert any(w is None for _, w in GOLDEN_CASES) and any(w is not None for _, w in GOLDEN_CASES)


@pytest.mark.parametrize("raw, want", [
    ("≥80%", (">=", Decimal(80), "%")),
    ("＞90%", (">", Decimal(90), "%")),
    ("≤3天", ("<=", Decimal(3), "天")),
    ("<5%", ("<", Decimal(5), "%")),
    ("=100%", ("=", Decimal(100), "%")),
    ("不低于95%", (">=", Decimal(95), "%")),
    ("不少于2次", (">=", Decimal(2), "次")),
    ("不超过10万元", ("<=", Decimal(10), "万元")),
    ("合格率达到90%以上", (">=", Decimal(90), "%")),
    ("办结率达到100%", (">=", Decimal(100), "%")),
    ("控制在5%以内", ("<=", Decimal(5), "%")),
    ("满意度高于85%", (">", Decimal(85), "%")),
    ("低于2%", ("<", Decimal(2), "%")),
    ("项目总费用1,600万元。", ("=", Decimal(1600), "万元")),
    ("≥ 2000 人数", (">=", Decimal(2000), "人")),
    ("≥８０％", (">=", Decimal(80), "%")),
])
def test_other_wordings(raw, want):
    assert _as_tuple(raw) == want


@pytest.mark.parametrize("raw", [
    "", "正常运转", "非常满意", "全年托管", "视频监控、对讲46个、会议系统29个", "560、568直播专用频道",
    "12会议费用", "15满足工作需求", "≥80网络满意度。", "45个视频会议系统服务器及数据维护",
    "市委办公厅[2018]69号", "覆盖全县22个乡镇",
])
def test_not_a_clean_target(raw):
    assert parse_target(raw) is None


def test_targets_inside_a_sentence():
    found = find_targets("每年组织督查人员到外地对标学习不少于2次，学习外地经验；领导批示及交办事项办结率达到90%以上。")
    assert [(t.op, t.value, t.unit) for t in found] == [(">=", Decimal(2), "次"), (">=", Decimal(90), "%")]
    assert found[-1].label == "领导批示及交办事项办结率"


def test_grammar_is_data():
    assert all(isinstance(rx, str) and op in {">=", "<=", ">", "<", "="} for rx, op in TARGET_PATTERNS)
