"""Grammar the narrative engine needs beyond label aliases: functional-classification paths and
phase leads.

*Class paths.* The explanation of the 支出功能分类 names each item by its class path, printed in
one of three ways::

    “一般公共服务支出(类)统计信息事务(款)专项普查活动(项)”25.77万元
    “一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行”科目1,202.95万元
    公共安全支出(204类)司法(06款)行政运行(01项)1672.67万元

An amount right after a path is the item's amount (statement_key ``expenditure.function_item``,
the path in ``label``), and the path stays the subject of the figures that follow it (the prior
year's 执行数, the change, 年初预算 / 全年预算 / 决算) until the next path, the next section or a
figure with a label of its own. A path at the start of a numbered sentence without an amount
('1、一般公共服务支出(类)财政事务(款)行政运行(项)。主要用于：…') opens the subject as well.

*Phase leads.* Text between two amounts that only names a phase ('，支出决算为', '全年预算为',
'2024年预算安排') does not change the subject: the amount after it is the same figure in
another phase, not a new label ('支出决算' is otherwise a label for expenditure.total).
"""

from __future__ import annotations

import re

# One level's name: text without brackets or list punctuation, with optional short bracketed
# parts that are not a level marker ('政府办公厅(室)', '因公出国(境)').
_NAME = r"[^()“”\"，。；：:、\s\d]+(?:\((?!\d*[类款项]\))[^()]{1,4}\)[^()“”\"，。；：:、\s\d]*)*"
_LEVEL_PATH = rf"{_NAME}\(\d*类\)(?:{_NAME}\(\d*款\))?(?:{_NAME}\(\d*项\))?"
_DASH_PATH = r"[^“”\"，。；：:\s\d-]+(?:-[^“”\"，。；：:\s\d-]+){1,2}"
CLASS_PATH_RE = re.compile(
    rf"[“\"](?P<q>{_LEVEL_PATH}|{_DASH_PATH})[”\"]\s*(?:科目)?|(?P<p>{_LEVEL_PATH})(?:科目)?")
# The same, for searching: an unquoted path starts where a run of name characters starts (or
# right after a path's '科目'); an attempt from inside a run can only fail where the attempt from
# its start failed, so the matches are the same, and a long run costs one scan, not one per
# character (a 20,000-character line without punctuation took seconds per search).
_SEARCH_RE = re.compile(
    rf"[“\"](?P<q>{_LEVEL_PATH}|{_DASH_PATH})[”\"]\s*(?:科目)?"
    rf"|(?:(?<![^()“”\"，。；：:、\s\d])|(?<=科目))(?P<p>{_LEVEL_PATH})(?:科目)?")
# A numbered item opening a sentence: '1. ', '1、', '(1)'.
ITEM_NUMBER_RE = re.compile(r"^\s*(?:\d{1,2}\s*[、.．]|\(\d{1,2}\))\s*")

PHASE_LEAD_RE = re.compile(
    r"^[\s，,、：:]*(?:20\d{2}\s*年(?:度)?)?\s*(?:当年)?\s*(?:支出)?\s*"
    r"(?:年初预算|全年预算|调整预算|调整后预算|预算执行数|执行数|预算安排|决算)(?:数)?\s*(?:为|是)?\s*$")


def path_label(m: re.Match[str]) -> str:
    return (m.group("q") or m.group("p")).strip()


def class_paths(text: str) -> list[re.Match[str]]:
    return list(_SEARCH_RE.finditer(text))


def path_before(lead: str) -> re.Match[str] | None:
    """A class path the ``lead`` text ends with (an amount follows it directly)."""
    last = None
    for m in _SEARCH_RE.finditer(lead):
        last = m
    if last is not None and not lead[last.end():].strip(" 　:：为"):
        return last
    return None


def item_head(sentence: str) -> re.Match[str] | None:
    """The class path a numbered sentence opens with, if any."""
    num = ITEM_NUMBER_RE.match(sentence)
    if not num:
        return None
    m = CLASS_PATH_RE.match(sentence, num.end())
    return m


_OPEN_PATH_RE = re.compile(r"\(\d*类\)(?!.*\(\d*项\))[^。]*$")


def opens_class_path(text: str) -> bool:
    """A line that stops inside a class path ('4、社会保障和就业支出(类)行政事业单位养老支出(款)机'):
    the heading rules take such a short numbered line for a heading, but the path goes on."""
    return bool(_OPEN_PATH_RE.search(text.rstrip()))


def is_phase_lead(lead: str) -> bool:
    return bool(PHASE_LEAD_RE.match(lead))
