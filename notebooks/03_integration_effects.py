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
# # 03 · What each integration mechanism does, alone and together
#
# **Question.** How many minutes does each mechanism save, at which stage of the chain, and do
# the savings add up when all four run together?
#
# The four mechanisms (`[mechanisms]` in the scenario files): *Internet + 120* (location and
# triage data with the call), *police–medical linkage* (police first aid and escort),
# *expert consultation* (remote specialists guide the receiving hospital) and *hospital
# pre-notification*. Each `scenarios/county_<mechanism>.toml` extends the baseline and switches
# one on; `county_integrated.toml` switches on all four.
#
# `sim.compare` runs every scenario with the base's seed and replications, so each
# replication sees **identical incidents** (common random numbers) and differences are paired
# by replication: their confidence intervals are much narrower than those of the levels.
# Stage differences use the same severe patients in every scenario, so they add up to the
# total. Synthetic county: the numbers illustrate the method, not a real place.

# %% tags=["parameters"]
BASE = "scenarios/county_baseline.toml"
MECHANISMS = ("internet120", "linkage", "experts", "prenotify", "integrated")
HORIZON_DAYS = None  # None: the scenario's run.horizon_days
REPLICATIONS = None  # None: the scenario's run.replications
PSA_DRAWS = 20  # outcome uncertainty is notebook 04's subject; keep this small here
JOBS = 2

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import sim
from sim.metrics.compute import STAGES
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


def interval(mean, low, high, digits=1):
    """'m (lo to hi)' for tables (rounded first, so no '-0.0')."""
    m, lo, hi = (round(float(x), digits) + 0.0 for x in (mean, low, high))
    return f"{m:.{digits}f} ({lo:.{digits}f} to {hi:.{digits}f})"


# %%
overrides = [f"run.horizon_days={HORIZON_DAYS}"] if HORIZON_DAYS else []
base = sim.load_scenario(REPO / BASE, overrides)
others = [sim.load_scenario(REPO / "scenarios" / f"county_{m}.toml", overrides) for m in MECHANISMS]
switches = pd.DataFrame(
    {
        s.name: {k: getattr(s.mechanisms, k).enabled for k in type(s.mechanisms).model_fields}
        for s in (base, *others)
    }
).T
display(switches)

# %%
cmp = sim.compare(base, *others, replications=REPLICATIONS, jobs=JOBS, psa_draws=PSA_DRAWS)
ATTRIBUTION = cmp.manifest["attribution"]
print(
    f"{len(cmp.runs)} scenarios x {cmp.manifest['reps']} replications x "
    f"{cmp.manifest['horizon_days']:g} days on {cmp.manifest['network']} ({ATTRIBUTION})"
)

# %% [markdown]
# ## Minutes saved per stage
# `cmp.stages` holds, per scenario and stage, the mean minutes and the paired difference from
# the base with its 95 % CI. Minutes *saved* = −difference.

# %%
st = cmp.stages
saved = st[st["scenario"] != base.name].assign(
    saved=lambda d: -d["diff_vs_base"],
    saved_low=lambda d: -d["diff_ci_high"],
    saved_high=lambda d: -d["diff_ci_low"],
)
table = saved.assign(
    cell=[
        interval(m, lo, hi)
        for m, lo, hi in saved[["saved", "saved_low", "saved_high"]].itertuples(index=False)
    ]
).pivot(index="stage", columns="scenario", values="cell")
table = table.reindex([*STAGES, "total"])[[s.name for s in others]]
print(
    f"minutes saved vs {base.name} (95% CI), {int(st['patients'].iloc[0])} matched severe patients"
)
display(table)

# %%
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    charts.stage_bars(st, ax=ax, lang="en", scenarios=[base.name, *[s.name for s in others]])
    ax.set_title("Where the minutes go, per scenario (severe patients)", loc="left")
    credit(ax.figure, ATTRIBUTION)
    show(fig)

# %% [markdown]
# The savings themselves, per stage, with their 95 % CIs (stages where no scenario saves
# anything are left out).

