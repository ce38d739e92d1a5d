"""Small hand-made result tables, a tiny road network and a brief results folder for tests.

Numbers are made up but shaped like the real outputs (schemas of the compare/run folders).
Nothing here is random: values come from fixed formulas so tests can assert exact text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.io.mapdata import write_map_files
from sim.network.core import ROAD_CLASS_CODE, RoadNetwork
from sim.plotting.labels import STAGE_ORDER

SCENARIOS = ("baseline", "integrated")
BASE_STAGE_MIN = {
    "injury_to_call": 3.1,
    "call_to_answer": 0.4,
    "answer_to_dispatch": 2.2,
    "turnout": 2.0,
    "drive_to_scene": 10.5,
    "scene": 14.0,
    "transport": 19.0,
    "arrival_to_definitive": 41.0,
}
SAVED_MIN = {
    "injury_to_call": 1.2,
    "call_to_answer": 0.1,
    "answer_to_dispatch": 0.9,
    "turnout": 0.0,
    "drive_to_scene": 1.4,
    "scene": 2.0,
    "transport": 1.8,
    "arrival_to_definitive": 9.0,
}
#: (mean, ci_low, ci_high, psa_low, psa_high) of the averted metrics for "integrated".
AVERTED = {
    "deaths_averted_per_year": (3.47, 2.11, 4.83, 0.52, 8.9),
    "severe_disabilities_averted_per_year": (1.26, 0.41, 2.08, -0.7, 3.9),
    "moderate_disabilities_averted_per_year": (2.35, 1.02, 3.61, -0.2, 6.4),
    "dalys_averted_per_year": (187.4, 121.6, 253.2, 40.0, 480.0),
}


def stages_table() -> pd.DataFrame:
    """``stages.csv`` for two scenarios (diff = scenario − base, so savings are negative)."""
    rows = []
    for scenario in SCENARIOS:
        for stage in STAGE_ORDER:
            base = BASE_STAGE_MIN[stage]
            saved = 0.0 if scenario == "baseline" else SAVED_MIN[stage]
            mean = base - saved
            rows.append(
                {
                    "scenario": scenario,
                    "stage": stage,
                    "mean_min": mean,
                    "ci_low": mean - 0.3,
                    "ci_high": mean + 0.3,
                    "diff_vs_base": -saved,
                    "diff_ci_low": -saved - 0.25,
                    "diff_ci_high": -saved + 0.25,
                }
            )
    return pd.DataFrame(rows)


def comparison_table() -> pd.DataFrame:
    """``comparison.csv``: averted metrics for the integrated scenario plus one time metric."""
    rows = []
    for metric, (mean, lo, hi, plo, phi) in AVERTED.items():
        rows.append(
            {
                "scenario": "integrated",
                "metric": metric,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "diff_vs_base": mean,
                "diff_ci_low": lo,
                "diff_ci_high": hi,
                "psa_low": plo,
                "psa_high": phi,
            }
        )
    for scenario, value in (("baseline", 92.2), ("integrated", 75.8)):
        rows.append(
            {
                "scenario": scenario,
                "metric": "injury_to_definitive_min",
                "mean": value,
                "ci_low": value - 1.0,
                "ci_high": value + 1.0,
                "diff_vs_base": value - 92.2,
                "diff_ci_low": value - 93.0,
                "diff_ci_high": value - 91.4,
                "psa_low": np.nan,
                "psa_high": np.nan,
            }
        )
    return pd.DataFrame(rows)


def compliance_table() -> pd.DataFrame:
    """``compliance.csv``: urban ≤8 and rural ≤12 shares for two scenarios."""
    rows = []
    for scenario, shift in (("baseline", 0.0), ("integrated", 0.12)):
        for zone, target, share in (("urban", 8, 0.55), ("rural", 12, 0.41)):
            value = share + shift
            rows.append(
                {
                    "scenario": scenario,
                    "zone": zone,
                    "target_min": target,
                    "share_within": value,
                    "ci_low": value - 0.04,
                    "ci_high": value + 0.04,
                }
            )
    return pd.DataFrame(rows)


def utilisation_table() -> pd.DataFrame:
    """``utilisation.csv``: a smooth daily profile per resource and scenario."""
    hours = np.arange(24)
    profile = 0.5 + 0.3 * np.sin((hours - 8) / 24 * 2 * np.pi)
    rows = []
    for scenario, factor in (("baseline", 1.0), ("integrated", 0.9)):
        for resource, scale in (("ambulance", 0.9), ("call_taker", 0.6), ("expert", 0.3)):
            for h in hours:
                rows.append(
                    {
                        "scenario": scenario,
                        "resource": resource,
                        "hour": int(h),
                        "utilisation": float(profile[h] * scale * factor),
                    }
                )
    return pd.DataFrame(rows)


def consult_waits_table() -> pd.DataFrame:
    """``consult_waits.csv``: evenly spread waits per scenario."""
    base = np.linspace(0.0, 24.0, 40)
    return pd.DataFrame(
        {
            "scenario": ["baseline"] * 40 + ["integrated"] * 40,
            "consult_wait_min": np.concatenate([base, base * 0.5]),
        }
    )


def tornado_table() -> pd.DataFrame:
    """``tornado.csv``: three parameters for one metric."""
    return pd.DataFrame(
        {
            "parameter": ["beta_major_trauma", "kappa", "scene_min_median"],
            "low_value": [0.004, 0.0, 8.0],
            "high_value": [0.012, 1.0, 16.0],
            "result_at_low": [1.9, 3.3, 3.2],
            "result_at_high": [5.2, 3.6, 3.8],
            "base_result": [3.47, 3.47, 3.47],
            "metric": ["deaths_averted_per_year"] * 3,
        }
    )


def incidents_table(scenario: str = "baseline", n: int = 60) -> pd.DataFrame:
    """``incidents.parquet``-like rows on the tiny network's bounding box."""
    i = np.arange(n)
    shift = 0.0 if scenario == "baseline" else -6.0
    return pd.DataFrame(
        {
            "incident_id": i,
            "scenario": scenario,
            "lon": 120.10 + 0.02 * ((i * 7) % 11) / 10,
            "lat": 30.20 + 0.02 * ((i * 5) % 13) / 12,
            "response_min": 6.0 + (i % 17) * 0.9 + shift / 3,
            "injury_to_definitive_min": 60.0 + (i % 23) * 3.0 + shift,
        }
    )


