"""Scenario section ``[demand]``: how many incidents, when, where, and who is injured how."""

from __future__ import annotations

import math
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from sim.config.distributions import Duration, Exponential, Gamma, Lognormal, Triangular
from sim.config.spec_base import Spec, u_fixed, u_range, u_rel
from sim.core.entities import SEVERE_CLASSES, START_TAGS
from sim.network.core import ROAD_CLASSES

# Relative 120 demand by hour of day (00-23). Chinese 120 centres report a daytime plateau
# (09-21 h) about twice the night trough; shape assumed from published diurnal EMS curves,
# [U] pending local CAD data.
DEFAULT_HOUR_PROFILE = [
    0.55, 0.45, 0.40, 0.35, 0.35, 0.45, 0.70, 0.95, 1.15, 1.25, 1.30, 1.30,
    1.25, 1.20, 1.20, 1.25, 1.30, 1.35, 1.30, 1.25, 1.15, 1.00, 0.85, 0.70,
]  # fmt: skip
DEFAULT_WEEKDAY_PROFILE = [1.0, 1.0, 1.0, 1.0, 1.05, 1.0, 0.95]

# Crash exposure per km of road, relative (crashes concentrate on arterials); [U] assumption.
DEFAULT_RTC_ROAD_WEIGHTS = {
    "motorway": 1.5,
    "trunk": 2.0,
    "primary": 2.0,
    "secondary": 1.6,
    "tertiary": 1.2,
    "unclassified": 0.6,
    "residential": 0.5,
    "living_street": 0.2,
    "service": 0.1,
    "other": 0.3,
}

# Injury class mix among ISS>=16 patients (docs/parameters.md A4, [D]/[U] assumption).
DEFAULT_SEVERE_CLASS_SHARES = {
    "TBS": 0.15,
    "TBN": 0.25,
    "HT": 0.15,
    "HL": 0.05,
    "AW": 0.10,
    "MS": 0.30,
}


class GridSpec(Spec):
    """A population grid: CSV of cells with weights (e.g. hangzhou_demand_grid_500m.csv)."""

    file: str = Field(description="CSV file of grid cells.")
    on_data_path: bool = Field(
        default=True,
        description="Look the file up on the data path (--data-dir, $TRAUMA_SIM_DATA); false: "
        "relative to the scenario file.",
    )
    lon_column: str = Field(default="center_lon_wgs84", description="Column of cell lon.")
    lat_column: str = Field(default="center_lat_wgs84", description="Column of cell lat.")
    weight_column: str = Field(default="demand_weight", description="Column of weights.")
    population_column: str | None = Field(
        default=None, description="Optional column of residents (sums to the population)."
    )


class MechanismMix(Spec):
    """Case mix for one injury mechanism."""

    severe_share: float = Field(
        ge=0, le=1, description="P(ISS>=16) among patients (docs/parameters.md A3: 0.058-0.088)."
    )
    imm_share: float = Field(
        ge=0,
        le=1,
        description="P(immediately non-survivable) among patients; never counted preventable "
        "(docs/parameters.md A5, calibrated to the 20.8 % on-the-spot share of road deaths, §9).",
    )
    age_mean_years: float = Field(gt=0, le=100, description="Mean patient age, years.")
    age_sd_years: float = Field(gt=0, description="SD of patient age, years.")
    male_share: float = Field(ge=0, le=1, description="Share of male patients.")

    @model_validator(mode="after")
    def _shares(self) -> MechanismMix:
        if self.severe_share + self.imm_share > 1:
            raise ValueError("severe_share + imm_share must not exceed 1")
        return self


