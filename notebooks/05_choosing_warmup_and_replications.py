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
# # 05 · Choosing the warm-up and the number of replications
#
# **Question.** How long must a run be discarded at the start, and how many replications are
# needed, for the KPIs to be trustworthy? And do the shipped scenario defaults
# (`run.warm_up_days`, `run.replications`) pass these checks?
#
# **Warm-up.** Every replication starts *empty and idle*: no calls in progress, all
# ambulances at their stations, all theatres free. Statistics gathered before the system
# fills up are biased low. Following Welch's method, we run several replications with no
# warm-up, average a KPI over replications hour by hour (or day by day), smooth it with a
# moving average, and look for where it levels off. MSER-5-style truncation on daily batch
# means gives an objective point to compare with.
#
# **Replications.** Each replication gives one value of a KPI; the 95 % t-interval across
# replications shrinks like 1/√n. We choose n so that the **relative half-width** (half-width
# ÷ mean) is below 10 % (and see where it falls below 5 %), both for the KPI levels and for the
# paired difference that a decision rests on (integrated vs baseline).
#
# The synthetic county always runs; the Hangzhou baseline is checked too when
# `TRAUMA_SIM_DATA` holds the shared OpenStreetMap extracts (© OpenStreetMap contributors,
# ODbL 1.0). Horizons are kept short so the notebook runs in seconds.

# %% tags=["parameters"]
SCENARIOS = ("scenarios/county_baseline.toml", "scenarios/hangzhou_baseline.toml")
OTHER = {"county_baseline": "scenarios/county_integrated.toml"}  # paired difference check
WARMUP_RUN_DAYS = 10  # horizon of the no-warm-up runs used for Welch's plot
WARMUP_REPS = 10
WELCH_WINDOW_HOURS = 12  # half-window w of Welch's moving average (hours)
MAX_REPS = 20  # replications for the half-width curves
REP_HORIZON_DAYS = None  # None: each scenario's run.horizon_days
TARGET_REL_HALF_WIDTH = 0.10
STRICT_REL_HALF_WIDTH = 0.05
KPIS = ("response_min_mean", "injury_to_definitive_care_min_mean", "ambulance_utilisation")
JOBS = 2

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import sim
from sim.core.errors import UserError
from sim.core.units import MINUTES_PER_DAY
from sim.metrics.compute import busy_intervals, t_interval
from sim.plotting.style import brief_style

REPO = Path.cwd() if (Path.cwd() / "scenarios").is_dir() else Path.cwd().parent


def show(fig):
    """Render ``fig`` now, inside the ``brief_style`` block (so its font is used), and close it."""
    display(fig)
    plt.close(fig)


def credit(fig, text):
    """Write the data credit line above the figure's panels, right-aligned."""
    fig.suptitle(text, x=0.995, ha="right", fontsize=7, color="#555555")


def welch(y, w):
    """Welch's moving average of a replication-averaged series (half-window ``w``)."""
    y = np.asarray(y, float)
    out = np.full(y.size - w, np.nan)
    for i in range(y.size - w):
        k = min(i, w)  # shorter symmetric windows at the start
        out[i] = y[i - k : i + k + 1].mean()
    return out


