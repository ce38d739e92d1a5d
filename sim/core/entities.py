"""Vocabulary shared by demand, model, metrics and outcomes: enums and code tables.

Codes are small integers so the demand arrays and the event log stay numeric (fast, compact);
the names are what tables, plots and scenario files show.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar, cast

_Enum = TypeVar("_Enum", bound=IntEnum)

MECHANISMS: tuple[str, ...] = ("rtc", "fall", "other", "non_trauma")
MECHANISM_CODE = {m: i for i, m in enumerate(MECHANISMS)}
RTC, FALL, OTHER_INJURY, NON_TRAUMA = range(4)

#: Injury classes (evidence §7.1): immediately non-survivable, torso haemorrhage, limb
#: haemorrhage, TBI with surgical lesion, TBI non-surgical, airway/chest, other multi-system
#: ISS>=16, minor ISS<16; "none" for non-trauma patients.
INJURY_CLASSES: tuple[str, ...] = ("IMM", "HT", "HL", "TBS", "TBN", "AW", "MS", "MN", "none")
INJURY_CLASS_CODE = {c: i for i, c in enumerate(INJURY_CLASSES)}
SEVERE_CLASSES: tuple[str, ...] = ("HT", "HL", "TBS", "TBN", "AW", "MS")

#: Kinds of 120 calls that end without a dispatch (they only hold a call-taker seat).
NON_DISPATCH_KINDS: tuple[str, ...] = ("advice", "duplicate", "hang_up", "transfer")

#: START field-triage colours of mass-casualty patients, most urgent first (codes are indices).
START_TAGS: tuple[str, ...] = ("red", "yellow", "green", "black")
RED, YELLOW, GREEN, BLACK = range(4)

TIERS: tuple[str, ...] = ("trauma_centre", "city", "county")
TIER_CODE = {t: i for i, t in enumerate(TIERS)}

ZONES: tuple[str, ...] = ("urban", "rural")


class EventKind(IntEnum):
    """What happened. Past tense; one record per state change (see sim.core.events).

    Codes 1 and 7 are retired (INJURY_OCCURRED, CALL_TRIAGED were never recorded: the
    injury time is the incident's ``t_injury``, triage is part of call-taking); the other
    codes keep their numbers so stored logs stay readable.
    """

    CALL_PLACED = 2
    CALL_HANDED_OFF = 3  # 110/122 -> 120 sequential hand-off (no linkage)
    CALL_TRANSFERRED = 4  # received by the wrong 120 centre and transferred
    CALL_ANSWERED = 5  # a call-taker seat picked up
    LOCATION_VERIFIED = 6
    DISPATCH_REQUESTED = 8  # call-taker released; unit wanted
    AMBULANCE_DISPATCHED = 9
    WHEELS_ROLLING = 10
    AMBULANCE_ON_SCENE = 11
    FIRST_AID_STARTED = 12  # bystander (video-guided) or police first aid
    SCENE_DEPARTED = 13
    PATIENT_NOT_TRANSPORTED = 14
    HOSPITAL_ARRIVED = 15
    HANDOVER_STARTED = 16  # a resuscitation bay obtained
    PATIENT_HANDED_OVER = 17
    DEFINITIVE_CARE_STARTED = 18
    TRANSFER_DECIDED = 19
    TRANSFER_DEPARTED = 20
    TRANSFER_ARRIVED = 21
    UNIT_AT_STATION = 22
    UNIT_REDIRECTED = 23  # a returning unit sent on a new call
    POLICE_ALERTED = 24
    POLICE_DISPATCHED = 25
    POLICE_ON_SCENE = 26
    ESCORT_APPLIED = 27  # value = minutes saved on the leg
    CONSULT_REQUESTED = 28
    CONSULT_STARTED = 29  # value = wait minutes
    CONSULT_ENDED = 30
    PRENOTIFIED = 31  # hospital trauma team pre-activated; value = minutes saved
    HANDOFF_REMOVED = 32  # linkage: value = hand-off minutes avoided
    AML_LOCATED = 33  # handset location; value = minutes saved
    CRASH_AUTO_NOTIFIED = 34  # automatic crash notification; value = minutes saved
    TRANSFER_AVOIDED = 35  # tele-guided care at a county hospital
    CONSULT_ABANDONED = 36  # not started within max_wait_min
    POLICE_CLEARED = 37
    TEAM_PREACTIVATED = 38  # expert group pre-activated the trauma team; value = minutes saved
    UNIT_RELOCATED = 39  # move-up: an idle unit sent to another station; place = new station
    UNIT_OUT_OF_SERVICE = 40  # random downtime starts; value = minutes out of service
    # 120 calls that lead to no dispatch (advice, duplicates, hang-ups, transfers): they only
    # hold a call-taker seat. incident = -1, place = centre.
    NON_DISPATCH_CALL_ANSWERED = 41  # value = minutes from placed to answered
    NON_DISPATCH_CALL_ENDED = 42  # seat free again; value = minutes the seat was held
    # Mass-casualty incidents and diversion (sim/model/mci.py, sim/model/hospital.py).
    MCI_DECLARED = 43  # at the dispatch request; value = patients
    MUTUAL_AID_DISPATCHED = 44  # a neighbour's unit; place = its base hospital, value = activation
    DIVERSION_CHANGED = 45  # place = hospital; value 1 = on diversion, 0 = open again
    PATIENT_DIVERTED = 46  # rerouted; place = the closed hospital, value = extra minutes


class UnitStatus(IntEnum):
    """What an ambulance is doing (present state)."""

    IDLE_AT_STATION = 0
    DISPATCHED = 1  # turnout
    EN_ROUTE_TO_SCENE = 2
    ON_SCENE = 3
    TRANSPORTING = 4
    AT_HOSPITAL = 5
    RETURNING = 6


#: Which event moves a unit into which status (the unit-status table is derived from the log).
STATUS_AFTER_EVENT: dict[EventKind, UnitStatus] = {
    EventKind.AMBULANCE_DISPATCHED: UnitStatus.DISPATCHED,
    EventKind.WHEELS_ROLLING: UnitStatus.EN_ROUTE_TO_SCENE,
    EventKind.AMBULANCE_ON_SCENE: UnitStatus.ON_SCENE,
    EventKind.SCENE_DEPARTED: UnitStatus.TRANSPORTING,
    EventKind.HOSPITAL_ARRIVED: UnitStatus.AT_HOSPITAL,
    EventKind.PATIENT_HANDED_OVER: UnitStatus.RETURNING,
    EventKind.PATIENT_NOT_TRANSPORTED: UnitStatus.RETURNING,
    EventKind.UNIT_AT_STATION: UnitStatus.IDLE_AT_STATION,
    EventKind.UNIT_RELOCATED: UnitStatus.RETURNING,
}


def member_lookup(enum_cls: type[_Enum]) -> type[_Enum]:
    """The members of ``enum_cls`` as attributes of a plain class, for the hot loop.

    Reading a member off an enum class goes through the enum machinery (~75 ns); off a plain
    class it takes ~16 ns, and the model reads ~25 members per incident. The values are the
    members themselves. Typed as the enum class, but only member attributes exist.

    Examples
    --------
    >>> K = member_lookup(UnitStatus)
    >>> K.RETURNING is UnitStatus.RETURNING
    True
    """
    return cast("type[_Enum]", type(enum_cls.__name__, (), dict(enum_cls.__members__)))
