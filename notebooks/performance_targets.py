import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # How measurable are the performance targets (绩效目标)?

        **Question this notebook answers:** of every project's performance indicators, how many
        state a numeric, checkable target (`≥90%`, `总费用37.29万元`) rather than a slogan
        (`正常运转`), by indicator level; and which projects state a cost indicator that differs
        from their own budget? Opens the warehouse read-only: `--db PATH` after the notebook's
        name, else `BUDGETWH_DB`, else `warehouse/budget.duckdb`.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    db_path = mo.cli_args().get("db") or os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb")
    con = connect_sandboxed(db_path)
    profile = con.execute(
        """
        select d.issuer_name, d.fiscal_year, p.level1, p.n_indicators, p.n_numeric_targets,
               round(100 * p.share_numeric_target, 1) as pct_numeric
        from main.rpt_indicator_profile p join main.dim_document d using (document_id)
        order by d.issuer_name, d.fiscal_year, p.level1
        """
    ).df()
    cost = con.execute(
        """
        select p.project_code, p.project_name, p.budget_wan_yuan,
               i.target_value as cost_target_wan_yuan, i.target_raw, i.page
        from main.fct_performance_indicator i
        join main.fct_project p using (document_id, project_seq)
        where i.level2 = '成本指标' and i.target_unit = '万元'
          and i.target_value <> p.budget_wan_yuan
        order by p.project_code
        """
    ).df()
    con.close()
    profile
    return cost, db_path, profile


@app.cell
def _(cost, mo):
    mo.md(f"**Projects whose 成本指标 differs from their budget: {len(cost)}**")
    cost
    return


@app.cell
def _(db_path, profile):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    by_level = profile[profile.level1 != "(all)"].groupby("level1")[["n_indicators", "n_numeric_targets"]].sum()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.barh(by_level.index, by_level.n_indicators, color="#d9d9d9", label="全部指标")
    ax.barh(by_level.index, by_level.n_numeric_targets, color="#4472c4", label="有可量化目标值")
    ax.set_xlabel("指标数")
    ax.set_title("绩效指标：可量化目标所占比例")
    ax.legend()
    fig.tight_layout()
    print("chart saved:", save_figure(fig, "performance_targets.png", db_path))
    fig
    return


if __name__ == "__main__":
    app.run()
