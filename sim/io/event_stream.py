"""The event log streamed to disk as Parquet row groups while a replication runs.

For long horizons the in-memory log (:class:`sim.core.events.EventLog`) is the largest thing a
run holds. :class:`StreamedEventLog` keeps the same append path (packed bytes, no per-event
I/O) but, when its buffer is full, writes every record that is already final as one Parquet
row group and keeps only the rest, so it stays near ``batch_records`` records however long the
run. The file has the schema of a results folder's ``events.parquet`` (``rep`` first, ``kind``
as the event name), so a run's file is the per-replication part of that table, and
:func:`read_event_arrays` gives back exactly what :meth:`EventLog.to_arrays` would have.

Which records are final: the log is ordered by time (stable), and a record may be appended
after the clock has passed its time (crews freed and home-comings settled lazily, see
:meth:`sim.model.ambulance.Fleet._settle`). The system tells the log the earliest time any
record can still get (``low_water``: the clock, or the earliest lazy settlement pending);
records before it can never be preceded by a later one, so they are written in their final
order. A record appended below a mark already written is a bug and raises.

Written atomically: rows go to ``.<name>.tmp-<pid>-<random>`` next to the final path and the
file is renamed into place only when the run ends, so a killed run leaves no partial file
under the final name (:func:`sim.io.results.remove_stale_temporaries` removes the rest).
This module does not run the model; it only stores what the model appends.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import simpy

from sim.core.entities import EventKind
from sim.core.events import EventLog

#: Records held in memory before a row group is written (~9 MB of packed records).
DEFAULT_BATCH_RECORDS = 1 << 18

_KINDS = list(EventKind)
_NAMES = pa.array([k.name for k in _KINDS], pa.string())
# Event kind value -> position in the name dictionary (the categorical code), and back.
_CODE_OF_VALUE = np.full(max(int(k) for k in _KINDS) + 1, -1, np.int8)
_CODE_OF_VALUE[[int(k) for k in _KINDS]] = np.arange(len(_KINDS), dtype=np.int8)
_VALUE_OF_CODE = np.asarray([int(k) for k in _KINDS], np.int16)
_INT_COLUMNS = ("incident", "patient", "unit", "place")


def events_schema() -> pa.Schema:
    """Arrow schema of an ``events.parquet`` table (with the pandas metadata of the frame).

    The same as ``sim.runs.tables``' events frame written by pandas, so a streamed file reads
    back into an identical DataFrame (``kind`` categorical over every event name).
    """
    import pandas as pd

    frame = pd.DataFrame(
        {
            "rep": np.zeros(0, np.int32),
            "t": np.zeros(0, np.float64),
            "kind": pd.Categorical([], categories=[k.name for k in _KINDS]),
            **{c: np.zeros(0, np.int32) for c in _INT_COLUMNS},
            "value": np.zeros(0, np.float64),
        }
    )
    return pa.Schema.from_pandas(frame, preserve_index=False)


def _batch(rep: int, records: np.ndarray, schema: pa.Schema) -> pa.RecordBatch:
    """One row group from packed records (already in their final order)."""
    n = records.shape[0]
    kind = pa.DictionaryArray.from_arrays(
        pa.array(_CODE_OF_VALUE[records["kind"]], schema.field("kind").type.index_type),
        _NAMES,
    )
    cols = [
        pa.array(np.full(n, rep, np.int32)),
        pa.array(records["t"]),
        kind,
        *[pa.array(np.ascontiguousarray(records[c])) for c in _INT_COLUMNS],
        pa.array(records["value"]),
    ]
    return pa.RecordBatch.from_arrays(cols, schema=schema)


class StreamedEventLog(EventLog):
    """An :class:`~sim.core.events.EventLog` that writes its final records to a Parquet file.

    Appending is the base class's (no I/O in the hot loop); once :meth:`watch` is called, the
    buffer is checked between the model's steps and, when it holds ``batch_records``, the
    records that are final are sorted and written as one row group. Call
    :meth:`to_arrays` once at the end: it writes the rest, publishes the file and reads the
    columns back; :meth:`abort` removes the temporary file instead.

    Parameters
    ----------
    path
        Final file (its folder must exist); written as a temporary file until the end.
    replication
        The ``rep`` column.
    batch_records
        Records held before a row group is written (at least 1).
    """

    __slots__ = ("_high", "_path", "_rep", "_tmp", "_writer", "batch_records")

    def __init__(
        self, path: Path, replication: int, batch_records: int = DEFAULT_BATCH_RECORDS
    ) -> None:
        if batch_records < 1:
            msg = f"batch_records must be at least 1, got {batch_records}"
            raise ValueError(msg)
        # Room for a batch plus what comes in before the next check writes it out.
        super().__init__(initial_records=2 * batch_records)
        self.batch_records = batch_records
        self._path = Path(path)
        self._rep = replication
        self._tmp = self._path.with_name(
            f".{self._path.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
        )
        self._writer = pq.ParquetWriter(self._tmp, events_schema())
        self._high = -np.inf  # every record written is before this time

    @property
    def path(self) -> Path:
        """The final file (exists once :meth:`to_arrays` has returned)."""
        return self._path

    def watch(
        self, env: simpy.Environment, low_water: Callable[[], float], every_min: float = 60.0
    ) -> None:
        """Check the buffer every ``every_min`` sim minutes; write what is final when full.

        Checks run as their own SimPy events, between the model's steps, never inside one:
        while a callback settles lazy work, records it owes are in neither the heaps nor the
        log. The model's events keep their relative order, so results are unchanged.

        Parameters
        ----------
        env
            The replication's environment.
        low_water
            The earliest time a record can still be appended at
            (:meth:`sim.model.system.TraumaSystem.low_water_min`).
        every_min
            Sim minutes between checks (the buffer may exceed ``batch_records`` by what is
            appended in that time).
        """

        def check(_event: object) -> None:
            if len(self) >= self.batch_records:
                self._flush_final(float(low_water()))
            env.timeout(every_min).callbacks.append(check)

        env.timeout(every_min).callbacks.append(check)

    def _flush_final(self, mark: float) -> None:
        """Write the records before ``mark`` (they are final) and keep the others."""
        records = self._records()
        t = records["t"]
        if t.size and float(t.min()) < self._high:
            msg = (
                f"event log: a record at t={float(t.min())!r} min was appended after records "
                f"up to {self._high!r} min were written; the system's low_water is wrong"
            )
            raise RuntimeError(msg)
        order = np.argsort(t, kind="stable")
        n_final = int(np.searchsorted(t[order], mark, side="left"))  # records with t < mark
        if n_final:
            self._write(records[order[:n_final]])
            self._high = max(self._high, mark)
            rest = records[order[n_final:]]  # same relative order as appended where t ties
            self._reset(rest.tobytes())

    def _write(self, records: np.ndarray) -> None:
        self._writer.write_batch(_batch(self._rep, records, self._writer.schema))

    def to_arrays(self, until: float = float("inf")) -> dict[str, np.ndarray]:
        """Write the remaining records up to ``until``, publish the file, read it back.

        Returns the columns :meth:`sim.core.events.EventLog.to_arrays` gives, read from the
        file (so the metrics use exactly what was written). Call once.
        """
        self._flush_final(-np.inf)  # writes nothing: checks nothing came in below the mark
        records = self._records()
        order = np.argsort(records["t"], kind="stable")
        order = order[records["t"][order] <= until]
        if order.size:
            self._write(records[order])
        self._reset(b"")
        self._writer.close()
        os.replace(self._tmp, self._path)
        return read_event_arrays(self._path)

    def abort(self) -> None:
        """The run failed: close and remove the temporary file (nothing is published)."""
        try:
            self._writer.close()
        finally:
            self._tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class EventStream:
    """Where and how replications stream their event logs (picklable, for workers).

    Parameters
    ----------
    folder
        Folder of the per-replication files (must exist; shared by every worker).
    batch_records
        Records a log holds before it writes a row group.
    """

    folder: Path
    batch_records: int = DEFAULT_BATCH_RECORDS

    def file_for(self, tag: str, replication: int) -> Path:
        """The file of one replication (``tag`` keeps scenarios of one batch apart)."""
        return self.folder / f"events-{tag}-rep-{replication:04d}.parquet"


@contextmanager
def open_event_log(stream: EventStream | None, tag: str, replication: int) -> Iterator[EventLog]:
    """The log of one replication: in memory, or streamed (removed again if the run fails).

    Parameters
    ----------
    stream
        None for the in-memory log.
    tag, replication
        Name the streamed file (:meth:`EventStream.file_for`).

    Yields
    ------
    EventLog
    """
    if stream is None:
        yield EventLog()
        return
    log = StreamedEventLog(stream.file_for(tag, replication), replication, stream.batch_records)
    try:
        yield log
    except BaseException:
        log.abort()
        raise


def read_event_arrays(path: Path) -> dict[str, np.ndarray]:
    """A streamed file's columns as :meth:`sim.core.events.EventLog.to_arrays` gives them.

    Filled row group by row group into arrays allocated once, so reading holds the columns
    plus one row group, never the whole file twice.
    """
    pf = pq.ParquetFile(path)
    n = pf.metadata.num_rows
    out: dict[str, np.ndarray] = {
        "t": np.empty(n, np.float64),
        "kind": np.empty(n, np.int16),
        **{c: np.empty(n, np.int32) for c in _INT_COLUMNS},
        "value": np.empty(n, np.float64),
    }
    start = 0
    for i in range(pf.num_row_groups):
        group = pf.read_row_group(i, columns=list(out))
        end = start + group.num_rows
        for name in out:
            col = group.column(name)
            if name == "kind":
                codes = col.combine_chunks().indices.to_numpy(zero_copy_only=False)
                out[name][start:end] = _VALUE_OF_CODE[codes]
            else:
                out[name][start:end] = col.to_numpy()
        start = end
    return out


def merge_event_files(files: Sequence[Path], dest: Path) -> None:
    """Concatenate streamed files (in the given order) into one, row group by row group.

    Memory stays at one row group whatever the files' sizes.
    """
    schema = events_schema()
    with pq.ParquetWriter(dest, schema) as writer:
        for f in files:
            pf = pq.ParquetFile(f)
            for i in range(pf.num_row_groups):
                # Read back, the names may come as large strings: the written type is kept.
                writer.write_table(pf.read_row_group(i).cast(schema))