def tiny_network(*, synthetic: bool = True) -> RoadNetwork:
    """A 3×3 grid (two-way edges) with a motorway row, primary column and residential rest.

    Node ``k`` is at row ``k // 3``, column ``k % 3``; spacing 0.01° lon/lat.
    """
    lon = np.array([120.10 + 0.01 * (k % 3) for k in range(9)])
    lat = np.array([30.20 + 0.01 * (k // 3) for k in range(9)])
    pairs: list[tuple[int, int, str]] = []
    for r in range(3):
        for c in range(3):
            k = 3 * r + c
            if c < 2:
                pairs.append((k, k + 1, "motorway" if r == 0 else "residential"))
            if r < 2:
                pairs.append((k, k + 3, "primary" if c == 1 else "residential"))
    edges = sorted([(u, v, cls) for u, v, cls in pairs] + [(v, u, cls) for u, v, cls in pairs])
    src = np.array([e[0] for e in edges])
    indices = np.array([e[1] for e in edges], dtype=np.int64)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=9)))).astype(np.int64)
    n_edges = len(edges)
    length_m = np.full(n_edges, 1000.0)
    speed_kph = np.full(n_edges, 40.0)
    return RoadNetwork(
        name="tiny_grid",
        node_osmid=np.arange(9, dtype=np.int64) + 100,
        lon=lon,
        lat=lat,
        indptr=indptr,
        indices=indices,
        length_m=length_m,
        speed_kph=speed_kph,
        travel_min=length_m / 1000 / speed_kph * 60,
        road_class=np.array([ROAD_CLASS_CODE[e[2]] for e in edges], dtype=np.uint8),
        synthetic=synthetic,
        source="tests/plot_fixtures.py",
    )


