import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # 魏县县委办 2021: where does the money come from and go?

        **Question this notebook answers:** for one disclosure (the Hebei seed), what are its
        revenue, its expenditure split (人员 / 公用 / 项目) and its 三公经费 items, as stated, with
        the page each figure comes from? It opens the warehouse read-only
        (`BUDGETWH_DB`, default `warehouse/budget.duckdb`).
        """
    )
    return (mo,)


@app.cell
def _():
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    db_path = os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb")
    con = connect_sandboxed(db_path)
    seed = con.execute(
        "select document_id, issuer_name, fiscal_year from main.dim_document "
        "where region_code = '130434' order by fiscal_year desc limit 1"
    ).fetchall()[0]
    document_id = seed[0]
    figures = con.execute(
        """
        select 'revenue' as area, item, amount_yuan, page from main.fct_revenue
        where document_id = $1 and measure = 'amount'
        union all
        select 'expenditure', item, amount_yuan, page from main.fct_expenditure
        where document_id = $1 and measure = 'amount'
        union all
        select 'sangong', item, amount_yuan, page from main.fct_sangong
        where document_id = $1 and measure = 'amount'
        order by 1, 2
        """,
        [document_id],
    ).df()
    con.close()
    figures
    return document_id, figures, os, seed


@app.cell
def _(figures, os, seed):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    labels = {
        "personnel": "人员经费", "public_operating": "日常公用经费", "project": "项目支出",
        "overseas_travel": "因公出国(境)费", "vehicle_total": "公务用车购置及运行费",
        "reception": "公务接待费",
    }
    exp = figures[(figures.area == "expenditure") & figures.item.isin(["personnel", "public_operating", "project"])]
    sg = figures[(figures.area == "sangong") & figures.item.isin(["overseas_travel", "vehicle_total", "reception"])]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.bar([labels[i] for i in exp.item], [float(a) / 10000 for a in exp.amount_yuan], color="#4472c4")
    ax1.set_title(f"{seed[1]} {seed[2]}年 支出预算 (万元)")
    ax2.bar([labels[i] for i in sg.item], [float(a) / 10000 for a in sg.amount_yuan], color="#ed7d31")
    ax2.set_title("“三公”经费预算 (万元)")
    for ax in (ax1, ax2):
        ax.tick_params(axis="x", labelrotation=15)
    fig.tight_layout()
    save_figure(fig, "seed_overview.png")
    fig
    return


if __name__ == "__main__":
    app.run()
