"""Write the synthetic province's facilities and population grid (scenarios/data/province_*).

Everything comes from :func:`sim.network.province.province_layout` (deterministic from the
seed), so the files always match the network the scenario generates; the test
``tests/test_province.py`` checks that they are up to date. Run from the repository root:

    .venv/bin/python tools/make_province_data.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from sim.network.province import DEFAULT_PROVINCE_SEED, Site, province_layout

COLUMNS = {
    "centres": ["seats"],
    "stations": ["als", "bls", "shift"],
    "hospitals": ["tier", "resus_bays", "theatres"],
    "police": ["units"],
}


def _write(path: Path, sites: tuple[Site, ...], extra: list[str], *, grid: bool = False) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        if grid:
            total = sum(float(s.attrs["population"]) for s in sites)
            w.writerow(["cell_id", "lon", "lat", "population", "weight"])
            for s in sites:
                pop = float(s.attrs["population"])
                w.writerow(
                    [s.id, f"{s.lon:.6f}", f"{s.lat:.6f}", f"{pop:.1f}", f"{pop / total:.9f}"]
                )
        else:
            w.writerow(["id", "name", "lon", "lat", *extra])
            for s in sites:
                w.writerow(
                    [s.id, s.name, f"{s.lon:.6f}", f"{s.lat:.6f}", *(s.attrs[c] for c in extra)]
                )
    tmp.replace(path)


def write_province_data(folder: Path, seed: int = DEFAULT_PROVINCE_SEED) -> dict[str, Path]:
    """Write the five CSV files into ``folder``; returns them by kind."""
    layout = province_layout(seed)
    out = {kind: folder / f"province_{kind}.csv" for kind in (*COLUMNS, "population_grid")}
    for kind, extra in COLUMNS.items():
        _write(out[kind], getattr(layout, kind), extra)
    _write(out["population_grid"], layout.cells, [], grid=True)
    return out


def main() -> None:
    """Write the files into scenarios/data and print the urban centres for the scenario."""
    folder = Path(__file__).resolve().parents[1] / "scenarios" / "data"
    files = write_province_data(folder)
    layout = province_layout()
    for path in files.values():
        print(f"wrote {path}")  # noqa: T201
    print(f"{len(layout.cells)} cells, {layout.population:,.0f} residents")  # noqa: T201
    print("urban_centres =", [list(c) for c in layout.urban_centres])  # noqa: T201


if __name__ == "__main__":
    sys.exit(main())
