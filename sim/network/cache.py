"""On-disk cache of compiled :class:`~sim.network.core.RoadNetwork` arrays.

One uncompressed ``.npz`` per network: the arrays plus a small JSON of metadata and the
load report. The key is the sha256 of the source file, the loader settings
(``SpeedSpec.model_dump_json()``) and :data:`CACHE_VERSION`, so editing either the file
or the settings, or changing the loader, gives a new key. Entries of an older version of a
file are deleted; up to :data:`MAX_VARIANTS_PER_FILE` settings variants of the current file
are kept (a sweep over speeds does not rebuild each time).
Writes are atomic (temporary file + ``os.replace``), so a crashed or parallel run never
leaves a half-written cache behind. A cache entry that cannot be read is ignored and
rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import hashlib
import json
import logging
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from sim.network.core import LoadReport, RoadNetwork
from sim.network.speeds import SpeedSpec

#: Bump whenever loader rules change what arrays a given file produces.
CACHE_VERSION = 2  # 2: topological simplification (SpeedSpec.simplify)
#: Cache entries kept per source file (different speed settings), newest first.
MAX_VARIANTS_PER_FILE = 8

_ARRAYS = (
    "node_osmid",
    "lon",
    "lat",
    "indptr",
    "indices",
    "length_m",
    "speed_kph",
    "travel_min",
    "road_class",
)
_log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    r"""Cache folder: ``$TRAUMA_SIM_CACHE``, else the platform's user cache folder.

    Linux ``$XDG_CACHE_HOME/trauma-sim`` (``~/.cache/trauma-sim``), macOS
    ``~/Library/Caches/trauma-sim``, Windows ``%LOCALAPPDATA%\trauma-sim\Cache``.
    """
    env = os.environ.get("TRAUMA_SIM_CACHE")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "trauma-sim" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "trauma-sim"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trauma-sim"


def cache_key(source_hash: str, speeds: SpeedSpec) -> str:
    """Key of a cached network: source file hash + loader settings + cache version."""
    text = f"v{CACHE_VERSION}|{source_hash}|{speeds.model_dump_json()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def cache_path(cache_dir: Path, name: str, source_hash: str, speeds: SpeedSpec) -> Path:
    """File of one cache entry: ``<name>-<file hash>-<key>.npz``."""
    return cache_dir / f"{name}-{source_hash[:16]}-{cache_key(source_hash, speeds)[:16]}.npz"


def save_cached(net: RoadNetwork, path: Path) -> None:
    """Write ``net`` to ``path`` atomically, removing older entries of the same network.

    Parameters
    ----------
    net
        The network to store.
    path
        Target ``.npz`` file (its folder is created).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "cache_version": CACHE_VERSION,
        "name": net.name,
        "synthetic": net.synthetic,
        "source": net.source,
        "source_hash": net.source_hash,
        "report": dataclasses.asdict(net.report),
    }
    arrays: dict[str, Any] = {key: getattr(net, key) for key in _ARRAYS}
    arrays["meta_json"] = np.array(json.dumps(meta, ensure_ascii=False))
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _prune(path)


def _prune(path: Path) -> None:
    """Drop entries of an older version of the file; keep a few settings variants of it."""
    parts = path.stem.rsplit("-", 2)
    if len(parts) != 3:  # not named by cache_path(): nothing to compare with
        return
    name, file_part, _ = parts
    same_file: list[Path] = []
    for other in path.parent.glob(f"{glob.escape(name)}-*-*.npz"):
        other_parts = other.stem.rsplit("-", 2)
        if other == path or other_parts[0] != name:
            continue
        if other_parts[1] == file_part:
            same_file.append(other)
        else:  # the source file changed: this entry can never be used again
            with contextlib.suppress(OSError):
                other.unlink()
    # Several speed settings of one file (e.g. a sweep) may coexist, up to a limit.
    same_file.sort(key=_mtime, reverse=True)
    for other in same_file[MAX_VARIANTS_PER_FILE - 1 :]:
        with contextlib.suppress(OSError):
            other.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another process
        return 0.0


def load_cached(path: Path) -> RoadNetwork | None:
    """Read a cache entry, or None when it is absent or unreadable (then it is rebuilt).

    Parameters
    ----------
    path
        A file written by :func:`save_cached`.

    Returns
    -------
    RoadNetwork or None
    """
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: np.array(data[key]) for key in _ARRAYS}
            meta = json.loads(str(data["meta_json"]))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        _log.warning("ignoring unreadable network cache %s: %s", path, exc)
        return None
    if meta.get("cache_version") != CACHE_VERSION:
        return None
    known = {f.name for f in dataclasses.fields(LoadReport)}
    report = LoadReport(**{k: int(v) for k, v in meta["report"].items() if k in known})
    return RoadNetwork(
        name=str(meta["name"]),
        synthetic=bool(meta["synthetic"]),
        source=str(meta["source"]),
        source_hash=str(meta["source_hash"]),
        report=report,
        **arrays,
    )
