"""Time-dependent permanent disability for the injuries with published time-outcome evidence.

Pure, vectorised functions of minutes (NaN means "not reached": the caller substitutes the
reference time, so a missing interval never moves an outcome). Each gives the probability of a
permanent state among *survivors*; :func:`sim.outcomes.models.evaluate` turns them into
unconditional band probabilities, counts and YLDs. Every other class keeps the generic
time coupling ``kappa`` of docs/evidence.md §7.3. Sources and derivations: docs/outcomes.md §4.

* Severe TBI with a surgical lesion (TBS): GOS-E bands shift on the logit scale by
  ``gamma (T_evac - T_ref)``, T_evac = injury -> evacuation (definitive care). Seelig 1981
  (mortality 30 % <= 4 h vs 90 % > 4 h [V]), Chia-Yi 2020 (injury -> surgery 145.5 min in
  functional recovery vs 181.9 min in poor recovery [V]); null in Tien 2011 for time to
  craniotomy and in Westmead / Newgard 2015 [V].
* Spinal cord injury (SCI, a share of the other multi-system class MS): permanent para- or
  tetraplegia unless the cord recovers by >= 2 ASIA (AIS) grades. Recovery falls with time to
  decompression (STASCIS, Fehlings 2012: 19.8 % at a mean 14.2 h vs 8.8 % at 48.3 h, adjusted
  OR 2.83 (1.10-7.28) [V]); an optional secondary-injury hazard acts until EMS immobilises
  the spine (Toscano 1988 [U]; Hauswald 1998 found no benefit of immobilisation [U]).
* Limb vascular injury (a share of limb haemorrhage HL): amputation rises with warm ischaemia
  time (Glass 2009 review: amputation 13 % with shunts, mean ischaemia 3.8 h, vs 27 % with
  grafts, 7.6 h; limb salvage 87 % < 6 h vs 61 % > 6 h, the "6-hour rule" [V]).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit


def _minutes(x: np.ndarray | float, ref_min: float) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return np.where(np.isfinite(a), a, ref_min)


def tbi_band_shift(
    evacuation_min: np.ndarray | float, ref_min: float, gamma_per_min: float
) -> np.ndarray:
    """Logit shift of the GOS-E bands of a surgical TBI survivor.

    Parameters
    ----------
    evacuation_min
        Minutes from injury to evacuation of the lesion (definitive care); NaN -> ``ref_min``.
    ref_min
        Reference minutes (baseline median), at which the bands are ``survivor_bands.TBS``.
    gamma_per_min
        Logit shift per minute (>= 0: later evacuation, worse bands).

    Returns
    -------
    numpy.ndarray
        ``gamma (T - T_ref)``, added to every threshold ``logit P(Y >= k | survive)``.
    """
    shift: np.ndarray = gamma_per_min * (_minutes(evacuation_min, ref_min) - ref_min)
    return shift


def sci_recovery_probability(
    decompression_min: np.ndarray | float,
    slope_per_min: float,
    ref_recovery: float,
    ref_min: float,
) -> np.ndarray:
    """Probability that a spinal cord injury recovers by >= 2 AIS grades (logit-linear in time).

    Parameters
    ----------
    decompression_min
        Minutes from injury to decompression (NaN -> ``ref_min``).
    slope_per_min
        Decrease of the recovery log-odds per minute of delay (>= 0).
    ref_recovery
        Recovery probability at ``ref_min`` (STASCIS early group: 0.198 at 14.2 h).
    ref_min
        Anchor minutes of ``ref_recovery``.

    Returns
    -------
    numpy.ndarray
        ``expit(logit(ref_recovery) - slope (T - ref_min))``.
    """
    t = _minutes(decompression_min, ref_min)
    out: np.ndarray = expit(logit(ref_recovery) - slope_per_min * (t - ref_min))
    return out


def sci_permanent_probability(
    unimmobilised_min: np.ndarray | float,
    decompression_min: np.ndarray | float,
    *,
    deterioration_per_min: float,
    slope_per_min: float,
    ref_recovery: float,
    ref_min: float,
    unimmobilised_ref_min: float,
) -> np.ndarray:
    """P(permanent para- or tetraplegia | survived) after a spinal cord injury.

    The cord keeps its chance of recovery unless it suffers secondary injury before EMS
    immobilise the spine (hazard ``deterioration_per_min``); a deteriorated cord is taken
    not to recover: ``1 - exp(-rho U) * P_recover(T_decompression)``.

    Parameters
    ----------
    unimmobilised_min
        Minutes from injury to EMS on scene (immobilisation); NaN -> ``unimmobilised_ref_min``.
    decompression_min
        Minutes from injury to decompression; NaN -> ``ref_min``.
    deterioration_per_min, slope_per_min, ref_recovery, ref_min
        See :func:`sci_recovery_probability`; ``deterioration_per_min`` >= 0.
    unimmobilised_ref_min
        Substitute for missing ``unimmobilised_min``.

    Returns
    -------
    numpy.ndarray
        Probability in [0, 1], non-decreasing in both delays.
    """
    u = np.maximum(_minutes(unimmobilised_min, unimmobilised_ref_min), 0.0)
    intact = np.exp(-deterioration_per_min * u)
    recover = sci_recovery_probability(decompression_min, slope_per_min, ref_recovery, ref_min)
    out: np.ndarray = 1.0 - intact * recover
    return out


def limb_amputation_probability(
    ischaemia_min: np.ndarray | float,
    slope_per_min: float,
    ref_amputation: float,
    ref_min: float,
) -> np.ndarray:
    """P(amputation | survived) of a limb with an arterial injury, by warm ischaemia time.

    Parameters
    ----------
    ischaemia_min
        Minutes from injury to revascularisation or shunt (definitive care); NaN -> ``ref_min``.
    slope_per_min
        Increase of the amputation log-odds per minute (>= 0).
    ref_amputation
        Amputation probability at ``ref_min`` (Glass 2009: 0.13 at 3.8 h with shunts).
    ref_min
        Anchor minutes of ``ref_amputation``.

    Returns
    -------
    numpy.ndarray
        ``expit(logit(ref_amputation) + slope (T - ref_min))``.
    """
    t = _minutes(ischaemia_min, ref_min)
    out: np.ndarray = expit(logit(ref_amputation) + slope_per_min * (t - ref_min))
    return out
