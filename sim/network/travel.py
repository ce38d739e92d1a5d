"""Time-of-day and priority-aware travel times on a :class:`~sim.network.core.RoadNetwork`.

The travel layer in four modules, re-exported here so ``from sim.network.travel import ...``
keeps working:

* :mod:`sim.network.travel_spec` — :class:`TravelSpec` (the scenario's ``[travel]``
  section: congestion profile per road class and hour, emergency-driving factor per
  priority, access speed, snap limit) and the routing periods (:func:`hour_of` is
  :func:`sim.core.units.hour_of`, re-exported);
* :mod:`sim.network.tables` — :class:`TravelTables`: Dijkstra tables from and to a fixed list
  of facility nodes with O(1) look-ups (the simulation's hot loop), landmark bounds and
  routes read off the facilities' shortest-path trees;
* :mod:`sim.network.guided` — A* on landmark-reduced costs and route sums for the rare
  node-to-node drive of a unit away from its base;
* :mod:`sim.network.engine` — :class:`TravelEngine`: per-period edge weights, cached
  node-to-node rows, guided drives and :meth:`TravelEngine.build_tables`.

Clock convention: the simulation clock ``t`` is in minutes and ``t = 0`` is midnight at the
start of day 1, so the hour of day is ``int(t // 60) % 24`` (:func:`hour_of`). A trip takes the
period of the hour in which it *starts* for its whole length (no mid-trip period switch).
"""

from __future__ import annotations

from sim.core.units import HOURS_PER_DAY, hour_of
from sim.network.engine import TravelEngine
from sim.network.tables import Direction, LandmarkBounds, TravelTables
from sim.network.travel_spec import (
    DEFAULT_ROW,
    PRIORITIES,
    TravelSpec,
    default_congestion_profile,
    default_emergency_factors,
)

__all__ = [
    "DEFAULT_ROW",
    "HOURS_PER_DAY",
    "PRIORITIES",
    "Direction",
    "LandmarkBounds",
    "TravelEngine",
    "TravelSpec",
    "TravelTables",
    "default_congestion_profile",
    "default_emergency_factors",
    "hour_of",
]