def mser(batches):
    """MSER truncation: the d minimising the standard error of the mean of batches[d:]."""
    z = np.asarray(batches, float)
    k = z.size
    scores = [((z[d:] - z[d:].mean()) ** 2).sum() / (k - d) ** 2 for d in range(k // 2)]
    return int(np.argmin(scores))


def first_n_below(rel, ns, limit):
    """Smallest n from which the relative half-width stays below ``limit`` (None if never)."""
    ok = np.asarray(rel) < limit
    for i in range(len(ok)):
        if ok[i:].all():
            return int(ns[i])
    return None


# %% [markdown]
# Which scenarios can run here: the county always; Hangzhou only when its data is found (the
# world build raises a one-line `UserError` otherwise, and it is skipped).

# %%
scenarios = []
for path in SCENARIOS:
    s = sim.load_scenario(REPO / path)
    try:
        world = sim.build_world(s)
    except UserError as err:
        print(f"skipped {s.name}: {err}")
        continue
    scenarios.append((s, world.network.attribution))
    print(
        f"{s.name}: warm_up_days={s.run.warm_up_days:g}, replications={s.run.replications}, "
        f"horizon_days={s.run.horizon_days:g} — {world.network.attribution}"
    )

# %% [markdown]
# ## Warm-up: Welch's plot
# Busy ambulances at each hour (the number committed to a call, from
# `sim.metrics.compute.busy_intervals`) and the mean response time by day of injury, averaged over
# replications of a run with **no** warm-up. The dashed line is the scenario's
# `run.warm_up_days`, the dotted line the MSER truncation point on daily batch means. Demand
# follows a strong daily cycle, so the middle panel compares day 1 with the *same hours* of
# later days: the gap there is the empty-start bias.

# %%
warmup_rows = []
for s, attribution in scenarios:
    s0 = s.with_overrides(["run.warm_up_days=0", f"run.horizon_days={WARMUP_RUN_DAYS}"])
    run0 = sim.run_experiment_tables(s0, replications=WARMUP_REPS, jobs=JOBS)
    t_end = WARMUP_RUN_DAYS * MINUTES_PER_DAY
    hours = np.arange(0.0, t_end, 60.0)
    busy = []
    for _, units in run0.units.groupby("rep"):
        start, end = busy_intervals(units, t_end)
        busy.append(
            np.searchsorted(np.sort(start), hours, side="right")
            - np.searchsorted(np.sort(end), hours, side="right")
        )
    hourly = np.mean(busy, axis=0)
    smooth = welch(hourly, WELCH_WINDOW_HOURS)
    daily = hourly.reshape(WARMUP_RUN_DAYS, 24).mean(axis=1)
    d_mser = mser(daily)
    calls = run0.incidents.drop_duplicates(["rep", "incident_id"])
    day = (calls["t_injury"] // MINUTES_PER_DAY).astype(int)
    response_by_day = (
        calls.groupby([calls["rep"], day])["response_min"].mean().groupby(level=1).mean()
    )
    by_day = hourly.reshape(WARMUP_RUN_DAYS, 24)
    first_day, later_days = by_day[0], by_day[1:].mean(axis=0)
    warmup_rows.append(
        {
            "scenario": s.name,
            "warm_up_days (shipped)": s.run.warm_up_days,
            "MSER truncation (days)": d_mser,
            "busy ambulances 00-06h, day 1": first_day[:6].mean(),
            "busy ambulances 00-06h, later days": later_days[:6].mean(),
            "busy ambulances, day 1": daily[0],
            "busy ambulances, later days": daily[1:].mean(),
            "response min, day 1": response_by_day.iloc[0],
            "response min, later days": response_by_day.iloc[1:].mean(),
        }
    )
    with brief_style("en"):
        fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(16, 3.8), width_ratios=(2, 1, 1))
        ax0.plot(hours / 60, hourly, color="#bbbbbb", linewidth=0.8, label="mean over replications")
        ax0.plot(
            hours[: smooth.size] / 60,
            smooth,
            color="#D55E00",
            label=f"Welch moving average (w = {WELCH_WINDOW_HOURS} h)",
        )
        ax0.axvline(
            s.run.warm_up_days * 24, color="#333333", linestyle="--", label="shipped warm-up"
        )
        ax0.axvline(d_mser * 24, color="#333333", linestyle=":", label="MSER truncation")
        ax0.set_xlabel("hours since the start (model starts empty and idle)")
        ax0.set_ylabel("ambulances committed")
        ax0.set_title(f"{s.name}: busy ambulances, {WARMUP_REPS} replications", loc="left")
        ax0.legend(loc="lower right", fontsize=8, ncol=2)
        # The daily cycle, not the empty start, shapes most of day 1: compare like hours.
        ax1.plot(range(24), first_day, marker=".", label="day 1")
        ax1.plot(range(24), later_days, marker=".", label=f"days 2-{WARMUP_RUN_DAYS} (mean)")
        ax1.set_xlabel("hour of day")
        ax1.set_ylabel("ambulances committed")
        ax1.set_xticks(range(0, 24, 6))
        ax1.set_title("Day 1 against later days", loc="left")
        ax1.legend(fontsize=8)
        ax2.plot(
            response_by_day.index + 0.5, response_by_day.to_numpy(), marker="o", color="#0072B2"
        )
        ax2.axvline(s.run.warm_up_days, color="#333333", linestyle="--")
        ax2.axvline(d_mser, color="#333333", linestyle=":")
        ax2.set_xlabel("day")
        ax2.set_ylabel("mean response (min)")
        ax2.set_title("Response time by day of injury", loc="left")
        ax2.set_ylim(bottom=0)
        credit(fig, attribution)
        show(fig)
warmup = pd.DataFrame(warmup_rows).set_index("scenario")
display(warmup.round(2))

# %% [markdown]
# ## Replications: confidence-interval half-width against n
# `MAX_REPS` replications at each scenario's own horizon; for every n the 95 % t-interval of
# the first n values (`sim.metrics.compute.t_interval`). The dashed line marks the shipped
# `run.replications`.

# %%
curve_rows = []
diffs = {}
for s, attribution in scenarios:
    s1 = s.with_overrides([f"run.horizon_days={REP_HORIZON_DAYS}"]) if REP_HORIZON_DAYS else s
    per_rep = sim.run_experiment_tables(s1, replications=MAX_REPS, jobs=JOBS).kpis_by_rep
    series = {k: per_rep[k].to_numpy() for k in KPIS}
    if s.name in OTHER:
        other = sim.load_scenario(REPO / OTHER[s.name], [f"run.seed={s1.run.seed}"])
        other = other.with_overrides([f"run.horizon_days={s1.run.horizon_days}"])
        o_rep = sim.run_experiment_tables(other, replications=MAX_REPS, jobs=JOBS).kpis_by_rep
        key = "injury_to_definitive_care_min_mean"
        label = f"{key} ({other.name} - base, paired)"
        series[label] = o_rep[key].to_numpy() - per_rep[key].to_numpy()
        diffs[label] = t_interval(series[label][: s.run.replications])
    ns = np.arange(2, MAX_REPS + 1)
    with brief_style("en"):
        fig, ax = plt.subplots(figsize=(9, 4.2))
        for name, values in series.items():
            rel = []
            for n in ns:
                m, lo, hi = t_interval(values[:n])
                rel.append((hi - lo) / 2 / abs(m))
            ax.plot(ns, 100 * np.asarray(rel), marker=".", label=name)
            curve_rows.append(
                {
                    "scenario": s.name,
                    "kpi": name,
                    f"rel. half-width at n={s.run.replications}": rel[s.run.replications - 2],
                    f"n for < {TARGET_REL_HALF_WIDTH:.0%}": first_n_below(
                        rel, ns, TARGET_REL_HALF_WIDTH
                    ),
                    f"n for < {STRICT_REL_HALF_WIDTH:.0%}": first_n_below(
                        rel, ns, STRICT_REL_HALF_WIDTH
                    ),
                }
            )
        for limit in (TARGET_REL_HALF_WIDTH, STRICT_REL_HALF_WIDTH):
            ax.axhline(100 * limit, color="#555555", linestyle=":")
        ax.axvline(s.run.replications, color="#333333", linestyle="--")
        ax.set_xlabel("replications n")
        ax.set_ylabel("95% CI half-width (% of mean)")
        ax.set_ylim(0, 30)
        ax.set_title(f"{s.name}: {s1.run.horizon_days:g}-day replications", loc="left")
        ax.legend(fontsize=8)
        credit(ax.figure, attribution)
        show(fig)
curves = pd.DataFrame(curve_rows).set_index(["scenario", "kpi"])
display(curves.round(3))

# %% [markdown]
# ## Conclusion
# The text below is computed from the tables above, so it stays true if the model changes.

# %%
lines = []
for s, _ in scenarios:
    w = warmup.loc[s.name]
    ok_warm = s.run.warm_up_days >= w["MSER truncation (days)"]
    lines.append(
        f"* **{s.name}, warm-up.** Between 00:00 and 06:00, "
        f"{w['busy ambulances 00-06h, day 1']:.2f} ambulances are busy on day 1 against "
        f"{w['busy ambulances 00-06h, later days']:.2f} at the same hours later; over whole "
        f"days {w['busy ambulances, day 1']:.2f} against {w['busy ambulances, later days']:.2f}. "
        f"MSER truncates {w['MSER truncation (days)']:.0f} day(s). The shipped "
        f"`warm_up_days = {s.run.warm_up_days:g}` {'covers' if ok_warm else 'does NOT cover'} it."
    )
    c = curves.loc[s.name]
    col = f"rel. half-width at n={s.run.replications}"
    need = f"n for < {TARGET_REL_HALF_WIDTH:.0%}"
    levels = c.loc[[k for k in c.index if k in KPIS]]
    worst = levels[col].max()
    ok_reps = worst < TARGET_REL_HALF_WIDTH
    lines.append(
        f"* **{s.name}, replications.** With the shipped `replications = {s.run.replications}` "
        f"the widest relative half-width of the KPI levels is {worst:.1%} "
        f"({levels[col].idxmax()}); it {'meets' if ok_reps else 'does NOT meet'} the "
        f"{TARGET_REL_HALF_WIDTH:.0%} rule (n = {levels[need].max():.0f} would be enough)."
    )
    for k in c.index.difference(levels.index):
        m, lo, hi = diffs[k]
        lines.append(
            f"* **{s.name}, paired difference** {k}: {m:.1f} min, 95% CI {lo:.1f} to {hi:.1f} "
            f"at n = {s.run.replications} ({'excludes' if lo * hi > 0 else 'includes'} zero; "
            f"relative half-width {c.loc[k, col]:.0%})."
        )
display(Markdown("\n".join(lines)))

# %% [markdown]
# **Why the warm-up is short.** Calls start arriving at midnight, when demand is lowest, and a
# call commits an ambulance for one to three hours, so the number of busy units reaches its
# daily pattern within the first hours; nothing in the model (queues, theatres) carries load
# over several days at these volumes. A warm-up of a day or two is therefore ample, and
# cheap. **Why n = 8.** Utilisation and response times are averages over hundreds of calls per
# replication and settle fast; the chain for *severe* patients rests on a few dozen patients
# per replication and is the binding KPI. Paired differences between scenarios (common random
# numbers) are what decisions use; judge them by their CI excluding zero rather than by a
# relative half-width when the effect itself is small.
