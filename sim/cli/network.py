"""``trauma-sim network info|plot|fetch``: inspect, draw and download road networks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import app
from sim.core.errors import UserError

network_app = typer.Typer(help="Road networks: summary, map, download.", no_args_is_help=True)
app.add_typer(network_app, name="network")

SourceArg = Annotated[
    str,
    typer.Argument(
        metavar="NAME|PATH",
        help="Manifest name (hangzhou_west ...), synthetic_county[:SEED], "
        "synthetic_province[:SEED], or an OSM/GraphML file.",
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Folder searched first for network files (else $TRAUMA_SIM_DATA)."
    ),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Network cache folder (else $TRAUMA_SIM_CACHE or ~/.cache)."),
]


@network_app.command("info")
def info(
    source: SourceArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Print nodes, edges, road km, bounding box and what loading dropped."""
    from sim.network.datapath import describe_network

    summary = describe_network(source, data_dir=data_dir, cache_dir=cache_dir)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(title=f"network {summary['name']}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in _flatten(summary):
        table.add_row(key, value)
    Console(soft_wrap=True).print(table)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, f"{name}.")
        elif isinstance(value, float):
            rows.append((name, f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.1f}"))
        elif isinstance(value, int) and not isinstance(value, bool):
            rows.append((name, f"{value:,}"))
        else:
            rows.append((name, str(value)))
    return rows


@network_app.command("plot")
def plot(
    source: SourceArg,
    out: Annotated[Path, typer.Option("--out", help="Image to write (.png, .svg, .pdf).")],
    facilities: Annotated[
        Path | None,
        typer.Option("--facilities", help="CSV with columns kind, lon, lat, name to overlay."),
    ] = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Draw the roads by class (with optional facilities) into an image file."""
    from sim.plotting.static_maps import plot_network_file

    written = plot_network_file(
        source, out, facilities_csv=facilities, data_dir=data_dir, cache_dir=cache_dir
    )
    typer.echo(f"wrote {written}")


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError:
        raise UserError(f"--bbox: {text!r}: expected W,S,E,N in degrees") from None
    return west, south, east, north


@network_app.command("fetch")
def fetch(
    out: Annotated[Path, typer.Option("--out", help="GraphML file to write.")],
    place: Annotated[
        str | None, typer.Option("--place", help="Place name, e.g. 'Jiande, Zhejiang, China'.")
    ] = None,
    bbox: Annotated[str | None, typer.Option("--bbox", help="W,S,E,N in degrees (WGS-84).")] = None,
) -> None:
    """Download drivable roads with osmnx (needs internet) and save them as GraphML."""
    from sim.network.osm import fetch_graphml

    written = fetch_graphml(out, place=place, bbox=_parse_bbox(bbox) if bbox is not None else None)
    typer.echo(f"wrote {written}")
