"""Find and load road networks by name or path: the manifest, the data search path, the cache.

Named networks are listed in ``networks/manifest.toml`` in the repository (found relative to
the installed ``sim`` package, falling back to ``./networks``). Data files are looked up
in order in: the ``data_dir`` argument (CLI ``--data-dir``), the folder in the environment
variable ``TRAUMA_SIM_DATA``, then the repository's ``networks/`` folder. Scenario inputs
(hospital or demand CSVs) use the same search path through :func:`find_data_file`.
This module decides where things are; parsing is in :mod:`sim.network.osm` and
:mod:`sim.network.synthetic`, caching in :mod:`sim.network.cache`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import sim
from sim.core.errors import UserError
from sim.network.build import network_summary
from sim.network.cache import cache_path, default_cache_dir, load_cached, save_cached
from sim.network.core import RoadNetwork
from sim.network.osm import file_kind, file_sha256, network_name_of, read_osm
from sim.network.speeds import SpeedSpec

DATA_ENV = "TRAUMA_SIM_DATA"
SYNTHETIC_NAME = "synthetic_county"
_log = logging.getLogger(__name__)


class NetworkEntry(BaseModel):
    """One named network of ``networks/manifest.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Manifest key, used as the network name.")
    file: str = Field(description="File name (no folder) searched on the data path.")
    bbox: tuple[float, float, float, float] = Field(
        description="(west, south, east, north) in WGS-84 degrees."
    )
    source: str = Field(description="Where the data came from.")
    licence: str = Field(description="Data licence (SPDX id).")
    attribution: str = Field(description="Credit line every output must carry.")
    description: str = Field(default="", description="What the network holds.")


def repo_networks_dir() -> Path:
    """The repository's ``networks/`` folder (next to the ``sim`` package), else ``./networks``."""
    candidate = Path(sim.__file__).resolve().parents[1] / "networks"
    return candidate if candidate.is_dir() else Path.cwd() / "networks"


def manifest_path() -> Path:
    """Path of ``networks/manifest.toml``."""
    return repo_networks_dir() / "manifest.toml"


def load_manifest(path: Path | None = None) -> dict[str, NetworkEntry]:
    """Read the manifest of named networks.

    Parameters
    ----------
    path
        Manifest file (default :func:`manifest_path`). A missing default manifest gives an
        empty dict.

    Returns
    -------
    dict of str to NetworkEntry
    """
    explicit = path is not None
    path = path or manifest_path()
    if not path.is_file():
        if explicit:
            raise UserError(f"{path}: network manifest not found")
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from None
    entries: dict[str, NetworkEntry] = {}
    for name, fields in data.get("networks", {}).items():
        try:
            entries[name] = NetworkEntry(name=name, **fields)
        except (ValidationError, TypeError) as exc:
            first = str(exc).splitlines()
            detail = " ".join(first[1:3]).strip() if len(first) > 1 else str(exc)
            raise UserError(f"{path}: networks.{name}: {detail}") from None
    return entries


def data_search_dirs(data_dir: Path | str | None = None) -> list[tuple[Path, str]]:
    """Folders searched for data files, in order, each with where it came from."""
    dirs: list[tuple[Path, str]] = []
    if data_dir is not None:
        dirs.append((Path(data_dir).expanduser(), "--data-dir"))
    env = os.environ.get(DATA_ENV)
    if env:
        dirs.append((Path(env).expanduser(), f"${DATA_ENV}"))
    dirs.append((repo_networks_dir(), "repository networks/"))
    return dirs


def _looked_in(data_dir: Path | str | None) -> str:
    parts = [f"{d} ({why})" for d, why in data_search_dirs(data_dir)]
    if not os.environ.get(DATA_ENV):
        parts.append(f"${DATA_ENV} not set")
    return "; ".join(parts)


def find_data_file(filename: str | Path, data_dir: Path | str | None = None) -> Path:
    """Find a data file on the search path.

    Parameters
    ----------
    filename
        A file name (or relative path) to look for, or an absolute path.
    data_dir
        Folder searched first (the CLI's ``--data-dir``).

    Returns
    -------
    Path
        The first match in: ``data_dir``, ``$TRAUMA_SIM_DATA``, the repository's
        ``networks/``, then the current folder.

    Raises
    ------
    UserError
        Not found; the message lists every folder searched.
    """
    target = Path(filename).expanduser()
    if target.is_absolute():
        if target.is_file():
            return target
        raise UserError(f"{target}: file not found")
    for folder, _ in data_search_dirs(data_dir):
        candidate = folder / target
        if candidate.is_file():
            return candidate
    if target.is_file():
        return target
    raise UserError(
        f"{target}: file not found; looked in {_looked_in(data_dir)} and the current folder; "
        f"set --data-dir or {DATA_ENV} to the folder that holds it"
    )


