"""trauma-sim: discrete-event simulation of emergency trauma response in Zhejiang.

The public API (notebooks use only these names)::

    import sim
    s = sim.load_scenario("scenarios/county_baseline.toml", ["fleet.ambulances=9"])
    net = sim.load_network("synthetic_county")
    one = sim.run_replication_tables(s, 0)           # RunTables of one replication
    run = sim.run_experiment_tables(s, replications=8, jobs=2)
    cmp = sim.compare(s, sim.load_scenario("scenarios/county_integrated.toml"))
    folder = sim.save_results(cmp, "results")
    back = sim.read_results(folder)
    table = sim.sweep("scenarios/sweeps/county_fleet_aml.toml", "results/sweeps/aml")
    from sim import plotting                         # charts, maps, brief

``sim.run_replication`` and ``sim.run_experiment`` are the same functions under their
names before issue 15 (aliases kept so existing notebooks keep working).

Names are loaded on first use, so ``import sim`` (and the command line) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "Comparison": "sim.api",
    "ComparisonTables": "sim.api",
    "RunTables": "sim.api",
    "Scenario": "sim.api",
    "World": "sim.api",
    "build_world": "sim.api",
    "compare": "sim.api",
    "load_network": "sim.api",
    "load_scenario": "sim.api",
    "read_results": "sim.api",
    "run_experiment": "sim.api",
    "run_experiment_tables": "sim.api",
    "run_replication": "sim.api",
    "run_replication_tables": "sim.api",
    "save_results": "sim.api",
    "sweep": "sim.api",
    "plotting": "sim.plotting",
}

__all__ = [
    "Comparison",
    "ComparisonTables",
    "RunTables",
    "Scenario",
    "World",
    "__version__",
    "build_world",
    "compare",
    "load_network",
    "load_scenario",
    "plotting",
    "read_results",
    "run_experiment",
    "run_experiment_tables",
    "run_replication",
    "run_replication_tables",
    "save_results",
    "sweep",
]

if TYPE_CHECKING:
    from sim import plotting
    from sim.api import (
        Comparison,
        ComparisonTables,
        RunTables,
        Scenario,
        World,
        build_world,
        compare,
        load_network,
        load_scenario,
        read_results,
        run_experiment,
        run_experiment_tables,
        run_replication,
        run_replication_tables,
        save_results,
        sweep,
    )


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    mod = importlib.import_module(module)
    return mod if name == "plotting" else getattr(mod, name)
