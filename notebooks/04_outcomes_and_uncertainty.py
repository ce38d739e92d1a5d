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
# # 04 · Preventable deaths, disability and DALYs, and how sure we are
#
# **Question.** If the minutes saved in notebook 03 are real, how many deaths, severe and
# moderate disabilities and DALYs per year would each mechanism avert, and how much of that
# rests on uncertain evidence about the value of time?
#
# The outcome model (`sim.outcomes`, docs/outcomes.md) turns each patient's timeline into
# expected probabilities of death and of each disability band, and DALYs. `sim.compare`
# reports two intervals for every *averted* metric:
#
# * **95 % CI** — Monte Carlo uncertainty: the spread across replications (paired, same
#   patients), with the outcome parameters fixed;
# * **PSA interval** — parameter uncertainty: 2.5–97.5 % of the result over `psa_draws` joint
#   draws of the uncertain parameters (time slopes, hazards, first-aid effects, disability
#   weights), re-evaluated on the same simulated patients.
#
# The tornado chart shows which single parameter moves the result most, and the calibration
# table checks the baseline against published outcome statistics. Synthetic county: the
# numbers illustrate the method.

# %% tags=["parameters"]
BASE = "scenarios/county_baseline.toml"
MECHANISMS = ("internet120", "linkage", "experts", "prenotify", "integrated")
FOCUS = "integrated"  # the scenario whose tornado and PSA draws are shown
HORIZON_DAYS = None  # None: the scenario's run.horizon_days
REPLICATIONS = None  # None: the scenario's run.replications
PSA_DRAWS = 200
JOBS = 2

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import display

import sim
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.outcomes import calibration_table, psa_draws, with_reference_times
from sim.plotting import charts
from sim.plotting.style import brief_style

REPO = Path.cwd() if (Path.cwd() / "scenarios").is_dir() else Path.cwd().parent


def show(fig):
    """Render ``fig`` now, inside the ``brief_style`` block (so its font is used), and close it."""
    display(fig)
    plt.close(fig)


def credit(fig, text):
    """Write the data credit line above the figure's panels, right-aligned."""
    fig.suptitle(text, x=0.995, ha="right", fontsize=7, color="#555555")


# %%
overrides = [f"run.horizon_days={HORIZON_DAYS}"] if HORIZON_DAYS else []
base = sim.load_scenario(REPO / BASE, overrides)
others = [sim.load_scenario(REPO / "scenarios" / f"county_{m}.toml", overrides) for m in MECHANISMS]
cmp = sim.compare(base, *others, replications=REPLICATIONS, jobs=JOBS, psa_draws=PSA_DRAWS)
ATTRIBUTION = cmp.manifest["attribution"]
focus = f"county_{FOCUS}"
print(
    f"{cmp.manifest['reps']} replications x {cmp.manifest['horizon_days']:g} days, "
    f"{cmp.manifest['psa_draws']} PSA draws; {ATTRIBUTION}"
)

# %% [markdown]
# ## The baseline burden
# Expected deaths, disabilities and DALYs per year among patients injured after the warm-up
# (`RunTables.outcomes`, mean and 95 % CI over replications).

# %%
burden = cmp.runs[base.name].outcomes.set_index("metric")
display(burden.loc[[m for m in burden.index if m.endswith("_per_year")]].round(2))

# %% [markdown]
# ## Averted per year, with both intervals
# Rows of `cmp.comparison` whose metric ends in `averted_per_year`: for these, `mean` is the
# amount averted relative to the base (negative = more than in the base).

# %%
averted_metrics = [
    "deaths_averted_per_year",
    "severe_disabilities_averted_per_year",
    "moderate_disabilities_averted_per_year",
    "dalys_averted_per_year",
]
av = cmp.comparison[cmp.comparison["metric"].isin(averted_metrics)]
display(
    av.pivot(index="scenario", columns="metric", values="mean")[averted_metrics]
    .reindex([s.name for s in others])
    .round(2)
)
display(
    av[av["scenario"] == focus][["metric", "mean", "ci_low", "ci_high", "psa_low", "psa_high"]]
    .set_index("metric")
    .round(2)
)


# %%
def wrap_legend(ax, ncol=4):
    """Re-flow a chart's one-row legend into ``ncol`` columns above the axes."""
    leg = ax.get_legend()
    ax.legend(
        leg.legend_handles,
        [t.get_text() for t in leg.get_texts()],
        ncol=ncol,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        fontsize=8,
    )