def parse_synthetic_source(source: str) -> tuple[str, int] | None:
    """Generator name and seed of a synthetic source, else None.

    ``"synthetic_county[:SEED]"`` and ``"synthetic_province[:SEED]"`` (the default seed of
    each generator when none is given).
    """
    from sim.network.province import DEFAULT_PROVINCE_SEED, PROVINCE_NAME
    from sim.network.synthetic import DEFAULT_SEED

    for name, default in ((SYNTHETIC_NAME, DEFAULT_SEED), (PROVINCE_NAME, DEFAULT_PROVINCE_SEED)):
        if source == name:
            return name, default
        prefix = f"{name}:"
        if source.startswith(prefix):
            text = source[len(prefix) :]
            try:
                return name, int(text)
            except ValueError:
                raise UserError(
                    f"network {source!r}: the seed after '{name}:' must be an integer"
                ) from None
    return None


def _resolve_file(source: str, data_dir: Path | str | None) -> tuple[Path, str]:
    """File and network name of a manifest name or a path."""
    manifest = load_manifest()
    entry = manifest.get(source)
    if entry is not None:
        for folder, _ in data_search_dirs(data_dir):
            candidate = folder / entry.file
            if candidate.is_file():
                return candidate, entry.name
        bbox = ",".join(str(x) for x in entry.bbox)
        raise UserError(
            f"network {entry.name!r}: {entry.file} not found; looked in {_looked_in(data_dir)}; "
            f"set --data-dir or {DATA_ENV} to the folder holding it, or download the area online "
            f"with `trauma-sim network fetch --bbox {bbox} --out {entry.name}.graphml` and load "
            "that file"
        )
    path = Path(source).expanduser()
    if path.is_file():
        return path, network_name_of(path)
    looks_like_name = path.name == source and "." not in source
    if looks_like_name:
        names = ", ".join([*sorted(manifest), SYNTHETIC_NAME, "synthetic_province"])
        raise UserError(
            f"network {source!r}: not a named network ({names}) and not an existing file"
        )
    file_kind(path)  # unsupported suffix → UserError before searching
    found = find_data_file(source, data_dir)
    return found, network_name_of(found)


def load_network(
    source: str | Path,
    *,
    data_dir: Path | None = None,
    speeds: SpeedSpec | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> RoadNetwork:
    """Load a road network by manifest name, synthetic name or file path, using the cache.

    Parameters
    ----------
    source
        A manifest name (``"hangzhou_west"``), ``"synthetic_county[:SEED]"`` or
        ``"synthetic_province[:SEED]"``, or a path to an OSM XML/PBF or GraphML file (a bare
        file name is searched on the data path).
    data_dir
        Folder searched first for data files (else ``$TRAUMA_SIM_DATA``, then the
        repository's ``networks/``).
    speeds
        Speed rules and the ``simplify`` switch (default :class:`SpeedSpec`: simplified);
        part of the cache key. Synthetic networks are never simplified here.
    cache_dir
        Cache folder (else ``$TRAUMA_SIM_CACHE``, else the user cache folder).
    use_cache
        Read and write the cache. Synthetic networks are generated every time.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    UserError
        Unknown name, missing or unreadable file, or no drivable roads.
    """
    speeds = speeds or SpeedSpec()
    text = str(source)
    synthetic = parse_synthetic_source(text)
    if synthetic is not None:
        generator, seed = synthetic
        if generator == SYNTHETIC_NAME:
            from sim.network.synthetic import generate_county

            return generate_county(seed, speeds=speeds)
        from sim.network.province import generate_province

        return generate_province(seed, speeds=speeds)

    path, name = _resolve_file(text, data_dir)
    if not use_cache:
        return read_osm(path, speeds, name=name)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    source_hash = file_sha256(path)
    entry = cache_path(folder, name, source_hash, speeds)
    cached = load_cached(entry)
    if cached is not None and cached.source_hash == source_hash:
        return dataclasses.replace(cached, name=name, source=str(path))
    net = read_osm(path, speeds, name=name)
    try:
        save_cached(net, entry)
    except OSError as exc:  # a read-only cache must not stop a run
        _log.warning("could not write network cache %s: %s", entry, exc)
    return net


def describe_network(
    source: str | Path,
    *,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Load a network and return :func:`~sim.network.build.network_summary` of it."""
    net = load_network(source, data_dir=data_dir, cache_dir=cache_dir, use_cache=use_cache)
    return network_summary(net)
