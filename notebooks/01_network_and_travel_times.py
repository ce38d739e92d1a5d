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
# # 01 · The road network and travel times
#
# **Question.** What does the model drive on, and how long do trips take? This notebook loads a
# road network, looks at free-flow speeds by road class, maps the drive minutes from a hospital
# to every road node, and shows how the time-of-day congestion profile changes the same trips
# (03:00 against 08:00).
#
# **Data.** With `TRAUMA_SIM_DATA` pointing at the shared OSM extracts, the network is the
# Hangzhou Wulin Square crop (`hangzhou_wulin`, a 3.4 × 3.3 km piece of real OpenStreetMap,
# © OpenStreetMap contributors, ODbL 1.0). Without it the notebook falls back to the embedded
# *synthetic* county, so it always runs. Every figure carries the network's attribution line.

# %% tags=["parameters"]
NETWORK = None  # None: "hangzhou_wulin" when $TRAUMA_SIM_DATA has it, else "synthetic_county"
DATA_DIR = None  # None: $TRAUMA_SIM_DATA
HOURS = (3, 8)  # the two departure hours compared (night, morning peak)
N_TRIPS = 8  # random origin-destination pairs for the time-of-day table
SEED = 7  # seed of the random trip sample (a numpy Generator, no global state)

# %%
# %matplotlib inline
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

import sim
from sim.core.errors import UserError
from sim.network import ROAD_CLASSES, find_data_file, network_summary
from sim.network.snapping import Snapper
from sim.network.travel import TravelEngine, TravelSpec, hour_of
from sim.plotting import maps
from sim.plotting.style import brief_style

# Works from the repository root (CI) and from notebooks/ (Jupyter).
REPO = Path.cwd() if (Path.cwd() / "scenarios").is_dir() else Path.cwd().parent
data_dir = DATA_DIR or os.environ.get("TRAUMA_SIM_DATA") or None


def wulin_available(folder: str | None) -> bool:
    """True when the Wulin extract is on the data path."""
    if not folder:
        return False
    try:
        find_data_file("hangzhou_wulin.osm.bz2", folder)
    except UserError:
        return False
    return True


if NETWORK is None:
    NETWORK = "hangzhou_wulin" if wulin_available(data_dir) else "synthetic_county"
net = sim.load_network(NETWORK, data_dir=data_dir)
ATTRIBUTION = net.attribution
print(f"{net.name}: {net.n_nodes:,} nodes, {net.n_edges:,} directed edges — {ATTRIBUTION}")


def show(fig):
    """Render ``fig`` now, inside the ``brief_style`` block (so the bundled font is used), and close it."""
    display(fig)
    plt.close(fig)


def credit(fig, text=ATTRIBUTION):
    """Write the data credit line above the figure's panels, right-aligned."""
    fig.suptitle(text, x=0.995, ha="right", fontsize=7, color="#555555")


# %% [markdown]
# ## The network at a glance
# `sim.network.network_summary` gives the size, road length by class and the loader's report
# (ways dropped, nodes simplified away, share kept in the largest strongly connected part).

# %%
summary = network_summary(net)
display(
    pd.Series(
        {k: v for k, v in summary.items() if not isinstance(v, dict)}, name=net.name
    ).to_frame()
)

# %% [markdown]
# ## Speeds by road class
# Edge speeds are free-flow driving speeds (for the Hangzhou extracts already 0.8 × the signed
# limit); congestion and emergency driving are applied later by the travel engine, never stored
# on the network. Speeds below are weighted by edge length.

# %%
edges = pd.DataFrame(
    {
        "road_class": np.asarray(ROAD_CLASSES)[net.road_class],
        "speed_kph": net.speed_kph,
        "length_km": net.length_m / 1000.0,
    }
)
edges["km_x_kph"] = edges["length_km"] * edges["speed_kph"]
by_class = edges.groupby("road_class", sort=False).agg(
    edges=("speed_kph", "size"),
    road_km=("length_km", "sum"),
    speed_kph_min=("speed_kph", "min"),
    speed_kph_median=("speed_kph", "median"),
    speed_kph_max=("speed_kph", "max"),
    km_x_kph=("km_x_kph", "sum"),
)
by_class["speed_kph_by_length"] = by_class.pop("km_x_kph") / by_class["road_km"]
by_class = by_class.reindex([c for c in ROAD_CLASSES if c in by_class.index])
display(by_class.round(1))

