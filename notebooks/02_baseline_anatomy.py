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
# # 02 · Anatomy of the baseline
#
# **Question.** In today's 120 system, where do the minutes between injury and definitive care
# go, how busy are the call-takers and the ambulances, and how quickly do ambulances reach the
# scene?
#
# One baseline run of the embedded **synthetic county** (`scenarios/county_baseline.toml`), with
# a short horizon and few replications so that the notebook runs in seconds. For decisions, use
# the scenario's own horizon and replications (notebook 05 shows how they were chosen).
# Patients injured during the warm-up are left out of every statistic here, as in the library.

# %% tags=["parameters"]
SCENARIO = "scenarios/county_baseline.toml"
HORIZON_DAYS = 28  # simulated days per replication (the scenario default is 56)
REPLICATIONS = 4  # the scenario default is 8
JOBS = 2  # worker processes; results are identical for any value

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import sim
from sim.core.units import MINUTES_PER_DAY
from sim.metrics.compute import RESPONSE_TARGET_MIN, STAGES, busy_unit_minutes, utilisation_by_hour
from sim.plotting import charts, maps
from sim.plotting.style import brief_style

# Works from the repository root (CI) and from notebooks/ (Jupyter).
REPO = Path.cwd() if (Path.cwd() / "scenarios").is_dir() else Path.cwd().parent


def show(fig):
    """Render ``fig`` now, inside the ``brief_style`` block (so its font is used), and close it."""
    display(fig)
    plt.close(fig)


def credit(fig, text):
    """Write the data credit line above the figure's panels, right-aligned."""
    fig.suptitle(text, x=0.995, ha="right", fontsize=7, color="#555555")


# %%
scenario = sim.load_scenario(REPO / SCENARIO, [f"run.horizon_days={HORIZON_DAYS}"])
world = sim.build_world(scenario)  # network, facilities and travel tables (deterministic)
run = sim.run_experiment_tables(scenario, replications=REPLICATIONS, jobs=JOBS)
manifest = run.manifest
ATTRIBUTION = manifest["attribution"]
warm_min = scenario.run.warm_up_days * MINUTES_PER_DAY
horizon_min = scenario.run.horizon_days * MINUTES_PER_DAY
display(
    pd.Series(
        {
            k: manifest[k]
            for k in (
                "scenario",
                "network",
                "attribution",
                "replications",
                "horizon_days",
                "warm_up_days",
                "units",
                "incidents",
                "wall_s",
            )
        }
    ).to_frame("run")
)

# %% [markdown]
# `run.kpis` is the tidy KPI table: the mean over replications and its 95 % t-interval.

# %%
kpis = run.kpis.set_index("metric")
display(kpis.round(3))

# %% [markdown]
# ## Where the minutes go
# The chain from injury to definitive care, for **severe** trauma patients who reached
# definitive care (`sim.metrics.compute.STAGES`; the stages add up to the total; KPIs
# `severe_<stage>_min_mean`). First the mean over replications with its 95 % CI, then the
# chain split by urban and rural zone, for *all* trauma patients who reached definitive care
# (severe patients alone are too few in this short run for a split).

# %%
stages = pd.DataFrame(
    [
        {
            "scenario": scenario.name,
            "stage": st,
            "mean_min": kpis.loc[f"severe_{st}_min_mean", "mean"],
            "ci_low": kpis.loc[f"severe_{st}_min_mean", "ci_low"],
            "ci_high": kpis.loc[f"severe_{st}_min_mean", "ci_high"],
        }
        for st in STAGES
    ]
)
display(stages.round(2))
total = kpis.loc["injury_to_definitive_care_min_mean"]
print(
    f"injury -> definitive care: {total['mean']:.1f} min "
    f"(95% CI {total['ci_low']:.1f}-{total['ci_high']:.1f})"
)