class CaseMixSpec(Spec):
    """Who is injured how (``[demand.case_mix]``).

    With ``extends``, a child that sets any of this section replaces the parent's whole
    section (unset fields take their defaults): shares are meant as one consistent mix.
    """

    replace_whole: ClassVar[bool] = True

    rtc: MechanismMix = MechanismMix(
        severe_share=0.09, imm_share=0.006, age_mean_years=44, age_sd_years=17, male_share=0.66
    )
    fall: MechanismMix = MechanismMix(
        severe_share=0.05, imm_share=0.002, age_mean_years=62, age_sd_years=18, male_share=0.5
    )
    other: MechanismMix = MechanismMix(
        severe_share=0.05, imm_share=0.002, age_mean_years=40, age_sd_years=16, male_share=0.7
    )
    severe_class_shares: dict[str, float] = Field(
        json_schema_extra=u_fixed(
            "a composition summing to 1 (A4): a one-way range of one share is not defined"
        ),
        default_factory=lambda: dict(DEFAULT_SEVERE_CLASS_SHARES),
        description="Shares of injury classes among ISS>=16 patients; must sum to 1 "
        "(docs/parameters.md A4 Dirichlet means, assumption [U]).",
    )
    non_trauma_priority_shares: list[float] = Field(
        json_schema_extra=u_fixed(
            "a composition summing to 1: a one-way range of one share is not defined"
        ),
        default=[0.2, 0.5, 0.3],
        description="Shares of non-trauma 120 calls at priority 1, 2, 3 (sum 1) [U].",
    )

    @field_validator("severe_class_shares")
    @classmethod
    def _classes(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(SEVERE_CLASSES))
        if unknown:
            raise ValueError(f"unknown classes {unknown}; allowed: {list(SEVERE_CLASSES)}")
        if any(x < 0 for x in v.values()) or not math.isclose(sum(v.values()), 1.0, abs_tol=1e-6):
            raise ValueError(f"shares must be >= 0 and sum to 1 (sum is {sum(v.values()):.4f})")
        return v

    @field_validator("non_trauma_priority_shares")
    @classmethod
    def _prio(cls, v: list[float]) -> list[float]:
        if len(v) != 3 or any(x < 0 for x in v) or not math.isclose(sum(v), 1.0, abs_tol=1e-6):
            raise ValueError("needs 3 shares >= 0 summing to 1")
        return v


#: Upper bound of each incident rate: 50x Hangzhou's busiest reported 120 day (>3,000 calls,
#: Dec 2022, hangzhou_120_stats.csv); a larger value is a typo, not a plan.
MAX_INCIDENTS_PER_DAY = 150_000.0

#: Upper bound of the incident cap: beyond it one replication's tables exceed memory.
MAX_INCIDENT_CAP = 50_000_000


