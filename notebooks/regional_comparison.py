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
        司法 … chosen below; by default the one most regions print), which cities' departments
        spend most on “三公”经费, per staff member where the documents print their staff, and how
        does each compare with the category's median? Only like with like: one fiscal year,
        disclosure kind (budget / final accounts) and scope (部门 with its units / 单位 alone) at a
        time (`rpt_regional_comparison`). Then: which regions publish the most of what a budget
        disclosure must contain (`rpt_transparency_by_region`; choose a region to see its
        documents). Opens the warehouse read-only: `--db PATH` after the notebook's name, else
        `BUDGETWH_DB`, else `warehouse/budget.duckdb`.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    db_path = mo.cli_args().get("db") or os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb")
    con = connect_sandboxed(db_path)
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
        select transparency_rank, region_code, region_full_name, fiscal_year, n_documents, published_pct,
               least_complete_document_pct
        from main.rpt_transparency_by_region
        where disclosure_kind = 'budget'
        order by fiscal_year desc, transparency_rank, region_full_name
        """
    ).df()
    by_document = con.execute(
        """
        select region_code, department_name, fiscal_year, published_pct, missing_parts, transparency_rank
        from main.rpt_transparency_by_document
        where disclosure_kind = 'budget'
        order by fiscal_year desc, transparency_rank, department_name
        """
    ).df()
    unclassified = con.execute(
        "select department_name, printed_names from main.dim_department where category = 'unclassified' order by 1"
    ).df()
    con.close()
    return by_document, comparison, db_path, groups, transparency, unclassified


@app.cell
def _(groups, mo):
    # categories in the order of the most regions any of their peer groups compares
    _names = groups.groupby(["category", "category_name_zh"], sort=False).n_regions.max().reset_index()
    _options = {f"{r.category_name_zh} (最多 {r.n_regions} 个地区)": r.category for r in _names.itertuples()}
    category = mo.ui.dropdown(options=_options, value=next(iter(_options), None), label="部门类别")
    category
    return (category,)


@app.cell
def _(category, groups, mo):
    _kinds = {"budget": "预算", "final_accounts": "决算"}
    _scopes = {"department": "部门", "unit": "单位"}
    _own = groups[groups.category == category.value]
    _options = {f"{r.fiscal_year}年 · {_kinds.get(r.disclosure_kind, r.disclosure_kind)} · "
                f"{_scopes.get(r.scope, r.scope)} ({r.n_regions} 个地区)":
                f"{r.fiscal_year}|{r.disclosure_kind}|{r.scope}" for r in _own.itertuples()}
    peer_group = mo.ui.dropdown(options=_options, value=next(iter(_options), None), label="年度 · 类型 · 范围")
    peer_group
    return (peer_group,)


@app.cell
def _(category, comparison, peer_group):
    year, kind, scope = (peer_group.value or "0||").split("|")
    peers = comparison[(comparison.category == category.value) & (comparison.fiscal_year == int(year))
                       & (comparison.disclosure_kind == kind) & (comparison.scope == scope)]
    peers = peers.sort_values("sangong_wan", ascending=False)
    peers[["sangong_total_rank", "region_full_name", "department_names", "sangong_wan", "reception_wan",
           "sangong_pct_of_expenditure", "sangong_total_percentile", "sangong_median_wan", "has_staff",
           "staff_count", "sangong_per_staff_yuan"]]
    return (peers,)


@app.cell
def _(db_path, peers):
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
    print("chart saved:", save_figure(fig, "regional_comparison.png", db_path))
    print("chart regions:", "、".join(labels))
    fig
    return


@app.cell
def _(mo, transparency):
    _regions = transparency.drop_duplicates("region_code")
    _options = {"全部地区": "", **{r.region_full_name: r.region_code for r in _regions.itertuples()}}
    region = mo.ui.dropdown(options=_options, value="全部地区", searchable=True, label="地区")
    mo.vstack([mo.md("## 各地区预算公开的完整程度（按一般公开目录：说明各部分与八张公开表）"), region])
    return (region,)


@app.cell
def _(by_document, mo, region, transparency):
    if region.value:
        _shown = mo.vstack([transparency[transparency.region_code == region.value],
                            mo.md("该地区各文件缺少的部分："),
                            by_document[by_document.region_code == region.value]])
    else:
        _shown = transparency
    _shown
    return


@app.cell
def _(mo, unclassified):
    mo.md(f"Departments no category rule matched (extend `dbt_project/seeds/department_category_rules.csv`): "
          f"**{len(unclassified)}**")
    unclassified
    return


if __name__ == "__main__":
    app.run()
