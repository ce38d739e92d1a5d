"""``trauma-sim network info|plot|fetch``, the data search path and the quick map."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim import cli
from sim.core.errors import UserError
from sim.network import find_data_file, generate_county, load_manifest, read_osm
from sim.network.datapath import data_search_dirs
from sim.plotting.maps import plot_network

DATA = Path(__file__).parent / "data"
MANIFEST_NAMES = {"hangzhou_west", "hangzhou_wulin", "west_oakland", "aguascalientes"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    code = info.value.code
    out, err = capsys.readouterr()
    return (0 if code is None else int(code)), out, err


def assert_one_line_error(code: int, err: str) -> str:
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def no_env_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No $TRAUMA_SIM_DATA, a private cache, and an empty data folder."""
    monkeypatch.delenv("TRAUMA_SIM_DATA", raising=False)
    monkeypatch.setenv("TRAUMA_SIM_CACHE", str(tmp_path / "cache"))
    empty = tmp_path / "empty"
    empty.mkdir()
    return empty


# --- info ------------------------------------------------------------------------------


def test_info_json_synthetic(capsys: pytest.CaptureFixture[str], no_env_data: Path) -> None:
    code, out, _ = run(["network", "info", "synthetic_county", "--json"], capsys)
    assert code == 0
    summary = json.loads(out)
    assert {"nodes", "edges", "road_km", "bbox", "scc_share"} <= set(summary)
    assert summary["synthetic"] is True
    assert len(summary["bbox"]) == 4


def test_info_text_on_file(capsys: pytest.CaptureFixture[str], no_env_data: Path) -> None:
    code, out, _ = run(["network", "info", str(DATA / "tiny_oneway.osm.xml")], capsys)
    assert code == 0
    assert "nodes" in out
    assert "scc_share" in out
    assert "OpenStreetMap" in out


def test_info_named_network_with_data_dir(
    capsys: pytest.CaptureFixture[str], shared_data_dir: Path, tmp_path: Path
) -> None:
    if not (shared_data_dir / "hangzhou_wulin.osm.bz2").is_file():
        pytest.skip("hangzhou_wulin.osm.bz2 not in TRAUMA_SIM_DATA")
    argv = ["network", "info", "hangzhou_wulin", "--json", "--data-dir", str(shared_data_dir)]
    code, out, _ = run([*argv, "--cache-dir", str(tmp_path / "c")], capsys)
    assert code == 0
    summary = json.loads(out)
    assert summary["name"] == "hangzhou_wulin"
    # Simplified by default: 1,200 nodes, 1,091 in the largest SCC (osmnx's simplify_graph
    # with edge_attrs_differ=["road_class"] keeps the same; unsimplified: 2,987 and 2,600).
    assert summary["nodes"] == 1_091
    assert summary["report"]["nodes_before_scc"] == 1_200
    assert summary["report"]["nodes_simplified_away"] == 2_987 - 1_200
    assert 0.8 < summary["scc_share"] < 0.95
    assert summary["attribution"] == "© OpenStreetMap contributors, ODbL 1.0"
    assert list((tmp_path / "c").glob("hangzhou_wulin-*.npz"))


def test_missing_named_network_says_where_it_looked(
    capsys: pytest.CaptureFixture[str], no_env_data: Path
) -> None:
    argv = ["network", "info", "hangzhou_west", "--data-dir", str(no_env_data)]
    line = assert_one_line_error(*run(argv, capsys)[::2])
    assert "hangzhou_west" in line
    assert str(no_env_data) in line
    assert "TRAUMA_SIM_DATA" in line
    assert "network fetch --bbox 120.024868,30.23437,120.234983,30.374515" in line


def test_unknown_name(capsys: pytest.CaptureFixture[str], no_env_data: Path) -> None:
    line = assert_one_line_error(*run(["network", "info", "atlantis"], capsys)[::2])
    assert "atlantis" in line
    assert "hangzhou_west" in line


def test_not_osm_file(capsys: pytest.CaptureFixture[str], no_env_data: Path) -> None:
    argv = ["network", "info", str(DATA / "not_osm.osm.xml")]
    line = assert_one_line_error(*run(argv, capsys)[::2])
    assert "not_osm.osm.xml" in line


