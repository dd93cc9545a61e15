import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # Departments of one kind, compared across regions and years

        **Question this notebook answers:** within a category of department (street offices,
        finance bureaus, party committee offices, …), which region and year spends most on
        公务接待费 and on 三公经费 in total, and what share of the category's total is that?
        Departments are grouped by the category rules in `dbt_project/seeds/`. Opens the
        warehouse read-only (`BUDGETWH_DB`).
        """
    )
    return (mo,)


@app.cell
def _():
    import os

    import duckdb

    con = duckdb.connect(os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb"), read_only=True)
    comparison = con.execute(
        """
        select category, region_full_name, fiscal_year, disclosure_kind, scope, department_names,
               expenditure_total_wan_yuan, sangong_total_yuan / 1e4 as sangong_wan,
               sangong_rank, sangong_share, sangong_reception_yuan / 1e4 as reception_wan, reception_rank
        from main.rpt_regional_comparison
        order by category, fiscal_year, sangong_rank
        """
    ).df()
    unclassified = con.execute(
        "select department_name from main.dim_department where category = 'unclassified' order by 1"
    ).df()
    con.close()
    comparison
    return comparison, os, unclassified


@app.cell
def _(mo, unclassified):
    mo.md(f"Departments no category rule matched (extend the seed): **{len(unclassified)}**")
    unclassified
    return


@app.cell
def _(comparison, os):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    rows = comparison[comparison.sangong_wan.notna()]
    labels = rows.category + "\n" + rows.region_full_name + " " + rows.fiscal_year.astype(str)
    fig, ax = plt.subplots(figsize=(9, max(3, 0.45 * len(rows))))
    ax.barh(labels, rows.sangong_wan.astype(float), color="#70ad47", label="“三公”经费")
    ax.barh(labels, rows.reception_wan.fillna(0).astype(float), color="#4472c4", label="其中：公务接待费")
    ax.set_xlabel("万元")
    ax.set_title("各类部门“三公”经费：地区与年度比较")
    ax.legend()
    fig.tight_layout()
    save_figure(fig, "regional_comparison.png")
    fig
    return


if __name__ == "__main__":
    app.run()