# %%
rows = [*STAGES, "total"]
moved = saved.groupby("stage")["saved"].apply(lambda x: x.abs().max() > 1e-9)
rows = [r for r in rows if moved.get(r, False)]
names = [s.name for s in others]
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(8.5, 0.9 + 0.55 * len(rows) * 1.4))
    step = 0.8 / len(names)
    for i, name in enumerate(names):
        d = saved[saved["scenario"] == name].set_index("stage").reindex(rows)
        y = np.arange(len(rows))[::-1] + 0.4 - step * (i + 0.5)
        err = np.vstack([d["saved"] - d["saved_low"], d["saved_high"] - d["saved"]])
        ax.errorbar(d["saved"], y, xerr=err, fmt="o", capsize=3, label=name, color=f"C{i}")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(np.arange(len(rows))[::-1], rows)
    ax.set_xlabel("minutes saved vs baseline (95% CI, paired by replication)")
    ax.set_title("Minutes saved per stage", loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)
    credit(ax.figure, ATTRIBUTION)
    show(fig)

# %% [markdown]
# ## Do the savings add up?
# The sum of the single-mechanism savings against the saving of all four together. Two
# mechanisms that cut the same minutes (e.g. expert guidance and pre-notification both shorten
# arrival → definitive care) cannot both claim them, so the integrated saving is usually less
# than the sum.

# %%
total = saved[saved["stage"] == "total"].set_index("scenario")["saved"]
singles = [n for n in names if not n.endswith("integrated")]
additivity = pd.DataFrame(
    {
        "sum of single mechanisms": [total[singles].sum()],
        "all together": [total[names[-1]]] if names[-1].endswith("integrated") else [np.nan],
    },
    index=["minutes saved, injury -> definitive care"],
).round(1)
display(additivity)

# %% [markdown]
# ## Other KPIs
# Response time, compliance with the response targets and the consultation queue, from
# `cmp.comparison` (tidy: one row per scenario and metric, with the paired difference).
# At county volumes (a few consultations a week) nobody waits for an expert.

# %%
metrics = [
    "call_to_dispatch_min_mean",
    "response_min_mean",
    "response_min_p90",
    "injury_to_definitive_care_min_mean",
    "severe_capable_care_share",
    "ambulance_utilisation",
]
c = cmp.comparison[cmp.comparison["metric"].isin(metrics)]
kpi_table = (
    c.assign(
        cell=[
            interval(m, lo, hi, 2) if name == base.name else interval(d, dlo, dhi, 2)
            for name, m, lo, hi, d, dlo, dhi in c[
                [
                    "scenario",
                    "mean",
                    "ci_low",
                    "ci_high",
                    "diff_vs_base",
                    "diff_ci_low",
                    "diff_ci_high",
                ]
            ].itertuples(index=False)
        ]
    )
    .pivot(index="metric", columns="scenario", values="cell")
    .reindex(metrics)[[base.name, *names]]
)
print(f"{base.name}: level (95% CI); other columns: difference from it (95% CI)")
display(kpi_table)

# %%
with brief_style("en"):
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(14, 4.2))
    charts.compliance_bars(cmp.compliance, ax=ax0, lang="en")
    ax0.set_title("Responses within target", loc="left")
    charts.consult_waits(cmp.consult_waits, ax=ax1, lang="en")
    ax1.set_title("Wait for an expert consultation", loc="left")
    credit(fig, ATTRIBUTION)
    show(fig)

# %% [markdown]
# The stage chart for a Chinese committee brief (scenario titles in Chinese from each
# scenario's `title`).

# %%
zh_names = {s.name: s.title.split(" (")[0] for s in (base, *others)}
with brief_style("zh"):
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    charts.stage_bars(
        st.replace({"scenario": zh_names}), ax=ax, lang="zh", scenarios=list(zh_names.values())
    )
    ax.set_title("各机制对救治时间链的影响（重伤患者）", loc="left")
    credit(ax.figure, "合成县路网（非真实数据）" if cmp.manifest["synthetic"] else ATTRIBUTION)
    show(fig)

# %% [markdown]
# ## Saving and reading results
# `sim.save_results` writes a comparison folder (CSV tables, one Parquet run folder per
# scenario, `manifest.json` with seeds, hashes and versions); `sim.read_results` reads it back.
# Here it goes to a temporary folder, so the notebook leaves nothing behind.

# %%
with tempfile.TemporaryDirectory() as tmp:
    folder = sim.save_results(cmp, tmp)
    back = sim.read_results(folder)
    print(sorted(p.name for p in folder.iterdir()))
    assert back.stages.shape == cmp.stages.shape
    print(back.manifest["scenarios"])

# %% [markdown]
# **Reading the results.** On the synthetic county the biggest single saving comes from the
# hospital side (expert consultation and pre-notification shorten arrival → definitive care);
# Internet + 120 trims the call and dispatch stages by well under a minute each, and police
# linkage saves minutes mainly through first aid and escort. Together they save less than
# the sum of their parts because several act on the same stage.
