"""Named, independent random streams per replication (common random numbers).

Each stochastic concern (``"arrivals"``, ``"crash_location"``, ``"on_scene_min"``...) draws
from its own :class:`numpy.random.Generator`, derived from ``(seed, replication, name)``.
Streams are keyed by name, not position, so adding a stream never changes the draws of the
existing ones, and two scenarios with the same seed see the same draws for the same concern.
There is no global state here and nothing else in ``sim`` may seed a global generator.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """Stable 64-bit key of a stream name (``hash()`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


class RandomStreams:
    """Lazily created named random generators for one replication.

    Parameters
    ----------
    seed
        The scenario's base seed.
    replication
        Replication index (0-based).

    Examples
    --------
    >>> a = RandomStreams(7, 0)["arrivals"].random()
    >>> b = RandomStreams(7, 0)["arrivals"].random()
    >>> a == b
    True
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            ss = np.random.SeedSequence(self.seed, spawn_key=(self.replication, stream_key(name)))
            gen = np.random.default_rng(ss)
            self._cache[name] = gen
        return gen

    @property
    def names(self) -> list[str]:
        """Names of the streams used so far (recorded in the run manifest)."""
        return sorted(self._cache)