# %%
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(8, 3.8))
    y = np.arange(len(stages))[::-1]
    err = np.vstack([stages["mean_min"] - stages["ci_low"], stages["ci_high"] - stages["mean_min"]])
    ax.barh(y, stages["mean_min"], xerr=err, capsize=3, color=charts.STAGE_COLOURS)
    ax.set_yticks(y, stages["stage"])
    ax.set_xlabel("mean minutes (severe trauma patients), 95% CI across replications")
    ax.set_title("Time-to-treatment chain, stage by stage", loc="left")
    credit(ax.figure, ATTRIBUTION)
    show(fig)

# %%
inc = run.incidents
after = inc[inc["t_injury"] >= warm_min]
chain = after[(after["kind"] == "trauma") & after["t_definitive_care"].notna()]
by_zone = (
    chain.groupby("zone")[[f"{st}_min" for st in STAGES]]
    .mean()
    .rename(columns=lambda c: c.removesuffix("_min"))
    .rename_axis(columns="stage")
    .stack()
    .rename("mean_min")
    .reset_index()
    .rename(columns={"zone": "scenario"})  # stage_bars draws one bar per "scenario" value
)
print(chain.groupby("zone").size().rename("trauma patients").to_string())
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(8, 3.6))
    charts.stage_bars(by_zone, ax=ax, lang="en")
    ax.set_title("Where the minutes go, by zone", loc="left")
    credit(ax.figure, ATTRIBUTION)
    show(ax.figure)

# %% [markdown]
# The same chart for a Chinese brief. Chart functions take `lang="zh"`; wrapping the call in
# `brief_style("zh")` and displaying the figure inside the block renders it with the bundled
# CJK font (outside the block matplotlib would fall back to a font without Chinese glyphs).

# %%
with brief_style("zh"):
    fig, ax = plt.subplots(figsize=(8, 3.6))
    charts.stage_bars(by_zone.replace({"urban": "城区", "rural": "农村"}), ax=ax, lang="zh")
    ax.set_title("时间都花在哪里：城区与农村", loc="left")
    credit(ax.figure, "合成县路网（非真实数据）" if manifest["synthetic"] else ATTRIBUTION)
    show(ax.figure)

# %% [markdown]
# ## The 120 call queue
# `call_to_answer` is ringing plus any wait for a free call-taker seat. The KPI table gives the
# share answered within 10 s; below are the distribution of answer times, calls by hour of day
# and seat utilisation by hour (`sim.metrics.compute.utilisation_by_hour`, averaged over replications).

