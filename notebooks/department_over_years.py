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
        agree with the change computed from the previous year's own disclosure? Set
        `BUDGETWH_DEPARTMENT` to a name fragment (default: 万里街道, the sample body with two
        consecutive budgets). Opens the warehouse read-only (`BUDGETWH_DB`).
        """
    )
    return (mo,)


@app.cell
def _():
    import os

    from ingest.sandbox import connect_sandboxed  # read-only, no file access: docs/security.md

    fragment = os.environ.get("BUDGETWH_DEPARTMENT", "万里街道")
    con = connect_sandboxed(os.environ.get("BUDGETWH_DB", "warehouse/budget.duckdb"))
    trend = con.execute(
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
        where department_name like '%' || $1 || '%'
        order by fiscal_year, disclosure_kind
        """,
        [fragment],
    ).df()
    by_function = con.execute(
        """
        select f.fiscal_year, coalesce(f.canonical_function_name, f.function_name) as function_name,
               sum(f.amount_wan_yuan) as amount_wan
        from main.fct_expenditure_by_function f
        join main.dim_department d using (department_id)
        where d.department_name like '%' || $1 || '%' and f.function_level = 1
          and f.column_key = 'total' and f.table_kind = 'gpb_function'
        group by all order by 1, 3 desc
        """,
        [fragment],
    ).df()
    con.close()
    trend
    return by_function, fragment, os, trend


@app.cell
def _(by_function):
    by_function
    return


@app.cell
def _(fragment, os, trend):
    from ingest.charts import save_figure, use_cjk_font

    use_cjk_font()
    import matplotlib.pyplot as plt

    years = trend.fiscal_year.astype(str) + " " + trend.disclosure_kind.map({"budget": "预算", "final_accounts": "决算"})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(years, trend.fiscal_wan, marker="o", label="财政拨款")
    ax1.plot(years, trend.expenditure_wan, marker="s", label="支出总计")
    ax1.set_title(f"{fragment}：财政拨款与支出 (万元)")
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
    save_figure(fig, "department_over_years.png")
    fig
    return


if __name__ == "__main__":
    app.run()
