import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # What is wrong in the disclosures, and where?

        **Question this notebook answers:** which documents carry which inconsistencies (totals that
        are not the sum of their parts, units printed wrong, narrative figures that contradict the
        tables, cost indicators that differ from budgets), how severe they are, and on which page
        of the source document to look. Opens the warehouse read-only (`BUDGETWH_DB`).
        """
    )
    return (mo,)


@app.cell
def _():
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    con = connect_sandboxed(os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb"))
    findings = con.execute(
        """
        select coalesce(d.issuer_name, '(warehouse)') as issuer, d.fiscal_year, d.disclosure_kind,
               f.check_name, f.severity, f.observed, f.expected, f.page, f.message,
               d.source_path || case when f.page is not null then '#page=' || f.page else '' end as link
        from main.quality_findings f left join main.dim_document d using (document_id)
        order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, issuer, f.page
        """
    ).df()
    by_check = con.execute(
        """
        select check_name, severity, count(*) as n, count(distinct document_id) as documents
        from main.quality_findings group by 1, 2 order by n desc
        """
    ).df()
    con.close()
    by_check
    return by_check, findings, os


@app.cell
def _(findings, mo):
    mo.md(f"**{len(findings)} findings**; each `link` opens the source file at its page.")
    findings
    return


@app.cell
def _(by_check, os):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    pivot = by_check.pivot_table(index="check_name", columns="severity", values="n", aggfunc="sum", fill_value=0)
    fig, ax = plt.subplots(figsize=(8, max(3, 0.35 * len(pivot))))
    left = None
    colors = {"error": "#c00000", "warning": "#ed7d31", "info": "#a5a5a5"}
    for sev in [s for s in ("error", "warning", "info") if s in pivot.columns]:
        ax.barh(pivot.index, pivot[sev], left=left, color=colors[sev], label=sev)
        left = pivot[sev] if left is None else left + pivot[sev]
    ax.set_title("数据质量发现：按检查项与严重程度")
    ax.set_xlabel("发现数")
    ax.legend()
    fig.tight_layout()
    save_figure(fig, "data_quality.png")
    fig
    return


if __name__ == "__main__":
    app.run()
