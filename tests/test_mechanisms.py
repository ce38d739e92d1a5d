"""Integration mechanisms as scenario switches (issue 4).

Every comparison is paired: the same scenario file, seed and replications, so both runs see
the same incidents and the same pre-drawn service times (common random numbers) and the
incidents tables line up row by row (``rep``, ``patient_id``). Three kinds of check:

* zero-effect settings reproduce the baseline exactly;
* each mechanism moves the interval it targets, exactly per patient where the model makes
  that possible, and leaves what happens before it unchanged;
* the expert pool is a real queue.

Columns written before the first moment a mechanism acts are compared exactly for all
patients. Columns that a mechanism can reach indirectly (a unit freed earlier serves the
next call sooner) are compared exactly on the patients whose upstream timeline is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import load_scenario
from sim.core.rng import RandomStreams
from sim.runs.replications import draw_demand
from sim.runs.study import run_scenario_tables
from sim.runs.world import build_world

REPO_ROOT = Path(__file__).resolve().parents[1]
BASELINE = REPO_ROOT / "scenarios" / "county_baseline.toml"
DAYS = 20
REPS = 2
ATOL = 1e-9

IP = "mechanisms.internet_plus_120."
PL = "mechanisms.police_linkage."
EC = "mechanisms.expert_consultation."
PN = "mechanisms.prenotification."

# Each mechanism switched on with every effect set to zero.
IP_ZERO = [
    f"{IP}enabled=true",
    f"{IP}aml_coverage=0",
    f"{IP}acn_equipped_share=0",
    f"{IP}video_first_aid_share=0",
    f"{IP}live_unit_positions=false",
    f"{IP}one_network=false",
]
PL_ZERO = [
    f"{PL}enabled=true",
    f"{PL}joint_alert=false",
    f"{PL}police_dispatch=false",
    f"{PL}police_first_aid_share=0",
    f"{PL}escort_share=0",
    f"{PL}prenotify_share=0",
]
EC_ZERO = [
    f"{EC}enabled=true",
    f"{EC}on_call_hours=[[0, 24]]",
    f"{EC}undertriage_reduction=0",
    f'{EC}preactivation_saving_min={{dist = "fixed", value = 0}}',
    f"{EC}transfer_avoided_share=0",
    f"{EC}transfer_decision_speedup=0",
]
PN_ZERO = [f"{PN}enabled=true", f"{PN}share=0"]

# More severe patients, so the in-hospital mechanisms have patients to act on. Applied to
# both sides of a comparison (through Scenario.with_overrides: see
# test_partial_case_mix_override_in_load_scenario for why not load_scenario).
MORE_SEVERE = [
    "demand.case_mix.rtc.severe_share=0.4",
    "demand.case_mix.fall.severe_share=0.3",
    "demand.case_mix.other.severe_share=0.3",
]

CALL_CHAIN = [
    "t_injury",
    "t_call",
    "t_call_answered",
    "t_location_verified",
    "t_dispatch_requested",
]

Runner = Callable[..., pd.DataFrame]


def timeline_columns(df: pd.DataFrame) -> list[str]:
    """Every timestamp and interval column of the incidents table."""
    return [c for c in df.columns if c.startswith("t_") or c.endswith("_min")]


def same(a: pd.DataFrame, b: pd.DataFrame, col: str) -> np.ndarray:
    """Per-row equality of a float column (NaN equals NaN)."""
    return np.isclose(
        a[col].to_numpy(float), b[col].to_numpy(float), rtol=0.0, atol=ATOL, equal_nan=True
    )


def assert_paired(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Both runs hold the same patients in the same order (common random numbers)."""
    assert len(a) == len(b) > 0
    for col in ("rep", "patient_id", "incident_id", "t_injury", "iss", "mechanism"):
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy(), err_msg=col)


def assert_columns_equal(a: pd.DataFrame, b: pd.DataFrame, cols: Sequence[str]) -> None:
    """Exact equality of the given columns (pandas assert)."""
    pd.testing.assert_frame_equal(a[list(cols)], b[list(cols)], check_exact=True)


@pytest.fixture(scope="module")
def run(cache_dir: Path) -> Runner:
    """Run the county baseline with overrides (cached; the world is built once)."""
    base = load_scenario(BASELINE, [f"run.horizon_days={DAYS}"])
    world = build_world(base, cache_dir=cache_dir)
    cache: dict[tuple[str, ...], pd.DataFrame] = {}

    def _run(*overrides: str, reps: int = REPS) -> pd.DataFrame:
        key = (*overrides, f"reps={reps}")
        if key not in cache:
            # Mechanism and case-mix overrides do not change the world (network, facilities,
            # crash-location weights), so it is shared.
            s = base.with_overrides(list(overrides)) if overrides else base
            cache[key] = run_scenario_tables(s, replications=reps, world=world).incidents
        return cache[key].copy()

    return _run