def test_empty_after_filtering(capsys: pytest.CaptureFixture[str], no_env_data: Path) -> None:
    argv = ["network", "info", str(DATA / "footways_only.osm.xml")]
    line = assert_one_line_error(*run(argv, capsys)[::2])
    assert "no drivable roads" in line


def test_bad_synthetic_seed(capsys: pytest.CaptureFixture[str], no_env_data: Path) -> None:
    line = assert_one_line_error(*run(["network", "info", "synthetic_county:x"], capsys)[::2])
    assert "seed" in line


# --- plot ------------------------------------------------------------------------------


def test_plot_writes_png_with_facilities(
    capsys: pytest.CaptureFixture[str], no_env_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "map.png"
    argv = ["network", "plot", str(DATA / "tiny_oneway.osm.xml"), "--out", str(out)]
    code, stdout, _ = run([*argv, "--facilities", str(DATA / "tiny_facilities.csv")], capsys)
    assert code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(out) in stdout


def test_plot_bad_facilities_csv(
    capsys: pytest.CaptureFixture[str], no_env_data: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "fac.csv"
    bad.write_text("name,x,y\nA,1,2\n")
    argv = ["network", "plot", "synthetic_county", "--out", str(tmp_path / "m.png")]
    line = assert_one_line_error(*run([*argv, "--facilities", str(bad)], capsys)[::2])
    assert "fac.csv" in line
    assert "kind" in line


def test_plot_network_axes_carry_attribution() -> None:
    facilities = pd.read_csv(DATA / "tiny_facilities.csv")
    ax = plot_network(read_osm(DATA / "tiny_oneway.osm.xml"), facilities=facilities)
    texts = [t.get_text() for t in ax.texts]
    assert "© OpenStreetMap contributors, ODbL 1.0" in texts
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"hospital", "station", "residential"} <= set(labels)
    plt.close(ax.figure)
    ax = plot_network(generate_county(1))
    assert any("synthetic" in t.get_text() for t in ax.texts)
    assert "synthetic" in ax.get_title()
    plt.close(ax.figure)


# --- fetch (never online in tests) -----------------------------------------------------


def test_fetch_needs_place_or_bbox(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_env_data: Path
) -> None:
    out = str(tmp_path / "x.graphml")
    line = assert_one_line_error(*run(["network", "fetch", "--out", out], capsys)[::2])
    assert "--place" in line
    argv = ["network", "fetch", "--out", out, "--bbox", "1,2,3"]
    assert "W,S,E,N" in assert_one_line_error(*run(argv, capsys)[::2])
    argv = ["network", "fetch", "--out", out, "--bbox", "3,2,1,4"]
    assert "W < E" in assert_one_line_error(*run(argv, capsys)[::2])
    argv = ["network", "fetch", "--out", str(tmp_path / "x.osm"), "--bbox", "1,2,3,4"]
    assert ".graphml" in assert_one_line_error(*run(argv, capsys)[::2])


# --- manifest and data search path -----------------------------------------------------


def test_manifest_lists_the_shared_networks() -> None:
    manifest = load_manifest()
    assert set(manifest) >= MANIFEST_NAMES
    for entry in manifest.values():
        west, south, east, north = entry.bbox
        assert west < east
        assert south < north
        assert entry.attribution == "© OpenStreetMap contributors, ODbL 1.0"
        assert entry.licence == "ODbL-1.0"


def test_find_data_file_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        (folder / "hospitals.csv").write_text(folder.name)
    (second / "demand.csv").write_text("second")
    monkeypatch.setenv("TRAUMA_SIM_DATA", str(second))
    assert find_data_file("hospitals.csv", first).read_text() == "first"
    assert find_data_file("hospitals.csv").read_text() == "second"
    assert find_data_file("demand.csv", first).read_text() == "second"
    assert [why for _, why in data_search_dirs(first)][:2] == ["--data-dir", "$TRAUMA_SIM_DATA"]
    with pytest.raises(UserError) as exc:
        find_data_file("nothing.csv", first)
    message = str(exc.value)
    assert "\n" not in message
    assert str(first) in message
    assert str(second) in message
