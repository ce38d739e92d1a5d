"""Bad mechanism parameters give one clear error naming the field (CLI: exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.config.scenario import ScenarioError, load_scenario

REPO_ROOT = Path(__file__).resolve().parents[1]
BASELINE = REPO_ROOT / "scenarios" / "county_baseline.toml"

BAD = [
    pytest.param(
        "mechanisms.police_linkage.escort_share=1.5",
        "mechanisms.police_linkage.escort_share",
        id="share-above-1",
    ),
    pytest.param(
        "mechanisms.prenotification.share=1.01",
        "mechanisms.prenotification.share",
        id="prenotify-share-above-1",
    ),
    pytest.param(
        "mechanisms.internet_plus_120.aml_coverage=-0.1",
        "mechanisms.internet_plus_120.aml_coverage",
        id="negative-share",
    ),
    pytest.param(
        'mechanisms.internet_plus_120.acn_call_delay_min={dist = "fixed", value = -1}',
        "mechanisms.internet_plus_120.acn_call_delay_min",
        id="negative-fixed-delay",
    ),
    pytest.param(
        'mechanisms.police_linkage.police_turnout_min={dist = "lognormal", '
        "median = -1, sigma = 0.5}",
        "mechanisms.police_linkage.police_turnout_min",
        id="negative-median",
    ),
    pytest.param(
        "mechanisms.expert_consultation.experts=0",
        "mechanisms.expert_consultation.experts",
        id="empty-pool",
    ),
    pytest.param(
        "mechanisms.expert_consultation.enabled=true",
        "mechanisms.expert_consultation",
        id="pool-without-on-call-hours",
    ),
]


@pytest.mark.parametrize(("override", "field"), BAD)
def test_bad_parameter_names_the_field(override: str, field: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(BASELINE, [override])
    assert len(exc.value.problems) == 1
    assert field in exc.value.message


def test_pool_without_on_call_hours_says_what_is_needed() -> None:
    with pytest.raises(ScenarioError, match="on_call_hours"):
        load_scenario(BASELINE, ["mechanisms.expert_consultation.enabled=true"])
    with pytest.raises(ScenarioError, match="on_call_hours"):
        load_scenario(
            BASELINE,
            [
                "mechanisms.expert_consultation.enabled=true",
                "mechanisms.expert_consultation.on_call_hours=[[20, 8]]",
            ],
        )


@pytest.mark.parametrize(("override", "field"), BAD)
def test_cli_validate_exits_2_without_traceback(
    override: str, field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(BASELINE), "--schema-only", "--set", override])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert field in err
    assert "Traceback" not in err


def test_cli_run_exits_2_before_simulating(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "run",
                str(BASELINE),
                "--reps",
                "1",
                "--horizon-days",
                "1",
                "--out",
                str(tmp_path),
                "--cache-dir",
                str(cache_dir),
                "--set",
                "mechanisms.expert_consultation.enabled=true",
            ]
        )
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "mechanisms.expert_consultation" in err
    assert "on_call_hours" in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir()), "nothing written for a bad scenario"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        pytest.param(
            "mechanisms.expert_consultation.preactivation_saving_min={dist = "
            '"triangular", low = -2, mode = 1, high = 3}',
            "mechanisms.expert_consultation.preactivation_saving_min.low",
            id="mechanism-saving",
        ),
        pytest.param(
            'calls.call_taking_min={dist = "triangular", low = -2, mode = 0, high = 1}',
            "calls.call_taking_min.low",
            id="call-taking",
        ),
    ],
)
def test_negative_triangular_duration_is_rejected(override: str, field: str) -> None:
    # Before 2e4ccbf this loaded and the run died in SimPy ('Negative delay', traceback).
    with pytest.raises(ScenarioError) as exc:
        load_scenario(BASELINE, [override])
    assert field in exc.value.message


def test_prenotification_saving_needs_every_tier() -> None:
    # Before 2e4ccbf this loaded and demand generation raised KeyError 'trauma_centre'.
    with pytest.raises(ScenarioError, match=r"mechanisms\.prenotification\.saving_min") as exc:
        load_scenario(
            BASELINE,
            ['mechanisms.prenotification.saving_min={county = {dist = "fixed", value = 1}}'],
        )
    assert "trauma_centre" in exc.value.message