with brief_style("en"):
    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(8, 10), height_ratios=(3, 1.2))
    charts.averted_bars(cmp.comparison, ax=ax0, lang="en", base=base.name)
    wrap_legend(ax0)
    charts.averted_bars(
        cmp.comparison, ax=ax1, lang="en", base=base.name, metrics=("dalys_averted_per_year",)
    )
    ax1.get_legend().remove()
    credit(fig, ATTRIBUTION)
    show(fig)

# %% [markdown]
# **Note.** Moderate disability can *rise* when deaths fall: patients who would have died
# survive with a disability. DALYs weigh both.
#
# ## Which parameter matters most: the tornado
# `cmp.tornado` sets each uncertain parameter to its 2.5 % and 97.5 % quantile, one at a time,
# and re-evaluates the averted burden (`sim.outcomes.tornado`).

# %%
tor = cmp.tornado[cmp.tornado["scenario"] == focus]
display(
    tor[tor["metric"] == "deaths_averted_per_year"][
        [
            "parameter",
            "low_value",
            "high_value",
            "result_at_low",
            "result_at_high",
            "swing",
            "source",
        ]
    ].round(3)
)
with brief_style("en"):
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(15, 5))
    charts.tornado(tor, ax=ax0, lang="en", metric="deaths_averted_per_year")
    ax0.set_title(f"{focus} vs {base.name}: deaths averted per year", loc="left")
    charts.tornado(tor, ax=ax1, lang="en", metric="dalys_averted_per_year")
    ax1.set_title("DALYs averted per year", loc="left")
    credit(fig, ATTRIBUTION)
    show(fig)

# %% [markdown]
# ## The PSA draws themselves
# `sim.outcomes.psa_draws` returns every joint draw, so the PSA interval can be looked at as a
# distribution and against the parameters that drive it. It re-uses exactly what `compare`
# did: outcomes measured against the base's reference times (`with_reference_times`),
# patients injured after the warm-up, and the named `"psa"` random stream of the base seed.

# %%
b_inc = cmp.runs[base.name].incidents
o_inc = cmp.runs[focus].incidents
warm_min = base.run.warm_up_days * MINUTES_PER_DAY
years = (base.run.horizon_days - base.run.warm_up_days) / 365.0
spec = with_reference_times(base.outcomes, b_inc)
population = cmp.manifest["population"]
draws = psa_draws(
    b_inc[b_inc["t_injury"] >= warm_min],
    o_inc[o_inc["t_injury"] >= warm_min],
    spec,
    draws=PSA_DRAWS,
    rng=RandomStreams(base.run.seed, 0)["psa"],
    horizon_years=years,
    population=population if population == population else 1e5,  # NaN: per 100k not meaningful
)
top = tor[tor["metric"] == "deaths_averted_per_year"]["parameter"].iloc[0]
with brief_style("en"):
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(13, 4))
    ax0.hist(draws["deaths_averted_per_year"], bins=30, color="#0072B2")
    row = av[(av["scenario"] == focus) & (av["metric"] == "deaths_averted_per_year")].iloc[0]
    for x in (row["psa_low"], row["psa_high"]):
        ax0.axvline(x, color="#555555", linestyle=":")
    ax0.set_xlabel("deaths averted per year (one value per PSA draw)")
    ax0.set_ylabel("draws")
    ax0.set_title(f"{focus}: PSA distribution", loc="left")
    if top in draws.columns:
        ax1.scatter(draws[top], draws["deaths_averted_per_year"], s=10, alpha=0.6)
        ax1.set_xlabel(top)
    ax1.set_ylabel("deaths averted per year")
    ax1.set_title(f"Against the top tornado parameter ({top})", loc="left")
    credit(fig, ATTRIBUTION)
    show(fig)

# %% [markdown]
# ## Calibration of the baseline
# `sim.outcomes.calibration_table` puts the simulated outcome statistics of the baseline next
# to their published targets (docs/outcomes.md §6): the split of road-traffic deaths (on the
# spot / before rescuers / despite treatment), in-hospital mortality by severity, and the
# share of severe survivors with a lasting limitation. `ok` means within the tolerance.

# %%
after = b_inc[(b_inc["t_injury"] >= warm_min) & b_inc["p_death"].notna()]
cal = calibration_table(after, spec)
display(cal.round(3))
print(f"{int(cal['ok'].sum())} of {len(cal)} targets within tolerance")

# %% [markdown]
# **Reading the results.** Averted deaths follow the minutes saved in notebook 03, weighted by
# how time-sensitive each patient's injury class is. The PSA interval is usually wider than
# the replication CI: the evidence on the value of a minute, not simulation noise, limits
# what can be claimed. The calibration table flags where the county's long rural response
# times push the death split away from the national averages (see docs/outcomes.md §6).
