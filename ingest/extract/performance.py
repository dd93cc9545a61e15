"""Performance budget information (绩效预算信息) → department goals, projects, spending plans and
indicators.

``extract_performance(doc, ex)`` appends to ``ex.department_goals`` (see
:mod:`.performance_goals`), ``ex.projects``, ``ex.spending_plan`` and ``ex.indicators``.

Project tables (项目支出绩效目标表) are found by their label cells (项目编码, 项目名称, 预算数,
资金支出计划, 绩效目标, 一级指标 …, see :mod:`.performance_labels`), in document order, so a
flattened text export and a Word or HTML rendering of the same tables read the same way:

- the caption above a table ('1.值班系统保障服务费绩效目标表') gives ``project_seq``;
- label/value pairs in a row ('项目编码', code, '项目名称', name) give the project's fields;
  amounts are read with :mod:`ingest.amounts` in the table's printed unit ('单位：万元');
- the row under '预算规模及资金用途' is the purpose; the row under '资金支出计划' the cumulative
  percentages at the checkpoints it names ('3月底' …);
- the row of 一级指标/二级指标/… headers maps the columns of the indicator rows below it; a
  merged (empty) level1/level2 cell carries the value from the row above. An indicator-only table
  right after a project table (a Word table split in two, or continued on the next page) belongs
  to that project.

A project disclosed only by its number ('12. 此项涉密') becomes a withheld Project. Whatever
cannot be read (no code, an amount that is not a number, a gap in the numbering) becomes a
ParseIssue naming the table and page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..amounts import UNIT_TO_YUAN, parse_amount, parse_percent, to_ascii_digits
from ..errors import AmountError
from ..model import Document, Extraction, Indicator, Paragraph, ParseIssue, Project, SpendingPlan, Table
from .performance_goals import extract_department_goals
from .performance_labels import (
    INDICATOR_COLUMNS,
    NUMBERED_RE,
    PROJECT_LABELS,
    UNIT_CELL_RE,
    WITHHELD_RE,
    cell_text,
    heading_key,
    is_heading,
    label_key,
    label_unit,
)
from .targets import parse_target

# Unit assumed for a project table that prints none (reported as a warning when used).
DEFAULT_PROJECT_UNIT = "万元"
# How many indicator header cells a row needs to count as the indicator header.
MIN_INDICATOR_HEADERS = 3
# Cells that mean "nothing printed" in an amount cell.
_BLANK_AMOUNTS = ("", "-", "—", "--", "/", "－", "——")
_AMOUNT_FIELDS = ("budget", "fiscal_funds", "other_funds")
# Labels whose value is the next non-empty, non-label cell of the row.
_VALUE_FIELDS = ("project_code", "project_name", "budget", "fiscal_funds", "other_funds", "purpose", "other")
_GOAL_PARTS = ("goal_part", "goal_part_year")


@dataclass
class _Draft:
    """A project table being read (it may span several Table blocks)."""

    seq: int
    caption: str | None
    page: int
    values: dict[str, str] = field(default_factory=dict)
    value_units: dict[str, str | None] = field(default_factory=dict)
    unit_label: str | None = None
    printed_unit: str | None = None
    purpose: str | None = None
    goals: str | None = None
    checkpoints: list[str] = field(default_factory=list)
    plan: list[tuple[str, str]] = field(default_factory=list)
    goal_columns: dict[int, str] = field(default_factory=dict)
    columns: dict[str, int] | None = None
    n_columns: int = 0
    rows: list[tuple[list[str], int]] = field(default_factory=list)  # indicator rows, page

    def where(self) -> str:
        return f"project table {self.seq}" + (f" ('{self.caption}')" if self.caption else "")


def extract_performance(doc: Document, ex: Extraction) -> None:
    """Append department goals, projects, spending plans and indicators to ``ex``."""
    extract_department_goals(doc, ex)
    extract_projects(doc, ex)


def extract_projects(doc: Document, ex: Extraction) -> None:
    """Append every project table (and every withheld project) of ``doc`` to ``ex``."""
    reader = _ProjectReader(doc, ex)
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            reader.paragraph(block)
        else:
            reader.table(block)
    reader.flush()
    reader.check_numbering()


class _ProjectReader:
    def __init__(self, doc: Document, ex: Extraction) -> None:
        self.doc, self.ex = doc, ex
        self.current: _Draft | None = None
        self.pending: list[Paragraph] = []  # paragraphs since the last table
        self.in_performance = False
        self.in_goals = False
        self.seqs: list[tuple[int, int]] = []  # (seq, page) of every project, in order

    # -- blocks -------------------------------------------------------------------------------
    def paragraph(self, p: Paragraph) -> None:
        text = p.text.strip()
        if not text:
            return
        if is_heading(text):
            key = heading_key(text)
            self.in_goals = "分项绩效目标" in key
            if not text.lstrip().startswith(("(", "（")):  # a top-level heading
                self.in_performance = "绩效" in key
        m = WITHHELD_RE.match(text)
        if m and not self.in_goals and (self.in_performance or self.seqs):
            self.flush()
            self._withheld(int(m.group("seq")), m.group("name"), p.page)
            self.pending = []
            return
        self.pending.append(p)

    def table(self, t: Table) -> None:
        keys = {PROJECT_LABELS.get(label_key(c)) for row in t.rows for c in row}
        has_header = any(self._indicator_columns(r) for r in t.rows)
        if "project_code" in keys or {"project_name", "budget"} <= keys:
            self.flush()
            self._start(t)
            self._read_rows(t)
        elif self.current is not None and not self._caption() and (has_header or self.current.columns):
            self._read_rows(t)  # the indicator part, or a continuation, of the current project
        self.pending = []

    # -- a project table ----------------------------------------------------------------------
    def _caption(self) -> Paragraph | None:
        for p in reversed(self.pending):
            if NUMBERED_RE.match(p.text) and not UNIT_CELL_RE.match(p.text):
                return p
        return None

    def _start(self, t: Table) -> None:
        cap = self._caption()
        caption = cap.text.strip() if cap else (t.title.strip() if t.title else None)
        self.current = self._new_draft(caption, t, t.page, f"table {t.index}")
        # The unit line printed as paragraphs between caption and table: '201001…本级', '单位：万元'.
        after = self.pending[self.pending.index(cap) + 1:] if cap else []
        units = [UNIT_CELL_RE.match(p.text) for p in after]
        if any(units):
            self.current.printed_unit = next(u.group("unit") for u in units if u)
            others = [p.text.strip() for p, u in zip(after, units) if not u and p.text.strip()]
            self.current.unit_label = " ".join(others) or None

    def _new_draft(self, caption: str | None, t: Table | None, page: int, where: str) -> _Draft:
        m = NUMBERED_RE.match(caption or "")
        if m:
            return _Draft(seq=int(m.group("seq")), caption=caption, page=page)
        seq = (self.seqs[-1][0] if self.seqs else 0) + 1
        self._issue("info", "project_seq_missing", page,
                    f"{where} on page {page}{f' ({caption!r})' if caption else ''} has no numbered caption; "
                    f"numbered {seq}, after the previous project")
        return _Draft(seq=seq, caption=caption, page=page)

    def _read_rows(self, t: Table) -> None:
        d = self.current
        assert d is not None
        mode: str | None = None  # 'purpose' | 'plan' | 'goals' when a label's content is below it
        for i, row in enumerate(t.rows):
            page = t.row_page(i)
            if not any(c.strip() for c in row):
                continue
            cols = self._indicator_columns(row)
            if cols:
                d.columns, d.n_columns, mode = cols, len(row), None
                continue
            keys = [PROJECT_LABELS.get(label_key(c)) for c in row]
            if d.columns is not None:
                if not {"project_code", "project_name"} & set(keys):
                    d.rows.append((row, page))
                    continue
                # the next project's label rows, in the same table (several forms on one page)
                self.flush()
                d = self.current = self._new_draft(None, None, page, f"table {t.index} row {i + 1}")
                mode = None
            if mode == "plan" and not any(k not in (None, "spending_plan") for k in keys):
                values = row[1:] if keys[0] == "spending_plan" or not row[0].strip() else row
                d.plan.extend(zip(d.checkpoints, [v.strip() for v in values]))
                if len(values) != len(d.checkpoints):
                    self._issue("warning", "spending_plan_misaligned", page,
                                f"{d.where()} on page {page}: {len(d.checkpoints)} checkpoints "
                                f"{d.checkpoints} but {len(values)} values {values}")
                mode = None
                continue
            if mode == "purpose" and not any(k not in (None, "budget_block") for k in keys):
                text = "\n".join(c.strip() for c, k in zip(row, keys) if c.strip() and k is None)
                d.purpose = text or d.purpose
                mode = None
                continue
            if mode == "goals" and not any(k not in (None, "goals") for k in keys):
                d.goals = self._goals_below(d, row, keys)
                mode = None
                continue
            if self._unit_row(d, row):
                continue
            mode = self._label_row(d, row, keys, page)

    def _unit_row(self, d: _Draft, row: list[str]) -> bool:
        units = [UNIT_CELL_RE.match(c) for c in row]
        if not any(units) or any(PROJECT_LABELS.get(label_key(c)) for c in row):
            return False
        d.printed_unit = next(u.group("unit") for u in units if u)
        others = [c.strip() for c, u in zip(row, units) if not u and c.strip()]
        if others:
            d.unit_label = " ".join(others)
        return True

    def _label_row(self, d: _Draft, row: list[str], keys: list[str | None], page: int) -> str | None:
        """Read the label/value pairs of a row; return the mode for the row below, if any."""
        mode = None
        for j, key in enumerate(keys):
            if key is None:
                continue
            unit = label_unit(row[j])
            if unit in UNIT_TO_YUAN and d.printed_unit is None:
                d.printed_unit = unit  # '项目资金(元)'
            rest = row[j + 1:]
            if key == "budget_block":
                mode = "purpose"
            elif key == "spending_plan":
                self._plan_label(d, rest, page)
                return "plan" if d.checkpoints and not d.plan else None
            elif key == "goals":
                parts = {k: n for n, k in enumerate(keys[j + 1:], start=j + 1) if k in _GOAL_PARTS}
                if parts:  # '项目总目标', '年度总体目标' headers: the texts are in the row below
                    d.goal_columns = parts
                    return "goals"
                d.goals = "\n".join(c.strip() for c in rest if c.strip()) or None
                return None
            elif key in _VALUE_FIELDS:
                value = _value_after(row, keys, j)
                if key == "purpose":
                    d.purpose = value or d.purpose
                    mode = None if value else "purpose"
                elif key not in d.values:  # the first of a repeated label (project, not year, group)
                    d.values[key] = value or ""
                    d.value_units[key] = unit
        return mode

    @staticmethod
    def _goals_below(d: _Draft, row: list[str], keys: list[str | None]) -> str | None:
        year = [n for n, k in d.goal_columns.items() if k == "goal_part_year"]
        if year and year[0] < len(row) and row[year[0]].strip():
            return row[year[0]].strip()
        texts = [c.strip() for c, k in zip(row, keys) if c.strip() and k is None]
        return "\n".join(dict.fromkeys(texts)) or None

    def _plan_label(self, d: _Draft, rest: list[str], page: int) -> None:
        cells = [c.strip() for c in rest if c.strip()]
        numeric = [_is_percent(c) for c in cells]
        if cells and len(cells) % 2 == 0 and all(numeric[1::2]) and not any(numeric[0::2]):
            d.plan.extend(zip(cells[0::2], cells[1::2]))  # '3月底', '30%', '6月底', '60%' in one row
        elif cells and not any(numeric):
            d.checkpoints = cells
        else:
            self._issue("warning", "spending_plan_unparsed", page,
                        f"{d.where()} on page {page}: cannot read the 资金支出计划 row {rest}")

    @staticmethod
    def _indicator_columns(row: list[str]) -> dict[str, int] | None:
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = INDICATOR_COLUMNS.get(label_key(cell))
            if key and key not in cols:
                cols[key] = j
        if len(cols) >= MIN_INDICATOR_HEADERS and ("level1" in cols or "target" in cols):
            return cols
        return None

    # -- records ------------------------------------------------------------------------------
    def flush(self) -> None:
        d, self.current = self.current, None
        if d is None:
            return
        unit = d.printed_unit
        if unit is None:
            unit = DEFAULT_PROJECT_UNIT
            self._issue("warning", "project_unit_missing", d.page,
                        f"{d.where()} on page {d.page}: no printed unit (单位：…); amounts read in {unit}")
        code = d.values.get("project_code") or None
        if code is None:
            self._issue("warning", "project_code_missing", d.page,
                        f"{d.where()} on page {d.page}: no 项目编码 found")
        amounts = {k: self._amount(d, k, unit) for k in _AMOUNT_FIELDS}
        self.ex.projects.append(Project(
            project_seq=d.seq, project_code=code, project_name=d.values.get("project_name") or None,
            budget_yuan=amounts["budget"], fiscal_funds_yuan=amounts["fiscal_funds"],
            other_funds_yuan=amounts["other_funds"], purpose=d.purpose, goals=d.goals, is_withheld=False,
            page=d.page, unit_label=d.unit_label, printed_unit=d.printed_unit))
        self.seqs.append((d.seq, d.page))
        for n, (checkpoint, printed) in enumerate(d.plan, start=1):
            self.ex.spending_plan.append(SpendingPlan(
                project_seq=d.seq, checkpoint=checkpoint, checkpoint_seq=n,
                cumulative_pct=self._percent(d, checkpoint, printed), printed_value=printed))
        if d.columns is None:
            self._issue("warning", "indicators_missing", d.page,
                        f"{d.where()} on page {d.page}: no indicator header (一级指标 …) found")
            return
        self._indicators(d, code)

    def _indicators(self, d: _Draft, code: str | None) -> None:
        cols = d.columns or {}
        level1 = level2 = None
        for seq, (row, page) in enumerate(d.rows, start=1):
            if len(row) < d.n_columns:  # merged leading cells not padded: align right
                row = [""] * (d.n_columns - len(row)) + row

            def cell(name: str, row: list[str] = row) -> str | None:
                return cell_text(row, cols, name)

            if cell("level1"):
                level1, level2 = cell("level1"), None
            if cell("level2"):
                level2 = cell("level2")
            raw = cell("target")
            target = parse_target(raw)
            self.ex.indicators.append(Indicator(
                project_seq=d.seq, project_code=code, row_seq=seq, level1=level1, level2=level2,
                level3=cell("level3"), description=cell("description"), target_raw=raw,
                target_op=target.op if target else None, target_value=target.value if target else None,
                target_unit=target.unit if target else None, basis=cell("basis"), page=page))

    def _withheld(self, seq: int, name: str | None, page: int) -> None:
        name = (name or "").strip(" :：(（")
        self.ex.projects.append(Project(
            project_seq=seq, project_code=None, project_name=name or None, budget_yuan=None,
            fiscal_funds_yuan=None, other_funds_yuan=None, purpose=None, goals=None, is_withheld=True,
            page=page))
        self.seqs.append((seq, page))

    def check_numbering(self) -> None:
        """Report gaps and repeats in the printed project numbers (a table the reader missed)."""
        for (prev, _), (seq, page) in zip(self.seqs, self.seqs[1:]):
            if seq != prev + 1:
                self._issue("warning", "project_seq_gap", page,
                            f"project tables numbered {prev} then {seq} (page {page}): "
                            f"a project table is missing or misnumbered")

    def _amount(self, d: _Draft, key: str, unit: str) -> Decimal | None:
        text = d.values.get(key)
        label = {"budget": "预算数", "fiscal_funds": "财政资金", "other_funds": "其他资金"}[key]
        if not text:
            if key == "budget":
                self._issue("error", "project_amount_missing", d.page,
                            f"{d.where()} on page {d.page}: no {label} found")
            return None
        if to_ascii_digits(text).strip() in _BLANK_AMOUNTS:
            return None
        cell_unit = d.value_units.get(key)
        try:
            return parse_amount(text, default_unit=cell_unit if cell_unit in UNIT_TO_YUAN else unit).yuan
        except AmountError as exc:
            self._issue("error", "project_amount_unparseable", d.page,
                        f"{d.where()} on page {d.page}: field {label}: {exc}")
            return None

    def _percent(self, d: _Draft, checkpoint: str, printed: str) -> Decimal | None:
        if to_ascii_digits(printed).strip() in _BLANK_AMOUNTS:
            return None
        try:
            return parse_percent(printed)
        except AmountError as exc:
            self._issue("warning", "spending_plan_unparseable", d.page,
                        f"{d.where()} on page {d.page}: 资金支出计划 {checkpoint}: {exc}")
            return None

    def _issue(self, severity: str, code: str, page: int | None, message: str) -> None:
        self.ex.issues.append(ParseIssue(severity=severity, code=code, message=f"{self.doc.source_path}: {message}",
                                         page=page, source_path=self.doc.source_path))


def _value_after(row: list[str], keys: list[str | None], j: int) -> str | None:
    """The first non-empty cell after label ``j`` and before the next label (merged cells may
    leave empty cells between a label and its value)."""
    for cell, key in zip(row[j + 1:], keys[j + 1:]):
        if key is not None:
            return None
        if cell.strip():
            return cell.strip()
    return None


def _is_percent(text: str) -> bool:
    try:
        parse_percent(text)
    except AmountError:
        return False
    return True