# --------------------------------------------------------------------- zero effect


@pytest.mark.parametrize(
    ("overrides", "extra_columns"),
    [
        pytest.param(IP_ZERO, [], id="internet_plus_120"),
        pytest.param(PL_ZERO[:3], [], id="police_linkage-no-alert-no-dispatch"),
        # Police units are sent and reach crashes, but give no first aid, escort or
        # pre-notification: EMS timelines must not change.
        pytest.param(
            [*PL_ZERO[:2], *PL_ZERO[3:]],
            ["t_police_on_scene"],
            id="police_linkage-dispatch-without-effects",
        ),
        # Consultations happen (extra log rows), patient timelines must not change.
        pytest.param(
            EC_ZERO,
            ["t_consult_requested", "t_consult_start", "consult_wait_min"],
            id="expert_consultation",
        ),
        pytest.param(PN_ZERO, [], id="prenotification"),
    ],
)
def test_zero_effect_reproduces_baseline(
    run: Runner, overrides: list[str], extra_columns: list[str]
) -> None:
    base, on = run(), run(*overrides)
    assert_paired(base, on)
    # Columns allowed to differ are the mechanism's own records, nothing else.
    cols = [c for c in base.columns if c not in extra_columns]
    pd.testing.assert_frame_equal(base[cols], on[cols], check_exact=True)
    for col in extra_columns:
        assert base[col].isna().all()
        assert on[col].notna().any(), f"{col}: the mechanism should have acted"


def test_linkage_without_crashes_changes_nothing(run: Runner) -> None:
    no_crash = "demand.rtc_incidents_per_day=0"
    base, on = run(no_crash), run(no_crash, f"{PL}enabled=true")
    assert (base["mechanism"] != "rtc").all()
    assert len(base) > 0
    pd.testing.assert_frame_equal(base, on, check_exact=True)


def test_mechanism_draws_are_made_whether_or_not_the_mechanism_is_on(cache_dir: Path) -> None:
    off = load_scenario(BASELINE, ["run.horizon_days=5"])
    on = load_scenario(REPO_ROOT / "scenarios" / "county_integrated.toml", ["run.horizon_days=5"])
    world = build_world(off, cache_dir=cache_dir)
    d_off = draw_demand(off, world, RandomStreams(off.run.seed, 1))
    d_on = draw_demand(on, world, RandomStreams(on.run.seed, 1))
    for table in ("incidents", "patients"):
        a, b = getattr(d_off, table), getattr(d_on, table)
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k], err_msg=f"{table}.{k}")
    # A mechanism share changes only the flag drawn from it, never another stream.
    d_half = draw_demand(
        off.with_overrides([f"{IP}aml_coverage=0.3"]), world, RandomStreams(off.run.seed, 1)
    )
    changed = [
        k for k in d_off.incidents if not np.array_equal(d_off.incidents[k], d_half.incidents[k])
    ]
    assert changed == ["aml_covered"]


# --------------------------------------------------------------------- Internet + 120


def test_aml_shortens_call_taking_only(run: Runner) -> None:
    base, on = run(*IP_ZERO), run(*IP_ZERO, f"{IP}aml_coverage=1")
    assert_paired(base, on)
    # Upstream of call-taking: injury -> call identical for every patient.
    assert_columns_equal(base, on, ["t_injury", "t_call", "injury_to_call_min"])
    # Answering can only get quicker (seats are freed sooner), never slower.
    answered = base["call_to_answer_min"].notna()
    assert (
        on.loc[answered, "call_to_answer_min"] <= base.loc[answered, "call_to_answer_min"] + ATOL
    ).all()
    assert same(base, on, "call_to_answer_min").mean() > 0.95
    # Call-taking shrinks by exactly the minutes AML saved, for every answered call.
    taking_base = base["t_location_verified"] - base["t_call_answered"]
    taking_on = on["t_location_verified"] - on["t_call_answered"]
    np.testing.assert_allclose(
        taking_on[answered], (taking_base - on["aml_saved_min"])[answered], atol=ATOL
    )
    assert (on.loc[answered, "aml_saved_min"] > 0).all()
    assert (base["aml_saved_min"] == 0).all()
    assert on["answer_to_dispatch_min"].mean() < base["answer_to_dispatch_min"].mean()


