"""``trauma-sim validate-against|site``: operational planning on observed calls and layouts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import app

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
    from sim.runs.validation import validate_run

    folder, v = validate_run(results_dir, calls, out, alpha=alpha, lang=lang)
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
