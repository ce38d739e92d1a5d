"""Command line: ``trauma-sim``. Parses, calls one library function, prints, sets an exit code.

No simulation logic lives here. Every :class:`sim.core.errors.UserError` becomes one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import difflib
import sys

import typer
from rich.console import Console

from sim.core.errors import UserError

try:  # typer >= 0.28 vendors click; its exceptions are not click's
    from typer._click import exceptions as click_exc
except ImportError:  # pragma: no cover - older typer on top of click
    from click import exceptions as click_exc  # type: ignore[no-redef]

app = typer.Typer(
    name="trauma-sim",
    help="Emergency trauma-response simulation (120, 警医联动, 专家会诊) on real roads.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True, soft_wrap=True)


def _print_version(value: bool) -> None:
    # Eager callback: prints and exits before any command or scenario is parsed.
    if value:
        import sim

        typer.echo(f"trauma-sim {sim.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the trauma-sim version and exit.",
    ),
) -> None:
    """Emergency trauma-response simulation (120, 警医联动, 专家会诊) on real roads."""


#: The command modules, in the order their commands appear in ``trauma-sim --help``.
COMMAND_MODULES = (
    "bench",
    "scenario",
    "compare",
    "brief",
    "docs",
    "network",
    "ops",
    "sensitivity",
    "sweep",
)


def _register() -> None:
    # Imported here so each area's commands live in their own module; a loop, not an import
    # statement, because the import sorter would reorder the commands of the help.
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"sim.cli.{name}")


def _usage_line(exc: click_exc.UsageError) -> str:
    """One line for an option-parsing error: ``option --x: message``."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click_exc.NoSuchOption):
        best = difflib.get_close_matches(exc.option_name, exc.possibilities or [], n=1)
        close = f"; did you mean {best[0]}?" if best else ""
        return f"option {exc.option_name}: no such option{close}"
    kind = getattr(param, "param_type_name", "")
    if param is not None and kind == "option":
        name = max(param.opts, key=len)
        msg = exc.format_message()
        return f"option {name}: {msg.split(': ', 1)[1] if ': ' in msg else msg}"
    if param is not None and kind == "argument":
        return f"argument {str(param.name).upper()}: {exc.format_message()}"
    if isinstance(exc, click_exc.BadOptionUsage):
        return f"option {exc.option_name}: {exc.format_message()}"
    where = f"{exc.ctx.command_path}: " if exc.ctx is not None else ""
    return f"{where}{exc.format_message()}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``trauma-sim`` console script."""
    _register()
    try:
        # standalone_mode=False: click hands parse errors to us instead of printing its
        # multi-line usage box, so every input error is one line and exit code 2.
        rc = app(args=argv, standalone_mode=False)
    except click_exc.NoArgsIsHelpError:
        sys.exit(2)  # the help text has been printed; nothing to add
    except click_exc.UsageError as exc:
        err_console.print(f"error: {_one_line(_usage_line(exc))}", markup=False, highlight=False)
        sys.exit(2)
    except typer.Abort:
        err_console.print("error: aborted", markup=False, highlight=False)
        sys.exit(130)
    except UserError as exc:
        err_console.print(f"error: {exc.message}", markup=False, highlight=False)
        sys.exit(2)
    sys.exit(rc if isinstance(rc, int) else 0)
