"""Per-replication patient and incident state read by decisions during the run.

The demand arrays are converted once to Python lists (scalar indexing of lists is several
times faster than of numpy arrays in the SimPy hot loop). Mutable fields record what has
happened so far that later decisions depend on (is EMS on scene yet? did a consultation
start?). The event log, not this state, is the output.
"""

from __future__ import annotations

import math
from collections.abc import ItemsView, Iterator, KeysView, ValuesView
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
        self._arrays = arrays

    def __missing__(self, key: str) -> list[Any]:
        column: list[Any] = self._arrays[key].tolist()
        self[key] = column
        return column

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
        )

    def patients_of(self, incident: int) -> range:
        """Patient indices of an incident."""
        first = self.inc["first_patient"][incident]
        return range(first, first + self.inc["n_patients"][incident])
