"""The Document model every reader produces, and the records every extractor emits.

Readers turn bytes into a :class:`Document` (pages of paragraphs and tables). Extractors read a
Document and emit records; ``load`` writes records to the ``raw`` schema. Neither side knows
about the other's format or layout.

Character offsets (``char_start``/``char_end``) are positions in ``Page.text`` of the page the
block is on, *after* normalization (see ``normalize.py``): ``Page.text`` is the page's blocks
rendered one after another, separated by a newline; a table renders as its rows, one line each,
cells separated by a tab.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Paragraph:
    """A run of text: a line of a text file, a Word paragraph, a block of a PDF page."""

    text: str
    page: int = 1
    char_start: int = 0
    char_end: int = 0
    # Raw text before normalization, kept for diagnosis.
    raw: str | None = None

    @property
    def kind(self) -> str:
        return "paragraph"


@dataclass
class Table:
    """A table as rows of cell texts. Rows may be ragged (merged cells are not padded).

    ``title`` is the caption printed above the table where the reader could tell it (the
    paragraph right before it, for flattened Word tables), ``index`` is the table's position in
    the document (0-based), ``page_end`` the last page for a table continued across pages.
    """

    rows: list[list[str]]
    page: int = 1
    index: int = 0
    title: str | None = None
    page_end: int | None = None
    char_start: int = 0
    char_end: int = 0
    # Page of each row, for tables continued across pages (same length as rows when set).
    row_pages: list[int] | None = None

    @property
    def kind(self) -> str:
        return "table"

    def render(self) -> str:
        return "\n".join("\t".join(row) for row in self.rows)

    def row_page(self, i: int) -> int:
        if self.row_pages and i < len(self.row_pages):
            return self.row_pages[i]
        return self.page


Block = Paragraph | Table


@dataclass
class Page:
    number: int
    blocks: list[Block] = field(default_factory=list)
    text: str = ""
    has_text_layer: bool = True


@dataclass
class Document:
    """What a reader produces: the file's identity and its pages."""

    document_id: str  # sha256 of the file's bytes
    source_path: str
    source_format: str  # 'text' | 'pdf' | 'docx' | 'doc' | 'html' | 'xlsx' | 'xls'
    byte_size: int
    pages: list[Page] = field(default_factory=list)
    encoding: str | None = None
    # what the reader itself has to report (e.g. a converter that ran with reduced confinement)
    reader_issues: list[ParseIssue] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def blocks(self) -> Iterator[Block]:
        for page in self.pages:
            yield from page.blocks

    def paragraphs(self) -> Iterator[Paragraph]:
        for b in self.blocks():
            if isinstance(b, Paragraph):
                yield b

    def tables(self) -> Iterator[Table]:
        for b in self.blocks():
            if isinstance(b, Table):
                yield b

    def full_text(self) -> str:
        return "\n".join(p.text for p in self.pages)

    def layout(self) -> None:
        """Compute ``Page.text`` and every block's character span from the block texts."""
        for page in self.pages:
            parts: list[str] = []
            pos = 0
            for block in page.blocks:
                text = block.text if isinstance(block, Paragraph) else block.render()
                block.char_start = pos
                block.char_end = pos + len(text)
                parts.append(text)
                pos += len(text) + 1
            page.text = "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Records: one dataclass per raw table. Field names are the raw column names.
# ---------------------------------------------------------------------------------------------


@dataclass
class DocumentProfile:
    issuer_name: str | None = None
    unit_name: str | None = None
    unit_code: str | None = None
    region_code: str | None = None
    fiscal_year: int | None = None
    disclosure_kind: str | None = None  # 'budget' | 'final_accounts'
    scope: str | None = None  # 'department' | 'unit'
    consolidation: str | None = None  # 'consolidated' (汇总) | 'own_level' (本级) | None: the marker printed
    title: str | None = None
    currency_unit: str | None = None  # unit the narrative states amounts in


