"""Render a :class:`~ingest.model.Document` back into the formats disclosures are published in
(.docx, .html, .doc, .xlsx), so that reader tests can check every format yields the same
Document. Used by tests only.

Ragged rows are laid on a grid: a row with fewer cells than the widest row spreads its cells
over the grid with horizontal merges (Word ``gridSpan`` / HTML ``colspan``). An empty cell in
the first column under a row with the same cell layout is written as the continuation of a
vertical merge (Word ``vMerge`` / HTML ``rowspan``), as Word prints merged row labels.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.model import Document, Paragraph, Table


def row_spans(n_cells: int, width: int) -> list[int]:
    """Spread ``n_cells`` over ``width`` grid columns: the widths of the cells."""
    base, extra = divmod(width, n_cells)
    return [base + (1 if i < extra else 0) for i in range(n_cells)]


def vertical_runs(rows: list[list[str]]) -> dict[int, int]:
    """Rows whose first cell starts a vertical merge -> number of rows merged (>= 2)."""
    runs: dict[int, int] = {}
    top = None
    for i, row in enumerate(rows):
        continues = (top is not None and row and row[0] == "" and len(row) == len(rows[i - 1]))
        if continues:
            runs[top] = runs.get(top, 1) + 1
        else:
            top = i if row and row[0] != "" else None
    return runs


def _continuation_rows(runs: dict[int, int]) -> set[int]:
    return {top + k for top, n in runs.items() for k in range(1, n)}


# ---------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------


def _set_cell_lines(cell, text: str) -> None:
    """Write ``text`` into a Word cell, one paragraph per line."""
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def document_to_docx(doc: Document, path: str | Path) -> Path:
    """Write the document's paragraphs and tables, in order, as a Word document."""
    import docx

    word = docx.Document()
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            word.add_paragraph(block.text)
            continue
        rows = block.rows
        width = max(len(r) for r in rows)
        table = word.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        runs = vertical_runs(rows)
        cont = _continuation_rows(runs)
        for r, row in enumerate(rows):
            col = 0
            for i, (text, span) in enumerate(zip(row, row_spans(len(row), width))):
                cell = table.cell(r, col)
                if span > 1:
                    cell = cell.merge(table.cell(r, col + span - 1))
                if not (i == 0 and r in cont):
                    _set_cell_lines(cell, text)
                col += span
        for top, n in runs.items():
            span = row_spans(len(rows[top]), width)[0]
            table.cell(top, 0).merge(table.cell(top + n - 1, span - 1))
    out = Path(path)
    word.save(str(out))
    return out


# ---------------------------------------------------------------------------------------------
# .html
# ---------------------------------------------------------------------------------------------

_HTML_HEAD = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>魏县县委办2021年部门预算公开</title>
<style>td {{ border: 1px solid #000; }}</style>
<script>var notContent = "这不是正文";</script>
</head><body>
<nav><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></nav>
<!--[if gte mso 9]><xml><w:WordDocument>注释不是正文</w:WordDocument></xml><![endif]-->
<div class="content">
"""


def _cell_html(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def document_to_html(doc: Document, charset: str = "gb2312") -> str:
    """The document as a web page (str); encode it yourself, e.g. as gb18030."""
    parts = [_HTML_HEAD.format(charset=charset)]
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            parts.append(f"<p class=MsoNormal>{html.escape(block.text)}</p>\n")
            continue
        rows = block.rows
        width = max(len(r) for r in rows)
        runs = vertical_runs(rows)
        cont = _continuation_rows(runs)
        parts.append('<table border="1" cellspacing="0">\n<tbody>\n')
        for r, row in enumerate(rows):
            parts.append("<tr>")
            for i, (text, span) in enumerate(zip(row, row_spans(len(row), width))):
                if i == 0 and r in cont:
                    continue
                attrs = f' colspan="{span}"' if span > 1 else ""
                if i == 0 and r in runs:
                    attrs += f' rowspan="{runs[r]}"'
                parts.append(f"<td{attrs}><p>{_cell_html(text)}</p></td>")
            parts.append("</tr>\n")
        parts.append("</tbody>\n</table>\n")
    parts.append("</div>\n<script>document.write('也不是正文');</script>\n</body></html>\n")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# .doc (LibreOffice)
# ---------------------------------------------------------------------------------------------


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_doc(docx_path: str | Path, outdir: str | Path, timeout: float = 240) -> Path:
    """Convert a .docx to Word 97-2003 with LibreOffice headless (private profile)."""
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir)
    with tempfile.TemporaryDirectory(prefix="budgetwh-test-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "doc:MS Word 97", "--outdir", str(outdir), str(docx_path)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout,
                       env=dict(os.environ, HOME=profile))
    out = outdir / (Path(docx_path).stem + ".doc")
    if not out.exists():
        raise RuntimeError(f"LibreOffice wrote no {out.name}")
    return out


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------


def _cell_value(text: str):
    """Numbers as numbers with the number format that prints them as ``text``."""
    import re

    m = re.fullmatch(r"(-?\d+)(?:\.(\d+))?(%?)", text)
    if not m:
        return text, None
    places = len(m.group(2) or "")
    fmt = "0" + ("." + "0" * places if places else "")
    if m.group(3):
        return float(text[:-1]) / 100, fmt + "%"
    if places:
        return float(text), fmt
    return int(text), "General"


def document_to_xlsx(doc: Document, path: str | Path) -> Path:
    """One sheet per table: the caption in A1 (merged across the table), the rows below."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in doc.tables():
        ws = wb.create_sheet(f"表{table.index + 1}")
        width = max(len(r) for r in table.rows)
        ws.cell(1, 1, table.title)
        if width > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        for r, row in enumerate(table.rows, start=2):
            for c, text in enumerate(row, start=1):
                value, fmt = _cell_value(text)
                cell = ws.cell(r, c, value)
                if fmt:
                    cell.number_format = fmt
    out = Path(path)
    wb.save(str(out))
    return out


def blocks_signature(doc: Document) -> list[tuple]:
    """The document's content in order, as extractors see it: paragraphs and table rows."""
    sig: list[tuple] = []
    for block in doc.blocks():
        if isinstance(block, Table):
            sig.append(("table", block.title, tuple(tuple(r) for r in block.rows)))
        else:
            sig.append(("paragraph", block.text))
    return sig
