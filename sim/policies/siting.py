"""Station siting models (pure functions): MEXCLP, p-median and MCLP as mixed-integer programs.

All three take a drive-minute matrix from candidate sites to demand points (the road-minute
tables), demand weights and a coverage threshold per demand point, and return the chosen
sites. They are solved with HiGHS through :func:`scipy.optimize.milp`; :func:`greedy_mclp`
is the classic add-one-at-a-time heuristic, kept only as a documented fallback and as the
baseline the exact models are checked against.

Models (standard formulations):

* MCLP, Church & ReVelle (1974), *Papers of the Regional Science Association* 32:101-118:
  maximise demand covered at least once with ``p`` stations.
* MEXCLP, Daskin (1983), *Transportation Science* 17(1):48-70: with ``u`` units spread over
  the open stations, each independently busy with probability ``q``, maximise the expected
  covered demand ``sum_j w_j sum_k (1 - q) q^(k-1) y_jk`` where ``y_jk`` says demand ``j`` is
  covered by at least ``k`` units.
* p-median, Hakimi (1964), *Operations Research* 12(3):450-459: minimise demand-weighted
  drive minutes to the nearest open station.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

Method = Literal["mexclp", "pmedian", "mclp"]
METHODS: tuple[str, ...] = ("mexclp", "pmedian", "mclp")


@dataclass(frozen=True)
class Siting:
    """A solved siting problem.

    Attributes
    ----------
    sites
        Indices of the chosen candidates (ascending).
    units
        Units at each chosen site (same order; MEXCLP's optimum, else spread by demand).
    objective
        The model's objective at the solution (covered weight, expected covered weight, or
        weighted minutes).
    method
        Model name, or ``"greedy"``.
    """

    sites: tuple[int, ...]
    units: tuple[int, ...]
    objective: float
    method: str


def _check(drive_min: np.ndarray, weight: np.ndarray, p: int) -> tuple[int, int]:
    n_cand, n_dem = drive_min.shape
    if weight.shape != (n_dem,):
        msg = f"weight has shape {weight.shape}, expected ({n_dem},)"
        raise ValueError(msg)
    if not 1 <= p <= n_cand:
        msg = f"stations must be 1..{n_cand} (the number of candidates), got {p}"
        raise ValueError(msg)
    return n_cand, n_dem


def _solve(c: np.ndarray, integrality: np.ndarray, lb: np.ndarray, ub: np.ndarray,
           cons: list[LinearConstraint], time_limit_s: float) -> np.ndarray:  # fmt: skip
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        constraints=cons,
        options={"time_limit": time_limit_s, "mip_rel_gap": 1e-6},
    )
    if res.x is None:
        msg = f"the siting MILP found no solution ({res.message})"
        raise RuntimeError(msg)
    return np.asarray(res.x)


def _spread_units(sites: np.ndarray, assigned_weight: np.ndarray, n_units: int) -> tuple[int, ...]:
    """One unit per site, the rest by largest remainder of the demand each site serves."""
    n = sites.size
    extra = max(n_units - n, 0)
    share = assigned_weight / assigned_weight.sum() if assigned_weight.sum() > 0 else np.ones(n) / n
    quota = share * extra
    base = np.floor(quota).astype(int)
    left = extra - int(base.sum())
    base[np.argsort(-(quota - base), kind="stable")[:left]] += 1
    return tuple(int(1 + b) for b in base)


def solve_siting(
    method: Method,
    drive_min: np.ndarray,
    weight: np.ndarray,
    cover_min: np.ndarray,
    n_stations: int,
    *,
    n_units: int | None = None,
    busy_fraction: float = 0.0,
    time_limit_s: float = 60.0,
) -> Siting:
    """Choose ``n_stations`` of the candidates.

    Parameters
    ----------
    method
        ``"mexclp"``, ``"pmedian"`` or ``"mclp"``.
    drive_min
        ``(candidates, demand points)`` drive minutes (``inf`` if unreachable).
    weight
        Demand weight of each point (e.g. expected calls).
    cover_min
        Coverage threshold of each point (drive minutes).
    n_stations
        Stations to open.
    n_units
        Units to place (MEXCLP; default ``n_stations``). Other methods spread them one per
        station, the rest by the demand each station serves.
    busy_fraction
        MEXCLP's probability that a unit is busy (0 <= q < 1), e.g. a run's utilisation.
    time_limit_s
        HiGHS time limit.

    Returns
    -------
    Siting
    """
    if method not in METHODS:
        msg = f"unknown siting method {method!r} (allowed: {', '.join(METHODS)})"
        raise ValueError(msg)
    drive_min = np.asarray(drive_min, float)
    weight = np.asarray(weight, float)
    n_cand, n_dem = _check(drive_min, weight, n_stations)
    units = n_stations if n_units is None else int(n_units)
    if units < n_stations:
        msg = f"need at least one unit per station ({units} units, {n_stations} stations)"
        raise ValueError(msg)
    if not 0.0 <= busy_fraction < 1.0:
        msg = f"busy_fraction must be in [0, 1), got {busy_fraction}"
        raise ValueError(msg)
    covers = (drive_min <= np.asarray(cover_min, float)[None, :]).astype(float)  # (I, J)
    reach = np.isfinite(drive_min)
    z_row = sparse.csr_array(np.ones((1, n_cand)))

    if method == "mclp":
        # x = [z (I), y (J)]; max w.y; y_j <= sum_i a_ij z_i; sum z = p.
        c = np.concatenate([np.zeros(n_cand), -weight])
        a = sparse.hstack([-sparse.csr_array(covers.T), sparse.eye_array(n_dem)])
        cons = [
            LinearConstraint(a, -np.inf, 0.0),
            LinearConstraint(sparse.hstack([z_row, sparse.csr_array((1, n_dem))]), n_stations,
                             n_stations),
        ]  # fmt: skip
        x = _solve(c, np.ones(n_cand + n_dem), np.zeros(n_cand + n_dem),
                   np.ones(n_cand + n_dem), cons, time_limit_s)  # fmt: skip
        sites = np.flatnonzero(x[:n_cand] > 0.5)
        nearest = np.argmin(np.where(reach[sites], drive_min[sites], np.inf), axis=0)
        served = np.bincount(nearest, weights=weight, minlength=sites.size)
        return Siting(tuple(int(s) for s in sites), _spread_units(sites, served, units),
                      float(weight @ x[n_cand:]), "mclp")  # fmt: skip

    if method == "pmedian":
        # x = [z (I), a (I*J) row-major]; min sum w_j d_ij a_ij; sum_i a_ij = 1; a_ij <= z_i.
        big = np.where(reach, drive_min, 0.0)
        c = np.concatenate([np.zeros(n_cand), (big * weight[None, :]).ravel()])
        ub_a = reach.astype(float).ravel()  # never assign to an unreachable site
        assign = sparse.hstack(
            [sparse.csr_array((n_dem, n_cand)), sparse.kron(np.ones((1, n_cand)),
                                                            sparse.eye_array(n_dem))]
        )  # fmt: skip
        link = sparse.hstack(
            [-sparse.kron(sparse.eye_array(n_cand), np.ones((n_dem, 1))),
             sparse.eye_array(n_cand * n_dem)]
        )  # fmt: skip
        cons = [
            LinearConstraint(assign, 1.0, 1.0),
            LinearConstraint(link, -np.inf, 0.0),
            LinearConstraint(sparse.hstack([z_row, sparse.csr_array((1, n_cand * n_dem))]),
                             n_stations, n_stations),
        ]  # fmt: skip
        integ = np.concatenate([np.ones(n_cand), np.zeros(n_cand * n_dem)])  # a is integral
        x = _solve(c, integ, np.zeros(c.size), np.concatenate([np.ones(n_cand), ub_a]), cons,
                   time_limit_s)  # fmt: skip
        sites = np.flatnonzero(x[:n_cand] > 0.5)
        a_ij = x[n_cand:].reshape(n_cand, n_dem)
        served = a_ij[sites] @ weight
        return Siting(tuple(int(s) for s in sites), _spread_units(sites, served, units),
                      float(c @ x), "pmedian")  # fmt: skip

    # mexclp
    # x = [z (I) binary, n (I) units, y (J*K) binary]; k = 1..units.
    k = units
    gain = (1.0 - busy_fraction) * busy_fraction ** np.arange(k)  # level k's weight
    c = np.concatenate([np.zeros(2 * n_cand), -(weight[:, None] * gain[None, :]).ravel()])
    n_y = n_dem * k
    # sum_k y_jk - sum_i a_ij n_i <= 0
    y_sum = sparse.kron(sparse.eye_array(n_dem), np.ones((1, k)))
    cover_cons = sparse.hstack(
        [sparse.csr_array((n_dem, n_cand)), -sparse.csr_array(covers.T), y_sum]
    )
    # z_i <= n_i <= units z_i
    lo = sparse.hstack([sparse.eye_array(n_cand), -sparse.eye_array(n_cand),
                        sparse.csr_array((n_cand, n_y))])  # fmt: skip
    hi = sparse.hstack([-units * sparse.eye_array(n_cand), sparse.eye_array(n_cand),
                        sparse.csr_array((n_cand, n_y))])  # fmt: skip
    zeros_n = sparse.csr_array((1, n_cand))
    cons = [
        LinearConstraint(cover_cons, -np.inf, 0.0),
        LinearConstraint(lo, -np.inf, 0.0),
        LinearConstraint(hi, -np.inf, 0.0),
        LinearConstraint(sparse.hstack([z_row, zeros_n, sparse.csr_array((1, n_y))]),
                         n_stations, n_stations),
        LinearConstraint(sparse.hstack([zeros_n, z_row, sparse.csr_array((1, n_y))]),
                         units, units),
    ]  # fmt: skip
    ub = np.concatenate([np.ones(n_cand), np.full(n_cand, units), np.ones(n_y)])
    x = _solve(c, np.ones(c.size), np.zeros(c.size), ub, cons, time_limit_s)
    sites = np.flatnonzero(x[:n_cand] > 0.5)
    n_at = np.rint(x[n_cand : 2 * n_cand][sites]).astype(int)
    return Siting(tuple(int(s) for s in sites), tuple(int(u) for u in n_at),
                  float(-c @ x), "mexclp")  # fmt: skip


def greedy_mclp(
    drive_min: np.ndarray,
    weight: np.ndarray,
    cover_min: np.ndarray,
    n_stations: int,
    *,
    n_units: int | None = None,
) -> Siting:
    """Add the site covering the most uncovered demand, ``n_stations`` times (heuristic).

    Ties go to the smaller demand-weighted drive time, then the lower index. Not optimal in
    general; used as a fallback and as the baseline the MILP models are tested against.

    Returns
    -------
    Siting
        Units spread as for the MILP models (one per site, the rest by demand served).
    """
    drive_min = np.asarray(drive_min, float)
    weight = np.asarray(weight, float)
    n_cand, _ = _check(drive_min, weight, n_stations)
    covers = drive_min <= np.asarray(cover_min, float)[None, :]
    covered = np.zeros(drive_min.shape[1], bool)
    chosen: list[int] = []
    for _ in range(n_stations):
        gain = (covers & ~covered[None, :]) @ weight
        gain[chosen] = -1.0
        cost = np.where(np.isfinite(drive_min), drive_min, 1e9) @ weight
        best = int(np.lexsort((np.arange(n_cand), cost, -gain))[0])
        chosen.append(best)
        covered |= covers[best]
    sites = np.array(sorted(chosen))
    nearest = np.argmin(np.where(np.isfinite(drive_min[sites]), drive_min[sites], np.inf), axis=0)
    served = np.bincount(nearest, weights=weight, minlength=sites.size)
    units = _spread_units(sites, served, n_stations if n_units is None else int(n_units))
    return Siting(tuple(int(s) for s in sites), units, float(weight[covered].sum()), "greedy")
