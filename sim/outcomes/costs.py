"""What a scenario costs per year (``[costs]``): unit prices, quantities, PSA draws.

A scenario's annual cost is the sum over cost items of *unit price x quantity per year*.
Prices are scenario inputs (yuan at ``price_year`` prices, each with its source or an explicit
[U] range); quantities come from the scenario and its run: ambulances and seats in service,
platforms of the mechanisms switched on, expert on-call hours, and what the run used
(escorted transport hours, pre-notified patients). Incremental cost is the difference of two
scenarios' annual costs, so only what differs between them matters: a cost common to both
(the stations, the hospitals) is left out on purpose.

No published Chinese or Zhejiang unit cost for these items was found (the shared reference
folder holds none, and nothing may be downloaded): every default is an assumption [U] with
the reasoning in its description and a range wide enough to cover it; the PSA draws each
price from its range with the central price as the median (:meth:`CostItem.at_quantile`).
Replace them with local budget figures when they are available (``[costs]`` in the
scenario file).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from sim.config.mechanism_specs import MechanismsSpec
from sim.config.spec_base import Spec
from sim.outcomes.costeffect import CHINA_GDP_PER_CAPITA_YEAR, CHINA_GDP_PER_CAPITA_YUAN


class CostItem(Spec):
    """One unit price, yuan, with its source or an explicit uncertainty range."""

    yuan: float = Field(ge=0, description="Central unit price, yuan at the section's price_year.")
    low_yuan: float | None = Field(
        default=None, ge=0, description="Lower end of the uncertainty range (PSA), yuan."
    )
    high_yuan: float | None = Field(
        default=None, ge=0, description="Upper end of the uncertainty range (PSA), yuan."
    )
    source: str = Field(
        min_length=1,
        description="Published source of the price, or '[U]' with the reasoning behind it.",
    )

    @model_validator(mode="after")
    def _range(self) -> CostItem:
        if (self.low_yuan is None) != (self.high_yuan is None):
            raise ValueError("give both low_yuan and high_yuan, or neither")
        if self.low_yuan is not None and self.high_yuan is not None:
            if not (self.low_yuan <= self.yuan <= self.high_yuan):
                raise ValueError(
                    f"needs low_yuan <= yuan <= high_yuan (got {self.low_yuan:g}, "
                    f"{self.yuan:g}, {self.high_yuan:g})"
                )
        elif "[U]" in self.source:
            raise ValueError("an assumed price ([U] in source) needs low_yuan and high_yuan")
        return self

    def at_quantile(self, u: np.ndarray) -> np.ndarray:
        """Prices at quantiles ``u``: uniform on [low, yuan] below the median, [yuan, high] above.

        The central price is the median, so a PSA interval brackets the central estimate
        even where the range is lopsided (a triangular mode would not: its mean moves
        towards the long side). Without a range the price is fixed.
        """
        lo, hi, mid = self.low_yuan, self.high_yuan, self.yuan
        u = np.asarray(u, dtype=float)
        if lo is None or hi is None:
            return np.full(u.shape, mid)
        return np.where(u < 0.5, lo + 2 * u * (mid - lo), mid + (2 * u - 1) * (hi - mid))


class CostsSpec(Spec):
    """Unit costs of the 120 system and the mechanisms (``[costs]``), yuan per year."""

    price_year: int = Field(default=2023, ge=2000, le=2100, description="Year of the prices.")
    gdp_per_capita_yuan: float = Field(
        default=CHINA_GDP_PER_CAPITA_YUAN,
        gt=0,
        description="GDP per capita for the willingness-to-pay thresholds (1x and 3x, "
        "WHO-CHOICE; China Guidelines for Pharmacoeconomic Evaluations 2020): China 2023, "
        "89,358 yuan (NBS statistical communique, 29 Feb 2024, via Xinhua [S]).",
    )
    gdp_year: int = Field(
        default=CHINA_GDP_PER_CAPITA_YEAR, ge=2000, le=2100, description="Year of the GDP figure."
    )
    ambulance_crew_year: CostItem = Field(
        default=CostItem(
            yuan=1_500_000,
            low_yuan=800_000,
            high_yuan=2_500_000,
            source="[U] one ambulance staffed 24/7 for a year: doctor, nurse and driver on "
            "4 shifts = 12 FTE x ~110,000 yuan employment cost, + vehicle and equipment "
            "(~400,000 yuan over 8 years) + fuel and maintenance ~100,000 yuan",
        ),
        description="Per ambulance in service and its crews, per year (x units).",
    )
    call_taker_seat_year: CostItem = Field(
        default=CostItem(
            yuan=500_000,
            low_yuan=300_000,
            high_yuan=800_000,
            source="[U] one 120 seat staffed 24/7: ~5 FTE call-takers x ~90,000 yuan "
            "+ console and telephony ~50,000 yuan a year",
        ),
        description="Per call-taker seat staffed around the clock, per year (x seats).",
    )
    aml_acn_platform_year: CostItem = Field(
        default=CostItem(
            yuan=1_000_000,
            low_yuan=300_000,
            high_yuan=3_000_000,
            source="[U] handset location (AML/app) and crash-notification data links into the "
            "dispatch system: integration annualised over 5 years plus operation",
        ),
        description="Per 120 centre per year while Internet + 120 sends handset locations or "
        "crash notifications.",
    )
    video_first_aid_year: CostItem = Field(
        default=CostItem(
            yuan=300_000,
            low_yuan=100_000,
            high_yuan=1_000_000,
            source="[U] video-call platform, dispatcher training and protocol upkeep",
        ),
        description="Per 120 centre per year while dispatcher video first aid is offered.",
    )
    police_escort_hour: CostItem = Field(
        default=CostItem(
            yuan=150,
            low_yuan=80,
            high_yuan=300,
            source="[U] one traffic officer (~200,000 yuan a year over ~1,800 working hours) "
            "and a patrol vehicle (~40 yuan an hour)",
        ),
        description="Per hour of police escort (escorted transport minutes from the run).",
    )
    expert_pool_hour: CostItem = Field(
        default=CostItem(
            yuan=100,
            low_yuan=50,
            high_yuan=300,
            source="[U] on-call stipend of a senior trauma specialist for the 5G consultation "
            "pool (paid whether or not consulted)",
        ),
        description="Per expert on-call hour (experts x on_call_hours x 365 while enabled).",
    )
    prenotification_patient: CostItem = Field(
        default=CostItem(
            yuan=500,
            low_yuan=200,
            high_yuan=1_500,
            source="[U] one trauma-team activation: ~5 staff on standby ~30-60 min "
            "(over-triaged activations included)",
        ),
        description="Per pre-notified patient (trauma-team activation; count from the run).",
    )


#: Cost items in report order; each is a field of :class:`CostsSpec`.
COST_ITEMS: tuple[str, ...] = (
    "ambulance_crew_year",
    "call_taker_seat_year",
    "aml_acn_platform_year",
    "video_first_aid_year",
    "police_escort_hour",
    "expert_pool_hour",
    "prenotification_patient",
)


def fixed_quantities(
    *, units: int, seats: int, centres: int, mechanisms: MechanismsSpec
) -> dict[str, float]:
    """Quantities per year that follow from the scenario alone.

    Parameters
    ----------
    units, seats, centres
        Ambulances in service, call-taker seats and 120 centres of the world.
    mechanisms
        The scenario's mechanisms.

    Returns
    -------
    dict
        ``ambulance_crew_year``, ``call_taker_seat_year``, ``aml_acn_platform_year``,
        ``video_first_aid_year``, ``expert_pool_hour``.
    """
    ip, ex = mechanisms.internet_plus_120, mechanisms.expert_consultation
    locates = ip.enabled and (ip.aml_coverage > 0 or ip.acn_equipped_share > 0)
    video = ip.enabled and ip.video_first_aid_share > 0
    on_call_h = sum(end - start for start, end in ex.on_call_hours or []) if ex.enabled else 0
    return {
        "ambulance_crew_year": float(units),
        "call_taker_seat_year": float(seats),
        "aml_acn_platform_year": float(centres) if locates else 0.0,
        "video_first_aid_year": float(centres) if video else 0.0,
        "expert_pool_hour": float(ex.experts * on_call_h * 365) if ex.enabled else 0.0,
    }


def usage_by_rep(incidents: pd.DataFrame, *, warm_up_min: float, years: float) -> pd.DataFrame:
    """Quantities per year that the run used, one row per replication.

    Parameters
    ----------
    incidents
        The run's per-patient table (``rep, t_injury, escorted, transport_min, prenotified``).
    warm_up_min
        Patients injured before this are left out (as in every metric).
    years
        Length of the observation window after the warm-up, years.

    Returns
    -------
    pandas.DataFrame
        Index ``rep``; columns ``police_escort_hour`` (escorted transport hours per year) and
        ``prenotification_patient`` (pre-notified patients per year).
    """
    inc = incidents[incidents["t_injury"] >= warm_up_min]
    reps = pd.Index(sorted(incidents["rep"].unique()), name="rep")
    escorted_min = inc["transport_min"].where(inc["escorted"].astype(bool), 0.0).fillna(0.0)
    hours = escorted_min.groupby(inc["rep"]).sum().reindex(reps, fill_value=0.0) / 60.0
    prenotified = inc["prenotified"].astype(float).groupby(inc["rep"]).sum()
    return pd.DataFrame(
        {
            "police_escort_hour": hours / years,
            "prenotification_patient": prenotified.reindex(reps, fill_value=0.0) / years,
        },
        index=reps,
    )


def annual_cost(costs: CostsSpec, quantities: Mapping[str, float]) -> float:
    """Yuan per year: the sum of central unit prices x quantities."""
    return float(sum(getattr(costs, k).yuan * quantities.get(k, 0.0) for k in COST_ITEMS))


def price_draws(costs: CostsSpec, quantiles: np.ndarray) -> dict[str, np.ndarray]:
    """Unit prices per PSA draw from shared quantiles (``quantiles[k, i]`` for item i).

    Scenarios of one comparison use the same quantiles, so a price drawn high is high in
    every scenario of that draw (and cancels where both use the item equally).
    """
    return {k: getattr(costs, k).at_quantile(quantiles[:, i]) for i, k in enumerate(COST_ITEMS)}


def cost_draws(
    costs: CostsSpec, quantities: Mapping[str, float], quantiles: np.ndarray
) -> np.ndarray:
    """Annual cost, yuan, for each PSA draw (rows of ``quantiles``)."""
    prices = price_draws(costs, quantiles)
    return np.asarray(sum(prices[k] * quantities.get(k, 0.0) for k in COST_ITEMS), dtype=float)
