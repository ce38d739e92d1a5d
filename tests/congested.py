"""The congested test scenario: calls queue, bays fill, consultations wait, transfers happen.

Shared by tests/test_eager_mode.py and the congested golden digest
(tests/regression/update_golden.py), so both check the same busy run: few units, one
resuscitation bay per hospital, one expert, many severe patients on the synthetic county.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from helpers import COUNTY_HOSPITALS, scenario_data, write_scenario

from sim.config.scenario import Scenario, load_scenario
from sim.core.entities import INJURY_CLASSES

#: Every mechanism on (escorts, pre-notification, consultations en route and at the county
#: hospital), so each lazy step meets every kind of event it must not reorder.
CONGESTED_EXTRA: dict[str, Any] = {
    "facilities": {
        "hospitals": {"rows": [{**h, "resus_bays": 1, "theatres": 1} for h in COUNTY_HOSPITALS]}
    },
    # No severe class is treated at the county hospital: every severe arrival there transfers.
    "hospital": {"capable_tiers": {c: ["trauma_centre", "city"] for c in INJURY_CLASSES}},
    # Half the severe patients under-triaged to the nearest (county) hospital: transfers.
    "destination": {"undertriage": 0.5},
    "mechanisms": {
        "police_linkage": {"enabled": True},
        "prenotification": {"enabled": True},
        "expert_consultation": {
            "enabled": True,
            "experts": 1,
            "consult_min": {"dist": "lognormal", "median": 60.0, "sigma": 0.4},
            "on_call_hours": [[0, 24]],
            "trigger_min_iss": 9,
            "transfer_avoided_share": 0.2,
        },
    },
}


def congested_scenario(folder: Path) -> Scenario:
    """Four days, 3 ambulances, ~25 trauma incidents and 12 non-trauma calls a day."""
    data = scenario_data(
        "congested",
        horizon_days=4.0,
        replications=1,
        seed=20260101,
        ambulances=8,
        rtc=50.0,
        fall=10.0,
        other=6.0,
        non_trauma=10.0,
        extra=CONGESTED_EXTRA,
    )
    return load_scenario(write_scenario(folder, data))


def events_digest(events: dict[str, np.ndarray]) -> str:
    """sha256 over every column of an event log (names, dtypes and bytes, in a fixed order)."""
    digest = hashlib.sha256()
    for name in sorted(events):
        col = np.ascontiguousarray(events[name])
        digest.update(f"{name}:{col.dtype.str}:{col.size};".encode())
        digest.update(col.tobytes())
    return digest.hexdigest()
