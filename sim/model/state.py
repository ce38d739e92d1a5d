"""Per-replication patient and incident state read by decisions during the run.

The demand arrays are converted once to Python lists (scalar indexing of lists is several
times faster than of numpy arrays in the SimPy hot loop). Mutable fields record what has
happened so far that later decisions depend on (is EMS on scene yet? did a consultation
start?). The event log, not this state, is the output.

Demand arrives in windows (sim/demand/generate.py, :func:`~sim.demand.generate.demand_windows`):
the state starts with the first and :meth:`PatientState.more` appends the next when the
arrival process has used up the incidents it holds, so incidents that are days away are not
in memory. Indices run on across windows; every list only grows (nothing is renumbered).
"""

from __future__ import annotations

import math
from collections.abc import ItemsView, Iterable, Iterator, KeysView, ValuesView
from dataclasses import dataclass, field
from typing import Any

from sim.core.entities import TIERS
from sim.demand.generate import Demand

NAN = math.nan


class _Columns(dict[str, list[Any]]):
    """Demand columns as lists, each converted on first use (a scenario reads only some).

    A dict, so reading a converted column is a plain dict lookup in the hot loop; every
    column is a key from the start (``in``, ``len``, iteration, ``get``, ``keys``, ``items``).
    """

    def __init__(self, arrays: dict[str, Any]) -> None:
        super().__init__()
        # Windows not yet converted, per column (a converted column is extended in place).
        self._arrays: dict[str, list[Any]] = {k: [a] for k, a in arrays.items()}

    def __missing__(self, key: str) -> list[Any]:
        column: list[Any] = []
        for part in self._arrays[key]:
            column.extend(part.tolist())
        self._arrays[key] = []
        self[key] = column
        return column

    def extend(self, arrays: dict[str, Any]) -> None:
        """Append a window's columns (the same columns as the first window's)."""
        for key, part in arrays.items():
            column = dict.get(self, key)
            if column is None:
                self._arrays[key].append(part)
            else:  # in place: callers hold the list
                column.extend(part.tolist())

    def __contains__(self, key: object) -> bool:
        return key in self._arrays

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        return self._arrays.keys()

    def items(self) -> ItemsView[str, list[Any]]:  # type: ignore[override]
        return {k: self[k] for k in self._arrays}.items()

    def values(self) -> ValuesView[list[Any]]:  # type: ignore[override]
        return {k: self[k] for k in self._arrays}.values()

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._arrays else default


@dataclass
class PatientState:
    """Demand columns as lists plus mutable run state."""

    inc: dict[str, list[Any]]
    pat: dict[str, list[Any]]
    n_incidents: int
    n_patients: int
    # mutable, per patient
    t_on_scene: list[float]
    t_first_aid: list[float]
    t_consult_start: list[float]
    prenotified: list[bool]
    capable_by_guidance: list[bool]
    # mutable, per incident
    t_police_on_scene: list[float]
    definitive_by_tier: dict[str, list[float]]
    prenotify_by_tier: dict[str, list[float]]
    # 120 calls that dispatch nothing (Demand.calls), read-only
    calls: dict[str, list[Any]] = field(default_factory=dict)
    #: The demand windows still to come (None: all loaded).
    source: Iterator[Demand] | None = None
    #: Incidents whose arrival the dispatch centres have started (set by them).
    arrived: int = 0
    #: Most incidents held at once that had not yet arrived (memory bound, tests).
    peak_pending_incidents: int = 0

    @classmethod
    def from_windows(cls, windows: Iterable[Demand]) -> PatientState:
        """The first demand window, with the rest to be loaded by :meth:`more`."""
        source = iter(windows)
        state = cls.from_demand(next(source))
        state.source = source
        return state

    def more(self) -> bool:
        """Append the next demand window; False when there is none left.

        Called by the arrival processes when they have used up what is loaded, so at most
        about one window of incidents that have not happened yet is held.
        """
        if self.source is None:
            return False
        demand = next(self.source, None)
        if demand is None:
            self.source = None
            return False
        assert isinstance(self.inc, _Columns)
        assert isinstance(self.pat, _Columns)
        assert isinstance(self.calls, _Columns)
        self.inc.extend(demand.incidents)
        self.pat.extend(demand.patients)
        self.calls.extend(demand.calls)
        n_i, n_p = demand.n_incidents, demand.n_patients
        self.n_incidents += n_i
        self.n_patients += n_p
        self.t_on_scene.extend([NAN] * n_p)
        self.t_first_aid.extend([NAN] * n_p)
        self.t_consult_start.extend([NAN] * n_p)
        self.prenotified.extend([False] * n_p)
        self.capable_by_guidance.extend([False] * n_p)
        self.t_police_on_scene.extend([NAN] * n_i)
        pending = self.n_incidents - self.arrived
        self.peak_pending_incidents = max(self.peak_pending_incidents, pending)
        return True

    def drain(self) -> None:
        """Load every window left (after the run: the output covers the whole horizon)."""
        while self.more():
            pass

    @classmethod
    def from_demand(cls, demand: Demand) -> PatientState:
        """Convert the demand arrays and initialise run state."""
        inc = _Columns(demand.incidents)
        pat = _Columns(demand.patients)
        n_i, n_p = demand.n_incidents, demand.n_patients
        return cls(
            inc=inc,
            pat=pat,
            n_incidents=n_i,
            n_patients=n_p,
            t_on_scene=[NAN] * n_p,
            t_first_aid=[NAN] * n_p,
            t_consult_start=[NAN] * n_p,
            prenotified=[False] * n_p,
            capable_by_guidance=[False] * n_p,
            t_police_on_scene=[NAN] * n_i,
            definitive_by_tier={t: pat[f"definitive_min_{t}"] for t in TIERS},
            prenotify_by_tier={t: pat[f"prenotify_saving_min_{t}"] for t in TIERS},
            calls=_Columns(demand.calls),
            peak_pending_incidents=n_i,
        )

    def patients_of(self, incident: int) -> range:
        """Patient indices of an incident."""
        first = self.inc["first_patient"][incident]
        return range(first, first + self.inc["n_patients"][incident])