def test_acn_shortens_injury_to_call_for_equipped_crashes_only(run: Runner) -> None:
    base, on = run(*IP_ZERO), run(*IP_ZERO, f"{IP}acn_equipped_share=0.5")
    assert_paired(base, on)
    rtc = (base["mechanism"] == "rtc").to_numpy()
    notified = (on["acn_saved_min"] > 0).to_numpy()
    assert not (notified & ~rtc).any(), "only crashes carry automatic crash notification"
    assert 0 < notified.sum() < rtc.sum()
    # Unequipped crashes and every other incident: injury -> call unchanged.
    assert same(base, on, "injury_to_call_min")[~notified].all()
    # Equipped: the call comes after the notification delay (default fixed 0.5 min), with
    # neither the caller's delay nor a police hand-off.
    delay = on.loc[notified, "injury_to_call_min"]
    np.testing.assert_allclose(delay, 0.5, atol=ATOL)
    expected = (base["injury_to_call_min"] - on["acn_saved_min"] - base["handoff_min"])[notified]
    np.testing.assert_allclose(delay, expected, atol=ATOL)
    assert (on.loc[notified, "handoff_min"] == 0).all()
    assert_columns_equal(base, on, ["t_injury"])


def test_video_first_aid_starts_before_ems_for_covered_trauma(run: Runner) -> None:
    base, on = run(*IP_ZERO), run(*IP_ZERO, f"{IP}video_first_aid_share=1")
    assert_paired(base, on)
    # Guided bystanders change no EMS time at all.
    cols = [c for c in timeline_columns(base) if c != "t_first_aid"]
    assert_columns_equal(base, on, cols)
    assert base["t_first_aid"].isna().all()
    aided = on["t_first_aid"].notna()
    assert aided.sum() > 10
    assert set(on.loc[aided, "first_aid_by"]) == {"bystander_video"}
    assert (on.loc[aided, "kind"] == "trauma").all(), "no video first aid for non-trauma calls"
    assert (on.loc[aided, "t_first_aid"] > on.loc[aided, "t_call_answered"]).all()
    before_ems = on["t_on_scene"].isna() | (on["t_first_aid"] < on["t_on_scene"])
    assert before_ems[aided].all()
    # Covered trauma patients not reached by EMS first get first aid (share = 1).
    trauma_late_ems = (on["kind"] == "trauma") & (on["t_on_scene"] > on["t_call_answered"] + 10)
    assert aided[trauma_late_ems].all()


def test_live_unit_positions_change_unit_choice_not_call_taking(run: Runner) -> None:
    busy = "demand.rtc_incidents_per_day=8"
    base = run(busy, *IP_ZERO)
    on = run(busy, *IP_ZERO, f"{IP}live_unit_positions=true")
    assert_paired(base, on)
    assert_columns_equal(base, on, CALL_CHAIN)
    assert on["redirected"].sum() > base["redirected"].sum()
    assert on["response_min"].mean() < base["response_min"].mean()


# --------------------------------------------------------------------- police linkage


def test_joint_alert_removes_the_handoff_and_nothing_before_it(run: Runner) -> None:
    base, on = run(*PL_ZERO), run(*PL_ZERO, f"{PL}joint_alert=true")
    assert_paired(base, on)
    police_first = (base["handoff_min"] > 0).to_numpy()
    assert police_first.sum() > 5
    assert (base.loc[police_first, "mechanism"] == "rtc").all()
    np.testing.assert_allclose(
        on.loc[police_first, "handoff_removed_min"],
        base.loc[police_first, "handoff_min"],
        atol=ATOL,
    )
    assert (on["handoff_min"] == 0).all()
    np.testing.assert_allclose(
        on.loc[police_first, "injury_to_call_min"],
        (base["injury_to_call_min"] - base["handoff_min"])[police_first],
        atol=ATOL,
    )
    assert same(base, on, "injury_to_call_min")[~police_first].all()
    assert_columns_equal(base, on, ["t_injury"])


