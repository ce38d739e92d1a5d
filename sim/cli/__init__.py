"""Command line: ``trauma-sim``. Parses, calls one library function, prints, sets an exit code.

No simulation logic lives here. Every :class:`sim.core.errors.UserError` becomes one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from sim.core.errors import UserError

app = typer.Typer(
    name="trauma-sim",
    help="Emergency trauma-response simulation (120, 警医联动, 专家会诊) on real roads.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True, soft_wrap=True)


def _register() -> None:
    # Imported here so each area's commands live in their own module.
    from sim.cli import bench, model, network, sweep  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``trauma-sim`` console script."""
    _register()
    try:
        app(args=argv, standalone_mode=True)
    except UserError as exc:
        err_console.print(f"error: {exc.message}", markup=False, highlight=False)
        sys.exit(2)
