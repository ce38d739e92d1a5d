"""Scenario sections for today's 120 chain: calls, fleet, destination and hospitals.

Defaults are from docs/parameters.md (item codes such as B3 refer to its
parameter table, section 6). [V] verified, [S] secondary, [U] assumption, [D] derived.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.config.distributions import (
    AnyDuration,
    Duration,
    Gamma,
    Lognormal,
    Triangular,
)
from sim.config.spec_base import Spec, u_fixed, u_range, u_rel
from sim.core.entities import INJURY_CLASSES, TIERS
from sim.demand.spec import CallerSpec


class CallSpec(Spec):
    """The 120 call chain (接报转派): answer, call-taking, location, triage, dispatch."""

    caller: CallerSpec = CallerSpec()
    ring_min: Duration = Field(
        json_schema_extra=u_range(2 / 60, 8 / 60, "[U] 2-8 s"),
        default=Gamma(mean_min=4 / 60, shape=4.0),
        description="Pick-up time once a seat is free: ring tone until a free call-taker "
        "speaks [U] (2-8 s; Gamma mean 4 s puts 99 % within 10 s). The 10-second answer rate "
        "(B2, NHC target 95 % <=10 s) then comes from the seat queue: all 120 calls, "
        "including those that dispatch nothing ([demand.non_dispatch_calls]), wait for a seat.",
    )
    call_taking_min: Duration = Field(
        json_schema_extra=u_range(1.0, 3.0, "B3: 60-180 s [S]"),
        default=Gamma(mean_min=1.5, shape=4.0),
        description="Call-taking and address verification, mobile caller without handset "
        "location (B3: 60-180 s, Gamma mean 90 s).",
    )
    location_problem_share: float = Field(
        json_schema_extra=u_range(0.05, 0.3, "[U]; UK mobile calls, docs/evidence.md §4.1 [S]"),
        default=0.15,
        ge=0,
        le=1,
        description="Share of calls whose location is hard to establish [U] (UK: mobile calls "
        "took 30 s longer, up to 3 min locating, evidence §4.1 [S]).",
    )
    location_problem_min: Duration = Field(
        json_schema_extra=u_range(
            0.5, 3.0, "[U]; UK: up to 3 min locating, docs/evidence.md §4.1 [S]"
        ),
        default=Lognormal(median=1.5, sigma=0.6),
        description="Extra minutes to locate a hard-to-find caller [U].",
    )
    dispatch_decision_min: Duration = Field(
        default=Lognormal(median=0.5, sigma=0.5),
        description="Triage and unit selection after call-taking; with call-taking gives "
        "call->dispatch ~2 min (B4, Beijing 2014 [S]).",
    )
    triage_accuracy: float = Field(
        json_schema_extra=u_range(0.8, 0.97, "[U] assumption"),
        default=0.9,
        ge=0,
        le=1,
        description="P(the call-taker assigns the true priority); otherwise one level off [U].",
    )
    wrong_centre_share: float = Field(
        json_schema_extra=u_range(0.0, 0.15, "[U] assumption"),
        default=0.05,
        ge=0,
        le=1,
        description="With several 120 centres: share of calls reaching the wrong one [U].",
    )
    transfer_min: Duration = Field(
        json_schema_extra=u_range(
            0.5, 3.3, "[U]; Kunshan cross-district +3.3 min, docs/evidence.md §3 [V]"
        ),
        default=Triangular(low=0.5, mode=1.0, high=3.0),
        description="Inter-centre transfer of a wrongly routed call [U] (Kunshan: cross-district "
        "response +3.3 min, evidence §3 [V]).",
    )


class RosterSpec(Spec):
    """Units on duty at one station by weekday and hour (``[[fleet.rosters]]``)."""

    station: str = Field(min_length=1, description="Station id the roster applies to.")
    weekdays: list[int] = Field(
        default=[0, 1, 2, 3, 4, 5, 6],
        min_length=1,
        description="Weekdays it applies to (0 = Monday); a station may have one roster "
        "per weekday set, together covering each weekday at most once.",
    )
    units_by_hour: list[int] = Field(
        min_length=24,
        max_length=24,
        description="Units on duty in each local hour 0-23 (the station's lowest-numbered "
        "units, ALS first); at most the station's units.",
    )
    meal_breaks: list[tuple[float, float]] = Field(
        default=[],
        description="(start_h, end_h) windows in which one on-duty unit is stood down for a "
        "meal (e.g. [[11.5, 12.0], [17.5, 18.0]]); a unit on a job finishes it first.",
    )
    changeover_min: float = Field(
        default=0.0,
        ge=0.0,
        lt=120.0,
        description="Minutes after each duty start before the incoming crew is available "
        "(vehicle and kit check); 0 = off (no published Zhejiang figure: set it locally).",
    )

    @field_validator("weekdays")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in v) or len(set(v)) != len(v):
            raise ValueError("weekdays must be distinct integers 0-6 (0 = Monday)")
        return v

    @field_validator("units_by_hour")
    @classmethod
    def _units(cls, v: list[int]) -> list[int]:
        if any(n < 0 for n in v):
            raise ValueError("units_by_hour must be >= 0")
        return v

    @field_validator("meal_breaks")
    @classmethod
    def _meals(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for a, b in v:
            if not 0.0 <= a < b <= 24.0:
                raise ValueError(f"meal break ({a}, {b}): need 0 <= start_h < end_h <= 24")
        return v


class FleetSpec(Spec):
    """Ambulances, their cycle times and the dispatch policy (``[fleet]``)."""

    @model_validator(mode="after")
    def _downtime(self) -> FleetSpec:
        if self.downtime_per_unit_day > 0 and self.downtime_mean_min is None:
            raise ValueError("downtime_per_unit_day > 0 needs downtime_mean_min")
        return self

    dispatch_policy: Literal["nearest_available", "station_first_due"] = Field(
        default="nearest_available", description="Dispatch policy by name."
    )
    move_up: Literal["none", "compliance_table", "dmexclp"] = Field(
        default="none",
        description="Move-up after each dispatch (sim/policies/move_up.py): 'none'; "
        "'compliance_table' (Alanis, Ingolfsson & Kolfal 2013, POM 22:216-231); 'dmexclp' "
        "(Jagtenberg, Bhulai & van der Mei 2015, ORHC 4:27-35). Coverage = drive within "
        "the 12-min rural response target (evidence §3).",
    )
    rosters: list[RosterSpec] = Field(
        default=[],
        description="Per-station duty rosters (units by weekday and hour, meal breaks); "
        "stations without one keep their file's shift. Off-duty units are never "
        "dispatched; a unit whose duty ends on a job finishes it.",
    )
    downtime_per_unit_day: float = Field(
        default=0.0,
        ge=0.0,
        description="Random downtime (vehicle faults): out-of-service episodes per unit-day, "
        "a Poisson process per unit (0 = off; set from the service's own fault log).",
    )
    downtime_mean_min: float | None = Field(
        default=None,
        gt=0.0,
        description="Mean minutes out of service per episode (exponential); required when "
        "downtime_per_unit_day > 0. A unit on a job finishes it first.",
    )
    move_up_busy_fraction: float = Field(
        default=0.1,
        ge=0.0,
        lt=1.0,
        description="Busy probability q of the move-up coverage model (Daskin 1983, "
        "Transportation Science 17:48-70); set it to a run's ambulance utilisation.",
    )
    ambulances: int | None = Field(
        default=None,
        ge=1,
        # 100x Shanghai's fleet (980 ambulances, evidence §3): anything above is a typo.
        le=100_000,
        description="Total fleet; when set, overrides the station files' unit counts, spread "
        "over stations in proportion to them (1 per 30,000 residents is the national target, "
        "evidence §3).",
    )
    turnout_min: Duration = Field(
        json_schema_extra=u_range(
            1.5, 3.5, "B5: 3-min departure target; Chongqing 33 % > 3 min [S]"
        ),
        default=Lognormal(median=2.2, sigma=0.5),
        description="Dispatch -> wheels rolling (B5: 3-min departure target; Chongqing "
        "33 % >3 min).",
    )
    on_scene_min: Duration = Field(
        json_schema_extra=u_range(8.0, 20.0, "C1: LN(ln 12, 0.5) [U]"),
        default=Lognormal(median=12.0, sigma=0.5),
        description="Scene time, trauma (C1: LN(ln 12, 0.5); no Chinese data [U]).",
    )
    non_trauma_on_scene_min: Duration = Field(
        json_schema_extra=u_range(10.0, 25.0, "[U] assumption"),
        default=Lognormal(median=15.0, sigma=0.5),
        description="Scene time, non-trauma calls [U].",
    )
    entrapment_share_rtc: float = Field(
        json_schema_extra=u_range(0.02, 0.1, "[U] assumption"),
        default=0.05,
        ge=0,
        le=1,
        description="Share of crash patients trapped [U].",
    )
    entrapment_extra_min: Duration = Field(
        json_schema_extra=u_range(10.0, 30.0, "[U] assumption"),
        default=Lognormal(median=15.0, sigma=0.5),
        description="Extra scene minutes for extrication [U].",
    )
    handover_min: Duration = Field(
        json_schema_extra=u_range(5.0, 20.0, "[U] assumption (no Chinese data)"),
        default=Lognormal(median=10.0, sigma=0.4),
        description="Handover at the hospital once a bay is free [U] (no Chinese data).",
    )
    not_transported_share_minor: float = Field(
        json_schema_extra=u_range(0.05, 0.3, "[U] assumption"),
        default=0.15,
        ge=0,
        le=1,
        description="Minor trauma (ISS<16) not transported: treated on scene or refusal [U].",
    )
    not_transported_share_non_trauma: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Non-trauma patients not transported (Shaoxing 2022: 110 patients from 117 "
        "dispatches a day [V]).",
    )


class DestinationSpec(Spec):
    """Where patients are taken (``[destination]``)."""

    policy: Literal["nearest", "tiered"] = Field(
        default="tiered",
        description="'nearest': nearest hospital; 'tiered': field triage asks for a tier.",
    )
    severe_tiers: list[Literal["trauma_centre", "city", "county"]] = Field(
        default=["trauma_centre", "city"],
        description="Tiers field triage asks for when it judges a patient severe (ISS>=16).",
    )
    undertriage: float = Field(
        default=0.142,
        ge=0,
        le=1,
        description="P(severe patient judged minor) = 1 - sensitivity 0.858 (D1, Newgard "
        "2011 [V]).",
    )
    overtriage: float = Field(
        default=0.313,
        ge=0,
        le=1,
        description="P(minor patient judged severe) = 1 - specificity 0.687 (D2, Newgard "
        "2011 [V]).",
    )


def _definitive_defaults() -> dict[str, AnyDuration]:
    return {
        "trauma_centre": Lognormal(median=42.0, sigma=0.4),
        "city": Lognormal(median=50.0, sigma=0.4),
        "county": Lognormal(median=60.0, sigma=0.45),
    }


class HospitalSpec(Spec):
    """In-hospital path to definitive care, capacity queues and transfers (``[hospital]``)."""

    arrival_to_definitive_min: dict[str, Duration] = Field(
        json_schema_extra=u_rel(
            0.75, 1.5, "C5/C8: LN(ln 42, 0.4) at a level-I centre [V]; city/county [U]"
        ),
        default_factory=_definitive_defaults,
        description="Arrival -> definitive care (CT, theatre, haemorrhage control) by tier for "
        "severe patients, before any queue (C5/C8: LN(ln 42, 0.4) at a level-I centre [V]; "
        "city/county longer [U]).",
    )
    minor_arrival_to_definitive_min: Duration = Field(
        json_schema_extra=u_range(30.0, 120.0, "[U] assumption"),
        default=Lognormal(median=60.0, sigma=0.5),
        description="Arrival -> definitive treatment for minor trauma (no bay needed) [U].",
    )
    surgery_min: Duration = Field(
        json_schema_extra=u_range(60.0, 240.0, "[U] assumption"),
        default=Lognormal(median=120.0, sigma=0.4),
        description="Operating-theatre occupancy per surgical patient [U].",
    )
    surgical_classes: list[str] = Field(
        default=["HT", "TBS", "HL"],
        description="Classes whose definitive care needs an operating theatre.",
    )
    capable_tiers: dict[str, list[str]] = Field(
        json_schema_extra=u_fixed(
            "which tiers treat which class is a structure, not a number: "
            "compare it as its own scenario"
        ),
        default_factory=lambda: {
            "TBS": ["trauma_centre", "city"],
            "MS": ["trauma_centre", "city"],
            "HT": ["trauma_centre", "city", "county"],
            "HL": ["trauma_centre", "city", "county"],
            "AW": ["trauma_centre", "city", "county"],
            "TBN": ["trauma_centre", "city", "county"],
            "MN": ["trauma_centre", "city", "county"],
        },
        description="Tiers able to give definitive care per class [U]: county-general hospitals "
        "assumed to lack neurosurgery and multi-system trauma capability.",
    )
    transfer_decision_min: Duration = Field(
        json_schema_extra=u_range(40.0, 120.0, "D5: 60-180 min with the drive [S]"),
        default=Lognormal(median=60.0, sigma=0.5),
        description="Arrival -> departure of an inter-facility transfer (assessment, CT, "
        "arranging the bed); with the drive it gives D5's 60-180 min [U].",
    )
    diversion_policy: Literal["none", "bays_full", "bays_queue"] = Field(
        default="none",
        description="When a hospital goes on diversion (no new ambulance patients) "
        "(sim/policies/diversion.py): 'none'; 'bays_full' while every resuscitation bay is "
        "taken; 'bays_queue' while a patient also waits for one. The last open hospital never "
        "closes; patients go to the next capable open hospital (docs/operations.md).",
    )

    @field_validator("arrival_to_definitive_min")
    @classmethod
    def _tiers(cls, v: dict[str, object]) -> dict[str, object]:
        missing = sorted(set(TIERS) - set(v))
        unknown = sorted(set(v) - set(TIERS))
        if missing or unknown:
            raise ValueError(
                f"needs exactly the tiers {list(TIERS)} (missing {missing}, unknown {unknown})"
            )
        return v

    @model_validator(mode="after")
    def _classes(self) -> HospitalSpec:
        known = set(INJURY_CLASSES)
        for c in [*self.surgical_classes, *self.capable_tiers]:
            if c not in known:
                raise ValueError(f"unknown injury class {c!r}; allowed: {list(INJURY_CLASSES)}")
        for c, tiers in self.capable_tiers.items():
            bad = [t for t in tiers if t not in TIERS]
            if bad:
                raise ValueError(f"capable_tiers.{c}: unknown tiers {bad}; allowed {list(TIERS)}")
        return self