def test_escort_shortens_transport_not_call_taking_or_drive(run: Runner) -> None:
    escort = [*PL_ZERO[:2], *PL_ZERO[3:], f"{PL}escort_share=1"]  # police sent, escort only
    base, on = run(*PL_ZERO), run(*escort)
    assert_paired(base, on)
    assert_columns_equal(base, on, CALL_CHAIN)
    escorted = (on["escort_saved_min"] > 0).to_numpy()
    assert escorted.sum() > 10
    assert (on.loc[escorted, "mechanism"] == "rtc").all()
    # An escort needs a police unit on scene before the ambulance leaves.
    assert (on.loc[escorted, "t_police_on_scene"] <= on.loc[escorted, "t_left_scene"]).all()
    # Where the ambulance left at the same time for the same hospital, transport is shorter
    # by exactly the minutes the escort saved.
    untouched = same(base, on, "t_left_scene") & (base["hospital_id"] == on["hospital_id"])
    assert untouched[escorted].mean() > 0.8
    np.testing.assert_allclose(
        on.loc[untouched, "transport_min"],
        (base["transport_min"] - on["escort_saved_min"])[untouched],
        atol=ATOL,
    )
    # Drive to scene is the escort's upstream: unchanged for (nearly) every escorted patient.
    for col in ("t_dispatch", "turnout_min", "drive_to_scene_min", "scene_min"):
        assert same(base, on, col)[escorted].mean() > 0.8, col
    assert on.loc[escorted, "transport_min"].mean() < base.loc[escorted, "transport_min"].mean()


def test_police_first_aid_comes_after_police_and_before_ems(run: Runner) -> None:
    aid = [*PL_ZERO[:2], *PL_ZERO[3:], f"{PL}police_first_aid_share=1"]
    base, on = run(*PL_ZERO), run(*aid)
    assert_paired(base, on)
    cols = [c for c in timeline_columns(base) if c not in ("t_first_aid", "t_police_on_scene")]
    assert_columns_equal(base, on, cols)
    aided = on["t_first_aid"].notna()
    assert aided.sum() > 5
    assert set(on.loc[aided, "first_aid_by"]) == {"police"}
    assert (on.loc[aided, "mechanism"] == "rtc").all()
    assert (on.loc[aided, "t_first_aid"] >= on.loc[aided, "t_police_on_scene"]).all()
    assert (on["t_on_scene"].isna() | (on["t_first_aid"] < on["t_on_scene"]))[aided].all()


# --------------------------------------------------------------------- pre-notification


def test_prenotification_shortens_arrival_to_definitive_only(run: Runner) -> None:
    base = run(*MORE_SEVERE)
    on = run(*MORE_SEVERE, f"{PN}enabled=true", f"{PN}share=1")
    assert_paired(base, on)
    assert_columns_equal(base, on, CALL_CHAIN)
    # Pre-notification acts after arrival; it reaches earlier stages only through bays freed
    # sooner (a crew waits less at handover), which is rare at this load.
    for col in ("t_on_scene", "t_left_scene", "t_at_hospital", "transport_min"):
        assert same(base, on, col).mean() > 0.95, col
    pre = (on["prenotify_saved_min"] > 0).to_numpy()
    assert pre.sum() > 10
    assert (base["prenotify_saved_min"] == 0).all()
    assert (on.loc[pre, "kind"] == "trauma").all()
    assert same(base, on, "transport_min")[pre].all()
    # Same arrival and handover, no theatre queue: definitive care no later, usually sooner.
    clean = (
        pre
        & same(base, on, "t_handed_over")
        & (base["theatre_wait_min"].fillna(0) == 0).to_numpy()
        & (on["theatre_wait_min"].fillna(0) == 0).to_numpy()
    )
    assert clean.sum() > 10
    a2d_base, a2d_on = base["arrival_to_definitive_min"], on["arrival_to_definitive_min"]
    assert (a2d_on[clean] <= a2d_base[clean] + ATOL).all()
    assert (a2d_on[clean] < a2d_base[clean] - ATOL).mean() > 0.5
    assert a2d_on[pre].mean() < a2d_base[pre].mean()


# --------------------------------------------------------------------- expert consultation


def _severe_done(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["kind"] == "trauma") & df["severe"] & df["t_definitive_care"].notna()]


def test_expert_consultation_fewer_transfers_and_faster_definitive_care(run: Runner) -> None:
    base = run(*MORE_SEVERE)
    on = run(*MORE_SEVERE, f"{EC}enabled=true", f"{EC}on_call_hours=[[0, 24]]", f"{EC}experts=50")
    assert_paired(base, on)
    assert_columns_equal(base, on, CALL_CHAIN)
    sb, so = _severe_done(base), _severe_done(on)
    assert sb["transferred"].sum() > 0
    assert so["transferred"].sum() < sb["transferred"].sum()
    assert so["capable_care"].mean() >= sb["capable_care"].mean()
    assert so["arrival_to_definitive_min"].mean() < sb["arrival_to_definitive_min"].mean()
    assert on["t_consult_start"].notna().sum() > 10