# %%
with brief_style("en"):
    fig, (ax_map, ax_box) = plt.subplots(1, 2, figsize=(12, 5.5), width_ratios=(1.2, 1))
    maps.road_map(net, ax=ax_map, lang="en")
    ax_map.set_title(f"{net.name}: roads by class", loc="left")
    y = np.arange(len(by_class))[::-1]
    speed = by_class["speed_kph_by_length"].to_numpy()
    spread = np.vstack([speed - by_class["speed_kph_min"], by_class["speed_kph_max"] - speed])
    ax_box.barh(y, speed, xerr=spread, capsize=3, color="#56B4E9")
    for yi, v, top, km in zip(
        y, speed, by_class["speed_kph_max"], by_class["road_km"], strict=True
    ):
        ax_box.text(top + 3, yi, f"{v:.0f} km/h · {km:.0f} km of road", va="center", fontsize=8)
    ax_box.set_yticks(y, by_class.index)
    ax_box.set_xlim(0, speed.max() * 1.6)
    ax_box.set_xlabel("free-flow speed (km/h), length-weighted; bars: min–max")
    ax_box.set_title("Speed by road class", loc="left")
    credit(fig)
    show(fig)

# %% [markdown]
# ## Minutes from a hospital to every node
# Hospitals come from the shared `hangzhou_hospitals.csv` (those inside the crop) or from the
# county scenario's `county_hospitals.csv`. Each is snapped to its nearest road node
# (`sim.network.snapping.Snapper`), and `TravelEngine.build_tables` runs one Dijkstra per
# routing period from and to every hospital. `from_fac[period, k, node]` then holds the
# drive minutes from hospital `k` to every node.

# %%
if net.synthetic:
    hospitals = pd.read_csv(REPO / "scenarios" / "data" / "county_hospitals.csv")
else:
    hosp = pd.read_csv(find_data_file("hangzhou_hospitals.csv", data_dir))
    west, south, east, north = net.bbox()
    inside = hosp["lon"].between(west, east) & hosp["lat"].between(south, north)
    hospitals = hosp.loc[inside].rename(columns={"hospital_id": "id", "name_en": "name"})
hospitals = hospitals.assign(kind="hospital")[["id", "kind", "name", "lon", "lat"]].reset_index(
    drop=True
)
spec = TravelSpec()  # the scenario defaults of the [travel] section
snapper = Snapper(net, spec.access_speed_kph, spec.snap_limit_m)
snaps = [
    snapper.snap(lon, lat, label=f"hospital {i}")
    for i, lon, lat in hospitals[["id", "lon", "lat"]].itertuples(index=False)
]
hospitals["node"] = [s.node for s in snaps]
hospitals["access_m"] = [round(s.access_m) for s in snaps]
engine = TravelEngine(net, spec)
tables = engine.build_tables(hospitals["node"].tolist(), with_routes=False)
print(f"{engine.n_periods} routing periods; period of each hour: {engine.period_of_hour.tolist()}")
display(hospitals)


# %%
def minutes_from(k: int, hour: int) -> np.ndarray:
    """Drive minutes (priority 3, no emergency factor) from hospital k to every node."""
    return tables.from_fac[tables.period_of_hour[hour], k].astype(float)


