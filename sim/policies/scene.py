"""Choices made when a crew leaves the scene: triage judgement, pre-notification, escort.

Pure functions of what the crew knows at that instant (the patient's pre-drawn uniforms,
the scenario's shares, whether an expert consultation or the police are already there), so
they are unit-tested without SimPy (tests/test_policies.py).
:meth:`sim.model.ambulance.Fleet._leave_scene` reads the state, calls these, and records
what they decide.
"""

from __future__ import annotations

from sim.policies.destination import field_triage_severe


def judged_severe(
    *,
    trauma: bool,
    severe: bool,
    u_under: float,
    u_over: float,
    undertriage: float,
    overtriage: float,
    consult_started: bool,
    undertriage_left: float,
) -> bool:
    """Whether field triage judges the patient severe at scene departure.

    An expert consultation already under way keeps only ``undertriage_left`` of the
    under-triage rate (``1 - undertriage_reduction``); a non-trauma patient is never judged
    severe trauma.

    Examples
    --------
    >>> kw = dict(u_over=0.9, undertriage=0.2, overtriage=0.3, undertriage_left=0.5)
    >>> judged_severe(trauma=True, severe=True, u_under=0.15, consult_started=False, **kw)
    False
    >>> judged_severe(trauma=True, severe=True, u_under=0.15, consult_started=True, **kw)
    True
    """
    under = undertriage * undertriage_left if consult_started else undertriage
    return trauma and field_triage_severe(severe, u_under, u_over, under, overtriage)


def prenotifies(
    *,
    judged_severe: bool,
    u_prenotify: float,
    prenotify_share: float,
    police_relay: bool,
) -> bool:
    """Whether the receiving hospital is pre-notified of a patient judged severe.

    The crew pre-notifies with probability ``prenotify_share`` (``u_prenotify`` is the
    patient's pre-drawn uniform; ``-inf`` when pre-notification is off), or police on scene
    relay it (``police_relay``: linkage on, police there, and this incident's relay draw).

    Examples
    --------
    >>> prenotifies(judged_severe=True, u_prenotify=0.7, prenotify_share=0.5, police_relay=True)
    True
    >>> prenotifies(judged_severe=False, u_prenotify=0.1, prenotify_share=0.5, police_relay=True)
    False
    """
    return judged_severe and (u_prenotify < prenotify_share or police_relay)


def escort_applies(*, congestion_removed: float, escorted: bool, police_on_scene: bool) -> bool:
    """Whether a police escort clears congestion on the transport.

    Only with the linkage's ``escort_congestion_removed`` > 0, for an incident drawn as
    escorted, and once the police have reached the scene.

    Examples
    --------
    >>> escort_applies(congestion_removed=0.3, escorted=True, police_on_scene=True)
    True
    >>> escort_applies(congestion_removed=0.3, escorted=True, police_on_scene=False)
    False
    """
    return congestion_removed > 0 and escorted and police_on_scene
