import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # One disclosure: where does the money come from and go?

        **Question this notebook answers:** for one disclosure (chosen below; by default the Hebei
        seed, 魏县县委办 2021), what are its revenue, its expenditure split (人员 / 公用 / 项目) and
        its 三公经费 items, as stated, with the page each figure comes from? It opens the warehouse
        read-only: `--db PATH` after the notebook's name (`marimo edit notebooks/seed_overview.py --
        --db PATH`), else `BUDGETWH_DB`, else `warehouse/budget.duckdb`. Charts are shown here and
        saved beside the warehouse (`.budgetwh/<db>/figures`, or `BUDGETWH_FIGURES`).
        """
    )
    return (mo,)


@app.cell
def _(mo):
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    db_path = mo.cli_args().get("db") or os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb")
    con = connect_sandboxed(db_path)
    documents = con.execute(
        """
        select d.document_id, coalesce(d.issuer_name, d.department_name) as issuer, d.fiscal_year,
               d.disclosure_kind, d.region_code, count(s.document_id) as n_figures
        from main.dim_document d left join main.fct_sangong s using (document_id)
        where d.is_current and d.status <> 'rejected'
        group by 1, 2, 3, 4, 5
        order by d.region_code = '130434' desc, n_figures desc, issuer, d.fiscal_year desc
        """
    ).df()
    con.close()
    return db_path, documents


@app.cell
def _(documents, mo):
    kinds = {"budget": "预算", "final_accounts": "决算"}
    options = {f"{r.issuer} {r.fiscal_year}年{kinds.get(r.disclosure_kind, r.disclosure_kind)}": r.document_id
               for r in documents.itertuples()}
    disclosure = mo.ui.dropdown(options=options, value=next(iter(options), None), searchable=True,
                                label="公开文件")
    disclosure
    return (disclosure,)


@app.cell
def _(db_path, disclosure, documents):
    from ingest.sandbox import connect_sandboxed as _connect

    document_id = disclosure.value
    seed = documents[documents.document_id == document_id].iloc[0]
    _con = _connect(db_path)
    # the disclosure's own year, in its own phase first (a budget's 'budget', final accounts'
    # 'actual'); a figure both tabled and narrated: the table's first
    own_phase = "actual" if seed.disclosure_kind == "final_accounts" else "budget"
    figures = _con.execute(
        """
        with stated as (
            select 'revenue' as area, item, phase, source, amount_yuan, page, reference_year, fiscal_year
            from main.fct_revenue where document_id = $1 and measure = 'amount'
            union all
            select 'expenditure', item, phase, source, amount_yuan, page, reference_year, fiscal_year
            from main.fct_expenditure where document_id = $1 and measure = 'amount'
            union all
            select 'sangong', item, phase, source, amount_yuan, page, reference_year, fiscal_year
            from main.fct_sangong where document_id = $1 and measure = 'amount'
        )
        select area, item, phase, source, amount_yuan, page from stated
        where reference_year = fiscal_year and phase in ('budget', 'actual')
        order by area, item, phase = $2 desc, source = 'table' desc
        """,
        [document_id, own_phase],
    ).df()
    _con.close()
    figures
    return figures, seed


@app.cell
def _(db_path, figures, seed):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    labels = {
        "personnel": "人员经费", "public_operating": "日常公用经费", "project": "项目支出",
        "overseas_travel": "因公出国(境)费", "vehicle_total": "公务用车购置及运行费",
        "reception": "公务接待费",
    }
    exp = figures[(figures.area == "expenditure") & figures.item.isin(["personnel", "public_operating", "project"])]
    exp = exp.drop_duplicates("item")
    sg = figures[(figures.area == "sangong") & figures.item.isin(["overseas_travel", "vehicle_total", "reception"])]
    sg = sg.drop_duplicates("item")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.bar([labels[i] for i in exp.item], [float(a) / 10000 for a in exp.amount_yuan], color="#4472c4")
    kind = "决算" if seed.disclosure_kind == "final_accounts" else "预算"
    ax1.set_title(f"{seed.issuer} {seed.fiscal_year}年 支出{kind} (万元)")
    ax2.bar([labels[i] for i in sg.item], [float(a) / 10000 for a in sg.amount_yuan], color="#ed7d31")
    ax2.set_title(f"“三公”经费{kind} (万元)")
    for ax in (ax1, ax2):
        ax.tick_params(axis="x", labelrotation=15)
    fig.tight_layout()
    print("chart saved:", save_figure(fig, "seed_overview.png", db_path))
    fig
    return


if __name__ == "__main__":
    app.run()
