"""Duration distributions chosen by name in scenario files (all in minutes).

A scenario writes, for example::

    turnout_min = { dist = "lognormal", median = 2.2, sigma = 0.5 }
    call_taking_min = { dist = "empirical", file = "local_calls.csv", column = "minutes" }

Every distribution samples with an explicit :class:`numpy.random.Generator` and knows its
mean, so tests can check simulated averages against theory.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from sim.config.spec_base import Spec
from sim.core.errors import UserError


class Fixed(Spec):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0, description="The constant value, minutes.")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        return np.full(size, self.value, dtype=float)

    def mean(self) -> float:
        """Mean, minutes."""
        return self.value


class Exponential(Spec):
    """Exponential with the given mean."""

    dist: Literal["exponential"] = "exponential"
    mean_min: float = Field(gt=0, description="Mean, minutes.")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        return rng.exponential(self.mean_min, size)

    def mean(self) -> float:
        """Mean, minutes."""
        return self.mean_min


class Lognormal(Spec):
    """Lognormal given by its median (minutes) and log-scale sigma."""

    dist: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0, description="Median, minutes (= exp(mu)).")
    sigma: float = Field(ge=0, description="Standard deviation of log(minutes).")
    max_min: float | None = Field(
        default=None, gt=0, description="Optional cap, minutes (values above are clipped)."
    )

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        x = self.median * np.exp(self.sigma * rng.standard_normal(size))
        return x if self.max_min is None else np.minimum(x, self.max_min)

    def mean(self) -> float:
        """Mean, minutes (ignoring the cap)."""
        return self.median * math.exp(0.5 * self.sigma**2)


class Gamma(Spec):
    """Gamma given by mean (minutes) and shape."""

    dist: Literal["gamma"] = "gamma"
    mean_min: float = Field(gt=0, description="Mean, minutes.")
    shape: float = Field(gt=0, description="Shape k (1 = exponential; larger = less spread).")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        return rng.gamma(self.shape, self.mean_min / self.shape, size)

    def mean(self) -> float:
        """Mean, minutes."""
        return self.mean_min


class Triangular(Spec):
    """Triangular on [low, high] with the given mode, minutes."""

    dist: Literal["triangular"] = "triangular"
    low: float = Field(ge=0, description="Minimum, minutes.")
    mode: float = Field(ge=0, description="Most likely value, minutes.")
    high: float = Field(ge=0, description="Maximum, minutes.")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("needs low <= mode <= high and low < high")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        return rng.triangular(self.low, self.mode, self.high, size)

    def mean(self) -> float:
        """Mean, minutes."""
        return (self.low + self.mode + self.high) / 3.0


class Empirical(Spec):
    """Resample observed values from one column of a CSV file (path relative to the scenario)."""

    dist: Literal["empirical"] = "empirical"
    file: str = Field(description="CSV file, relative to the scenario file's folder.")
    column: str = Field(description="Column holding the observed durations, minutes.")
    _values: np.ndarray | None = PrivateAttr(default=None)

    def bind(self, base_dir: Path) -> None:
        """Read the CSV column (called once when the scenario is loaded)."""
        path = (base_dir / self.file).resolve()
        if not path.exists():
            raise UserError(f"{path}: empirical distribution file not found")
        try:
            vals = _read_column(path, self.column)
        except UnicodeDecodeError:
            raise UserError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None
        if not vals:
            raise UserError(f"{path}: column '{self.column}' has no values")
        self._values = np.asarray(vals, dtype=float)

    def _data(self) -> np.ndarray:
        if self._values is None:
            raise RuntimeError("empirical distribution used before bind()")
        return self._values

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values (with replacement)."""
        data = self._data()
        return data[rng.integers(0, data.shape[0], size)]

    def mean(self) -> float:
        """Mean of the observed values, minutes."""
        return float(self._data().mean())


AnyDuration = Fixed | Exponential | Lognormal | Gamma | Triangular | Empirical
"""Any of the duration distributions (for type hints)."""

Duration = Annotated[AnyDuration, Field(discriminator="dist")]
"""A duration distribution chosen by its ``dist`` name."""


def _read_column(path: Path, column: str) -> list[float]:
    """Finite, non-negative numbers of one CSV column, with errors naming file, row, column."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise UserError(
                f"{path}: column '{column}' not found "
                f"(columns: {', '.join(reader.fieldnames or [])})"
            )
        vals = []
        for i, row in enumerate(reader, start=2):
            try:
                v = float(row[column])
            except (TypeError, ValueError):
                raise UserError(f"{path}:{i} {column}: not a number ({row[column]!r})") from None
            if not math.isfinite(v) or v < 0:
                raise UserError(f"{path}:{i} {column}: must be a finite value >= 0")
            vals.append(v)
    return vals


def fixed(value: float) -> Fixed:
    """Shorthand for a fixed duration."""
    return Fixed(value=value)


def lognormal(median: float, sigma: float) -> Lognormal:
    """Shorthand for a lognormal duration."""
    return Lognormal(median=median, sigma=sigma)