class NonDispatchCallsSpec(Spec):
    """120 calls that end without a dispatch (``[demand.non_dispatch_calls]``).

    A real 120 centre receives 3-5 calls per dispatch (Hangzhou ~1,000 calls for ~300
    dispatches a day [S]; Shaoxing 504 for 117 [V]; Yiwu 174k for 61k [S];
    hangzhou_120_stats.csv, docs/parameters.md A2). The calls that dispatch nothing only hold a
    call-taker seat, but they are most of what the seats see. Rates are per *dispatch call*
    (per incident), so they follow the dispatch load (the December 2022 wave tripled both).
    Default 0: a scenario states its region's calls (the shipped ones derive them in
    docs/validation.md); the split by kind and the handling times are [U] assumptions until
    a centre's CAD call-type breakdown is available.
    """

    advice_per_dispatch_call: float = Field(
        json_schema_extra=u_rel(
            0.5, 1.5, "[U] split of the published calls per dispatch (docs/validation.md)"
        ),
        default=0.0,
        ge=0,
        le=10,
        description="Medical advice / information calls (which hospital, what to do) per "
        "dispatch call [U].",
    )
    duplicate_per_dispatch_call: float = Field(
        json_schema_extra=u_rel(
            0.5, 1.5, "[U] split of the published calls per dispatch (docs/validation.md)"
        ),
        default=0.0,
        ge=0,
        le=10,
        description="Repeat calls about an incident already taken (other witnesses, callers "
        "asking where the ambulance is), per dispatch call: each incident draws a Poisson "
        "number of them after its own call [U].",
    )
    hang_up_per_dispatch_call: float = Field(
        json_schema_extra=u_rel(
            0.5, 1.5, "[U] split of the published calls per dispatch (docs/validation.md)"
        ),
        default=0.0,
        ge=0,
        le=10,
        description="Hang-ups, silent calls, misdials and pranks per dispatch call [U].",
    )
    transfer_per_dispatch_call: float = Field(
        json_schema_extra=u_rel(
            0.5, 1.5, "[U] split of the published calls per dispatch (docs/validation.md)"
        ),
        default=0.0,
        ge=0,
        le=10,
        description="Calls passed on to another service (110, 119, 12345, non-emergency "
        "transport) per dispatch call [U].",
    )
    advice_min: Duration = Field(
        json_schema_extra=u_range(1.0, 5.0, "[U] range 1-5 min"),
        default=Gamma(mean_min=2.5, shape=2.0),
        description="Seat minutes of an advice call after pick-up [U], range 1-5 min "
        "(docs/validation.md).",
    )
    duplicate_min: Duration = Field(
        json_schema_extra=u_range(0.3, 2.0, "[U] range 0.3-2 min"),
        default=Gamma(mean_min=0.8, shape=3.0),
        description="Seat minutes of a duplicate call (find the case, reassure) [U], "
        "range 0.3-2 min.",
    )
    hang_up_min: Duration = Field(
        json_schema_extra=u_range(0.1, 1.0, "[U] range 0.1-1 min"),
        default=Gamma(mean_min=0.3, shape=2.0),
        description="Seat minutes of a hang-up or silent call [U], range 0.1-1 min.",
    )
    transfer_min: Duration = Field(
        json_schema_extra=u_range(0.5, 2.0, "[U] range 0.5-2 min"),
        default=Gamma(mean_min=1.0, shape=3.0),
        description="Seat minutes of a call passed to another service (three-party) [U], "
        "range 0.5-2 min.",
    )
    duplicate_delay_min: Duration = Field(
        json_schema_extra=u_range(2.0, 15.0, "[U] assumption"),
        default=Exponential(mean_min=5.0),
        description="Minutes from an incident's own call to each duplicate call [U].",
    )

    def per_dispatch_call(self) -> dict[str, float]:
        """Calls of each kind (NON_DISPATCH_KINDS order) per dispatch call."""
        return {
            "advice": self.advice_per_dispatch_call,
            "duplicate": self.duplicate_per_dispatch_call,
            "hang_up": self.hang_up_per_dispatch_call,
            "transfer": self.transfer_per_dispatch_call,
        }

    def handling_min(self) -> dict[str, Duration]:
        """Seat-holding distribution of each kind (NON_DISPATCH_KINDS order)."""
        return {
            "advice": self.advice_min,
            "duplicate": self.duplicate_min,
            "hang_up": self.hang_up_min,
            "transfer": self.transfer_min,
        }


# Mass-casualty incidents (sim/demand/mci.py draws them, sim/model/mci.py runs them). Sources:
# State Council Decree 493 (2007) grades a road accident "较大" from 3 deaths or 10 serious
# injuries and "重大" from 10 deaths or 50 serious injuries; START: Benson, Koenig & Schultz
# 1996, Prehosp Disaster Med 11:117-124. Rates, counts and shares are judgement [U].


def _check_counts(v: dict[str, float]) -> dict[str, float]:
    try:
        counts = [int(k) for k in v]
    except ValueError:
        raise ValueError('keys must be whole numbers of patients, e.g. "12"') from None
    if not v or any(c < 2 for c in counts) or any(p < 0 for p in v.values()):
        raise ValueError("counts must be >= 2 patients and probabilities >= 0")
    if not math.isclose(sum(v.values()), 1.0, abs_tol=1e-6):
        raise ValueError(f"probabilities must sum to 1 (sum is {sum(v.values()):.4f})")
    return v


#: The MCI judgement defaults are not drawn by the joint PSA: MCIs are off unless a scenario
#: sets [demand.mci], and an MCI study varies them with a sweep over its own scenario.
_MCI_FIXED = u_fixed(
    "MCI planning judgement, off by default; vary it with a sweep over the MCI scenario"
)


