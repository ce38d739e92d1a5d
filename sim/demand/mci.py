"""Mass-casualty incidents (``[demand.mci]``): rare crashes with many patients.

An MCI is a road crash (an expressway multi-vehicle pile-up, a bus crash...) drawn from its
own Poisson process per kind, placed on the road classes where such crashes happen, with a
patient count from its own distribution. Its patients are sorted at the scene by a
START-like field triage (Benson, Koenig & Schultz 1996, *Prehosp Disaster Med* 11:117-124)
into red (immediate), yellow (delayed), green (walking wounded) and black (dead or
expectant), and each colour is mapped onto the model's injury classes: black -> IMM, red ->
a severe class (ISS >= 16), yellow -> minor ISS 9-15, green -> minor ISS 1-8.

Everything is drawn here, before the run, from streams of its own (``mci_*``): with
``[demand.mci]`` absent nothing is drawn and the other incidents are unchanged. The model
side (declaration, dispatch by patient count, mutual aid) is sim/model/mci.py; the
section's fields are :class:`sim.demand.spec.MciSpec`.

Sources for the defaults: China's Regulation on the Reporting and Investigation of Work
Safety Accidents (State Council Decree 493, 2007) grades a road accident "较大" from 3
deaths or 10 serious injuries and "重大" from 10 deaths or 50 serious injuries; the rates
per year, patient counts and colour shares are judgement [U] for a county of ~450,000
residents with an expressway, to be replaced by the region's own MCI records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.entities import BLACK, GREEN, INJURY_CLASS_CODE, RED, START_TAGS, YELLOW
from sim.core.errors import UserError
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.demand.spec import MciSpec
from sim.network.core import ROAD_CLASS_CODE, ROAD_CLASSES

if TYPE_CHECKING:
    from sim.demand.generate import Places

#: The call priority each colour gets (1 most urgent); black needs no ambulance.
START_PRIORITY = (1, 2, 3, 3)
MINUTES_PER_YEAR = 365.0 * MINUTES_PER_DAY


def draw_mci_incidents(
    spec: MciSpec, places: Places, horizon_min: float, streams: RandomStreams
) -> dict[str, np.ndarray]:
    """Times, places, kinds and patient counts of one replication's MCIs.

    Parameters
    ----------
    spec
        ``[demand.mci]``.
    places
        From :func:`sim.demand.generate.prepare_places` (crash edges and their road class).
    horizon_min
        Simulated minutes.
    streams
        The replication's named streams (``mci_*`` only).

    Returns
    -------
    dict of numpy arrays
        t, node, access_min, lon, lat, kind (index into ``spec.kinds``), n_patients.
    """
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("t", "node", "access_min", "lon", "lat", "kind", "n_patients")
    }
    assert places.edge_road_class is not None
    assert places.edge_len_m is not None
    for j, kind in enumerate(spec.kinds):
        rng = streams[f"mci_{kind.name}"]
        n = int(rng.poisson(kind.per_year * horizon_min / MINUTES_PER_YEAR))
        t = np.sort(rng.random(n) * horizon_min)
        codes = [ROAD_CLASS_CODE[c] for c in kind.road_classes if c in ROAD_CLASS_CODE]
        # On the kind's road classes, inside the served area (where ordinary crashes may be).
        in_area = np.diff(places.edge_cum_weight, prepend=0.0) > 0
        w = np.isin(places.edge_road_class, codes) * in_area * places.edge_len_m
        if w.sum() <= 0:  # whatever this replication's count: the same file, the same answer
            raise UserError(
                f"demand.mci.kinds[{j}].road_classes: no road of {kind.road_classes} in the "
                f"served area for '{kind.name}' (allowed: {list(ROAD_CLASSES)}, present ones only)"
            )
        cum = np.cumsum(w) / max(w.sum(), 1e-300)
        e = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), cum.size - 1)
        node = places.edge_src[e]
        counts = np.array([int(c) for c in kind.patients], np.int32)
        probs = np.cumsum(list(kind.patients.values()))
        k = np.searchsorted(probs / probs[-1], rng.random(n), side="right")
        parts["t"].append(t)
        parts["node"].append(np.asarray(node, np.int64))
        parts["access_min"].append(rng.random(n) * places.edge_travel_min[e])
        parts["lon"].append(places.node_lon[node])
        parts["lat"].append(places.node_lat[node])
        parts["kind"].append(np.full(n, j, np.int8))
        parts["n_patients"].append(counts[np.minimum(k, counts.size - 1)])
    return {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}


def start_triage(
    spec: MciSpec,
    mci_kind: np.ndarray,
    p_incident: np.ndarray,
    case: dict[str, np.ndarray],
    severe_class_shares: dict[str, float],
    streams: RandomStreams,
) -> np.ndarray:
    """START colours of every patient (-1 outside MCIs); MCI patients' classes set in place.

    ``case`` holds the patients' injury_class, iss and rts arrays (drawn for the ordinary
    case mix); those of MCI patients are replaced by their colour's class (module docstring).
    """
    tag = np.full(p_incident.shape[0], -1, np.int8)
    sel = np.flatnonzero(mci_kind[p_incident] >= 0)
    if sel.size == 0:
        return tag
    rng = streams["mci_start_triage"]
    u_tag, u_cls, u_iss, u_rts = rng.random((4, sel.size))
    cum = np.cumsum([spec.start_shares[c] for c in START_TAGS])
    t = np.minimum(np.searchsorted(cum / cum[-1], u_tag, side="right"), BLACK).astype(np.int8)
    tag[sel] = t
    classes = list(severe_class_shares)
    ccum = np.cumsum([severe_class_shares[c] for c in classes])
    sev_code = np.array([INJURY_CLASS_CODE[c] for c in classes])[
        np.minimum(np.searchsorted(ccum / ccum[-1], u_cls, side="right"), len(classes) - 1)
    ]
    mn, imm = INJURY_CLASS_CODE["MN"], INJURY_CLASS_CODE["IMM"]
    cls = np.select([t == RED, t == BLACK], [sev_code, imm], mn)
    # ISS by colour [U]: red 16-75 (exponential tail as the ordinary case mix), yellow 9-15,
    # green 1-8; RTS below normal for red, near normal otherwise.
    iss = np.select(
        [t == RED, t == YELLOW, t == GREEN],
        [
            np.minimum(75, 16 + np.floor(-np.log(1 - u_iss) * 10)),
            9 + np.floor(u_iss * 7),
            1 + np.floor(u_iss * 8),
        ],
        75,
    )
    rts = np.select(
        [t == RED, t == BLACK], [2.5 + (7.8408 - 2.5) * np.sqrt(u_rts), 0.0], 7.8408 - 0.5 * u_rts
    )
    case["injury_class"][sel] = cls
    case["iss"][sel] = iss
    case["rts"][sel] = rts
    return tag


def start_dispatch_needs(
    spec: MciSpec,
    tag: np.ndarray,
    priority: np.ndarray,
    transport_needed: np.ndarray,
    streams: RandomStreams,
) -> None:
    """Set MCI patients' call priority and transport need from their colour (in place).

    Red and yellow go by ambulance, black do not (dead or expectant), green with
    ``green_transport_share``; the priority is the colour's (START_PRIORITY).
    """
    sel = np.flatnonzero(tag >= 0)
    if sel.size == 0:
        return
    t = tag[sel]
    u = streams["mci_green_transport"].random(sel.size)
    priority[sel] = np.asarray(START_PRIORITY, np.int8)[t]
    green_tx = (t == GREEN) & (u < spec.green_transport_share)
    transport_needed[sel] = (t == RED) | (t == YELLOW) | green_tx
