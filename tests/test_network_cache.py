"""Network cache: round trip, invalidation by file and by settings, robustness, speed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import sim.network.cache as cache_module
import sim.network.datapath as datapath
from sim.network import RoadNetwork, SpeedSpec, generate_county, load_network, read_osm
from sim.network.cache import (
    MAX_VARIANTS_PER_FILE,
    cache_key,
    cache_path,
    default_cache_dir,
    load_cached,
    save_cached,
)

DATA = Path(__file__).parent / "data"
ARRAYS = (
    "node_osmid",
    "lon",
    "lat",
    "indptr",
    "indices",
    "length_m",
    "speed_kph",
    "travel_min",
    "road_class",
)


def assert_same_network(a: RoadNetwork, b: RoadNetwork) -> None:
    for key in ARRAYS:
        x, y = getattr(a, key), getattr(b, key)
        assert x.dtype == y.dtype, key
        np.testing.assert_array_equal(x, y, err_msg=key)
    assert a.report == b.report
    assert a.synthetic == b.synthetic
    assert a.source_hash == b.source_hash


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "tiny.osm.xml"
    path.parent.mkdir()
    shutil.copy(DATA / "tiny_oneway.osm.xml", path)
    return path


class LoadCounter:
    """Wraps ``read_osm`` in datapath to count real (uncached) loads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        monkeypatch.setattr(datapath, "read_osm", self)

    def __call__(self, *args: object, **kwargs: object) -> RoadNetwork:
        self.calls += 1
        return read_osm(*args, **kwargs)  # type: ignore[arg-type]


def test_save_load_round_trip_is_identical(tmp_path: Path) -> None:
    net = generate_county(3)
    path = tmp_path / "c" / "county.npz"
    save_cached(net, path)
    back = load_cached(path)
    assert back is not None
    assert_same_network(net, back)
    assert back.name == net.name
    assert back.source == net.source
    assert back.attribution == net.attribution
    assert not list(path.parent.glob("*.tmp"))  # atomic write leaves no temp file


