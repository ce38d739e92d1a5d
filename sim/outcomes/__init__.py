"""Outcomes: deaths, disability and DALYs from per-patient timelines; preventable burden.

Pure functions over a per-patient table (see :mod:`sim.outcomes.models` for the columns).
The simulation produces the table; this package never runs or imports the simulation.
Model and parameters: docs/outcomes.md.
"""

from __future__ import annotations

from sim.outcomes.burden import (
    METRICS,
    burden_averted,
    burden_by_rep,
    pair_tables,
    psa,
    psa_draws,
    tornado,
)
from sim.outcomes.calibration import (
    DEFAULT_TARGETS,
    CalibrationTarget,
    calibration_statistics,
    calibration_table,
    fit_calibration,
    hazards_outside_priors,
)
from sim.outcomes.lifetable import discounted_years, remaining_life_expectancy
from sim.outcomes.models import (
    OUTCOME_COLUMNS,
    REQUIRED_COLUMNS,
    TIME_TERMS,
    PatientArrays,
    compute_outcomes,
    evaluate,
    expected_outcomes,
    prepare_patients,
    sample_outcomes,
    with_reference_times,
)
from sim.outcomes.params import (
    OUTCOME_CLASSES,
    OutcomeSpec,
    UncertainParameter,
    apply_values,
    default_uncertain_parameters,
)

__all__ = [
    "DEFAULT_TARGETS",
    "METRICS",
    "OUTCOME_CLASSES",
    "OUTCOME_COLUMNS",
    "REQUIRED_COLUMNS",
    "TIME_TERMS",
    "CalibrationTarget",
    "OutcomeSpec",
    "PatientArrays",
    "UncertainParameter",
    "apply_values",
    "burden_averted",
    "burden_by_rep",
    "calibration_statistics",
    "calibration_table",
    "compute_outcomes",
    "default_uncertain_parameters",
    "discounted_years",
    "evaluate",
    "expected_outcomes",
    "fit_calibration",
    "hazards_outside_priors",
    "pair_tables",
    "prepare_patients",
    "psa",
    "psa_draws",
    "remaining_life_expectancy",
    "sample_outcomes",
    "tornado",
    "with_reference_times",
]