class MciKind(Spec):
    """One kind of mass-casualty crash (``[[demand.mci.kinds]]``)."""

    name: str = Field(min_length=1, description="Label, e.g. 'expressway_pileup'.")
    per_year: float = Field(
        json_schema_extra=_MCI_FIXED,
        ge=0,
        le=1000,
        description="Expected incidents of this kind per year in the area [U].",
    )
    road_classes: list[str] = Field(
        min_length=1,
        description="Road classes where it happens (crash placed on their edges by length).",
    )
    patients: dict[str, float] = Field(
        json_schema_extra=_MCI_FIXED,
        description="P(number of patients), keys are counts >= 2 (sum 1) [U].",
    )

    @field_validator("road_classes")
    @classmethod
    def _classes(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - set(ROAD_CLASSES))
        if unknown:
            raise ValueError(f"unknown road classes {unknown}; allowed: {list(ROAD_CLASSES)}")
        return v

    @field_validator("patients")
    @classmethod
    def _patients(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_counts(v)


def _default_kinds() -> list[MciKind]:
    return [
        MciKind(
            name="expressway_pileup",
            per_year=1.0,
            road_classes=["motorway", "trunk"],
            patients={"4": 0.35, "6": 0.3, "10": 0.2, "15": 0.1, "25": 0.05},
        ),
        MciKind(
            name="bus_crash",
            per_year=1.0,
            road_classes=["primary", "secondary", "tertiary"],
            patients={"5": 0.3, "8": 0.3, "12": 0.2, "20": 0.12, "30": 0.08},
        ),
    ]


class MutualAidSpec(Spec):
    """Units lent by a neighbouring 120 centre when local ones are exhausted.

    ``[demand.mci.mutual_aid]``: an MCI patient who finds no free local unit gets one of
    these, based at a facility of the neighbouring jurisdiction (a hospital of the
    scenario, e.g. the city trauma centre whose city 120 stations surround it).
    """

    base_hospital: str = Field(
        description="Hospital id where the lent units start and return to (the neighbouring "
        "jurisdiction's side)."
    )
    units: int = Field(
        json_schema_extra=_MCI_FIXED,
        ge=1,
        le=200,
        description="Units the neighbour can lend at once [U].",
    )
    activation_min: Duration = Field(
        json_schema_extra=_MCI_FIXED,
        default=Triangular(low=5.0, mode=10.0, high=20.0),
        description="Request between the two 120 centres plus the lent unit's turnout, "
        "minutes [U] (no published Zhejiang figure found).",
    )


class MciSpec(Spec):
    """Mass-casualty incidents (``[demand.mci]``); absent = none (docs/operations.md)."""

    kinds: list[MciKind] = Field(
        json_schema_extra=_MCI_FIXED,
        default_factory=_default_kinds,
        description="Kinds of MCI with their rate, roads and patient counts. Defaults [U]: "
        "one expressway pile-up and one bus crash per year (4-30 patients), judgement "
        "scaled from the Decree 493 grades (3+ deaths or 10+ serious injuries).",
    )
    start_shares: dict[str, float] = Field(
        json_schema_extra=_MCI_FIXED,
        default_factory=lambda: {"red": 0.15, "yellow": 0.25, "green": 0.55, "black": 0.05},
        description="Shares of START colours among an MCI's patients (red/yellow/green/black, "
        "sum 1) [U]: road-crash MCIs are mostly walking wounded.",
    )
    green_transport_share: float = Field(
        json_schema_extra=_MCI_FIXED,
        default=0.3,
        ge=0,
        le=1,
        description="Share of green (walking wounded) patients taken by ambulance; the others "
        "leave by bus or own means [U].",
    )
    units_by_patients: list[tuple[int, int]] = Field(
        json_schema_extra=_MCI_FIXED,
        default=[(2, 2), (5, 3), (10, 5), (20, 8), (30, 12)],
        description="Dispatch rule by patient count: [patients, units] pairs; an MCI of n "
        "patients gets at once the units of the largest threshold <= n (at least one), the "
        "others when the first crew has sized up the scene [U] (judgement: use the centre's "
        "own MCI plan).",
    )
    size_up_min: float = Field(
        json_schema_extra=_MCI_FIXED,
        default=5.0,
        ge=0,
        le=120,
        description="Minutes from the first unit on scene to its START report that requests "
        "the remaining units [U].",
    )
    mutual_aid: MutualAidSpec | None = Field(
        default=None, description="Units from a neighbouring 120 centre; absent = none."
    )

    @field_validator("start_shares")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        if set(v) != set(START_TAGS):
            raise ValueError(f"needs exactly the colours {list(START_TAGS)}")
        if any(x < 0 for x in v.values()) or not math.isclose(sum(v.values()), 1.0, abs_tol=1e-6):
            raise ValueError(f"shares must be >= 0 and sum to 1 (sum is {sum(v.values()):.4f})")
        return v

    @field_validator("units_by_patients")
    @classmethod
    def _rule(cls, v: list[tuple[int, int]]) -> list[tuple[int, int]]:
        if not v or any(n < 1 or u < 1 for n, u in v):
            raise ValueError("needs [patients, units] pairs, both >= 1")
        if [n for n, _ in v] != sorted({n for n, _ in v}):
            raise ValueError("patient thresholds must increase")
        return v

    @model_validator(mode="after")
    def _names(self) -> MciSpec:
        names = [k.name for k in self.kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"kinds: names must be unique (got {names})")
        return self

    def first_wave_units(self, n_patients: int) -> int:
        """Units dispatched at once to an MCI of ``n_patients`` (the rule, at least 1).

        Examples
        --------
        >>> MciSpec().first_wave_units(12)
        5
        >>> MciSpec().first_wave_units(1)
        1
        """
        units = 1
        for n, u in self.units_by_patients:
            if n <= n_patients:
                units = u
        return units


class DemandSpec(Spec):
    """Incidents per day by mechanism, their timing profile and placement (``[demand]``)."""

    source: Literal["generated", "trace"] = Field(
        default="generated",
        description="'generated': incidents drawn from the rates below; 'trace': the calls of "
        "calls_file replayed (times, places, categories, priorities; docs/trace.md).",
    )
    calls_file: str | None = Field(
        default=None,
        description="Call log CSV replayed when source = 'trace' (relative to the scenario "
        "file; schema docs/call_log.schema.json). `trauma-sim run --calls FILE` sets both.",
    )
    population: float | None = Field(
        default=None,
        gt=0,
        description="Residents served (for per-100,000 rates); default: the population grid's "
        "population column, else required for per-capita outputs.",
    )
    rtc_incidents_per_day: float = Field(
        ge=0,
        le=MAX_INCIDENTS_PER_DAY,
        description="Road-traffic crashes needing 120 per day (each may have several patients).",
    )
    fall_incidents_per_day: float = Field(
        ge=0, le=MAX_INCIDENTS_PER_DAY, description="Falls needing 120 per day."
    )
    other_injury_incidents_per_day: float = Field(
        ge=0,
        le=MAX_INCIDENTS_PER_DAY,
        description="Other injuries (cuts, crush, assault...) needing 120 per day.",
    )
    non_trauma_incidents_per_day: float = Field(
        ge=0,
        le=MAX_INCIDENTS_PER_DAY,
        description="Non-trauma 120 dispatches per day (background load on ambulances).",
    )
    hour_profile: list[float] = Field(
        json_schema_extra=u_fixed(
            "a profile shape, not a level: compare a local CAD profile as its own scenario"
        ),
        default_factory=lambda: list(DEFAULT_HOUR_PROFILE),
        description="24 relative weights of demand by hour of day (normalised to mean 1) [U].",
    )
    weekday_profile: list[float] = Field(
        json_schema_extra=u_fixed(
            "a profile shape, not a level: compare a local CAD profile as its own scenario"
        ),
        default_factory=lambda: list(DEFAULT_WEEKDAY_PROFILE),
        description="7 relative weights Monday..Sunday (normalised to mean 1) [U].",
    )
    rtc_road_weights: dict[str, float] = Field(
        json_schema_extra=u_fixed("relative placement weights by road class, not a level"),
        default_factory=lambda: dict(DEFAULT_RTC_ROAD_WEIGHTS),
        description="Crash weight per km by road class (crashes placed on edges) [U].",
    )
    population_grid: GridSpec | None = Field(
        default=None,
        description="Grid placing falls, other injuries and non-trauma calls; absent = uniform "
        "over road nodes.",
    )
    crash_reach_km: float | None = Field(
        default=1.5,
        gt=0,
        description="With a population grid: crashes only on roads within this distance of a "
        "grid cell, i.e. inside the area the 120 centre serves (a network may extend beyond "
        "it, e.g. to a neighbouring city). None: anywhere on the network.",
    )
    patients_per_crash: dict[str, float] = Field(
        json_schema_extra=u_fixed(
            "a distribution summing to 1: a one-way range of one share is not defined"
        ),
        default_factory=lambda: {"1": 0.72, "2": 0.2, "3": 0.06, "4": 0.02},
        description="P(number of patients) for a crash, keys are counts (sum 1) [U].",
    )
    case_mix: CaseMixSpec = CaseMixSpec()
    non_dispatch_calls: NonDispatchCallsSpec = NonDispatchCallsSpec()
    mci: MciSpec | None = Field(
        default=None,
        description="Mass-casualty incidents with START triage, dispatch by patient count and "
        "mutual aid (docs/operations.md); absent = none.",
    )
    urban_centres: list[tuple[float, float, float]] = Field(
        default_factory=list,
        description="Urban areas as [lon, lat, radius_km]; a place within one is 'urban' "
        "(Hangzhou target 8 min), else 'rural' (12 min). Empty = all urban.",
    )
    max_incidents_per_rep: int = Field(
        default=5_000_000,
        gt=0,
        le=MAX_INCIDENT_CAP,
        description="Safety cap on incidents per replication; the expected count "
        "(run.horizon_days x the summed daily rates) is checked against it before any "
        "demand is drawn.",
    )

    @model_validator(mode="after")
    def _trace_file(self) -> DemandSpec:
        if self.source == "trace" and not self.calls_file:
            raise ValueError("source = 'trace' needs calls_file (a call log CSV)")
        return self

    @field_validator("hour_profile")
    @classmethod
    def _hours(cls, v: list[float]) -> list[float]:
        if len(v) != 24 or any(x < 0 for x in v) or sum(v) <= 0:
            raise ValueError("needs 24 weights >= 0, not all zero")
        return v

    @field_validator("weekday_profile")
    @classmethod
    def _days(cls, v: list[float]) -> list[float]:
        if len(v) != 7 or any(x < 0 for x in v) or sum(v) <= 0:
            raise ValueError("needs 7 weights >= 0, not all zero")
        return v

    @field_validator("rtc_road_weights")
    @classmethod
    def _road_weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(ROAD_CLASSES))
        if unknown:
            raise ValueError(f"unknown road classes {unknown}; allowed: {list(ROAD_CLASSES)}")
        if any(w < 0 for w in v.values()) or not any(w > 0 for w in v.values()):
            raise ValueError("weights must be >= 0 with at least one > 0")
        return v

    @field_validator("patients_per_crash")
    @classmethod
    def _ppc(cls, v: dict[str, float]) -> dict[str, float]:
        try:
            counts = [int(k) for k in v]
        except ValueError:
            raise ValueError('keys must be whole numbers of patients, e.g. "1"') from None
        if any(c < 1 for c in counts) or any(p < 0 for p in v.values()):
            raise ValueError("counts must be >= 1 and probabilities >= 0")
        if not math.isclose(sum(v.values()), 1.0, abs_tol=1e-6):
            raise ValueError(f"probabilities must sum to 1 (sum is {sum(v.values()):.4f})")
        return v


