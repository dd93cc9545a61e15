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
        of the source document to look; for all regions or the one chosen below. Opens the
        warehouse read-only: `--db PATH` after the notebook's name, else `BUDGETWH_DB`, else
        `warehouse/budget.duckdb`.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    db_path = mo.cli_args().get("db") or os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb")
    con = connect_sandboxed(db_path)
    all_findings = con.execute(
        """
        select coalesce(d.issuer_name, '(warehouse)') as issuer, d.region_code, d.fiscal_year,
               d.disclosure_kind, f.document_id, f.check_name, f.severity, f.observed, f.expected, f.page,
               f.message,
               d.source_path || case when f.page is not null then '#page=' || f.page else '' end as link
        from main.quality_findings f left join main.dim_document d using (document_id)
        order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end, issuer, f.page
        """
    ).df()
    regions = con.execute(
        """
        select r.region_code, r.full_name, count(*) as n
        from main.quality_findings f join main.dim_document d using (document_id)
        join main.dim_region r on r.region_code = d.region_code
        group by all order by n desc, r.region_code
        """
    ).df()
    con.close()
    return all_findings, db_path, regions


@app.cell
def _(mo, regions):
    _options = {"全部地区": "", **{f"{r.full_name} ({r.n})": r.region_code for r in regions.itertuples()}}
    region = mo.ui.dropdown(options=_options, value="全部地区", searchable=True, label="地区")
    region
    return (region,)


@app.cell
def _(all_findings, mo, region):
    findings = all_findings[all_findings.region_code == region.value] if region.value else all_findings
    by_check = (findings.groupby(["check_name", "severity"])
                .agg(n=("check_name", "size"), documents=("document_id", "nunique"))
                .reset_index().sort_values("n", ascending=False))
    mo.vstack([mo.md(f"**{len(findings)} findings**; each `link` opens the source file at its page."),
               findings.drop(columns=["document_id"])])
    return (by_check,)


@app.cell
def _(by_check, db_path, region):
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
    ax.set_title("数据质量发现：按检查项与严重程度" + (f"（{region.selected_key}）" if region.value else ""))
    ax.set_xlabel("发现数")
    ax.legend()
    fig.tight_layout()
    print("chart saved:", save_figure(fig, "data_quality.png", db_path))
    fig
    return


if __name__ == "__main__":
    app.run()