def facilities_table() -> pd.DataFrame:
    """One of each facility kind and hospital tier on the tiny grid (Chinese names).

    No ``outside_roads`` column, as in map data written before it: the reader derives it.
    """
    return pd.DataFrame(
        {
            "id": ["s1", "s2", "h1", "h2", "h3", "p1", "c1"],
            "kind": ["station", "station", "hospital", "hospital", "hospital", "police", "centre"],
            "name": [
                "西湖急救站",
                "滨江急救站",
                "浙大二院",
                "市一医院",
                "萧山区医院 (Xiaoshan District Hospital)",
                "交警大队",
                "120 指挥中心",
            ],
            # h3 lies east of the grid: outside the road data, 1.5 km from its road node.
            "lon": [120.10, 120.12, 120.11, 120.12, 120.1355, 120.115, 120.105],
            "lat": [30.20, 30.22, 30.21, 30.20, 30.22, 30.205, 30.215],
            "tier": [None, None, "trauma_centre", "city", "county", None, None],
            "access_m": [0.0, 0.0, 0.0, 0.0, 1500.0, 560.0, math.nan],
        }
    )


def write_brief_fixture(root: Path) -> tuple[Path, Path, Path]:
    """Write a compare folder and two run folders under ``root``; return their paths."""
    compare = root / "compare"
    compare.mkdir(parents=True, exist_ok=True)
    stages_table().to_csv(compare / "stages.csv", index=False)
    comparison_table().to_csv(compare / "comparison.csv", index=False)
    tornado_table().to_csv(compare / "tornado.csv", index=False)
    compliance_table().to_csv(compare / "compliance.csv", index=False)
    utilisation_table().to_csv(compare / "utilisation.csv", index=False)
    consult_waits_table().to_csv(compare / "consult_waits.csv", index=False)
    (compare / "manifest.json").write_text(
        json.dumps(
            {
                "kind": "comparison",
                "base": "baseline",
                "scenarios": list(SCENARIOS),
                "reps": 20,
                "network": "synthetic_county",
                "synthetic": True,
                "attribution": "synthetic road network (not real data)",
                "horizon_days": 28,
                "population": 450_000,
                "area_km2": 1234.6,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    runs = []
    for scenario, title in (
        ("baseline", "现状（各系统独立运行） (status quo, systems run separately)"),
        ("integrated", "一体化（互联网+120、警医联动、专家会诊） (integrated)"),
    ):
        run = root / f"run_{scenario}"
        run.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(
            {
                "metric": ["response_min", "injury_to_definitive_min"],
                "mean": [12.1, 92.2] if scenario == "baseline" else [10.4, 75.8],
                "ci_low": [11.7, 91.2] if scenario == "baseline" else [10.0, 74.8],
                "ci_high": [12.5, 93.2] if scenario == "baseline" else [10.8, 76.8],
                "n_reps": [20, 20],
            }
        ).to_csv(run / "kpis.csv", index=False)
        incidents_table(scenario).drop(columns=["scenario"]).to_parquet(run / "incidents.parquet")
        (run / "manifest.json").write_text(
            json.dumps(
                {
                    "kind": "run",
                    "scenario": scenario,
                    "title": title,
                    "reps": 20,
                    "network": "synthetic_county",
                    "synthetic": True,
                    "attribution": "synthetic road network (not real data)",
                    "seed": 20240601,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        runs.append(run)
    return compare, runs[0], runs[1]


#: Drive minutes from the nearest station per node of the tiny grid (node 0 is a station)
#: and the map offsets per scenario: baseline responses span all three bands.
TINY_DRIVE_MIN = np.array([0.0, 2.5, 5.0, 2.5, 4.0, 7.5, 5.0, 7.5, 10.0])
MAP_OFFSETS_MIN = {"baseline": 4.5, "integrated": 3.0}


def coverage_table() -> pd.DataFrame:
    """``map/coverage.parquet`` for the tiny grid: offset + drive per node and scenario."""
    net = tiny_network()
    frames = [
        pd.DataFrame(
            {
                "node": np.arange(net.n_nodes),
                "lon": net.lon,
                "lat": net.lat,
                "scenario": scenario,
                "response_min": TINY_DRIVE_MIN + offset,
            }
        )
        for scenario, offset in MAP_OFFSETS_MIN.items()
    ]
    return pd.concat(frames, ignore_index=True)


def write_map_fixture(compare: Path) -> Path:
    """Add ``map/`` (tiny grid, its facilities and coverage) to a compare folder."""
    return write_map_files(
        compare,
        tiny_network(),
        facilities_table(),
        coverage_table(),
        hour=10,
        offsets_min=MAP_OFFSETS_MIN,
    )


# ------------------------------------------------------------------ PDF text (no poppler)

_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _pdf_literal(raw: bytes) -> bytes:
    """Decode the body of a PDF literal string ``( … )`` (escapes, octal codes)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(raw):
            break
        c = raw[i]
        if 0x30 <= c <= 0x37:
            j = i
            while j < min(i + 3, len(raw)) and 0x30 <= raw[j] <= 0x37:
                j += 1
            out.append(int(raw[i:j], 8) & 0xFF)
            i = j
            continue
        if c in (0x0A, 0x0D):  # line continuation
            i += 1
            continue
        out.append(_ESCAPES.get(c, c))
        i += 1
    return bytes(out)


def _text_runs(content: bytes) -> list[bytes]:
    """The string operands inside ``BT … ET`` of a content stream, one run per text object.

    Literal strings may hold balanced unescaped parentheses and any byte, so this walks the
    bytes instead of using a regular expression. Hex strings ``<…>`` are decoded too.
    """
    import re

    runs: list[bytes] = []
    current = bytearray()
    in_text = False
    i = 0
    n = len(content)
    while i < n:
        c = content[i]
        if c == 0x28:  # "(" starts a literal string
            depth, j = 1, i + 1
            while j < n and depth:
                if content[j] == 0x5C:
                    j += 2
                    continue
                if content[j] == 0x28:
                    depth += 1
                elif content[j] == 0x29:
                    depth -= 1
                j += 1
            if in_text:
                current += _pdf_literal(content[i + 1 : j - 1])
            i = j
            continue
        if c == 0x3C:  # "<": a hex string, unless "<<" opens a dictionary
            if content.startswith(b"<<", i):
                i += 2
                continue
            j = content.find(b">", i)
            if in_text:
                digits = re.sub(rb"\s", b"", content[i + 1 : j])
                current += bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
            i = j + 1
            continue
        if content.startswith(b"BT", i) and (i == 0 or content[i - 1] in b" \n\r\t"):
            in_text, current = True, bytearray()
            i += 2
            continue
        if content.startswith(b"ET", i) and in_text and (content[i - 1] in b" \n\r\t"):
            runs.append(bytes(current))
            in_text = False
            i += 2
            continue
        i += 1
    return runs


def pdf_text(pdf: bytes) -> str:
    """Text of a PDF with 2-byte CID fonts and ToUnicode maps (what typst writes).

    A small stand-in for ``pdftotext`` so the brief test runs where poppler is not
    installed. It decodes every shown string with every ToUnicode map and returns all
    decodings; callers search the result for expected numbers.
    """
    import re
    import zlib

    streams = []
    for m in re.finditer(rb"(?<!end)stream\r?\n", pdf):
        end = pdf.find(b"endstream", m.end())
        try:
            streams.append(zlib.decompressobj().decompress(pdf[m.end() : end]))
        except zlib.error:
            continue
    cmaps: list[dict[int, str]] = []
    for s in streams:
        if b"begincmap" not in s:
            continue
        cmap: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, flags=re.DOTALL):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, flags=re.DOTALL):
            for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                first = int(dst, 16)
                for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    cmap[code] = chr(first + k)
        cmaps.append(cmap)
    shown: list[bytes] = []
    for s in streams:
        if b"BT" in s and b"begincmap" not in s:
            shown.extend(_text_runs(s))
    texts = []
    for cmap in cmaps:
        decoded = []
        for run in shown:
            codes = [int.from_bytes(run[i : i + 2], "big") for i in range(0, len(run) - 1, 2)]
            decoded.append("".join(cmap.get(c, "") for c in codes))
        texts.append("\n".join(decoded))
    return "\n".join(texts)