class CallerSpec(Spec):
    """Injury -> call: who calls and how late (``[calls.caller]``)."""

    witnessed_delay_min: Duration = Field(
        default=Lognormal(median=2.0, sigma=1.0, max_min=60.0),
        description="Injury->call when someone can phone (docs/parameters.md B1: median ~1-3 min).",
    )
    unwitnessed_share: float = Field(
        default=0.04,
        ge=0,
        le=1,
        description="Share of trauma incidents nobody can report at once (Virtanen 2009: 4 % "
        "of calls >30 min, B1).",
    )
    unwitnessed_delay_min: Duration = Field(
        default=Lognormal(median=45.0, sigma=0.5),
        description="Injury->call when nobody can phone at once (B1 tail LN(ln 45, 0.5)).",
    )
    rtc_police_first_share: float = Field(
        json_schema_extra=u_range(0.1, 0.5, "[U] assumption"),
        default=0.3,
        ge=0,
        le=1,
        description="Share of crashes first reported to 110/122, not 120 [U] assumption.",
    )
    police_handoff_min: Duration = Field(
        json_schema_extra=u_range(0.5, 3.0, "B9: Tri(0.5, 1.5, 3) [U]"),
        default=Triangular(low=0.5, mode=1.5, high=3.0),
        description="110/122 -> 120 sequential hand-off without linkage (B9, [U] Tri(0.5,1.5,3)).",
    )
