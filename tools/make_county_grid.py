"""Write the population grid of the synthetic county (scenarios/data/county_population_grid.csv).

The county is synthetic, so is its population: ~450,000 residents, 40 % in the county seat
(500 m cells over its 3 x 3 km grid), 4 % in each of the nine townships (500 m cells over
1.5 x 1.5 km), and the remaining ~24 % spread evenly over 1 km rural cells along roads
within 26 km of the seat. The neighbouring city (its own 120 system) gets no cells, so
the county scenario generates no incidents there. Deterministic; run from the repository root:

    .venv/bin/python tools/make_county_grid.py
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from sim.network.snapping import Snapper
from sim.network.synthetic import county_places, generate_county

POPULATION = 450_000
SEAT_SHARE, TOWNSHIP_SHARE = 0.40, 0.04


def _cells(lon0: float, lat0: float, half_m: float, step_m: float) -> list[tuple[float, float]]:
    k_lat = 180 / math.pi / 6_371_008.8
    k_lon = k_lat / math.cos(math.radians(lat0))
    n = int(half_m // step_m)
    return [
        (lon0 + i * step_m * k_lon, lat0 + j * step_m * k_lat)
        for i in range(-n, n + 1)
        for j in range(-n, n + 1)
    ]


def _dist_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111.32 * math.cos(math.radians(a[1]))
    dy = (a[1] - b[1]) * 110.57
    return math.hypot(dx, dy)


def main() -> None:
    """Write the grid CSV."""
    places = county_places(20240601)
    seat, city = places["county_seat"], places["city_centre"]
    rows: list[tuple[str, float, float, float]] = []
    seat_cells = _cells(*seat, 1500, 500)
    for i, (lon, lat) in enumerate(seat_cells):
        rows.append((f"seat_{i:03d}", lon, lat, POPULATION * SEAT_SHARE / len(seat_cells)))
    towns = [v for k, v in places.items() if k.startswith("township_")]
    for t, town in enumerate(towns, start=1):
        cells = _cells(*town, 750, 500)
        for i, (lon, lat) in enumerate(cells):
            rows.append((f"town{t}_{i:02d}", lon, lat, POPULATION * TOWNSHIP_SHARE / len(cells)))
    # Rural residents live along roads: keep 1 km cells whose centre is within 600 m of one.
    snapper = Snapper(generate_county(20240601), 15.0, math.inf)
    rural = [
        c
        for c in _cells(*seat, 26_000, 1000)
        if _dist_km(c, seat) <= 26
        and _dist_km(c, seat) > 2
        and _dist_km(c, city) > 15
        and all(_dist_km(c, t) > 1.5 for t in towns)
        and snapper.snap(c[0], c[1], label="cell").access_m <= 600
    ]
    left = POPULATION * (1 - SEAT_SHARE - TOWNSHIP_SHARE * len(towns))
    for i, (lon, lat) in enumerate(rural):
        rows.append((f"rural_{i:03d}", lon, lat, left / len(rural)))
    total = sum(r[3] for r in rows)
    out = Path(__file__).resolve().parents[1] / "scenarios" / "data" / "county_population_grid.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["cell_id", "lon", "lat", "population", "weight"])
        for cid, lon, lat, pop in rows:
            w.writerow([cid, f"{lon:.6f}", f"{lat:.6f}", f"{pop:.1f}", f"{pop / total:.8f}"])
    print(f"wrote {out}: {len(rows)} cells, {total:,.0f} residents")  # noqa: T201


if __name__ == "__main__":
    main()
