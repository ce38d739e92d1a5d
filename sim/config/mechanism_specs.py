"""Integration mechanisms as scenario switches (issue 4), each with its uncertain parameters.

Every mechanism is off in the baseline. Each acts only on the pre-drawn timelines of the
patients it concerns, so a mechanism switched on with zero-effect parameters reproduces the
baseline exactly (common random numbers): every random number a mechanism may need is drawn
before the run whether or not the mechanism is on. Sources: evidence section 4 and 9;
where no study quantifies an effect the parameter is an explicit assumption [U] with a range.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from sim.config.distributions import AnyDuration, Duration, Fixed, Lognormal, Triangular
from sim.config.spec_base import Spec, u_range, u_rel
from sim.core.entities import TIERS


class InternetPlus120Spec(Spec):
    """The "Internet + 120" front end (互联网融合120应用, 接报转派 as one chain)."""

    enabled: bool = Field(default=False, description="Switch the front end on.")
    aml_coverage: float = Field(
        json_schema_extra=u_range(0.5, 0.95, "sensitivity range 0.5-0.95 [U]"),
        default=0.8,
        ge=0,
        le=1,
        description="Share of callers whose handset/app sends its position (AML-like) [U]; "
        "sensitivity 0.5-0.95.",
    )
    aml_location_saving_min: Duration = Field(
        json_schema_extra=u_range(14 / 60, 45 / 60, "AML saves 14-45 s, HELP112 II [V]"),
        default=Triangular(low=14 / 60, mode=0.5, high=45 / 60),
        description="Call-taking minutes saved for a located caller (AML saves 14-45 s, HELP112 "
        "II [V]).",
    )
    aml_location_problem_removed: float = Field(
        json_schema_extra=u_range(0.5, 1.0, "[U]; AML 4.6-17.9x more accurate (HELP112 II [V])"),
        default=0.8,
        ge=0,
        le=1,
        description="Share of wrong-address/locating delays removed for located callers "
        "(AML accuracy 4.6-17.9x better, HELP112 II [V]) [U].",
    )
    acn_equipped_share: float = Field(
        json_schema_extra=u_range(0.0, 0.3, "[U] range 0-0.3"),
        default=0.1,
        ge=0,
        le=1,
        description="Share of crash vehicles with automatic crash notification [U] (range 0-0.3).",
    )
    acn_call_delay_min: Duration = Field(
        json_schema_extra=u_range(0.1, 1.0, "eCall ~0-1 min, B1 [V]"),
        default=Fixed(value=0.5),
        description="Injury -> call with automatic notification, also when nobody can phone "
        "(eCall ~0-1 min, B1 [V]).",
    )
    video_first_aid_share: float = Field(
        json_schema_extra=u_range(
            0.2, 0.57, "[U]; first aid attempted 43-57 %, British Red Cross [S]"
        ),
        default=0.4,
        ge=0,
        le=1,
        description="Share of trauma calls where a bystander follows dispatcher video guidance "
        "(bleeding control, airway) [U]; British Red Cross: first aid attempted in 43-57 % [S].",
    )
    video_first_aid_start_min: Duration = Field(
        json_schema_extra=u_range(1.0, 4.0, "[U] assumption"),
        default=Lognormal(median=2.0, sigma=0.5),
        description="Minutes from the call being answered to guided first aid starting [U].",
    )
    live_unit_positions: bool = Field(
        default=True,
        description="Dispatch sees returning units' live positions instead of assuming they are "
        "at their station.",
    )
    one_network: bool = Field(
        default=True,
        description="One dispatch network across jurisdictions (一张网): no inter-centre transfer "
        "(Hangzhou 2025 plan [V]).",
    )


class PoliceLinkageSpec(Spec):
    """Police–medical linkage for road crashes (警医联动)."""

    enabled: bool = Field(default=False, description="Switch the linkage on.")
    joint_alert: bool = Field(
        default=True,
        description="110/122 and 120 alerted at once (joint seats, three-party call): removes the "
        "sequential hand-off (MPS/NHC 2020 notice [S]).",
    )
    police_dispatch: bool = Field(
        default=True, description="Dispatch police units from posts to crashes."
    )
    police_turnout_min: Duration = Field(
        json_schema_extra=u_range(0.5, 3.0, "[U] assumption"),
        default=Lognormal(median=1.0, sigma=0.5),
        description="Police alert -> moving [U].",
    )
    police_scene_min: Duration = Field(
        json_schema_extra=u_range(30.0, 75.0, "[U] assumption"),
        default=Lognormal(median=45.0, sigma=0.4),
        description="Minutes a police unit stays busy at a crash after arriving [U].",
    )
    police_first_aid_share: float = Field(
        json_schema_extra=u_range(0.2, 0.8, "[U] range 0.2-0.8"),
        default=0.5,
        ge=0,
        le=1,
        description="Share of crashes where arriving officers give first aid (bleeding control) "
        "before EMS [U]; range 0.2-0.8.",
    )
    police_first_aid_start_min: Duration = Field(
        json_schema_extra=u_range(0.5, 3.0, "[U] assumption"),
        default=Fixed(value=1.0),
        description="Police arrival -> first aid starts [U].",
    )
    escort_share: float = Field(
        json_schema_extra=u_range(0.2, 0.8, "[U] assumption"),
        default=0.5,
        ge=0,
        le=1,
        description="Share of transports of crash patients escorted / given signal priority when "
        "a police unit is on scene [U].",
    )
    escort_congestion_removed: float = Field(
        json_schema_extra=u_range(
            0.3, 0.9, "[U]; lights-and-sirens saves 0.7-3.8 min per leg, C4 [V]"
        ),
        default=0.6,
        ge=0,
        le=1,
        description="Share of the congestion delay removed on an escorted leg [U]; gives savings "
        "near the lights-and-sirens range 0.7-3.8 min per leg (C4 [V]); Ganzhou anecdote 20->8 "
        "min [S] as an upper bound.",
    )
    prenotify_share: float = Field(
        json_schema_extra=u_range(0.5, 1.0, "[U] assumption"),
        default=0.8,
        ge=0,
        le=1,
        description="Share of severe crash patients whose casualty information police relay "
        "ahead, pre-activating the hospital team [U].",
    )


class ExpertConsultSpec(Spec):
    """Expert group consultation for critically injured patients (危重伤员救治专家组会诊)."""

    enabled: bool = Field(default=False, description="Switch the expert consultation on.")
    experts: int = Field(default=2, ge=1, description="Experts in the on-call pool.")
    on_call_hours: list[tuple[int, int]] | None = Field(
        default=None,
        description="Windows [start_hour, end_hour) when the pool is staffed, e.g. [[0, 24]]; "
        "required when enabled. A request outside waits for the next window.",
    )
    consult_min: Duration = Field(
        json_schema_extra=u_range(10.0, 30.0, "[U]; Jinhua 5G platform [S]"),
        default=Lognormal(median=15.0, sigma=0.4),
        description="Consultation duration (5G video) [U]; Jinhua 5G platform [S].",
    )
    max_wait_min: float = Field(
        default=60.0, gt=0, description="A consultation not started within this is abandoned."
    )
    trigger_min_iss: int = Field(
        default=16,
        ge=1,
        le=75,
        description="Consult patients with ISS at least this, from the scene and at a county "
        "hospital that cannot treat them. Assumption: the crew's trigger is perfectly "
        "sensitive for these patients and never fires for over-triaged minor ones.",
    )
    en_route: bool = Field(
        default=True, description="Request from the scene/ambulance (5G video link)."
    )
    at_county_hospital: bool = Field(
        default=True, description="Request at a county-tier hospital on arrival."
    )
    undertriage_reduction: float = Field(
        json_schema_extra=u_range(0.2, 0.8, "[U]; telemedicine reviews, docs/evidence.md §4.3"),
        default=0.5,
        ge=0,
        le=1,
        description="Relative reduction of field under-triage when the consultation starts "
        "before the ambulance leaves the scene [U] (telemedicine reviews, evidence §4.3).",
    )
    preactivation_saving_min: Duration = Field(
        json_schema_extra=u_range(3.0, 15.0, "C6: Ottawa 27 -> 18 min [V]"),
        default=Triangular(low=3.0, mode=9.0, high=15.0),
        description="Arrival -> definitive care saved by trauma-team pre-activation (C6: Ottawa "
        "27 -> 18 min [V]).",
    )
    transfer_avoided_share: float = Field(
        json_schema_extra=u_range(0.1, 0.35, "teletrauma ~23 %, Latifi/Rogers [S]"),
        default=0.23,
        ge=0,
        le=1,
        description="Share of county-hospital transfers avoided by tele-guided care (teletrauma "
        "~23 %, Latifi/Rogers [S]).",
    )
    transfer_decision_speedup: float = Field(
        json_schema_extra=u_range(0.1, 0.5, "[U] assumption"),
        default=0.3,
        ge=0,
        le=1,
        description="Relative reduction of the transfer decision time when consulted [U].",
    )

    @model_validator(mode="after")
    def _schedule(self) -> ExpertConsultSpec:
        if self.enabled and not self.on_call_hours:
            raise ValueError("an enabled expert pool needs on_call_hours, e.g. [[0, 24]]")
        for start, end in self.on_call_hours or []:
            if not (0 <= start < end <= 24):
                raise ValueError(
                    f"on_call_hours window [{start}, {end}] must satisfy 0 <= start < end <= 24"
                )
        return self


def _saving_defaults() -> dict[str, AnyDuration]:
    return {
        "trauma_centre": Triangular(low=3.0, mode=9.0, high=15.0),
        "city": Triangular(low=3.0, mode=9.0, high=15.0),
        "county": Triangular(low=1.0, mode=5.0, high=10.0),
    }


class PrenotificationSpec(Spec):
    """Hospital pre-notification / trauma-team activation (its own switch)."""

    enabled: bool = Field(default=False, description="Switch pre-notification on.")
    share: float = Field(
        json_schema_extra=u_range(0.7, 1.0, "[U] assumption"),
        default=0.9,
        ge=0,
        le=1,
        description="Share of severe patients (as field-triaged) the crew pre-notifies [U].",
    )
    saving_min: dict[str, Duration] = Field(
        json_schema_extra=u_rel(1 / 3, 5 / 3, "C6: 9 min (3-15), Ottawa [V]; county [U]"),
        default_factory=_saving_defaults,
        description="Arrival -> definitive care minutes saved by tier (C6: 27 -> 18 min to "
        "emergency procedure, Ottawa [V]; county smaller [U]).",
    )

    @field_validator("saving_min")
    @classmethod
    def _all_tiers(cls, v: dict[str, AnyDuration]) -> dict[str, AnyDuration]:
        missing, unknown = sorted(set(TIERS) - set(v)), sorted(set(v) - set(TIERS))
        if missing or unknown:
            raise ValueError(
                f"needs exactly the tiers {list(TIERS)} (missing {missing}, unknown {unknown})"
            )
        return v


class MechanismsSpec(Spec):
    """All integration mechanisms (each off by default)."""

    internet_plus_120: InternetPlus120Spec = InternetPlus120Spec()
    police_linkage: PoliceLinkageSpec = PoliceLinkageSpec()
    expert_consultation: ExpertConsultSpec = ExpertConsultSpec()
    prenotification: PrenotificationSpec = PrenotificationSpec()
