"""Every [U] operational and mechanism field states a machine-readable range (or why not)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel

import sim.config.mechanism_specs as mech
import sim.demand.spec as demand
import sim.model.spec as model
from sim.config.distributions import Lognormal, Triangular
from sim.config.scenario import load_scenario
from sim.config.spec_base import Spec
from sim.config.uncertain import field_extra, scale_duration, uncertain_fields, with_values
from sim.core.errors import UserError
from sim.plotting.labels import PARAMETERS

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))


def spec_classes() -> list[type[BaseModel]]:
    out = []
    for module in (mech, demand, model):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Spec) and cls.__module__ == module.__name__:
                out.append(cls)
    return out


def test_every_u_field_has_a_range_or_a_reason() -> None:
    missing, checked = [], 0
    for cls in spec_classes():
        for name, f in cls.model_fields.items():
            if "[U]" not in (f.description or ""):
                continue
            checked += 1
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            if not ({"u_range", "u_rel", "u_fixed"} & set(extra)):
                missing.append(f"{cls.__name__}.{name}")
            elif "u_fixed" not in extra:
                assert extra.get("source"), f"{cls.__name__}.{name}: range without a source"
    assert checked >= 40  # the walk found the specs (a broken walk checks nothing)
    assert not missing, f"[U] fields without u_range/u_rel/u_fixed: {missing}"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_values_lie_inside_their_ranges(path: Path) -> None:
    sc = load_scenario(path)
    fields = uncertain_fields(sc)
    assert len(fields) >= 45
    outside = [(f.path, f.value, f.low, f.high) for f in fields if not f.low <= f.value <= f.high]
    assert not outside


def test_listing_names_path_range_source_and_a_label() -> None:
    sc = load_scenario(REPO / "scenarios" / "county_integrated.toml")
    fields = {f.path: f for f in uncertain_fields(sc)}
    turnout = fields["fleet.turnout_min"]
    assert (turnout.low, turnout.high, turnout.kind) == (1.5, 3.5, "duration")
    assert "B5" in turnout.source
    assert fields["mechanisms.internet_plus_120.aml_coverage"].low == 0.5
    assert fields["mechanisms.prenotification.saving_min"].kind == "durations"
    # Region-derived rates are ranged relative to the scenario's own value.
    adv = fields["demand.non_dispatch_calls.advice_per_dispatch_call"]
    assert adv.low == pytest.approx(0.5 * adv.value)
    assert adv.high == pytest.approx(1.5 * adv.value)
    assert all(f.label_key in PARAMETERS for f in fields.values())
    # Fields marked u_fixed are not listed.
    assert not any(p.startswith("demand.hour_profile") for p in fields)
    assert field_extra(sc.hospital, "capable_tiers")["u_fixed"]


def test_with_values_sets_numbers_duration_means_and_tier_factors() -> None:
    sc = load_scenario(REPO / "scenarios" / "county_integrated.toml")
    new = with_values(
        sc,
        {
            "fleet.turnout_min": 3.0,
            "mechanisms.internet_plus_120.aml_coverage": 0.6,
            "hospital.arrival_to_definitive_min": 1.5,
        },
    )
    assert new.fleet.turnout_min.mean() == pytest.approx(3.0)
    assert isinstance(new.fleet.turnout_min, Lognormal)
    assert new.fleet.turnout_min.sigma == sc.fleet.turnout_min.sigma  # shape kept
    assert new.mechanisms.internet_plus_120.aml_coverage == 0.6
    for tier, d in new.hospital.arrival_to_definitive_min.items():
        assert d.mean() == pytest.approx(1.5 * sc.hospital.arrival_to_definitive_min[tier].mean())
    assert new.name == sc.name
    assert new.run == sc.run
    with pytest.raises(UserError, match="unknown fields"):
        with_values(sc, {"fleet.ambulances": 3})


def test_scale_duration_keeps_a_triangular_valid() -> None:
    d = scale_duration(Triangular(low=3.0, mode=9.0, high=15.0), 0.5)
    assert (d.low, d.mode, d.high) == (1.5, 4.5, 7.5)
