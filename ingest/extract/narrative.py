"""Narrative amounts: every '标签…数字万元' in the explanatory text becomes a Statement.

The engine knows no layout. It finds amount, percentage and quantity tokens in each sentence and
gives each the statement_key of the nearest *fresh* label before it (a label printed after the
previous token), from the alias tables ``rules/narrative_labels*.csv`` (statement_key, measure,
pattern, sections). A verb between label and amount (增加/减少/持平…) makes it a change; the years
in the clause give the reference year, the base year and the phase (预算 / 执行数 / 决算).

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
from ..sections import paragraphs_with_sections, section_path

RULES_DIR = Path(__file__).parent / "rules"

MONEY_UNITS = ("亿元", "万元", "元")
QUANTITY_UNITS = ("平方米", "辆", "件", "套", "台", "个", "人", "项", "次")
TOKEN_RE = re.compile(
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
PREV_YEAR_END_RE = re.compile(r"上年末|上年度末|年初")
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


@lru_cache(maxsize=1)
def label_rules() -> tuple[LabelRule, ...]:
    rules: list[LabelRule] = []
    for path in sorted(RULES_DIR.glob("narrative_labels*.csv")):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                secs = frozenset(s for s in (row.get("sections") or "").split("|") if s)
                rules.append(LabelRule(row["statement_key"], row["measure"], re.compile(row["pattern"]), secs))
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


def best_label(scope: str, fresh_from: int, measure: str, keys: list[str]) -> tuple[LabelRule, re.Match] | None:
    """The rule whose match ends nearest the end of ``scope`` (then the longest), among matches
    ending after ``fresh_from``."""
    best = None
    for rule in label_rules():
        if rule.measure != measure or not _applicable(rule, keys):
            continue
        for m in rule.pattern.finditer(scope):
            if m.end() <= fresh_from:
                continue
            rank = (m.end(), m.end() - m.start())
            if best is None or rank > best[0]:
                best = (rank, rule, m)
    return (best[1], best[2]) if best else None


@dataclass
class Context:
    fiscal_year: int | None
    kind: str | None
    page: int
    para_start: int
    keys: list[str]


def _phase(text: str, kind: str | None) -> str:
    if "执行数" in text or "执行情况" in text:
        return "execution"
    if "决算" in text:
        return "actual"
    if "预算" in text:
        return "budget"
    return "actual" if kind == "final_accounts" else "budget"


def _years(prefix: str, ctx: Context) -> tuple[int | None, int | None, str]:
    """(reference_year, base_year, phase text) stated in ``prefix`` (the sentence up to the
    amount). The latest year mention wins; a '比2020年…' construction gives the base year and
    its words do not count for the reference year or the phase."""
    base = None
    bm = None
    for bm in BASE_YEAR_RE.finditer(prefix):
        pass
    if bm:
        base = (ctx.fiscal_year - 1 if ctx.fiscal_year else None) if bm.group(1) == "上" else int(bm.group(1))
    own = prefix[: bm.start()] if bm else prefix
    marks: list[tuple[int, int]] = [(m.start(), int(m.group(1))) for m in YEAR_RE.finditer(own)]
    if ctx.fiscal_year:
        marks += [(m.start(), ctx.fiscal_year - 1) for m in PREV_YEAR_END_RE.finditer(own)]
    ref = max(marks)[1] if marks else ctx.fiscal_year
    phase_text = own[max(marks)[0]:] if marks else own
    return ref, base, phase_text


def sentence_statements(sentence: str, offset: int, ctx: Context, ex: Extraction) -> list[Statement]:
    """Statements of one sentence. ``offset`` is the sentence's position in the page text."""
    out: list[Statement] = []
    toks = tokens_in(sentence)
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
        if tok.kind == "qty":
            hit = best_label(scope, fresh_from, "quantity", ctx.keys)
            if hit:
                rule, m = hit
                out.append(_statement(rule.statement_key, tok, offset, ctx, sentence[:tok.start], measure="quantity",
                                      label=m.group(0)))
            prev_end, prev_tok = tok.end, tok
            continue
        if tok.kind == "pct":
            prev_end, prev_tok = tok.end, tok
            stmt = _percent_statement(sentence, scope, fresh_from, tok, offset, ctx, last_key, i)
            if stmt:
                out.append(stmt)
            continue
        hit = best_label(scope, fresh_from, "amount", ctx.keys)
        quantity = None
        if hit is None and prev_tok is not None and prev_tok.kind == "qty" and tok.start - prev_tok.end <= 1:
            # '可替代工程设备35件98.02万元': the amount of the counted item before it.
            qty_scope = sentence[clause_start:prev_tok.start]
            hit = best_label(qty_scope, max(0, (last_end_before(toks, i - 1) or 0) - clause_start), "amount", ctx.keys)
            quantity = (parse_number(prev_tok.number), prev_tok.unit)
        if hit is None:
            item = _unlabelled_item(sentence, clause_start, fresh_from, tok, prev_tok, ctx)
            if item:
                key, label, quantity = item
                out.append(_statement(key, tok, offset, ctx, sentence[:tok.start], label=label, quantity=quantity))
            else:
                ex.issues.append(ParseIssue(
                    severity="info", code="unlabelled_amount", page=ctx.page,
                    message=f"an amount no rule names: …{sentence[max(0, tok.start - 25):tok.end]}…"))
            prev_end, prev_tok = tok.end, tok
            continue
        rule, m = hit
        stmt = _statement(rule.statement_key, tok, offset, ctx, sentence[:tok.start], label=m.group(0), quantity=quantity,
                          verb_text=lead)
        out.append(stmt)
        last_key[i] = (rule.statement_key, m.group(0))
        after = sentence[tok.end:]
        for key, pat, implied in DERIVED_RULES:
            if key == rule.statement_key and stmt.measure == "amount" and pat.search(after):
                out.append(Statement(**{**stmt.__dict__, "statement_key": implied, "is_derived": True,
                                        "label": pat.search(after).group(0).strip("，, ")}))
        prev_end, prev_tok = tok.end, tok
    return out


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
        if m.end() > cut:
            cut = m.end()
    return cut