def test_load_network_uses_cache_second_time(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = LoadCounter(monkeypatch)
    cache = tmp_path / "cache"
    first = load_network(tiny_copy, cache_dir=cache)
    second = load_network(tiny_copy, cache_dir=cache)
    assert counter.calls == 1
    assert_same_network(first, second)
    assert second.source == str(tiny_copy)
    assert len(list(cache.glob("*.npz"))) == 1


def test_cache_invalidated_when_settings_change(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = LoadCounter(monkeypatch)
    cache = tmp_path / "cache"
    base = load_network(tiny_copy, cache_dir=cache)
    slow_spec = SpeedSpec(default_speed_kph_by_class={"residential": 12.0})
    slow = load_network(tiny_copy, cache_dir=cache, speeds=slow_spec)
    assert counter.calls == 2
    assert not np.array_equal(base.travel_min, slow.travel_min)
    # both settings variants of the same file stay cached
    assert len(list(cache.glob("*.npz"))) == 2
    again = load_network(tiny_copy, cache_dir=cache, speeds=slow_spec)
    assert_same_network(slow, again)
    assert_same_network(base, load_network(tiny_copy, cache_dir=cache))
    assert counter.calls == 2


def test_cache_invalidated_when_file_changes(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = LoadCounter(monkeypatch)
    cache = tmp_path / "cache"
    before = load_network(tiny_copy, cache_dir=cache)
    text = tiny_copy.read_text()
    tiny_copy.write_text(text.replace('k="maxspeed" v="60"', 'k="maxspeed" v="40"'))
    after = load_network(tiny_copy, cache_dir=cache)
    assert counter.calls == 2
    assert before.source_hash != after.source_hash
    assert not np.array_equal(before.speed_kph, after.speed_kph)
    assert len(list(cache.glob("*.npz"))) == 1  # the old file's entry is deleted


def test_cache_key_depends_on_version_hash_and_settings() -> None:
    base = cache_key("abc", SpeedSpec())
    assert base == cache_key("abc", SpeedSpec())
    assert base != cache_key("abd", SpeedSpec())
    assert base != cache_key("abc", SpeedSpec(maxspeed_factor=0.8))
    assert base != cache_key("abc", SpeedSpec(simplify=False))


def test_simplify_setting_has_its_own_cache_entry(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = LoadCounter(monkeypatch)
    cache = tmp_path / "cache"
    raw_spec = SpeedSpec(simplify=False)
    simple = load_network(tiny_copy, cache_dir=cache)
    raw = load_network(tiny_copy, cache_dir=cache, speeds=raw_spec)
    assert counter.calls == 2
    assert simple.n_nodes < raw.n_nodes
    assert simple.report.nodes_simplified_away > 0
    assert raw.report.nodes_simplified_away == 0
    assert len(list(cache.glob("*.npz"))) == 2
    assert_same_network(simple, load_network(tiny_copy, cache_dir=cache))
    assert_same_network(raw, load_network(tiny_copy, cache_dir=cache, speeds=raw_spec))
    assert counter.calls == 2


def test_entry_of_an_older_cache_version_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = generate_county(2)
    path = tmp_path / "old.npz"
    monkeypatch.setattr(cache_module, "CACHE_VERSION", cache_module.CACHE_VERSION - 1)
    save_cached(net, path)
    monkeypatch.undo()
    assert load_cached(path) is None


def test_corrupt_cache_entry_is_rebuilt(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = LoadCounter(monkeypatch)
    cache = tmp_path / "cache"
    first = load_network(tiny_copy, cache_dir=cache)
    (entry,) = cache.glob("*.npz")
    entry.write_bytes(b"not a zip file")
    second = load_network(tiny_copy, cache_dir=cache)
    assert counter.calls == 2
    assert_same_network(first, second)
    assert load_cached(entry) is not None  # rewritten


def test_use_cache_false_writes_nothing(tiny_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_network(tiny_copy, cache_dir=cache, use_cache=False)
    assert not cache.exists()


def test_cache_dir_from_environment(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_cache = tmp_path / "env-cache"
    monkeypatch.setenv("TRAUMA_SIM_CACHE", str(env_cache))
    assert default_cache_dir() == env_cache
    load_network(tiny_copy)
    assert len(list(env_cache.glob("tiny-*.npz"))) == 1


def test_cache_path_names_network_file_and_settings(tmp_path: Path) -> None:
    path = cache_path(tmp_path, "hangzhou-west", "ab" * 32, SpeedSpec())
    name, file_part, key_part = path.stem.rsplit("-", 2)
    assert name == "hangzhou-west"
    assert file_part == "ab" * 8
    assert key_part == cache_key("ab" * 32, SpeedSpec())[:16]
    assert path != cache_path(tmp_path, "hangzhou-west", "ab" * 32, SpeedSpec(maxspeed_factor=0.8))


def test_settings_variants_are_capped(tmp_path: Path) -> None:
    net = generate_county(1)
    for i in range(MAX_VARIANTS_PER_FILE + 3):
        spec = SpeedSpec(default_speed_kph_by_class={"service": 10.0 + i})
        save_cached(net, cache_path(tmp_path, net.name, net.source_hash, spec))
    assert len(list(tmp_path.glob("*.npz"))) == MAX_VARIANTS_PER_FILE


def test_hangzhou_west_cache_is_fast(shared_data_dir: Path, tmp_path: Path) -> None:
    if not (shared_data_dir / "hangzhou_west.osm.bz2").is_file():
        pytest.skip("hangzhou_west.osm.bz2 not in TRAUMA_SIM_DATA")
    cache = tmp_path / "cache"
    t0 = time.perf_counter()
    from_xml = load_network("hangzhou_west", data_dir=shared_data_dir, cache_dir=cache)
    xml_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cached = load_network("hangzhou_west", data_dir=shared_data_dir, cache_dir=cache)
    cache_s = time.perf_counter() - t0
    assert_same_network(from_xml, cached)
    assert cached.name == "hangzhou_west"
    assert cache_s < 1.0, f"cache load took {cache_s:.2f} s (XML {xml_s:.2f} s)"
