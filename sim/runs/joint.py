"""Joint PSA over operational and mechanism assumptions: one draw per replication.

Outcome parameters can be re-evaluated on fixed timelines, but the [U] operational and
mechanism assumptions (turn-out, seat handling, escort, AML/ACN, consult durations...) change
the timelines themselves, so they must be re-simulated. :func:`joint_scenario` is a pure
scenario transformation applied before a replication runs: replication ``r`` of a scenario
gets its own value of every ranged field (:func:`sim.config.uncertain.uncertain_fields`),
drawn from the named stream ``"joint_psa:<field path>"`` of ``(seed, r)``. Both arms of a
comparison share seed and replication, hence the same values (common random numbers), and
the demand streams are untouched (streams are keyed by name). Every replication then stands
for one draw of the assumptions, so the spread over replications carries them.

Each field is drawn uniformly over its documented range: the sources give a range, rarely a
mode, and a uniform law is the least informative choice for a bounded quantity (Jaynes 1968,
IEEE Trans. Syst. Sci. Cybern. 4:227, maximum entropy).
"""

from __future__ import annotations

from sim.config.scenario import Scenario
from sim.config.uncertain import UncertainField, uncertain_fields, with_values
from sim.core.rng import RandomStreams

#: Stream name prefix of the joint draws (one stream per field: adding a field never moves
#: the draws of the others).
JOINT_STREAM = "joint_psa"


def draw_assumptions(
    scenario: Scenario, replication: int, fields: list[UncertainField] | None = None
) -> dict[str, float]:
    """The values of every ranged [U] field for one replication.

    Parameters
    ----------
    scenario
        The scenario (its seed selects the streams).
    replication
        Replication index.
    fields
        Fields to draw (default: :func:`uncertain_fields` of ``scenario``).

    Returns
    -------
    dict of str to float
        Field path -> value on its range's scale (see :func:`with_values`).
    """
    streams = RandomStreams(scenario.run.seed, replication)
    out = {}
    for f in fields if fields is not None else uncertain_fields(scenario):
        u = float(streams[f"{JOINT_STREAM}:{f.path}"].random())
        out[f.path] = f.low + u * (f.high - f.low)
    return out


def joint_scenario(scenario: Scenario, replication: int) -> Scenario:
    """``scenario`` with replication ``replication``'s draw of every ranged [U] field.

    Parameters
    ----------
    scenario
        The scenario as written.
    replication
        Replication index.

    Returns
    -------
    Scenario
        Same name, seed and run settings; only the ranged fields differ.
    """
    return with_values(scenario, draw_assumptions(scenario, replication))