def draw_minutes(ax, minutes, norm, title):
    """Roads coloured by the mean of their end nodes' minutes, hospitals on top."""
    tail, head, _ = maps.undirected_segments(net)
    segs = np.stack(
        [
            np.column_stack([net.lon[tail], net.lat[tail]]),
            np.column_stack([net.lon[head], net.lat[head]]),
        ],
        axis=1,
    )
    lc = LineCollection(
        list(segs),
        array=(minutes[tail] + minutes[head]) / 2,
        cmap="viridis_r",
        norm=norm,
        linewidths=1.0,
    )
    ax.add_collection(lc)
    ax.scatter(
        hospitals["lon"],
        hospitals["lat"],
        marker="P",
        s=120,
        c="#c0392b",
        edgecolors="white",
        zorder=5,
    )
    for hid, lon, lat in hospitals[["id", "lon", "lat"]].itertuples(index=False):
        ax.annotate(hid, (lon, lat), xytext=(5, 5), textcoords="offset points", fontsize=8)
    west, south, east, north = net.bbox()
    pad_lon, pad_lat = 0.04 * (east - west), 0.04 * (north - south)
    ax.set_xlim(west - pad_lon, east + pad_lon)
    ax.set_ylim(south - pad_lat, north + pad_lat)
    ax.set_aspect(1.0 / np.cos(np.deg2rad((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, loc="left")
    ax.text(
        0.995,
        0.005,
        ATTRIBUTION,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    return lc


K = 0  # the first hospital
night, peak = (minutes_from(K, h) for h in HOURS)
norm = Normalize(0, float(np.nanpercentile(peak[np.isfinite(peak)], 99)))
with brief_style("en"):
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.2))
    draw_minutes(axes[0], night, norm, f"{HOURS[0]:02d}:00 from {hospitals['id'][K]}")
    lc = draw_minutes(axes[1], peak, norm, f"{HOURS[1]:02d}:00 from {hospitals['id'][K]}")
    fig.colorbar(lc, ax=axes[:2], shrink=0.8, label="drive minutes from the hospital")
    extra = peak - night
    lc2 = draw_minutes(
        axes[2],
        extra,
        Normalize(0, float(np.nanpercentile(extra, 99))),
        f"extra minutes at {HOURS[1]:02d}:00",
    )
    lc2.set_cmap("magma_r")
    fig.colorbar(lc2, ax=axes[2], shrink=0.8, label="minutes added by congestion")
    show(fig)

# %% [markdown]
# ## The time-of-day profile
# The `[travel].congestion_profile` multiplies free-flow minutes by road class and hour (an
# assumption scaled to AMap's congestion index for Hangzhou; see `scenarios/README.md`).
# Hours with identical multipliers share one routing period, so only a few Dijkstra runs are
# needed. A trip takes the multiplier of the hour in which it *starts*
# (`sim.network.travel.hour_of(t_min)`).

# %%
mult = pd.DataFrame(spec.class_multipliers(), columns=ROAD_CLASSES)
present_classes = [c for c in ROAD_CLASSES if c in by_class.index]
with brief_style("en"):
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for c in present_classes:
        ax.step(range(24), mult[c], where="post", label=c)
    for h in HOURS:
        ax.axvline(h, color="#555555", linestyle=":")
    ax.set_xlabel("hour of day (trip start)")
    ax.set_ylabel("travel-time multiplier")
    ax.set_xticks(range(0, 24, 3))
    ax.legend(ncol=3, fontsize=8)
    ax.set_title("Congestion profile by road class", loc="left")
    credit(ax.figure, "model assumption (TravelSpec defaults)")
    show(fig)

# %% [markdown]
# Random trips between road nodes at the two hours, plus the lights-and-sirens factor for a
# priority-1 dispatch at the peak hour. `TravelEngine.node_to_node_min` answers such rare
# queries (the simulation's hot loop reads the precomputed facility tables instead).

# %%
rng = np.random.default_rng(SEED)
pairs = rng.choice(net.n_nodes, size=(N_TRIPS, 2), replace=False)
print("t = 8 h 30 min after midnight is hour", hour_of(8 * 60 + 30))  # the clock convention
rows = []
for u, v in pairs:
    u, v = int(u), int(v)
    at = {h: engine.node_to_node_min(u, v, h) for h in HOURS}
    rows.append(
        {
            "from_node": u,
            "to_node": v,
            f"min_at_{HOURS[0]:02d}h": at[HOURS[0]],
            f"min_at_{HOURS[1]:02d}h": at[HOURS[1]],
            "peak_over_night": at[HOURS[1]] / at[HOURS[0]],
            f"priority1_min_at_{HOURS[1]:02d}h": engine.node_to_node_min(
                u, v, HOURS[1], priority=1
            ),
        }
    )
trips = pd.DataFrame(rows)
display(trips.round(2))

# %% [markdown]
# The same trips over the whole day, as a Chinese figure for a committee brief: the
# `brief_style("zh")` context applies the bundled CJK font and house style only inside the
# `with` block (nothing is changed globally).

# %%
by_hour = np.array(
    [[engine.node_to_node_min(int(u), int(v), h) for h in range(24)] for u, v in pairs]
)
with brief_style("zh"):
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, row in enumerate(by_hour):
        ax.plot(range(24), row, marker=".", label=f"行程 {i + 1}")
    ax.set_xlabel("出发时刻（时）")
    ax.set_ylabel("行车时间（分钟）")
    ax.set_xticks(range(0, 24, 3))
    ax.set_title("同一行程在一天中不同时刻的行车时间", loc="left")
    ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    note = ATTRIBUTION if not net.synthetic else f"{ATTRIBUTION}（合成路网，非真实数据）"
    credit(ax.figure, note)
    show(fig)

# %% [markdown]
# **Reading the results.** Night trips run at free flow; the morning peak lengthens trips on
# main roads most (primary/secondary multipliers 1.65–1.7), so the ratio depends on how much of
# a route uses them. Emergency driving (priority 1) takes 15 % off every leg by default.