@dataclass
class Statement:
    statement_key: str
    amount_yuan: Decimal | None
    printed_value: str
    printed_unit: str | None
    reference_year: int | None
    phase: str = "budget"  # 'budget' | 'actual' | 'execution'
    measure: str = "amount"  # 'amount' | 'change' | 'change_pct' | 'quantity' | 'share_pct'
    source: str = "narrative"  # 'narrative' | 'table'
    page: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    base_year: int | None = None  # for changes: the year compared against
    label: str | None = None  # the printed label the amount was read under
    quantity: Decimal | None = None  # for measure 'quantity' (and counted items)
    quantity_unit: str | None = None
    is_derived: bool = False  # implied by the text (e.g. '全部为财政拨款收入'), not printed
    section_key: str | None = None
    table_cell: str | None = None  # 'table#row,col' for table figures
    table_kind: str | None = None  # the kind of table a table figure was read from ('summary', 'sangong' …)
    percent: Decimal | None = None  # for change_pct / share_pct
    # For a function item ('expenditure.function_item'): the text of its explanation (the
    # sentences from its class path to the next item: purpose '主要用于…', reason '主要原因…').
    context: str | None = None


@dataclass
class ClassificationLine:
    table_kind: str
    scheme: str  # 'function' | 'economic_department' | 'economic_government'
    code: str | None
    level: int | None
    name: str
    column_key: str
    amount_yuan: Decimal | None
    page: int | None
    printed_value: str | None = None
    printed_code: str | None = None
    row_seq: int | None = None
    phase: str = "budget"
    is_total: bool = False
    table_seq: int | None = None  # the printed table (PrintedTableRecord.table_seq)
    column_group: int | None = None  # the table's column group (人员经费 | 公用经费 side by side: 0, 1)
    column_index: int | None = None  # the table's column the amount was read from


@dataclass
class PrintedTableRecord:
    """A table the reader recognised (raw.printed_tables): what it is, its title and page, and the
    note an empty table prints ('本表为空表')."""

    table_seq: int
    table_kind: str
    title: str | None
    page: int | None
    printed_unit: str | None = None
    note: str | None = None
    rows_with_figures: int = 0


@dataclass
class Project:
    project_seq: int
    project_code: str | None
    project_name: str | None
    budget_yuan: Decimal | None
    fiscal_funds_yuan: Decimal | None
    other_funds_yuan: Decimal | None
    purpose: str | None
    goals: str | None
    is_withheld: bool
    page: int | None
    unit_label: str | None = None  # the unit line printed on the table, e.g. '201001中国共产党…'
    printed_unit: str | None = None


@dataclass
class SpendingPlan:
    project_seq: int
    checkpoint: str
    checkpoint_seq: int
    cumulative_pct: Decimal | None
    printed_value: str | None = None


@dataclass
class Indicator:
    project_seq: int | None
    project_code: str | None
    row_seq: int
    level1: str | None
    level2: str | None
    level3: str | None
    description: str | None
    target_raw: str | None
    target_op: str | None
    target_value: Decimal | None
    target_unit: str | None
    basis: str | None
    page: int | None = None


@dataclass
class DepartmentGoal:
    goal_seq: int
    name: str
    duty: str | None
    annual_goal: str | None
    indicator_text: str | None
    target_op: str | None
    target_value: Decimal | None
    target_unit: str | None
    page: int | None = None


@dataclass
class Section:
    section_seq: int
    heading: str
    level: int
    section_key: str | None
    page: int | None
    char_start: int | None
    char_end: int | None
    parent_seq: int | None = None
    state: str = "present"  # 'present' | 'empty_with_note'
    lead: str | None = None  # the start of the section's first paragraph (up to LEAD_MAX characters)


@dataclass
class ParseIssue:
    severity: str  # 'error' | 'warning' | 'info'
    code: str
    message: str
    page: int | None = None
    source_path: str | None = None


@dataclass
class Extraction:
    """Everything extracted from one Document."""

    profile: DocumentProfile = field(default_factory=DocumentProfile)
    statements: list[Statement] = field(default_factory=list)
    classification_lines: list[ClassificationLine] = field(default_factory=list)
    printed_tables: list[PrintedTableRecord] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    spending_plan: list[SpendingPlan] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    department_goals: list[DepartmentGoal] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
