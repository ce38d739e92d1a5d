# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Sweeps and value for money: which mechanisms to fund first
#
# **Question.** Planners ask which mechanism to fund first and which combination a budget
# buys. A *sweep* runs every combination of a few scenario fields against the base under
# common random numbers (`sim.sweep`, docs/results.md "Sweeps"); every design point's rows
# are exactly a comparison of that point with the base, including the cost rows of
# `[costs]` (docs/costs.md): incremental cost per year, cost per DALY averted, net monetary
# benefit at 1x and 3x GDP per capita.
#
# This notebook sweeps three mechanism switches on the synthetic county (8 points, short
# horizon: the numbers illustrate the method), draws the heat map of DALYs averted over two
# of them, the efficiency frontier over all points with the best one within a budget, and
# the cost-effectiveness acceptability curve (CEAC) of the integrated scenario from its PSA.
# Unit costs are assumptions [U] with ranges (docs/costs.md): read the results as a method.

# %% tags=["parameters"]
BASE = "scenarios/county_baseline.toml"
FIELDS = (
    "mechanisms.internet_plus_120.enabled",
    "mechanisms.police_linkage.enabled",
    "mechanisms.prenotification.enabled",
)
HORIZON_DAYS = 3
REPLICATIONS = 2
PSA_DRAWS = 30
BUDGET_YUAN = 2_000_000  # per year
JOBS = 2

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import sim
from sim.outcomes.costeffect import best_within_budget, ceac, efficiency_frontier
from sim.plotting import charts
from sim.plotting.style import brief_style
from sim.plotting.sweep_report import comparison_ceac, frontier_points

REPO = Path.cwd() if (Path.cwd() / "scenarios").is_dir() else Path.cwd().parent
WORK = Path(tempfile.mkdtemp(prefix="trauma-sim-06-"))  # nothing is written into the repo
COST_ROWS = [
    "dalys_averted_per_year",
    "deaths_averted_per_year",
    "incremental_cost_yuan_per_year",
    "cost_per_daly_averted_yuan",
    "nmb_1gdp_yuan",
    "nmb_3gdp_yuan",
]


def show(fig):
    """Render ``fig`` now, inside the ``brief_style`` block (so its font is used), and close it."""
    display(fig)
    plt.close(fig)


# %% [markdown]
# ## The sweep file
# A sweep names its base (relative to the sweep file; here an absolute path because the file
# is written to a temporary folder) and the fields that vary.

# %%
lines = [
    f'base = "{(REPO / BASE).as_posix()}"',
    f"replications = {REPLICATIONS}",
    f"horizon_days = {HORIZON_DAYS}",
    f"psa_draws = {PSA_DRAWS}",
]
for field in FIELDS:
    lines += ["", "[[vary]]", f'field = "{field}"', "values = [false, true]"]
sweep_file = WORK / "mechanisms.toml"
sweep_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
print(sweep_file.read_text(encoding="utf-8"))

# %%
table = sim.sweep(sweep_file, WORK / "sweep", jobs=JOBS)
print(f"{table['point'].nunique()} points, {len(table)} rows (point x metric)")
wide = table[table["metric"].isin(COST_ROWS)].pivot_table(
    index=["point", *FIELDS], columns="metric", values="mean"
)
display(wide[COST_ROWS].round(1))

# %% [markdown]
# ## Heat map: DALYs averted over two switches
# The third switch is held off. Each cell is the paired difference to the base (the same
# patients in every point).

# %%
surface = table[~table[FIELDS[2]].astype(bool)]
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    charts.response_surface(
        surface,
        metric="dalys_averted_per_year",
        x_field=FIELDS[0],
        y_field=FIELDS[1],
        value="mean",
        ax=ax,
        lang="en",
    )
    ax.set_title("DALYs averted per year (synthetic county)", loc="left")
    show(fig)

# %% [markdown]
# ## Efficiency frontier and the best combination within a budget
# Points that cost more and avert less than another (or than a mix of two others) are
# dominated; the frontier's ICERs are the extra yuan per extra DALY of each step.

# %%
points = frontier_points(table, list(FIELDS))
frontier = efficiency_frontier(points[["strategy", "cost_yuan", "dalys_averted"]])
best = best_within_budget(points, BUDGET_YUAN)
display(frontier.round(1))
print("best within", f"{BUDGET_YUAN:,} yuan/year:", None if best is None else best["strategy"])
with brief_style("zh"):
    fig, ax = plt.subplots(figsize=(7.0, 4.6))
    charts.frontier_chart(
        points,
        frontier,
        budget_yuan=BUDGET_YUAN,
        best=None if best is None else str(best["strategy"]),
        ax=ax,
        lang="zh",
    )
    show(fig)

# %% [markdown]
# ## CEAC of the integrated scenario
# `sim.compare` pairs draw k of the unit prices with draw k of the outcome parameters
# (`cmp.psa`); the CEAC is the share of draws in which each option has the highest net
# monetary benefit at each willingness to pay.

# %%
overrides = [f"run.horizon_days={HORIZON_DAYS}"]
base = sim.load_scenario(REPO / BASE, overrides)
integrated = sim.load_scenario(REPO / "scenarios" / "county_integrated.toml", overrides)
cmp = sim.compare(base, integrated, replications=REPLICATIONS, jobs=JOBS, psa_draws=PSA_DRAWS)
rows = cmp.comparison[cmp.comparison["metric"].isin(COST_ROWS)]
display(rows[["scenario", "metric", "mean", "ci_low", "ci_high", "psa_low", "psa_high"]])
gdp = cmp.manifest["costs"]["gdp_per_capita_yuan"]
curve = comparison_ceac(cmp.psa, [gdp * k / 10 for k in range(51)])
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    charts.ceac_chart(curve, gdp_per_capita_yuan=gdp, ax=ax, lang="en")
    show(fig)

# %% [markdown]
# The same curve straight from draws (`sim.outcomes.costeffect.ceac`), as a check.

# %%
sub = cmp.psa[cmp.psa["scenario"] == integrated.name]
direct = ceac(
    {integrated.name: (sub["incremental_cost_yuan_per_year"], sub["dalys_averted_per_year"])},
    [gdp, 3 * gdp],
)
display(pd.DataFrame(direct))