# %%
calls = after.drop_duplicates(["rep", "incident_id"])
days = (horizon_min - warm_min) / MINUTES_PER_DAY * run.kpis_by_rep["rep"].nunique()
calls_by_hour = (calls["t_call"] // 60 % 24).value_counts().reindex(range(24), fill_value=0) / days
for name in ("call_to_answer_min_mean", "answer_within_10s_share", "call_taker_utilisation"):
    row = kpis.loc[name]
    print(f"{name}: {row['mean']:.3f} (95% CI {row['ci_low']:.3f}-{row['ci_high']:.3f})")

seats = sum(c.seats for c in world.facilities.centres)
n_units = manifest["units"]
per_rep = [
    utilisation_by_hour(
        run.units[run.units["rep"] == r],
        inc[inc["rep"] == r],
        n_units=n_units,
        seats=seats,
        t_start=warm_min,
        t_end=horizon_min,
    )
    for r in sorted(inc["rep"].unique())
]
util = (
    pd.concat(per_rep)
    .groupby(["resource", "hour"], as_index=False)["utilisation"]
    .mean()
    .assign(scenario=scenario.name)
)

with brief_style("en"):
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    seconds = calls["call_to_answer_min"].dropna() * 60
    axes[0].hist(seconds, bins=40, color="#0072B2")
    axes[0].axvline(10, color="#555555", linestyle=":")
    axes[0].set_xlabel("call -> answer (seconds)")
    axes[0].set_ylabel("calls")
    axes[0].set_title("Answer times", loc="left")
    axes[1].bar(calls_by_hour.index, calls_by_hour.to_numpy(), color="#56B4E9")
    axes[1].set_xlabel("hour of day")
    axes[1].set_ylabel("calls per day")
    axes[1].set_title("Calls by hour of day", loc="left")
    charts.utilisation_by_hour(util, ax=axes[2], lang="en", resources=["call_taker"])
    axes[2].set_ylim(0, max(5.0, 100 * util["utilisation"].max() * 1.3))
    axes[2].set_title(f"Call-taker seats busy ({seats} seats)", loc="left")
    credit(fig, ATTRIBUTION)
    show(fig)

# %% [markdown]
# ## Ambulances
# Utilisation is the share of unit-time committed to a call (dispatched until free again).
# `dispatch_queue_min_mean` is the wait for a free ambulance after the dispatch request.

# %%
for name in ("ambulance_utilisation", "dispatch_queue_min_mean", "departure_within_3min_share"):
    row = kpis.loc[name]
    print(f"{name}: {row['mean']:.3f} (95% CI {row['ci_low']:.3f}-{row['ci_high']:.3f})")
window = horizon_min - warm_min
per_unit = (
    pd.DataFrame(
        [
            {
                "rep": r,
                "unit": u,
                "station_id": g["station_id"].iloc[0],
                "utilisation": busy_unit_minutes(g, warm_min, horizon_min) / window,
            }
            for (r, u), g in run.units.groupby(["rep", "unit"])
        ]
    )
    .groupby(["unit", "station_id"], as_index=False)["utilisation"]
    .mean()
)
with brief_style("en"):
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(13, 3.8))
    charts.utilisation_by_hour(util, ax=ax0, lang="en", resources=["ambulance"])
    ax0.set_ylim(0, max(10.0, 100 * util["utilisation"].max() * 1.3))
    ax0.set_title("Ambulances committed, by hour of day", loc="left")
    labels = [f"{s}/{u}" for u, s in zip(per_unit["unit"], per_unit["station_id"], strict=True)]
    ax1.bar(labels, 100 * per_unit["utilisation"], color="#D55E00")
    ax1.set_xlabel("station / unit")
    ax1.set_ylabel("utilisation (%)")
    ax1.set_title("Utilisation per unit", loc="left")
    credit(fig, ATTRIBUTION)
    show(fig)

# %% [markdown]
# ## Response times
# Response = call answered to ambulance on scene (the Chinese definition). Hangzhou's 2027
# targets: urban ≤ 8 min, rural ≤ 12 min (`sim.metrics.compute.RESPONSE_TARGET_MIN`).

# %%
for zone in RESPONSE_TARGET_MIN:
    row = kpis.loc[f"response_within_target_{zone}_share"]
    print(f"{zone}: {100 * row['mean']:.0f}% within {RESPONSE_TARGET_MIN[zone]:g} min")
with brief_style("en"):
    ax = charts.ecdf(
        calls, "response_min", by="zone", lang="en", targets_min=RESPONSE_TARGET_MIN.values()
    )
    ax.set_title("Response time by zone", loc="left")
    credit(ax.figure, ATTRIBUTION)
    show(ax.figure)

# %% [markdown]
# Where responses are slow: every call after the warm-up, coloured by its response time, with
# the stations and hospitals of the scenario (`sim.plotting.maps.incident_map`).

# %%
fac = world.facilities
facilities = pd.DataFrame(
    [
        {"id": s.id, "kind": "station", "name": s.id, "lon": s.lon, "lat": s.lat}
        for s in fac.stations
    ]
    + [
        {"id": h.id, "kind": "hospital", "name": h.id, "lon": h.lon, "lat": h.lat, "tier": h.tier}
        for h in fac.hospitals
    ]
)
with brief_style("en"):
    ax = maps.incident_map(world.network, calls, facilities, lang="en")
    ax.set_title("Response time of each call", loc="left")
    show(ax.figure)

# %% [markdown]
# **Reading the results.** On the synthetic county the long stages are the drive to the scene
# and the transport (a 50 km trip to the city trauma centre for some patients), not the call
# centre: with two seats and about ten calls a day the seats are almost never all busy, and the
# ambulances are committed only a small share of the time. Rural response times are far
# beyond the 12-minute target. Mechanisms that shorten the road and hospital stages should
# therefore matter most here (notebook 03).
