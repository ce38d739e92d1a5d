"""``trauma-sim validate-against|site``: operational planning on observed calls and layouts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import app
from sim.cli.options import (
    CacheDirOpt,
    DataDirOpt,
    DaysOpt,
    RepsOpt,
    SeedOpt,
    SetOpt,
    option_overrides,
)

console = Console(soft_wrap=True, width=max(140, Console().width))


@app.command("validate-against")
def validate_against(
    results_dir: Annotated[Path, typer.Argument(help="A run folder (results/<scenario>/<id>).")],
    calls: Annotated[Path, typer.Argument(help="Observed call log CSV (docs/trace.md).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default RESULTS_DIR/validation).")
    ] = None,
    alpha: Annotated[
        float, typer.Option("--alpha", min=1e-6, max=0.5, help="KS significance level.")
    ] = 0.01,
    lang: Annotated[str, typer.Option("--lang", help="Figure language: zh or en.")] = "zh",
) -> None:
    """Compare simulated with observed intervals per stage, hour and zone; exit 1 if not passed."""
    from sim.plotting.validation import draw_validation
    from sim.runs.validation import validate_run

    folder, v = validate_run(results_dir, calls, out, alpha=alpha, lang=lang, draw=draw_validation)
    table = Table(title=f"simulated vs observed ({v.manifest['observed_calls']} observed calls)")
    for c in (
        "stage",
        "n obs",
        "n sim",
        "median obs",
        "median sim",
        "p90 obs",
        "p90 sim",
        "KS D",
        "KS p",
        "result",
    ):
        table.add_column(c, justify="left" if c in ("stage", "result") else "right")
    s = v.summary[v.summary["by"] == "all"]
    for _, r in s.iterrows():
        verdict = ("pass" if r["passed"] else "FAIL") if r["tested"] else "too few calls"
        table.add_row(
            str(r["stage"]), str(r["n_obs"]), str(r["n_sim"]),
            f"{r['median_obs']:.2f}", f"{r['median_sim']:.2f}",
            f"{r['p90_obs']:.2f}", f"{r['p90_sim']:.2f}",
            f"{r['ks_distance']:.3f}", f"{r['ks_p']:.3g}", verdict,
        )  # fmt: skip
    console.print(table)
    for _, r in v.compliance.iterrows():
        console.print(
            f"response within {r['target_min']:g} min ({r['zone']}): observed "
            f"{r['share_obs']:.1%} (n={r['n_obs']}), "
            f"simulated {r['share_sim']:.1%} (n={r['n_sim']})"
        )
    console.print(f"validation: {folder}")
    console.print(f"figure: {folder / 'validation.png'}")
    if not v.manifest["passed"]:
        failing = ", ".join(v.manifest["stages_failing"]) or "no stage had enough calls"
        console.print(f"NOT PASSED at alpha={alpha:g}: {failing}")
        raise typer.Exit(1)
    console.print(f"passed: no stage's KS test rejects at alpha={alpha:g}")


@app.command("site")
def site_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    stations: Annotated[int, typer.Option("--stations", min=1, help="Stations to open.")],
    out: Annotated[Path, typer.Option("--out", help="Stations CSV to write.")] = Path(
        "stations.csv"
    ),
    method: Annotated[
        str, typer.Option("--method", help="mexclp (default), pmedian or mclp.")
    ] = "mexclp",
    candidates: Annotated[
        Path | None,
        typer.Option("--candidates", help="Candidate sites CSV (id, lon, lat[, name])."),
    ] = None,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Simulate sited vs current layout (same seed).")
    ] = False,
    greedy: Annotated[
        bool, typer.Option("--greedy", help="Greedy MCLP heuristic instead of the MILP.")
    ] = False,
    reps: RepsOpt = None,
    sets: SetOpt = None,
    seed: SeedOpt = None,
    horizon_days: DaysOpt = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Site stations on the road-minute tables (HiGHS MILP); --evaluate checks by simulation."""
    from sim.config.scenario import load_scenario
    from sim.policies.siting import METHODS, Method
    from sim.runs.siting import site, write_stations

    if method not in METHODS:
        console.print(f"--method: '{method}' (allowed: {', '.join(METHODS)})")
        raise typer.Exit(2)
    sc = load_scenario(scenario, option_overrides(sets, seed, horizon_days))
    m: Method = method  # type: ignore[assignment]  # checked against METHODS above
    res = site(sc, stations, m, candidates_file=candidates, evaluate=evaluate,
               replications=reps, greedy=greedy, data_dir=data_dir,
               cache_dir=cache_dir)  # fmt: skip
    write_stations(out, res.rows)
    p = res.problem
    console.print(
        f"{res.siting.method}: {stations} stations from {len(p.candidates.ids)} candidates, "
        f"{p.n_units} units, {len(p.weight)} demand nodes, busy fraction {p.busy_fraction:.3f} "
        f"(baseline utilisation), covered = drive <= zone target - {p.pre_drive_min:.1f} min"
    )
    table = Table(title="sited stations")
    for c in ("id", "name", "lon", "lat", "als", "bls"):
        table.add_column(c)
    for r in res.rows:
        table.add_row(*(str(r[c]) for c in ("id", "name", "lon", "lat", "als", "bls")))
    console.print(table)
    if res.evaluation is not None:
        ev = Table(title="simulated, common random numbers (same seed, same calls)")
        ev.add_column("KPI")
        for layout in res.evaluation.index:
            ev.add_column(str(layout), justify="right")
        for kpi in res.evaluation.columns:
            ev.add_row(kpi, *(f"{v:.4g}" for v in res.evaluation[kpi]))
        console.print(ev)
    console.print(f"stations: {out}")
