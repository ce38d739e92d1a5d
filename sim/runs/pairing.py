"""Pairing scenarios for a comparison: one clock, the same incidents, one window, one reference.

Common random numbers need every scenario on the base's seed, horizon and warm-up
(:func:`align`), checked afterwards on the incidents themselves (:func:`check_same_incidents`).
Outcomes of every scenario are then measured in the base's window against the base's
reference times (:func:`reference_spec`, :func:`reattach`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.core.errors import UserError
from sim.core.units import MINUTES_PER_DAY
from sim.io.results import RunTables
from sim.outcomes import with_reference_times
from sim.outcomes.params import OutcomeSpec
from sim.runs.attach import outcome_summary, with_outcomes
from sim.runs.tables import WorldInfo, population_of


def align(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios on the first one's clock and seed: same incidents, same warm-up.

    Raises
    ------
    UserError
        Fewer than two scenarios, or two with the same name.
    """
    if len(scenarios) < 2:
        raise UserError("compare needs a base scenario and at least one other")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise UserError(f"compare: scenario names must differ (got {names})")
    base = scenarios[0]
    clock = [
        f"run.seed={base.run.seed}",
        f"run.horizon_days={base.run.horizon_days}",
        f"run.warm_up_days={base.run.warm_up_days}",
        f"run.start_weekday={base.run.start_weekday}",
    ]
    return [s if s is base else s.with_overrides(clock) for s in scenarios]


def check_same_incidents(name: str, base: pd.DataFrame, other: pd.DataFrame) -> None:
    """Raise unless ``other`` saw the base's incidents (common random numbers)."""
    same = len(other) == len(base) and np.array_equal(
        other["t_injury"].to_numpy(), base["t_injury"].to_numpy()
    )
    if not same:
        raise UserError(
            f"compare: {name} does not see the base's incidents (demand, network or "
            "run settings differ); only scenarios that share demand can be compared"
        )


@dataclass(frozen=True)
class Window:
    """The observation window of a comparison and what scales its rates."""

    warm_up_min: float
    horizon_min: float
    population: float

    @property
    def years(self) -> float:
        """Length of the window after the warm-up, years."""
        return (self.horizon_min - self.warm_up_min) / MINUTES_PER_DAY / 365.0


def window_of(base: Scenario, info: WorldInfo) -> Window:
    """The comparison window of ``base``."""
    return Window(
        base.run.warm_up_days * MINUTES_PER_DAY,
        base.run.horizon_days * MINUTES_PER_DAY,
        population_of(base, info),
    )


def reference_spec(base: Scenario, base_incidents: pd.DataFrame, win: Window) -> OutcomeSpec:
    """The base's outcome spec with reference times from its own run (after the warm-up)."""
    inc = base_incidents[base_incidents["t_injury"] >= win.warm_up_min]
    return with_reference_times(base.outcomes, inc)


def reattach(run: RunTables, spec: OutcomeSpec, seed: int, win: Window) -> None:
    """Re-evaluate a run's outcomes against the comparison's spec (in place)."""
    run.incidents = with_outcomes(run.incidents, spec, seed)
    run.outcomes = outcome_summary(
        run.incidents,
        spec,
        warm_up_min=win.warm_up_min,
        horizon_min=win.horizon_min,
        population=win.population,
    )
