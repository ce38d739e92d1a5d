"""Site the Hangzhou-west ambulance stations used by scenarios/hangzhou_baseline.toml.

No current list of Hangzhou 120 stations is public (../shared/networks/README.md). The
scenario therefore assumes: one station at each grade-A general hospital inside the road
extract that hosted a 120 first-aid point historically or is a major ED (H01, H03, H04, H09,
H10, H11, H12), plus sites on the 500 m demand grid chosen greedily to maximise the
population within 2.5 km straight-line of a station (a planning radius between the
national 5 km urban service radius and Shanghai's 3.5 km). Run:

    TRAUMA_SIM_DATA=../shared/networks python tools/site_hangzhou_stations.py

and commit the CSV it writes (scenarios/data/hangzhou_stations.csv).
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

HOSPITAL_STATIONS = ["H01", "H03", "H04", "H09", "H10", "H11", "H12"]
EXTRA_SITES = 13
RADIUS_M = 2500.0


def _xy(lon: float, lat: float) -> tuple[float, float]:
    k = math.pi / 180 * 6_371_008.8
    return lon * k * math.cos(math.radians(30.3)), lat * k


def main() -> None:
    """Write scenarios/data/hangzhou_stations.csv."""
    data = Path(os.environ["TRAUMA_SIM_DATA"])
    hospitals = {
        r["hospital_id"]: r
        for r in csv.DictReader((data / "hangzhou_hospitals.csv").open(encoding="utf-8"))
    }
    cells = list(csv.DictReader((data / "hangzhou_demand_grid_500m.csv").open(encoding="utf-8")))
    # Candidate sites: cells whose centre is within 250 m of the loaded network (after the
    # strongly-connected-component cut); the station sits on that nearest road node.
    from sim.network import load_network
    from sim.network.snapping import Snapper

    net = load_network("hangzhou_west", data_dir=data)
    snapper = Snapper(net, 15.0, 1e9)
    pts = []
    for c in cells:
        snap = snapper.snap(
            float(c["center_lon_wgs84"]), float(c["center_lat_wgs84"]), label=c["cell_id"]
        )
        if snap.access_m < 250:
            c = dict(
                c,
                center_lon_wgs84=f"{net.lon[snap.node]:.6f}",
                center_lat_wgs84=f"{net.lat[snap.node]:.6f}",
            )
            pts.append(
                (
                    _xy(float(c["center_lon_wgs84"]), float(c["center_lat_wgs84"])),
                    float(c["pop_est_road_calibrated_capped"]),
                    c,
                )
            )
    stations = [
        (
            hospitals[h]["lon"],
            hospitals[h]["lat"],
            f"S{i + 1:02d}",
            f"{hospitals[h]['name_zh']}{hospitals[h]['campus_zh'].replace('main', '')}急救站",
        )
        for i, h in enumerate(HOSPITAL_STATIONS)
    ]
    covered = [False] * len(pts)

    def cover(x: float, y: float) -> None:
        for j, ((px, py), _, _) in enumerate(pts):
            if (px - x) ** 2 + (py - y) ** 2 <= RADIUS_M**2:
                covered[j] = True

    for lon, lat, _, _ in stations:
        cover(*_xy(float(lon), float(lat)))
    for _ in range(EXTRA_SITES):
        best, best_gain = -1, -1.0
        for j, ((x, y), _, _) in enumerate(pts):
            gain = sum(
                w
                for k, ((px, py), w, _) in enumerate(pts)
                if not covered[k] and (px - x) ** 2 + (py - y) ** 2 <= RADIUS_M**2
            )
            if gain > best_gain:
                best, best_gain = j, gain
        (x, y), _, c = pts[best]
        cover(x, y)
        stations.append(
            (
                c["center_lon_wgs84"],
                c["center_lat_wgs84"],
                f"S{len(stations) + 1:02d}",
                f"{c['district_zh']}网格站{c['cell_id']}",
            )
        )
    out = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "hangzhou_stations.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "lon", "lat", "als", "bls", "shift"])
        for i, (lon, lat, sid, name) in enumerate(stations):
            # Hospital-based stations hold 2 units (central-station standard), grid sites 1.
            w.writerow([sid, name, lon, lat, 1, 1 if i < len(HOSPITAL_STATIONS) else 0, "24h"])
    print(f"wrote {out} ({len(stations)} stations)")  # noqa: T201


if __name__ == "__main__":
    main()
