"""Labels of the performance (绩效) part of a disclosure: the printed header cells and paragraph
labels every layout uses, mapped to the field they introduce.

Tables are recognised by these labels, never by their position or by the document they come
from: the same rows come as flattened text, Word or HTML tables. Add an alias here to accept a
new wording.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Label cells of a project table (项目支出绩效目标表) -> field.
PROJECT_LABELS: dict[str, str] = {
    "项目编码": "project_code",
    "项目代码": "project_code",
    "项目编号": "project_code",
    "项目名称": "project_name",
    "预算数": "budget",
    "预算金额": "budget",
    "预算资金": "budget",
    "项目预算": "budget",
    "项目预算数": "budget",
    "年度预算数": "budget",
    "资金总额": "budget",
    "年度资金总额": "budget",
    "财政资金": "fiscal_funds",
    "财政拨款": "fiscal_funds",
    "财政拨款资金": "fiscal_funds",
    "财政性资金": "fiscal_funds",
    "其他资金": "other_funds",
    "其他来源资金": "other_funds",
    "项目资金总额": "budget",
    # A row label introducing the amounts (its parentheses may print the unit: '项目资金(元)').
    "项目资金": "amount_block",
    "资金情况": "amount_block",
    # Labels read but not kept (they must not be taken for the value of the label before them).
    "年度资金申请总额": "other",
    "当年财政拨款": "other",
    "上年结转资金": "other",
    "项目性质": "other",
    "项目类别": "other",
    "主管部门": "other",
    "实施单位": "other",
    "计划开始日期": "other",
    "计划完成日期": "other",
    "项目总目标": "goal_part",
    "年度总体目标": "goal_part_year",
    # A row label whose text (资金用途) sits in the row below.
    "预算规模及资金用途": "budget_block",
    "资金规模及用途": "budget_block",
    "资金用途": "purpose",
    "项目用途": "purpose",
    "主要用途": "purpose",
    "资金支出计划": "spending_plan",
    "支出计划": "spending_plan",
    "资金支出进度计划": "spending_plan",
    "绩效目标": "goals",
    "年度绩效目标": "goals",
    "项目绩效目标": "goals",
    "年度目标": "goals",
}

# Header cells of the indicator part (一级指标 … 指标值确定依据) -> Indicator field.
INDICATOR_COLUMNS: dict[str, str] = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "level3",
    "绩效指标描述": "description",
    "指标描述": "description",
    "指标内容": "description",
    "指标值": "target",
    "目标值": "target",
    "指标目标值": "target",
    "年度指标值": "target",
    "年度(/项目)指标值": "target",
    "指标值确定依据": "basis",
    "指标值设定依据": "basis",
    "确定依据": "basis",
}

# Paragraph labels (职责描述：…) and table headers of the department's 分项绩效目标 -> field.
GOAL_LABELS: dict[str, str] = {
    "职责描述": "duty",
    "职责": "duty",
    "主要职责": "duty",
    "年度绩效目标": "annual_goal",
    "绩效目标": "annual_goal",
    "工作活动绩效指标": "indicator_text",
    "绩效指标": "indicator_text",
    "活动绩效指标": "indicator_text",
}
GOAL_TABLE_COLUMNS: dict[str, str] = {
    "序号": "seq",
    "名称": "name",
    "分项名称": "name",
    "工作活动": "name",
    "活动名称": "name",
    "项目名称": "name",
    **GOAL_LABELS,
}
# The heading that opens the department's itemised goals.
GOALS_HEADING_KEYS: tuple[str, ...] = ("分项绩效目标", "部门分项绩效目标", "工作活动绩效目标")

# The printed unit of a table: '单位：万元', '金额单位:元'.
UNIT_CELL_RE = re.compile(r"^\s*(?:金额)?单位\s*[:：]\s*(?P<unit>[^\s,，;；]+)\s*$")
# A numbered caption or item: '1.值班系统保障服务费绩效目标表', '3、信息收集与督查调研'.
NUMBERED_RE = re.compile(r"^\s*(?P<seq>\d{1,3})\s*[.．、]\s*(?P<text>\S.*?)\s*$")
# A project disclosed only by its number: '12. 此项涉密', '5、XX经费(涉密,不予公开)'.
WITHHELD_RE = re.compile(
    r"^\s*(?P<seq>\d{1,3})\s*[.．、]\s*(?P<name>.*?)\s*[:：(（]?\s*(?:此项|该项|本项)?(?:内容)?涉密"
    r"(?:项目|事项)?\s*[,，、]?\s*(?:不予公开|不公开)?\s*[)）]?\s*[。.]?\s*$"
)
# Section headings: '五、绩效预算信息情况', '(二)分项绩效目标' (full-width parentheses normalized).
TOP_HEADING_RE = re.compile(r"^\s*[一二三四五六七八九十]+\s*、")
SUB_HEADING_RE = re.compile(r"^\s*[(（]\s*[一二三四五六七八九十]+\s*[)）]")

_PAREN_TAIL = re.compile(r"[(（]([^()（）]*)[)）]$")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=16384)
def label_key(cell: str | None) -> str:
    """The comparable form of a label cell: no spaces, no '其中：' prefix, no trailing '(%)' or
    '(万元)', no trailing colon. '其中：财政资金' -> '财政资金'; '资金支出计划(%)' -> '资金支出计划'."""
    s = _SPACE.sub("", cell or "")
    s = _PAREN_TAIL.sub("", s)
    s = s.rstrip(":：")
    if s.startswith("其中"):
        s = s[2:].lstrip(":：")
    return s


def label_unit(cell: str | None) -> str | None:
    """The unit printed in a label's parentheses: '预算数(万元)' -> '万元'; '(%)' -> '%'."""
    m = _PAREN_TAIL.search(_SPACE.sub("", cell or ""))
    if not m:
        return None
    inner = m.group(1)
    m2 = UNIT_CELL_RE.match(inner)
    return m2.group("unit") if m2 else (inner or None)


def heading_key(text: str) -> str:
    """A heading without its numbering: '(二)分项绩效目标' -> '分项绩效目标'."""
    s = SUB_HEADING_RE.sub("", text)
    s = TOP_HEADING_RE.sub("", s)
    return _SPACE.sub("", s)


def is_heading(text: str) -> bool:
    return bool(TOP_HEADING_RE.match(text) or SUB_HEADING_RE.match(text))


def cell_text(row: list[str], columns: dict[str, int], name: str) -> str | None:
    """The stripped text of column ``name`` of ``row`` (None when absent or empty)."""
    j = columns.get(name)
    if j is None or j >= len(row):
        return None
    return row[j].strip() or None
