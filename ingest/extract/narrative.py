"""Narrative amounts: every '标签…数字万元' in the explanatory text becomes a Statement.

The engine knows no layout. It finds amount, percentage and quantity tokens in each sentence and
gives each the statement_key of the nearest *fresh* label before it (a label printed after the
previous token), from the alias tables ``rules/narrative_labels*.csv`` (statement_key, measure,
pattern, sections, role). A verb between label and amount (增加/减少/持平…) makes it a change; the years
in the clause give the reference year, the base year and the phase (预算 / 执行数 / 决算).

Labels in context. A source of funds (rules with role 'qualifier': 财政拨款, 一般公共预算拨款,
政府性基金预算 …) printed right after another label or a cost item qualifies it and labels nothing
('机关运行经费财政拨款预算1698.15万元' is 机关运行经费, '上年结转财政拨款16.49万元' the carry-over);
printed as '，其中' part of the figure before it, it is that revenue's part, the same fund's
expenditure for an expenditure, and nothing for any other figure. A label followed by more things
('“三公”经费及会议费、培训费预算支出共…') labels nothing. A heading that is a label and nothing
else ('(一)因公出国(境)费用。2026年预算数14.85万元') is the subject of the amounts after it that
name nothing but their year and phase, until the next numbered item or labelled figure.

Beyond labels (see ``narrative_items``): an amount right after a functional-classification path
('“一般公共服务支出(类)…(项)”25.77万元') is an ``expenditure.function_item`` with the path as its
``label``, and the path stays the subject of the figures that follow it; a change verb or a bare
phase lead ('，比2023年预算减少876.75万元', '，支出决算为…') keeps the subject of the figure
before it in the sentence. Sentences the PDF broke over several paragraphs are joined first
(``narrative_runs``), page numbers left out and letter-spacing squeezed.

Phases: '预算'/'年初预算' -> 'budget', '执行数' -> 'execution', '决算'/'截至…' -> 'actual', and
'全年预算'/'调整预算' (a final account's budget after the year's adjustments) -> 'adjusted_budget',
a phase of its own so that it never mixes with the 年初预算. Percentages: after a change verb a
'change_pct'; after '占…' a 'share_pct'; after '完成…预算的' a 'completion_pct' whose phase is the
budget it is measured against ('budget' for 年初预算, 'adjusted_budget' for 全年预算).

An amount no label claims is reported as a parse issue (info), never guessed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..amounts import NUMBER_RE, parse_number, to_yuan
from ..model import Document, Extraction, ParseIssue, Statement
from ..sections import section_path
from .narrative_items import ITEM_NUMBER_RE, class_paths, is_phase_lead, item_head, path_before, path_label
from .narrative_runs import Run, paragraph_runs

RULES_DIR = Path(__file__).parent / "rules"

MONEY_UNITS = ("亿元", "万元", "元")
QUANTITY_UNITS = ("平方米", "辆", "件", "套", "台", "个", "人", "项", "次")
# A match never starts at a digit that follows a digit, except up to three digits before a
# thousands separator (where the old pattern could start one): the same tokens, but a long run of
# digits costs one scan instead of one per digit (a 20,000-digit line took a minute).
TOKEN_RE = re.compile(
    rf"(?:(?<!\d)|(?!\d)|(?=\d{{1,3}}[,，]))"
    rf"(?P<num>{NUMBER_RE})\s*(?:(?P<money>{'|'.join(MONEY_UNITS)})|(?P<pct>%)|(?P<qty>{'|'.join(QUANTITY_UNITS)}))"
)
# A measure word with no numeral before it ('系统套160万元') counts one item.
BARE_QUANTITY_RE = re.compile(rf"(?<![\d.])(?P<qty>{'|'.join(QUANTITY_UNITS)})$")
CLAUSE_BREAK_RE = re.compile(r"[；;]")
SENTENCE_RE = re.compile(r"[^。]+。?")
YEAR_RE = re.compile(r"(20\d{2})\s*年")
BASE_YEAR_RE = re.compile(r"(?:比|较|与|同)\s*(20\d{2}|上)\s*年(?:度)?")
UP_RE = re.compile(r"(增加|增长|上升|提高|增幅|多)\s*(了)?\s*$")
DOWN_RE = re.compile(r"(减少|下降|降低|压减|减幅|少|节约|缩减)\s*(了)?\s*$")
FLAT_RE = re.compile(r"持平")
SHARE_RE = re.compile(r"占[^，。；]*?(?:比[重例]?|的)?\s*$")
PREV_YEAR_END_RE = re.compile(r"上年末|上年度末|年初(?!预算)")
AS_OF_RE = re.compile(r"截[至止]\s*$")
PHASE_WORD_RE = re.compile(r"预算|决算|执行数")
COMPLETION_RE = re.compile(r"完成[^，,。；;]*?(?P<base>年初预算|全年预算|调整预算|预算)(?:数)?的?\s*$")
FUNCTION_ITEM = "expenditure.function_item"
# Text right before a qualifier that makes it qualify a cost item: '委托业务费财政拨款预算',
# '委托业务费涉及财政拨款资金'.
COST_ITEM_END_RE = re.compile(r"费(?:用)?(?:涉及|安排的?)?\s*$")
# Text right after a qualifier that makes it qualify the cost item after it: '一般公共预算拨款安排的
# 会议费预算支出10.05万元' is about the 会议费, not the appropriation.
QUALIFIES_ITEM_AFTER_RE = re.compile(r"\s*(?:安排|用于)的?\s*[\u4e00-\u9fff“”\"]{0,12}?费(?:用)?")
# A label followed by more things the amount is about ('“三公”经费及会议费、培训费预算支出共').
SHARED_LABEL_RE = re.compile(r"\s*(?:及|和|与|、)\s*[\u4e00-\u9fff“\"]")
# '，其中': the amount after it is a part of the one before it.
PART_LEAD_RE = re.compile(r"^[\s，,；;、]*其中")
# The lead of an amount that names nothing but its year and phase ('2026年预算数', '，年初预算为'):
# a heading's amount.
BARE_LEAD_RE = re.compile(
    r"^[\s，,、：:]*(?:20\d{2}\s*年度?)?\s*(?:本年|当年)?\s*(?:年初|全年)?\s*(?:预算|决算)?(?:数|安排)?\s*(?:为|是)?\s*$")
# The number of a heading: '(一)', '一、', '1.', '1、', '(1)'.
HEADING_MARK_RE = re.compile(r"^(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[、.．])\s*")
FUND_NAME_RE = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算")
# A phase named after a label ('“三公”经费…年初预算为', '公务接待费支出决算为') is no label itself.
PHASE_TAIL_RE = re.compile(r"(?:年初预算|全年预算|调整(?:后)?预算|决算)(?:数)?\s*(?:为|是)?\s*$")
SKIP_SECTIONS = {"performance.goals", "performance.projects", "performance.overall", "glossary",
                 "performance.measures"}
# Text after an amount that implies a second statement: (key of the amount, regex, implied key).
DERIVED_RULES: list[tuple[str, re.Pattern[str], str]] = [
    ("revenue.total", re.compile(r"^[，,]?\s*全部为财政拨款(?:收入)?"), "revenue.fiscal_appropriation"),
    ("expenditure.total", re.compile(r"^[，,]?\s*全部为财政拨款(?:支出)?"), "expenditure.fiscal_appropriation"),
]


@dataclass(frozen=True)
class LabelRule:
    statement_key: str
    measure: str  # 'amount' rules label money tokens, 'quantity' rules label quantity tokens
    pattern: re.Pattern[str]
    sections: frozenset[str]
    # A label that also qualifies another one (a source of funds: '财政拨款', '政府性基金预算'):
    # printed right after another label or a cost item ('机关运行经费财政拨款预算',
    # '上年结转财政拨款', '委托业务费财政拨款预算') it says how that item is funded, and is no
    # label of the amount.
    qualifier: bool = False


@lru_cache(maxsize=1)
def label_rules() -> tuple[LabelRule, ...]:
    rules: list[LabelRule] = []
    for path in sorted(RULES_DIR.glob("narrative_labels*.csv")):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                secs = frozenset(s for s in (row.get("sections") or "").split("|") if s)
                rules.append(LabelRule(row["statement_key"], row["measure"], re.compile(row["pattern"]), secs,
                                       (row.get("role") or "") == "qualifier"))
    return tuple(rules)


@dataclass
class Token:
    start: int
    end: int
    number: str
    kind: str  # 'money' | 'pct' | 'qty'
    unit: str


def tokens_in(text: str) -> list[Token]:
    out = []
    for m in TOKEN_RE.finditer(text):
        # skip years and dates ('2021年', '3月底' have no unit here, so only guard '20xx' + qty)
        kind = "money" if m.group("money") else "pct" if m.group("pct") else "qty"
        unit = m.group("money") or m.group("pct") or m.group("qty")
        out.append(Token(m.start(), m.end(), m.group("num"), kind, unit))
    return out


def _applicable(rule: LabelRule, keys: list[str]) -> bool:
    return not rule.sections or any(k in rule.sections or k.split(".")[0] in rule.sections for k in keys)


def rules_for(measure: str, keys: list[str]) -> tuple[LabelRule, ...]:
    """The label rules of ``measure`` that apply in a section of ``keys``, in rule order."""
    return _rules_for(measure, tuple(keys))


@lru_cache(maxsize=256)
def _rules_for(measure: str, keys: tuple[str, ...]) -> tuple[LabelRule, ...]:
    return tuple(rule for rule in label_rules() if rule.measure == measure and _applicable(rule, list(keys)))


@lru_cache(maxsize=256)
def _any_rule(measure: str, keys: tuple[str, ...]) -> re.Pattern[str] | None:
    """The patterns of ``rules_for(measure, keys)`` as one alternation: it matches (searched, or in
    full) where one of them does, in one call of the regex engine instead of one a rule. A
    sentence most rules do not match is let go at once; one that some rule matches is read rule
    by rule as before. None when the patterns cannot be joined (flags of their own)."""
    rules = _rules_for(measure, keys)
    if not rules or any(r.pattern.flags != re.UNICODE or r.pattern.groups for r in rules):
        return None
    try:
        return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rules))
    except re.error:
        return None


def best_label(scope: str, fresh_from: int, measure: str, keys: list[str]) -> tuple[LabelRule, re.Match] | None:
    """The rule whose match ends nearest the end of ``scope`` (then the longest), among matches
    ending after ``fresh_from``; a qualifier printed right after another label or a cost item,
    or right before the cost item it pays for ('…拨款安排的会议费'), does not count
    (:attr:`LabelRule.qualifier`). A label the amount shares with other things
    ('“三公”经费及会议费、培训费预算支出共263.72万元') labels nothing: None."""
    anywhere = _any_rule(measure, tuple(keys))
    if anywhere is not None and anywhere.search(scope) is None:
        return None  # no rule matches: nothing labels it
    matches = [(rule, m) for rule in rules_for(measure, keys)
               for m in rule.pattern.finditer(scope) if m.end() > m.start()]
    ends = {m.end() for _, m in matches}
    best = None
    for rule, m in matches:
        if m.end() <= fresh_from:
            continue
        if rule.qualifier and (m.start() in ends or (scope[m.start() - 1:m.start()] == "的" and m.start() - 1 in ends)
                               or COST_ITEM_END_RE.search(scope, 0, m.start())
                               or QUALIFIES_ITEM_AFTER_RE.match(scope, m.end())):
            continue
        rank = (m.end(), m.end() - m.start())
        if best is None or rank > best[0]:
            best = (rank, rule, m)
    if best is None or SHARED_LABEL_RE.match(scope, best[2].end()):
        return None
    return best[1], best[2]


def heading_label(sentence: str, keys: list[str]) -> tuple[str, str] | None:
    """(statement_key, label) of a heading that is a label and nothing else ('(一)因公出国(境)
    费用。', '(二)公务接待费', '3.公务用车购置及运行维护费：'): the subject of the next amount
    printed without a label of its own ('2026年预算数14.85万元')."""
    text = HEADING_MARK_RE.sub("", sentence.strip(), count=1).rstrip("。：: ")
    whole = _any_rule("amount", tuple(keys))
    if whole is not None and whole.fullmatch(text) is None:
        return None  # no rule matches the whole heading
    for rule in rules_for("amount", keys):
        if rule.pattern.fullmatch(text):
            return rule.statement_key, text
    return None


@dataclass
class Context:
    fiscal_year: int | None
    kind: str | None
    run: Run
    keys: list[str]
    # The class path the following figures are about (set by a path, kept across sentences).
    subject: tuple[str, str] | None = None
    # The (key, label) of a heading that is a label only ('(一)因公出国(境)费用。'): the subject
    # of the amounts after it that have no label of their own, until the next numbered item, a
    # labelled figure or the end of the section.
    heading: tuple[str, str] | None = None

    def span(self, offset: int, tok: Token) -> tuple[int, int, int]:
        return self.run.span(offset + tok.start, offset + tok.end)


def _phase(text: str, kind: str | None) -> str:
    text = FUND_NAME_RE.sub("", text)  # '一般公共预算' names a fund, not the budget phase
    if "执行数" in text or "执行情况" in text:
        return "execution"
    if re.search(r"全年预算|调整(?:后)?预算", text):
        return "adjusted_budget"
    if "年初预算" in text:
        return "budget"
    if "决算" in text:
        return "actual"
    if "预算" in text:
        return "budget"
    return "actual" if kind == "final_accounts" else "budget"


def _years(prefix: str, ctx: Context, fresh_start: int = 0) -> tuple[int | None, int | None, str]:
    """(reference_year, base_year, phase text) stated in ``prefix`` (the sentence up to the
    amount). The latest year mention wins; a '比2020年…' construction gives the base year and
    its words do not count for the reference year or the phase. The phase text runs from the
    latest year mention, or from ``fresh_start`` (the end of the previous figure) when the text
    since then names a phase of its own ('…0.95万元，支出决算为'); '截至2023年…' reads 'actual'."""
    base = None
    bases = list(BASE_YEAR_RE.finditer(prefix))
    bm = bases[-1] if bases else None
    if bm:
        base = (ctx.fiscal_year - 1 if ctx.fiscal_year else None) if bm.group(1) == "上" else int(bm.group(1))
    own = prefix[: bm.start()] if bm else prefix
    # years of earlier comparisons ('比2023年预算减少…；…') are base years, never reference years
    marks: list[tuple[int, int]] = [(m.start(), int(m.group(1))) for m in YEAR_RE.finditer(own)
                                    if not any(b.start() <= m.start() < b.end() for b in bases)]
    if ctx.fiscal_year:
        marks += [(m.start(), ctx.fiscal_year - 1) for m in PREV_YEAR_END_RE.finditer(own)]
    ref = max(marks)[1] if marks else ctx.fiscal_year
    mark_at = max(marks)[0] if marks else 0
    phase_text = own[mark_at:]
    if fresh_start > mark_at and PHASE_WORD_RE.search(own[fresh_start:]):
        phase_text = own[fresh_start:]
    elif marks and AS_OF_RE.search(own[:mark_at]):
        phase_text = "截至" + phase_text
    return ref, base, phase_text


def sentence_statements(sentence: str, offset: int, ctx: Context, ex: Extraction) -> list[Statement]:
    """Statements of one sentence. ``offset`` is the sentence's position in the run text."""
    out: list[Statement] = []
    heading = heading_label(sentence, ctx.keys)
    if heading or HEADING_MARK_RE.match(sentence.strip()):
        ctx.heading = heading  # a numbered item that is not a label ends the heading's figures
    if heading:
        return out
    paths = [(m.start(), m.end()) for m in class_paths(sentence)]
    toks = [t for t in tokens_in(sentence) if not any(s <= t.start < e for s, e in paths)]
    head = item_head(sentence)
    if head:
        ctx.subject = (FUNCTION_ITEM, path_label(head))
    prev_end = 0
    prev_tok: Token | None = None
    last_key: dict[int, tuple[str, str]] = {}  # token index -> (key, label)
    for i, tok in enumerate(toks):
        clause_start = 0
        for cb in CLAUSE_BREAK_RE.finditer(sentence, 0, tok.start):
            clause_start = cb.end()
        scope = sentence[clause_start:tok.start]
        fresh_from = max(prev_end - clause_start, 0)
        lead = scope[fresh_from:]
        subject = last_key[max(last_key)] if last_key else (ctx.subject or ctx.heading)
        if tok.kind == "qty":
            hit = best_label(scope, fresh_from, "quantity", ctx.keys)
            if hit:
                rule, m = hit
                out.append(_statement(rule.statement_key, tok, offset, ctx, sentence[:tok.start], measure="quantity",
                                      label=m.group(0), fresh_start=prev_end))
            prev_end, prev_tok = tok.end, tok
            continue
        if tok.kind == "pct":
            prev_end, prev_tok = tok.end, tok
            stmt = _percent_statement(sentence, scope, fresh_from, tok, offset, ctx, subject)
            if stmt:
                out.append(stmt)
            continue
        path = path_before(lead)
        hit = None if path else _label_before_phase(scope, fresh_from, ctx.keys)
        labelled = (hit[0].statement_key, hit[1].group(0)) if hit else None
        if hit and hit[0].qualifier and i > 0 and PART_LEAD_RE.match(lead):
            labelled = _funded_part(labelled, last_key.get(i - 1))
        changes = bool(UP_RE.search(lead) or DOWN_RE.search(lead) or FLAT_RE.search(lead))
        if path:
            ctx.subject = key_label = (FUNCTION_ITEM, path_label(path))
        elif subject and (is_phase_lead(lead) or (labelled is None and (
                changes or ctx.subject or (ctx.heading and BARE_LEAD_RE.match(lead))))):
            key_label = subject  # the same figure in another phase, or its change, or a heading's figure
        elif labelled:
            key_label = labelled
            ctx.subject = ctx.heading = None  # a figure with a label of its own ends a path's or heading's
        else:
            key_label = None
        quantity = None
        if key_label is None and prev_tok is not None and prev_tok.kind == "qty" and tok.start - prev_tok.end <= 1:
            # '可替代工程设备35件98.02万元': the amount of the counted item before it.
            qty_scope = sentence[clause_start:prev_tok.start]
            hit = best_label(qty_scope, max(0, (last_end_before(toks, i - 1) or 0) - clause_start), "amount", ctx.keys)
            quantity = (parse_number(prev_tok.number), prev_tok.unit)
            if hit:
                key_label = (hit[0].statement_key, hit[1].group(0))
        if key_label is None:
            item = _unlabelled_item(sentence, clause_start, fresh_from, tok, prev_tok, ctx)
            if item:
                key, label, quantity = item
                out.append(_statement(key, tok, offset, ctx, sentence[:tok.start], label=label, quantity=quantity,
                                      fresh_start=prev_end))
            else:
                page = ctx.span(offset, tok)[0]
                ex.issues.append(ParseIssue(
                    severity="info", code="unlabelled_amount", page=page,
                    message=f"an amount no rule names: …{sentence[max(0, tok.start - 25):tok.end]}…"))
            prev_end, prev_tok = tok.end, tok
            continue
        key, label = key_label
        stmt = _statement(key, tok, offset, ctx, sentence[:tok.start], label=label, quantity=quantity,
                          verb_text=lead, fresh_start=prev_end)
        out.append(stmt)
        last_key[i] = key_label
        after = sentence[tok.end:]
        for dkey, pat, implied in DERIVED_RULES:
            if dkey == key and stmt.measure == "amount" and pat.search(after):
                out.append(Statement(**{**stmt.__dict__, "statement_key": implied, "is_derived": True,
                                        "label": pat.search(after).group(0).strip("，, ")}))
        prev_end, prev_tok = tok.end, tok
    return out



NONE_END_RE = re.compile(r"\s*(?:[。，,；;]|$)")  # the label is the whole thing there is none of
NONE_RE = re.compile(r"(?<![\u4e00-\u9fff])无|(?<=[年度部门单位院局])无")


def none_statements(sentence: str, offset: int, ctx: Context) -> list[Statement]:
    """'2024年…无机关运行经费。': a label right after 无 in a sentence without figures states a
    zero, kept as a derived statement (printed_value is the printed words, not a number)."""
    out: list[Statement] = []
    if ctx.keys and ctx.keys[0] == "tables":
        return out  # a table's own note ('本表为空表') is the table extractor's to read
    for nm in NONE_RE.finditer(sentence):
        best = None
        for rule in rules_for("amount", ctx.keys):
            m = rule.pattern.match(sentence, nm.end())
            if m and m.end() > m.start() and NONE_END_RE.match(sentence, m.end()) \
                    and (best is None or m.end() > best[1].end()):
                best = (rule, m)
        if best is None:
            continue
        rule, m = best
        ref, _, phase_text = _years(sentence[: nm.start()], ctx)
        page, start, end = ctx.run.span(offset + nm.start(), offset + m.end())
        out.append(Statement(
            statement_key=rule.statement_key, amount_yuan=Decimal("0.00"), printed_value=sentence[nm.start():m.end()],
            printed_unit=None, reference_year=ref, phase=_phase(phase_text, ctx.kind), measure="amount",
            source="narrative", page=page, char_start=start, char_end=end, label=m.group(0), is_derived=True,
            section_key=ctx.keys[0] if ctx.keys else None))
    return out


def _funded_part(part: tuple[str, str], parent: tuple[str, str] | None) -> tuple[str, str] | None:
    """A source of funds printed as '，其中' the part of the figure before it: a revenue's part
    ('收入预算…，其中：一般公共预算拨款收入…') keeps its revenue key, an expenditure's part
    ('支出预算…，其中：一般公共预算拨款…') is the same fund's expenditure, and the part of any
    other figure ('预算资金75万元，其中财政拨款75万元') is no revenue: None."""
    key, label = part
    if parent and parent[0].startswith("revenue."):
        return part
    if parent and parent[0].startswith("expenditure.") and key.startswith("revenue."):
        return "expenditure." + key.removeprefix("revenue."), label
    return None


def _label_before_phase(scope: str, fresh_from: int, keys: list[str]) -> tuple[LabelRule, re.Match] | None:
    """The amount label of ``scope``, read before a trailing phase phrase if there is one."""
    tail = PHASE_TAIL_RE.search(scope)
    if tail and tail.start() > fresh_from:
        hit = best_label(scope[: tail.start()], fresh_from, "amount", keys)
        if hit:
            return hit
    return best_label(scope, fresh_from, "amount", keys)


def last_end_before(toks: list[Token], i: int) -> int | None:
    return toks[i - 1].end if i - 1 >= 0 else None


_ITEM_PREFIX_RE = re.compile(r"^(?:[，,：:、]|其中|拟?(?:购置|采购|购买)|主要(?:用于|是))+")


def _unlabelled_item(sentence: str, clause_start: int, fresh_from: int, tok: Token, prev_tok: Token | None,
                     ctx: Context) -> tuple[str, str, tuple[Decimal, str] | None] | None:
    """In a procurement list ('其中：拟购置X套160万元，Y35件98.02万元') an amount without a
    vocabulary label is an item, labelled by the text before it."""
    if "procurement" not in ctx.keys or "其中" not in sentence[:tok.start]:
        return None
    lead_start = clause_start + fresh_from
    quantity = None
    end = tok.start
    if prev_tok is not None and prev_tok.kind == "qty" and tok.start - prev_tok.end <= 1:
        quantity = (parse_number(prev_tok.number), prev_tok.unit)
        end = prev_tok.start
        lead_start = clause_start + max(0, fresh_from - (prev_tok.end - prev_tok.start))
        lead_start = max(clause_start, min(lead_start, prev_tok.start))
        lead_start = _lead_start_before(sentence, clause_start, prev_tok.start)
    label = sentence[lead_start:end]
    bare = BARE_QUANTITY_RE.search(label)
    if quantity is None and bare:
        quantity = (Decimal(1), bare.group("qty"))
        label = label[: bare.start()]
    label = _ITEM_PREFIX_RE.sub("", label.strip()).strip("，,：: ")
    if not label:
        return None
    return "procurement.item", label, quantity


def _lead_start_before(sentence: str, clause_start: int, pos: int) -> int:
    """Start of the text describing an item that ends at ``pos`` (after the last separator)."""
    cut = clause_start
    for m in re.finditer(r"[，,、：:]", sentence[:pos]):
        cut = max(cut, m.end())
    return cut




def _percent_statement(sentence: str, scope: str, fresh_from: int, tok: Token, offset: int, ctx: Context,
                       subject: tuple[str, str] | None) -> Statement | None:
    """A percentage right after a change verb is the change in percent of the subject (the last
    labelled amount's key, or a fresh label); after '占…' it is the subject's share, after
    '完成…预算的' its completion rate. Any other percentage is not a figure of the vocabulary."""
    lead = scope[fresh_from:]
    prefix = sentence[:tok.start]
    completion = COMPLETION_RE.search(lead)
    if completion and subject:
        stmt = _statement(subject[0], tok, offset, ctx, prefix, measure="completion_pct", label=subject[1])
        stmt.phase = _phase(completion.group("base"), "budget")
        return stmt
    if SHARE_RE.search(lead) and lead.lstrip("，,、 ").startswith("占") and subject:
        return _statement(subject[0], tok, offset, ctx, prefix, measure="share_pct", label=subject[1])
    if not (UP_RE.search(lead) or DOWN_RE.search(lead)):
        return None
    hit = best_label(scope, fresh_from, "amount", ctx.keys)
    if hit and not is_phase_lead(lead):
        key, label = hit[0].statement_key, hit[1].group(0)
    elif subject:
        key, label = subject
    else:
        return None
    return _statement(key, tok, offset, ctx, prefix, measure="change_pct", label=label, verb_text=lead)


def _statement(key: str, tok: Token, offset: int, ctx: Context, prefix: str, *, measure: str = "amount",
               label: str | None = None, quantity: tuple[Decimal, str] | None = None,
               verb_text: str = "", fresh_start: int = 0) -> Statement:
    value = parse_number(tok.number)
    ref, base, phase_text = _years(prefix, ctx, fresh_start)
    sign = 1
    if measure in ("amount", "change_pct"):
        if UP_RE.search(verb_text):
            measure = "change" if measure == "amount" else measure
        elif DOWN_RE.search(verb_text):
            measure = "change" if measure == "amount" else measure
            sign = -1
        elif measure == "amount" and FLAT_RE.search(verb_text):
            measure = "change"
    if measure in ("change", "change_pct") and base is None and ctx.fiscal_year:
        base = (ref or ctx.fiscal_year) - 1
    amount_yuan = None
    percent = None
    qty = None
    qty_unit = None
    if value == 0:
        sign = 1  # no negative zero
    if tok.kind == "money":
        amount_yuan = to_yuan(value * sign, tok.unit)
    elif tok.kind == "pct":
        percent = value * sign
    else:
        qty, qty_unit = value, tok.unit
    if quantity:
        qty, qty_unit = quantity
    if PREV_YEAR_END_RE.match(phase_text) or phase_text.startswith("截至"):
        phase = "actual"
    else:
        phase = _phase(phase_text, ctx.kind)
    page, char_start, char_end = ctx.span(offset, tok)
    return Statement(
        statement_key=key, amount_yuan=amount_yuan, printed_value=f"{tok.number}{tok.unit}",
        printed_unit=tok.unit if tok.kind == "money" else None, reference_year=ref, phase=phase,
        measure=measure, source="narrative", page=page, char_start=char_start,
        char_end=char_end, base_year=base if measure in ("change", "change_pct") else None,
        label=label, quantity=qty, quantity_unit=qty_unit, section_key=ctx.keys[0] if ctx.keys else None,
        percent=percent,
    )


CONTEXT_MAX = 600  # characters of an item's explanation kept with its statements


class _ItemText:
    """The explanation of the function item being read: its sentences (from the one naming its
    class path to the next item, the next labelled figure or the end of its section), set as
    ``context`` on the item's statements when the item ends."""

    def __init__(self) -> None:
        self.subject: tuple[str, str] | None = None
        self.sentences: list[str] = []
        self.statements: list[Statement] = []

    def close(self) -> None:
        if self.subject is not None and self.statements:
            text = "".join(self.sentences).strip()[:CONTEXT_MAX]
            for stmt in self.statements:
                stmt.context = text or None
        self.subject, self.sentences, self.statements = None, [], []

    def add(self, sentence: str, found: list[Statement], subject: tuple[str, str] | None) -> None:
        if subject != self.subject or (self.sentences and ITEM_NUMBER_RE.match(sentence)):
            self.close()
            if subject is None or subject[0] != FUNCTION_ITEM:
                return
            self.subject = subject
        elif self.subject is None:
            return
        self.sentences.append(sentence)
        self.statements += [s for s in found if (s.statement_key, s.label) == self.subject]


def extract_narrative(doc: Document, ex: Extraction) -> None:
    subject: tuple[str, str] | None = None
    heading: tuple[str, str] | None = None
    section = None
    item = _ItemText()
    for run in paragraph_runs(doc, ex):
        keys = section_path(ex, run.section)
        if run.section is not section:
            subject, heading, section = None, None, run.section  # a path's figures end with its section
            item.close()
        if keys and keys[0] in SKIP_SECTIONS:
            continue
        ctx = Context(ex.profile.fiscal_year, ex.profile.disclosure_kind, run, keys, subject, heading)
        for sm in SENTENCE_RE.finditer(run.text):
            sentence = sm.group(0)
            found = sentence_statements(sentence, sm.start(), ctx, ex)
            if not found and not tokens_in(sentence):
                found = none_statements(sentence, sm.start(), ctx)
            ex.statements.extend(found)
            item.add(sentence, found, ctx.subject)
        subject, heading = ctx.subject, ctx.heading
    item.close()
