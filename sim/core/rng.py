"""Named, independent random streams per replication (common random numbers).

Each stochastic concern (``"arrivals"``, ``"crash_location"``, ``"on_scene_min"``...) draws
from its own :class:`numpy.random.Generator`, derived from ``(seed, replication, name)``.
Streams are keyed by name, not position, so adding a stream never changes the draws of the
existing ones, and two scenarios with the same seed see the same draws for the same concern.
There is no global state here and nothing else in ``sim`` may seed a global generator.

Demand is drawn day by day (sim/demand/generate.py): :meth:`RandomStreams.chunk` gives the
streams of one calendar day, keyed by ``(seed, replication, name, day)``, so what is drawn for
a day does not depend on how many days are drawn together.
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
        self._spawn: tuple[int, ...] = (self.replication,)
        self._used: set[str] = set()  # shared with the day streams (manifest)

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            key = (self._spawn[0], stream_key(name), *self._spawn[1:])
            gen = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))
            self._cache[name] = gen
            self._used.add(name)
        return gen

    def chunk(self, index: int) -> RandomStreams:
        """The streams of demand chunk ``index`` (a calendar day), one per name.

        Keyed by ``(seed, replication, name, index)``: independent of the whole-replication
        streams and of every other chunk, and the same whichever chunks are drawn together.
        Names used are recorded in this object's :attr:`names` too.
        """
        child = RandomStreams(self.seed, self.replication)
        child._spawn = (self.replication, int(index))
        child._used = self._used
        return child

    @property
    def names(self) -> list[str]:
        """Names of the streams used so far (recorded in the run manifest)."""
        return sorted(self._used)
