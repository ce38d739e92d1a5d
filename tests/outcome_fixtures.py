"""Synthetic per-patient tables for outcome tests (usable by any test; numpy only, no sim run).

:func:`make_patient_table` builds a realistic table with the columns the simulation produces
(see sim/outcomes/models.py REQUIRED_COLUMNS, plus ``t_left_scene``). The case mix and
durations mirror the scenario defaults and docs/parameters.md: case mix A3/A4 (RTC ISS>=16 9 %,
IMM 0.7 %: the outcome calibration's proposal, scenario default 0.8 %; falls 5 % / 0.2 %),
call delay B1, response B7 (median 14.5 min), scene C1
(median 12), transport C2 (median 21), arrival -> definitive care C5/C8 by tier (42-60 min),
undertriage D1 (14.2 %) and transfers D5. :func:`shift_timeline` makes a faster (or slower)
variant of the same patients (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEVERE_CLASS_SHARES = {"TBS": 0.15, "TBN": 0.25, "HT": 0.15, "HL": 0.05, "AW": 0.10, "MS": 0.30}
MECHANISM_SHARES = {"rtc": 0.57, "fall": 0.28, "other": 0.15}  # Shaoxing 22.8 : 16.9 (A1)
# mechanism: (severe_share, imm_share, age mean, age sd, male share) — scenario defaults
MECHANISM_MIX = {
    "rtc": (0.09, 0.008, 44.0, 17.0, 0.66),
    "fall": (0.05, 0.002, 62.0, 18.0, 0.50),
    "other": (0.05, 0.002, 40.0, 16.0, 0.70),
}
_CAPABLE = {"TBS": ("trauma_centre", "city"), "MS": ("trauma_centre", "city")}
_TIERS = np.array(["trauma_centre", "city", "county"], dtype=object)
_TO_DEFINITIVE_MEDIAN = {"trauma_centre": 42.0, "city": 50.0, "county": 60.0}


def _ln(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _choice(rng: np.random.Generator, p: list[float], n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=np.asarray(p) / np.sum(p))


def make_patient_table(
    *,
    reps: int = 4,
    patients_per_rep: int = 6000,
    seed: int = 20260101,
    horizon_min: float = 14 * 1440.0,
    non_trauma_share: float = 0.3,
    first_aid_share: float = 0.1,
    rtc_imm_share: float = 0.007,
) -> pd.DataFrame:
    """A realistic synthetic per-patient table (all reps stacked).

    Parameters
    ----------
    reps
        Replications (``rep`` 0..reps-1); every rep has the same number of rows.
    patients_per_rep
        Rows per replication (trauma and non-trauma patients).
    seed
        Seed of the local generator (deterministic table).
    horizon_min
        Simulated minutes; injuries are uniform over it and patients whose definitive care
        falls after it get status ``in_progress`` with later times NaN.
    non_trauma_share
        Share of rows that are non-trauma patients (NaN outcomes).
    first_aid_share
        Share of trauma patients given first aid before EMS arrival (bystander / police).
    rtc_imm_share
        Share of crash patients with immediately non-survivable injuries.

    Returns
    -------
    pandas.DataFrame
        The simulation's per-patient columns plus ``t_left_scene``.
    """
    rng = np.random.default_rng(seed)
    n = reps * patients_per_rep
    rep = np.repeat(np.arange(reps), patients_per_rep)
    patient_id = np.tile(np.arange(patients_per_rep), reps)
    trauma = rng.random(n) >= non_trauma_share
    mechs = np.array(list(MECHANISM_SHARES), dtype=object)
    mech = mechs[_choice(rng, list(MECHANISM_SHARES.values()), n)]

    severe_share = np.array([MECHANISM_MIX[m][0] for m in mech])
    imm_share = np.array([MECHANISM_MIX[m][1] for m in mech])
    imm_share[mech == "rtc"] = rtc_imm_share
    age_mean = np.array([MECHANISM_MIX[m][2] for m in mech])
    age_sd = np.array([MECHANISM_MIX[m][3] for m in mech])
    male = np.array([MECHANISM_MIX[m][4] for m in mech])
    age = np.clip(age_mean + age_sd * rng.standard_normal(n), 16.0, 95.0)
    sex = np.where(rng.random(n) < male, "m", "f").astype(object)

    u = rng.random(n)
    severe_names = np.array(list(SEVERE_CLASS_SHARES), dtype=object)
    severe_cls = severe_names[_choice(rng, list(SEVERE_CLASS_SHARES.values()), n)]
    cls = np.where(u < imm_share, "IMM", np.where(u < imm_share + severe_share, severe_cls, "MN"))
    cls = cls.astype(object)

    # ISS and RTS as the scenario's demand generator draws them (sim/demand, [U]): severe ISS
    # 16 + Exp(mean 10), minor 1 + Exp(mean 4) capped at 15; RTS lower for severe patients and
    # lowest for surgical TBI.
    e = -np.log1p(-rng.random(n))
    iss = np.where(
        cls == "MN", np.minimum(15, 1 + np.floor(e * 4)), np.minimum(75, 16 + np.floor(e * 10))
    )
    iss[cls == "IMM"] = 75.0
    v = rng.random(n)
    rts = np.where(cls == "MN", 7.8408 - 0.9 * v**3, 2.5 + (7.8408 - 2.5) * np.sqrt(v))
    rts = np.where(cls == "TBS", 2.0 + (7.8408 - 2.0) * v, rts)
    rts[cls == "IMM"] = 0.0

    # Timeline (minutes).
    t_injury = rng.uniform(0.0, horizon_min, n)
    call_delay = np.minimum(_ln(rng, 2.0, 1.0, n), 60.0)
    tail = rng.random(n) < 0.03  # nobody able to phone (B1: ~4 % > 30 min)
    call_delay[tail] = _ln(rng, 45.0, 0.5, int(tail.sum()))
    t_call = t_injury + call_delay
    t_on_scene = t_call + _ln(rng, 14.5, 0.46, n)
    fa_delay = _ln(rng, 3.0, 0.5, n)
    t_first_aid = np.where(rng.random(n) < first_aid_share, t_call + fa_delay, np.nan)
    t_first_aid[~(t_first_aid < t_on_scene)] = np.nan
    scene = _ln(rng, 12.0, 0.5, n)
    trapped = (mech == "rtc") & (rng.random(n) < 0.05)
    scene[trapped] += _ln(rng, 15.0, 0.5, int(trapped.sum()))
    t_left_scene = t_on_scene + scene
    t_at_hospital = t_left_scene + _ln(rng, 21.0, 0.44, n)

    severe = trauma & np.isin(cls, list(SEVERE_CLASS_SHARES))
    triaged = rng.random(n) >= 0.142
    tier_triaged = _TIERS[_choice(rng, [0.6, 0.4, 0.0], n)]
    tier_nearest = _TIERS[_choice(rng, [0.2, 0.35, 0.45], n)]
    first_tier = np.where(severe & triaged, tier_triaged, tier_nearest)
    capable_first = np.ones(n, dtype=bool)
    for c, tiers in _CAPABLE.items():
        sel = cls == c
        capable_first[sel] = np.isin(first_tier[sel], tiers)
    transferred = severe & ~capable_first & (rng.random(n) < 0.9)
    capable_care = capable_first | transferred
    final_tier = np.where(transferred, "trauma_centre", first_tier).astype(object)
    med = np.array([_TO_DEFINITIVE_MEDIAN[t] for t in final_tier])
    to_def = np.where(severe, _ln(rng, 1.0, 0.42, n) * med, _ln(rng, 60.0, 0.5, n))
    transfer_min = _ln(rng, 60.0, 0.5, n) + _ln(rng, 35.0, 0.4, n)
    t_definitive = t_at_hospital + np.where(transferred, transfer_min, 0.0) + to_def

    status = np.full(n, "completed", dtype=object)
    imm = trauma & (cls == "IMM")
    status[imm] = "dead_on_scene"
    not_tx = (~trauma & (rng.random(n) < 0.1)) | (trauma & (cls == "MN") & (rng.random(n) < 0.15))
    status[not_tx & ~imm] = "not_transported"
    stop = imm | (status == "not_transported")
    for t in (t_left_scene, t_at_hospital, t_definitive):
        t[stop] = np.nan
    final_tier[stop] = None
    capable_care[stop] = False
    transferred[stop] = False
    t_definitive[~trauma] = np.nan
    late = np.isfinite(t_definitive) & (t_definitive > horizon_min)
    late |= ~stop & ~np.isfinite(t_definitive) & trauma
    late |= (stop | ~trauma) & (t_on_scene > horizon_min)
    status[late] = "in_progress"
    for t in (t_call, t_first_aid, t_on_scene, t_left_scene, t_at_hospital, t_definitive):
        t[t > horizon_min] = np.nan

    kind = np.where(trauma, "trauma", "non_trauma").astype(object)
    return pd.DataFrame(
        {
            "rep": rep,
            "patient_id": patient_id,
            "incident_id": patient_id,
            "kind": kind,
            "mechanism": np.where(trauma, mech, "non_trauma").astype(object),
            "injury_class": np.where(trauma, cls, "none").astype(object),
            "iss": np.where(trauma, iss, np.nan),
            "rts": np.where(trauma, rts, np.nan),
            "age_years": age,
            "sex": sex,
            "t_injury": t_injury,
            "t_call": t_call,
            "t_first_aid": np.where(trauma, t_first_aid, np.nan),
            "t_on_scene": t_on_scene,
            "t_left_scene": t_left_scene,
            "t_at_hospital": t_at_hospital,
            "t_definitive_care": t_definitive,
            "final_hospital_tier": final_tier,
            "capable_care": capable_care,
            "transferred": transferred,
            "status": status,
        }
    )


def shift_timeline(
    table: pd.DataFrame,
    *,
    call_min: float = 0.0,
    response_min: float = 0.0,
    scene_min: float = 0.0,
    transport_min: float = 0.0,
    hospital_min: float = 0.0,
    floor_min: float = 0.5,
) -> pd.DataFrame:
    """The same patients with shorter (positive savings) or longer (negative) intervals.

    Each interval (injury->call, call->on scene, on scene->left scene, left scene->hospital,
    hospital->definitive care) is reduced by its saving but not below ``floor_min`` (or its
    original value if that was shorter); later times move with it. First aid keeps its delay
    after the call and is dropped if it no longer precedes EMS arrival. Status is unchanged.
    """
    out = table.copy()
    cols = [
        "t_injury",
        "t_call",
        "t_on_scene",
        "t_left_scene",
        "t_at_hospital",
        "t_definitive_care",
    ]
    savings = [call_min, response_min, scene_min, transport_min, hospital_min]
    t = [out[c].to_numpy(dtype=float) for c in cols]
    new = [t[0]]
    for k, saving in enumerate(savings):
        dur = t[k + 1] - t[k]
        shorter = np.maximum(dur - saving, np.minimum(dur, floor_min))
        new.append(new[k] + shorter)
    fa_offset = out["t_first_aid"].to_numpy(dtype=float) - t[1]
    for c, v in zip(cols[1:], new[1:], strict=True):
        out[c] = v
    fa = new[1] + fa_offset
    fa[~(fa < new[2])] = np.nan
    out["t_first_aid"] = fa
    return out
