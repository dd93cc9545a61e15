import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # One department over the years

        **Question this notebook answers:** how did one department's totals, expenditure by
        function and 三公经费 items move from year to year, and does the change its text states
        agree with the change computed from the previous year's own disclosure? Choose the
        department below (by default the one with the most years to compare; in the samples
        万里街道, with two consecutive budgets). Opens the warehouse read-only: `--db PATH` after the
        notebook's name, else `BUDGETWH_DB`, else `warehouse/budget.duckdb`.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    db_path = mo.cli_args().get("db") or os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb")
    con = connect_sandboxed(db_path)
    departments = con.execute(
        """
        select department_id, min(department_name) as department_name,
               count(computed_fiscal_change_yuan) as n_compared, count(distinct fiscal_year) as n_years
        from main.rpt_department_trend
        group by department_id
        order by n_compared desc, n_years desc, department_name
        """
    ).df()
    con.close()
    return db_path, departments


@app.cell
def _(departments, mo):
    options = {f"{r.department_name} ({r.n_years} 年)": r.department_id for r in departments.itertuples()}
    department = mo.ui.dropdown(options=options, value=next(iter(options), None), searchable=True, label="部门")
    department
    return (department,)


@app.cell
def _(db_path, department):
    from ingest.sandbox import connect_sandboxed as _connect

    _con = _connect(db_path)
    trend = _con.execute(
        """
        select department_id, department_name, fiscal_year, disclosure_kind, scope,
               revenue_total_yuan / 1e4 as revenue_wan, expenditure_total_yuan / 1e4 as expenditure_wan,
               fiscal_appropriation_yuan / 1e4 as fiscal_wan,
               stated_fiscal_change_yuan / 1e4 as stated_change_wan,
               computed_fiscal_change_yuan / 1e4 as computed_change_wan,
               fiscal_change_gap_yuan as gap_yuan,
               sangong_reception_yuan / 1e4 as reception_wan,
               sangong_vehicle_total_yuan / 1e4 as vehicles_wan,
               sangong_overseas_travel_yuan / 1e4 as overseas_wan
        from main.rpt_department_trend
        where department_id = $1
        order by fiscal_year, disclosure_kind, scope
        """,
        [department.value],
    ).df()
    by_function = _con.execute(
        """
        select f.fiscal_year, coalesce(f.canonical_function_name, f.function_name) as function_name,
               sum(f.amount_wan_yuan) as amount_wan
        from main.fct_expenditure_by_function f
        where f.department_id = $1 and f.function_level = 1
          and f.column_key = 'total' and f.table_kind = 'gpb_function'
        group by all order by 1, 3 desc
        """,
        [department.value],
    ).df()
    _con.close()
    trend
    return by_function, trend


@app.cell
def _(by_function):
    by_function
    return


@app.cell
def _(db_path, trend):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    name = trend.department_name.iloc[0] if len(trend) else ""
    years = trend.fiscal_year.astype(str) + " " + trend.disclosure_kind.map({"budget": "预算", "final_accounts": "决算"})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(years, trend.fiscal_wan, marker="o", label="财政拨款")
    ax1.plot(years, trend.expenditure_wan, marker="s", label="支出总计")
    ax1.set_title(f"{name}：财政拨款与支出 (万元)")
    ax1.legend()
    bottom = None
    for col, label in (("reception_wan", "公务接待费"), ("vehicles_wan", "公务用车购置及运行费"),
                       ("overseas_wan", "因公出国(境)费")):
        vals = trend[col].fillna(0).astype(float)
        ax2.bar(years, vals, bottom=bottom, label=label)
        bottom = vals if bottom is None else bottom + vals
    ax2.set_title("“三公”经费 (万元)")
    ax2.legend()
    fig.tight_layout()
    print("chart saved:", save_figure(fig, "department_over_years.png", db_path))
    fig
    return


if __name__ == "__main__":
    app.run()
