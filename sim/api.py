"""The researcher-facing API, re-exported by ``sim`` (see ``sim/__init__.py``).

A handful of functions over the same library the CLI uses: load a scenario, load a network,
run one replication, run an experiment, compare scenarios, save and read results. Plotting
functions live in :mod:`sim.plotting`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import pandas as pd

from sim.config.scenario import Scenario, load_scenario
from sim.io.results import ComparisonTables, RunTables, read_results
from sim.network.core import RoadNetwork
from sim.runs.study import (
    Comparison,
    assemble,
    compare_scenarios,
    save_comparison,
    save_run,
)
from sim.runs.tables import run_scenario_tables
from sim.runs.world import World, build_world

__all__ = [
    "Comparison",
    "ComparisonTables",
    "RunTables",
    "Scenario",
    "World",
    "build_world",
    "compare",
    "load_network",
    "load_scenario",
    "read_results",
    "run_experiment",
    "run_experiment_tables",
    "run_replication",
    "run_replication_tables",
    "save_results",
    "sweep",
]


def load_network(source: str | Path, *, data_dir: str | Path | None = None) -> RoadNetwork:
    """Load a road network by name (``"hangzhou_west"``, ``"synthetic_county"``) or path.

    Parameters
    ----------
    source
        Manifest name, ``synthetic_county[:SEED]``, ``synthetic_province[:SEED]`` or an
        OSM XML/PBF/GraphML file.
    data_dir
        Folder searched first (else ``$TRAUMA_SIM_DATA``).

    Examples
    --------
    >>> net = load_network("synthetic_county")
    >>> net.synthetic, net.n_nodes > 100
    (True, True)
    """
    from sim.network.datapath import load_network as _load

    return _load(source, data_dir=Path(data_dir) if data_dir is not None else None)


def run_replication_tables(
    scenario: Scenario,
    replication: int = 0,
    *,
    world: World | None = None,
    data_dir: str | Path | None = None,
) -> RunTables:
    """Simulate one replication and return its tables (incidents, events, units, KPIs).

    Examples
    --------
    >>> s = load_scenario("scenarios/county_baseline.toml", ["run.horizon_days=3"])
    >>> tables = run_replication_tables(s, 0)
    >>> {"t_call", "response_min", "p_death"} <= set(tables.incidents.columns)
    True
    """
    from sim.runs.replications import replication_record

    dd = Path(data_dir) if data_dir is not None else None
    world = world or build_world(scenario, data_dir=dd)
    return assemble(scenario, world, [replication_record(scenario, world, replication)])


def run_experiment_tables(
    scenario: Scenario,
    *,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: str | Path | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunTables:
    """Run replications (in parallel with ``jobs`` or any ``Executor``, e.g. Dask's).

    Results are identical whatever ``jobs`` or executor is used.

    Examples
    --------
    >>> s = load_scenario("scenarios/county_baseline.toml", ["run.horizon_days=3"])
    >>> run_experiment_tables(s, replications=2).kpis_by_rep["rep"].tolist()
    [0, 1]
    """
    dd = Path(data_dir) if data_dir is not None else None
    return run_scenario_tables(
        scenario,
        replications=replications,
        jobs=jobs,
        data_dir=dd,
        executor=executor,
        progress=progress,
    )


# The names before the rename (issue 15): both return RunTables, which their names did not
# say (``sim.runs.replications`` returns raw records). Kept so notebooks keep working.
run_replication = run_replication_tables
run_experiment = run_experiment_tables


def compare(
    base: Scenario,
    *others: Scenario,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: str | Path | None = None,
    psa_draws: int = 200,
    executor: Executor | None = None,
    checkpoint: str | Path | None = None,
    joint_psa: bool = False,
) -> Comparison:
    """Run scenarios under common random numbers and compare each with ``base``.

    ``joint_psa`` draws every ranged [U] mechanism and operational assumption per replication
    and adds ``psa_all_low``/``psa_all_high``, the interval over all assumptions.

    ``executor`` is any ``concurrent.futures.Executor`` (e.g. a Dask cluster's
    ``client.get_executor()``): results are identical to a serial run. With ``checkpoint``
    each replication is written to that folder as it finishes and read back when the
    comparison is run again (resume after a crash).

    Examples
    --------
    >>> b = load_scenario("scenarios/county_baseline.toml", ["run.horizon_days=3"])
    >>> o = load_scenario("scenarios/county_integrated.toml", ["run.horizon_days=3"])
    >>> c = compare(b, o, replications=2, psa_draws=20)
    >>> sorted(c.comparison["scenario"].unique())
    ['county_baseline', 'county_integrated']
    """
    dd = Path(data_dir) if data_dir is not None else None
    return compare_scenarios(
        [base, *others],
        replications=replications,
        jobs=jobs,
        data_dir=dd,
        psa_draws=psa_draws,
        executor=executor,
        checkpoint=None if checkpoint is None else Path(checkpoint),
        joint_psa=joint_psa,
    )


def save_results(
    results: RunTables | Comparison,
    out_root: str | Path = "results",
    scenario: Scenario | None = None,
) -> Path:
    """Write a run (give its ``scenario``) or a comparison under ``out_root``; return the folder."""
    root = Path(out_root)
    if isinstance(results, Comparison):
        return save_comparison(results, root)
    if scenario is None:
        raise TypeError("save_results needs the scenario of a run")
    return save_run(results, root, scenario)


def sweep(
    sweep_file: str | Path,
    out: str | Path,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Run (or resume) a sweep file into ``out``; return the tidy ``sweep.parquet`` table.

    ``executor`` is any ``concurrent.futures.Executor`` (e.g. ``client.get_executor()`` of
    a Dask cluster); results are identical to a serial run. Replications already finished
    in ``out/checkpoints`` are read back, not re-run. See :mod:`sim.runs.sweep`.
    """
    from sim.runs.sweep import load_sweep, run_sweep

    dd = Path(data_dir) if data_dir is not None else None
    spec = load_sweep(sweep_file)
    return run_sweep(spec, Path(out), jobs=jobs, executor=executor, data_dir=dd)
