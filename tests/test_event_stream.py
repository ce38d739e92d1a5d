"""The streamed event log (issue 16 item 5): same records, same tables, written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import COUNTY_BASELINE

from sim.cli import main
from sim.config.scenario import load_scenario
from sim.core.entities import EventKind
from sim.io.event_stream import EventStream, StreamedEventLog, read_event_arrays
from sim.io.results import read_run
from sim.runs.replications import replication_record
from sim.runs.study import run_scenario_tables, save_run
from sim.runs.world import build_world

INTEGRATED = COUNTY_BASELINE.with_name("county_integrated.toml")
#: Small enough that a few simulated days make many row groups.
BATCH = 400


@pytest.fixture(scope="module")
def integrated() -> tuple[object, object]:
    sc = load_scenario(INTEGRATED, ["run.horizon_days=6", "run.warm_up_days=1"])
    return sc, build_world(sc)


def test_streamed_file_holds_the_in_memory_log(
    integrated: tuple[object, object], tmp_path: Path
) -> None:
    sc, world = integrated
    memory = replication_record(sc, world, 1)  # type: ignore[arg-type]
    streamed = replication_record(
        sc,  # type: ignore[arg-type]
        world,  # type: ignore[arg-type]
        1,
        stream=EventStream(tmp_path, batch_records=BATCH),
    )
    assert streamed.events_file is not None
    assert streamed.events_file.is_file()
    # Written as the run went, in several bounded row groups, not once at the end.
    pf = pq.ParquetFile(streamed.events_file)
    assert pf.num_row_groups >= 5
    # Row groups are bounded by the batch plus what one check interval appends.
    assert max(pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)) < 4 * BATCH
    on_disk = read_event_arrays(streamed.events_file)
    assert memory.events["t"].size > 10 * BATCH
    for name, col in memory.events.items():
        assert on_disk[name].dtype == col.dtype, name
        np.testing.assert_array_equal(on_disk[name], col, err_msg=name)
        np.testing.assert_array_equal(streamed.events[name], col, err_msg=name)
    # The file is the rep's part of a results folder's events table, kind by name.
    frame = pd.read_parquet(streamed.events_file)
    assert frame["rep"].eq(1).all()
    assert frame["kind"].iloc[0] == EventKind(int(memory.events["kind"][0])).name
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_every_table_is_the_same_with_streaming(tmp_path: Path) -> None:
    sc = load_scenario(INTEGRATED, ["run.horizon_days=4", "run.warm_up_days=1"])
    world = build_world(sc)
    plain = run_scenario_tables(sc, replications=2, world=world)
    stream = EventStream(tmp_path / "stream", batch_records=BATCH)
    streamed = run_scenario_tables(sc, replications=2, world=world, stream=stream)
    assert len(streamed.event_files) == 2
    assert streamed.events.empty  # the rows are on disk, not held twice
    for name in ("incidents", "units", "kpis_by_rep", "kpis", "outcomes", "backlog"):
        pd.testing.assert_frame_equal(getattr(streamed, name), getattr(plain, name), obj=name)
    # Written out, both folders hold the same events.parquet (joined row group by row group).
    a = read_run(save_run(plain, tmp_path / "plain", sc))
    b = read_run(save_run(streamed, tmp_path / "streamed", sc))
    assert len(a.events) == len(plain.events) > 0
    pd.testing.assert_frame_equal(b.events, a.events)
    pd.testing.assert_frame_equal(b.incidents, a.incidents)
    pd.testing.assert_frame_equal(b.kpis, a.kpis)


def test_cli_run_stream_events(tmp_path: Path) -> None:
    folders = {}
    for flag in ([], ["--stream-events"]):
        out = tmp_path / ("streamed" if flag else "plain")
        argv = ["run", str(COUNTY_BASELINE), "--reps", "1", "--horizon-days", "2", "--out"]
        with pytest.raises(SystemExit) as exc:
            main([*argv, str(out), *flag])
        assert exc.value.code in (0, None)
        (folder,) = (out / "county_baseline").iterdir()
        folders[bool(flag)] = folder
        # Nothing left beside the results: no temporary files, no stream folder.
        assert not [p for p in out.rglob("*") if ".tmp-" in p.name or p.name == "events"]
    a, b = read_run(folders[False]), read_run(folders[True])
    pd.testing.assert_frame_equal(b.events, a.events)
    pd.testing.assert_frame_equal(b.kpis, a.kpis)


def test_a_failed_run_publishes_no_file(
    integrated: tuple[object, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc, world = integrated
    calls = {"n": 0}
    original = StreamedEventLog._flush_final

    def fail_on_third(self: StreamedEventLog, mark: float) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # as Ctrl-C in the middle of a run
        original(self, mark)

    monkeypatch.setattr(StreamedEventLog, "_flush_final", fail_on_third)
    with pytest.raises(KeyboardInterrupt):
        replication_record(
            sc,  # type: ignore[arg-type]
            world,  # type: ignore[arg-type]
            0,
            stream=EventStream(tmp_path, batch_records=BATCH),
        )
    assert calls["n"] == 3
    assert list(tmp_path.iterdir()) == []  # neither the final file nor the temporary one


def test_a_killed_run_leaves_only_a_temporary_file(tmp_path: Path) -> None:
    # A process killed before the end never reaches the rename: what it wrote is under a
    # temporary name that sim.io.results.remove_stale_temporaries recognises by its pid.
    final = tmp_path / "events-x-rep-0000.parquet"
    log = StreamedEventLog(final, 0, batch_records=2)
    for t in (1.0, 2.0, 3.0):
        log.append(t, EventKind.CALL_PLACED, 0)
    log._flush_final(2.5)  # a row group written, as a check during the run would
    assert not final.exists()
    (tmp,) = tmp_path.iterdir()
    assert tmp.name.startswith(f".{final.name}.tmp-")
    arrays = log.to_arrays(until=2.0)  # the run ends: only now the file appears
    assert final.exists()
    assert list(tmp_path.iterdir()) == [final]
    assert arrays["t"].tolist() == [1.0, 2.0]


def test_a_record_below_what_was_written_is_refused(tmp_path: Path) -> None:
    log = StreamedEventLog(tmp_path / "e.parquet", 0, batch_records=1)
    log.append(5.0, EventKind.CALL_PLACED, 0)
    log._flush_final(6.0)  # the system promised nothing earlier than 6 would come
    log.append(4.0, EventKind.CALL_PLACED, 1)
    with pytest.raises(RuntimeError, match="low_water"):
        log.to_arrays()
    log.abort()
    assert list(tmp_path.iterdir()) == []
