"""Named, independent random streams per replication (common random numbers).

Each stochastic concern (``"arrivals"``, ``"crash_location"``, ``"on_scene_min"``...) draws
from its own :class:`numpy.random.Generator`, derived from ``(seed, replication, name)``.
Streams are keyed by name, not position, so adding a stream never changes the draws of the
existing ones, and two scenarios with the same seed see the same draws for the same concern.
There is no global state here and nothing else in ``sim`` may seed a global generator.

Demand is drawn day by day (sim/demand/generate.py): :meth:`RandomStreams.chunk` gives the
streams of one calendar day, keyed by ``(seed, replication, day, name)`` (a PCG64 state from a
keyed BLAKE2b hash, cheap enough for one stream per concern per day), so what is drawn for a
day does not depend on how many days are drawn together.
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
        self._used: set[str] = set()  # shared with the chunk streams (manifest)
        # One reusable generator per name for the chunk streams, re-seeded per chunk.
        self._chunk_gens: dict[str, tuple[np.random.PCG64, np.random.Generator]] = {}
        self._chunk_owner: dict[str, ChunkStreams] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            ss = np.random.SeedSequence(self.seed, spawn_key=(self.replication, stream_key(name)))
            gen = np.random.default_rng(ss)
            self._cache[name] = gen
            self._used.add(name)
        return gen

    def chunk(self, index: int) -> ChunkStreams:
        """The streams of demand chunk ``index`` (a calendar day), one per name.

        Keyed by ``(seed, replication, index, name)``: independent of the whole-replication
        streams and of every other chunk, and the same whichever chunks are drawn together.
        Names used are recorded in this object's :attr:`names` too.
        """
        return ChunkStreams(self, int(index))

    def _seed_chunk(self, name: str, owner: ChunkStreams) -> np.random.Generator:
        """The reusable chunk generator of ``name``, set to the state of ``owner``'s chunk.

        A year of demand takes ~25,000 (name, day) streams: building each from a
        ``SeedSequence`` costs ~50-100 us, setting a PCG64 state from a keyed hash ~5 us.
        """
        pair = self._chunk_gens.get(name)
        if pair is None:
            bits = np.random.PCG64(0)
            pair = (bits, np.random.Generator(bits))
            self._chunk_gens[name] = pair
        key = f"{self.seed}:{self.replication}:{owner.index}:{name}".encode()
        h = hashlib.blake2b(key, digest_size=32, person=b"trauma-sim-chunk").digest()
        pair[0].state = {
            "bit_generator": "PCG64",
            "state": {
                "state": int.from_bytes(h[:16], "little"),
                "inc": int.from_bytes(h[16:], "little") | 1,  # PCG increments are odd
            },
            "has_uint32": 0,
            "uinteger": 0,
        }
        self._chunk_owner[name] = owner
        self._used.add(name)
        return pair[1]

    @property
    def names(self) -> list[str]:
        """Names of the streams used so far (recorded in the run manifest)."""
        return sorted(self._used)


class ChunkStreams(RandomStreams):
    """The named streams of one demand chunk (see :meth:`RandomStreams.chunk`).

    Draw one chunk at a time: its generators are the replication's reusable chunk
    generators, re-seeded for this chunk, so using a chunk's stream after another chunk
    has taken it over raises ``RuntimeError`` (a silent mix-up would break reproducibility).
    """

    def __init__(self, parent: RandomStreams, index: int) -> None:
        super().__init__(parent.seed, parent.replication)
        self.index = index
        self._parent = parent
        self._used = parent._used

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            gen = self._parent._seed_chunk(name, self)
            self._cache[name] = gen
        elif self._parent._chunk_owner.get(name) is not self:
            msg = f"stream '{name}' of chunk {self.index} was re-seeded by another chunk"
            raise RuntimeError(msg)
        return gen

    def chunk(self, index: int) -> ChunkStreams:
        """Chunks of the replication, not of a chunk."""
        return self._parent.chunk(index)