def test_tele_guidance_avoids_exactly_the_transfers_it_covers(run: Runner) -> None:
    guided_only = [
        f"{EC}enabled=true",
        f"{EC}on_call_hours=[[0, 24]]",
        f"{EC}experts=50",
        f"{EC}en_route=false",
        f"{EC}undertriage_reduction=0",
        f'{EC}preactivation_saving_min={{dist = "fixed", value = 0}}',
        f"{EC}transfer_decision_speedup=0",
        f"{EC}transfer_avoided_share=1",
    ]
    base, on = run(*MORE_SEVERE), run(*MORE_SEVERE, *guided_only)
    assert_paired(base, on)
    # Consulting at the county hospital cannot change anything before arrival there.
    upstream = [
        c
        for c in timeline_columns(base)
        if c
        in (
            *CALL_CHAIN,
            "t_dispatch",
            "t_on_scene",
            "t_left_scene",
            "t_at_hospital",
            "t_handed_over",
        )
    ]
    assert_columns_equal(base, on, upstream)
    transferred = base["transferred"].to_numpy()
    assert transferred.sum() > 0
    # With a free pool and share 1, every transfer is replaced by tele-guided care.
    np.testing.assert_array_equal(on["transfer_avoided"].to_numpy(), transferred)
    assert not on["transferred"].any()
    assert on.loc[transferred, "capable_care"].all()
    a2d = "arrival_to_definitive_min"
    assert on.loc[transferred, a2d].mean() < base.loc[transferred, a2d].mean()


def test_consultation_at_scene_reduces_undertriage(run: Runner) -> None:
    triage_only = [
        f"{EC}enabled=true",
        f"{EC}on_call_hours=[[0, 24]]",
        f"{EC}experts=50",
        f"{EC}at_county_hospital=false",
        f"{EC}undertriage_reduction=1",
        f'{EC}preactivation_saving_min={{dist = "fixed", value = 0}}',
        f"{EC}transfer_decision_speedup=0",
        f"{EC}transfer_avoided_share=0",
    ]
    base, on = run(*MORE_SEVERE), run(*MORE_SEVERE, *triage_only)
    assert_paired(base, on)
    assert_columns_equal(base, on, CALL_CHAIN)
    consulted = on["t_consult_start"].notna()
    # The consultation starts on scene, before the ambulance leaves.
    assert (on.loc[consulted, "t_consult_start"] <= on.loc[consulted, "t_left_scene"]).all()
    tier = dict(zip(base["final_hospital_id"], base["final_hospital_tier"], strict=True))
    first_tier = on["hospital_id"].map(tier)
    transported = consulted & on["t_at_hospital"].notna()
    assert transported.sum() > 10
    # Under-triage removed: every consulted severe patient goes to a severe-care tier.
    assert (first_tier[transported] == "trauma_centre").all()
    sb, so = _severe_done(base), _severe_done(on)
    assert sb["transferred"].sum() > 0
    assert so["transferred"].sum() == 0


def test_expert_pool_is_a_real_queue(cache_dir: Path) -> None:
    heavy = load_scenario(BASELINE, ["run.horizon_days=3"]).with_overrides(
        [
            "demand.rtc_incidents_per_day=30",
            "demand.case_mix.rtc.severe_share=0.9",
            f"{EC}enabled=true",
            f"{EC}on_call_hours=[[0, 24]]",
            f'{EC}consult_min={{dist = "fixed", value = 30}}',
            f"{EC}max_wait_min=1000",
        ]
    )
    world = build_world(heavy, cache_dir=cache_dir)
    waits = {}
    for experts in (1, 50):
        s = heavy.with_overrides([f"{EC}experts={experts}"])
        d = run_scenario_tables(s, replications=1, world=world).incidents
        waits[experts] = d["consult_wait_min"].dropna()
        assert len(waits[experts]) > 50
    assert waits[1].mean() > 0
    assert (waits[1] > 30).sum() > 0, "with one expert some patients wait a whole consult"
    assert (waits[50] == 0).all()


def test_partial_case_mix_override_in_load_scenario() -> None:
    default = load_scenario(BASELINE).demand.case_mix.rtc
    s = load_scenario(BASELINE, ["demand.case_mix.rtc.severe_share=0.9"])
    assert s.demand.case_mix.rtc.severe_share == 0.9
    assert s.demand.case_mix.rtc.imm_share == default.imm_share
