import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # Which cities' departments of one kind spend most on 三公经费?

        **Question this notebook answers:** for one category of department (信访, 统计, 民政, 商务,
        司法 … chosen below), which cities' departments spend most on “三公”经费, per staff member
        where the documents print their staff, and how does each compare with the category's median?
        Only like with like: one fiscal year, disclosure kind (budget / final accounts) and scope
        (部门 with its units / 单位 alone) at a time (`rpt_regional_comparison`). Then: which regions
        publish the most of what a budget disclosure must contain (`rpt_transparency_by_region`).
        Opens the warehouse read-only (`BUDGETWH_DB`).
        """
    )
    return (mo,)


@app.cell
def _():
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    con = connect_sandboxed(os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb"))
    comparison = con.execute(
        """
        select category, category_name_zh, region_full_name, region_level, fiscal_year, disclosure_kind,
               scope, department_names, n_regions, sangong_total_yuan / 1e4 as sangong_wan,
               sangong_reception_yuan / 1e4 as reception_wan, sangong_total_rank, sangong_total_percentile,
               sangong_total_category_median_yuan / 1e4 as sangong_median_wan,
               cast(100 * sangong_share_of_expenditure as double) as sangong_pct_of_expenditure,
               has_staff, staff_count, sangong_per_staff_yuan
        from main.rpt_regional_comparison
        where sangong_total_yuan is not null
        order by category, fiscal_year, disclosure_kind, scope, sangong_total_rank
        """
    ).df()
    groups = con.execute(
        """
        select category, category_name_zh, fiscal_year, disclosure_kind, scope, count(*) as n_regions
        from main.rpt_regional_comparison
        where sangong_total_yuan is not null and category <> 'unclassified'
        group by all
        order by n_regions desc, category, fiscal_year desc
        """
    ).df()
    transparency = con.execute(
        """
        select transparency_rank, region_full_name, fiscal_year, n_documents, published_pct,
               least_complete_document_pct
        from main.rpt_transparency_by_region
        where disclosure_kind = 'budget'
        order by fiscal_year desc, transparency_rank, region_full_name
        """
    ).df()
    unclassified = con.execute(
        "select department_name, printed_names from main.dim_department where category = 'unclassified' order by 1"
    ).df()
    con.close()
    return comparison, groups, os, transparency, unclassified


@app.cell
def _(groups, mo):
    options = {f"{r.category_name_zh} · {r.fiscal_year} · {r.disclosure_kind} · {r.scope} ({r.n_regions} 个地区)":
               f"{r.category}|{r.fiscal_year}|{r.disclosure_kind}|{r.scope}" for r in groups.itertuples()}
    choice = mo.ui.dropdown(options=options, value=next(iter(options)) if options else None,
                            label="部门类别 · 年度 · 类型 · 范围")
    choice
    return (choice,)


@app.cell
def _(choice, comparison):
    category, year, kind, scope = (choice.value or "|0||").split("|")
    peers = comparison[(comparison.category == category) & (comparison.fiscal_year == int(year))
                       & (comparison.disclosure_kind == kind) & (comparison.scope == scope)]
    peers = peers.sort_values("sangong_wan", ascending=False)
    peers[["sangong_total_rank", "region_full_name", "department_names", "sangong_wan", "reception_wan",
           "sangong_pct_of_expenditure", "sangong_total_percentile", "sangong_median_wan", "has_staff",
           "staff_count", "sangong_per_staff_yuan"]]
    return (peers,)


@app.cell
def _(os, peers):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    rows = peers.iloc[::-1]
    labels = list(rows.region_full_name)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, max(3, 0.55 * len(rows) + 1.2)), sharey=True)
    ax.barh(labels, rows.sangong_wan.astype(float), color="#70ad47", label="“三公”经费")
    ax.barh(labels, rows.reception_wan.fillna(0).astype(float), color="#4472c4", label="其中：公务接待费")
    if len(rows):
        ax.axvline(float(rows.sangong_median_wan.iloc[0]), color="#c00000", linestyle="--", label="类别中位数")
        ax.set_title(f"{rows.category_name_zh.iloc[0]}：“三公”经费（{rows.fiscal_year.iloc[0]}年）")
    ax.set_xlabel("万元")
    ax.legend(loc="lower right")
    per_staff = rows.sangong_per_staff_yuan.astype(float)
    ax2.barh(labels, per_staff.fillna(0), color="#ed7d31")
    for i, (value, known) in enumerate(zip(per_staff, rows.has_staff)):
        ax2.text(0, i, " 未公布人数" if not known else f" {value:,.0f}元", va="center", fontsize=8)
    ax2.set_title("人均“三公”经费（公布人数的地区）")
    ax2.set_xlabel("元 / 人")
    fig.tight_layout()
    save_figure(fig, "regional_comparison.png")
    print("chart regions:", "、".join(labels))
    fig
    return


@app.cell
def _(mo, transparency):
    mo.md("## 各地区预算公开的完整程度（按一般公开目录：说明各部分与八张公开表）")
    transparency
    return


@app.cell
def _(mo, unclassified):
    mo.md(f"Departments no category rule matched (extend `dbt_project/seeds/department_category_rules.csv`): "
          f"**{len(unclassified)}**")
    unclassified
    return


if __name__ == "__main__":
    app.run()