def _percent_statement(sentence: str, scope: str, fresh_from: int, tok: Token, offset: int, ctx: Context,
                       last_key: dict[int, tuple[str, str]], i: int) -> Statement | None:
    """A percentage right after a change verb is the change in percent of the last labelled
    amount's key (or of a fresh label)."""
    lead = scope[fresh_from:]
    if not (UP_RE.search(lead) or DOWN_RE.search(lead)):
        return None
    hit = best_label(scope, fresh_from, "amount", ctx.keys)
    if hit:
        key, label = hit[0].statement_key, hit[1].group(0)
    elif last_key:
        key, label = last_key[max(last_key)]
    else:
        return None
    return _statement(key, tok, offset, ctx, sentence[:tok.start], measure="change_pct", label=label, verb_text=lead)


def _statement(key: str, tok: Token, offset: int, ctx: Context, prefix: str, *, measure: str = "amount",
               label: str | None = None, quantity: tuple[Decimal, str] | None = None,
               verb_text: str = "") -> Statement:
    value = parse_number(tok.number)
    ref, base, phase_text = _years(prefix, ctx)
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
    phase = "actual" if PREV_YEAR_END_RE.match(phase_text) else _phase(phase_text, ctx.kind)
    return Statement(
        statement_key=key, amount_yuan=amount_yuan, printed_value=f"{tok.number}{tok.unit}",
        printed_unit=tok.unit if tok.kind == "money" else None, reference_year=ref, phase=phase,
        measure=measure, source="narrative", page=ctx.page, char_start=offset + tok.start,
        char_end=offset + tok.end, base_year=base if measure in ("change", "change_pct") else None,
        label=label, quantity=qty, quantity_unit=qty_unit, section_key=ctx.keys[0] if ctx.keys else None,
        percent=percent,
    )


def extract_narrative(doc: Document, ex: Extraction) -> None:
    for para, sec in paragraphs_with_sections(doc, ex):
        keys = section_path(ex, sec)
        if keys and keys[0] in SKIP_SECTIONS:
            continue
        ctx = Context(ex.profile.fiscal_year, ex.profile.disclosure_kind, para.page, para.char_start, keys)
        for sm in SENTENCE_RE.finditer(para.text):
            ex.statements.extend(sentence_statements(sm.group(0), para.char_start + sm.start(), ctx, ex))
