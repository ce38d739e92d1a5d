"""Life tables for years of life lost: remaining life expectancy by age, as data.

Two abridged tables (ages 0, 1, 5, 10, ..., 95; linear interpolation between ages, constant
beyond 95):

``gbd_reference``
    GBD 2019 reference (normative) life table, e0 = 88.87 years; IHME, doi:10.6069/1D4Y-YQ37.
    Label [S]: the values were read in two independent third-party files quoting IHME
    (a GBD 2019 reference-life-table CSV in a public modelling repository, and a GBD-2019
    DALY script), which agree to 0.01 y, and match the commonly quoted e0 88.87; they were not
    checked against IHME's own file. Item H1 of docs/parameters.md gives e0 ~ 88.9 [U].
``zhejiang``
    A Zhejiang-like period table [D]/[U]: no Zhejiang abridged life table was available, so
    the table is *derived* from a Gompertz-Makeham hazard mu(x) = A + B exp(c x) with
    A = 0.0003/y, c = 0.10/y (typical adult-mortality slope) and B = 1.5404e-5/y chosen so that
    e0 = 81.0 years (Zhejiang among the provinces with e0 > 80 in 2024, NHC [V]; Hangzhou 2016
    82.08 [S]). Infant mortality is not modelled (patients are adults). Replace with the
    official Zhejiang table when available; :func:`gompertz_makeham_ex` reproduces the values.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

LIFE_TABLE_AGES_YEARS: tuple[float, ...] = (0, 1, *range(5, 100, 5))

#: GBD 2019 reference life table: remaining life expectancy (years) at LIFE_TABLE_AGES_YEARS [S].
GBD_REFERENCE_EX_YEARS: tuple[float, ...] = (
    88.87, 88.00, 84.03, 79.05, 74.07, 69.11, 64.15, 59.20, 54.25, 49.32, 44.43,
    39.63, 34.91, 30.25, 25.68, 21.29, 17.10, 13.24, 9.99, 7.62, 5.92,
)  # fmt: skip

#: Zhejiang-like table derived from a Gompertz-Makeham hazard with e0 = 81 [D]/[U].
ZHEJIANG_EX_YEARS: tuple[float, ...] = (
    81.00, 80.03, 76.13, 71.25, 66.37, 61.49, 56.63, 51.77, 46.95, 42.16, 37.44,
    32.80, 28.30, 23.97, 19.88, 16.09, 12.67, 9.68, 7.15, 5.11, 3.53,
)  # fmt: skip

GOMPERTZ_MAKEHAM_ZHEJIANG = {"a_per_year": 0.0003, "b_per_year": 1.5404e-5, "c_per_year": 0.10}

LifeTableName = Literal["gbd_reference", "zhejiang"]
LIFE_TABLES: dict[str, tuple[float, ...]] = {
    "gbd_reference": GBD_REFERENCE_EX_YEARS,
    "zhejiang": ZHEJIANG_EX_YEARS,
}


def remaining_life_expectancy(age_years: np.ndarray, table: LifeTableName) -> np.ndarray:
    """Remaining life expectancy in years at each age (linear interpolation).

    Parameters
    ----------
    age_years
        Ages in years (NaN gives NaN).
    table
        ``"gbd_reference"`` or ``"zhejiang"``.

    Returns
    -------
    numpy.ndarray
        Remaining years, same shape as ``age_years``; ages below 0 use age 0, above 95 use 95.
    """
    ex = LIFE_TABLES[table]
    out: np.ndarray = np.interp(np.asarray(age_years, dtype=float), LIFE_TABLE_AGES_YEARS, ex)
    return out


def discounted_years(years: np.ndarray, rate_per_year: float) -> np.ndarray:
    """Present value of a stream of 1 life-year per year lasting ``years`` years.

    Continuous discounting: ``integral_0^L exp(-r t) dt = (1 - exp(-r L)) / r``; ``L`` when
    ``r = 0``.
    """
    y = np.asarray(years, dtype=float)
    if rate_per_year <= 0:
        return y
    return -np.expm1(-rate_per_year * y) / rate_per_year


def gompertz_makeham_ex(
    ages_years: tuple[float, ...] = LIFE_TABLE_AGES_YEARS,
    *,
    a_per_year: float,
    b_per_year: float,
    c_per_year: float,
    step_years: float = 0.005,
) -> np.ndarray:
    """Remaining life expectancy under a Gompertz-Makeham hazard (numerical integration).

    Parameters
    ----------
    ages_years
        Ages at which to report e(x).
    a_per_year, b_per_year, c_per_year
        Hazard ``mu(x) = a + b exp(c x)`` per year.
    step_years
        Integration step, years.

    Returns
    -------
    numpy.ndarray
        e(x) in years at each age.
    """
    x = np.arange(0.0, 150.0 + step_years, step_years)
    mu = a_per_year + b_per_year * np.exp(c_per_year * x)
    cum_hazard = np.concatenate([[0.0], np.cumsum(0.5 * (mu[1:] + mu[:-1]) * step_years)])
    surv = np.exp(-cum_hazard)
    out = []
    for age in ages_years:
        i = math.floor(age / step_years + 0.5)
        seg = surv[i:]
        out.append(float(np.sum(0.5 * (seg[1:] + seg[:-1])) * step_years / surv[i]))
    return np.asarray(out)
