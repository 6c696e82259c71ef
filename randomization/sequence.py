"""Stratified permuted-block allocation sequences (pure Python, no Django).

Algorithm (stable: the same inputs give the same list on any machine and Python version):

1. Each stratum gets its own deterministic byte stream: SHA-256 in counter mode over
   ``"strongback-allocation-v1" | seed | stratum | counter``. Strata are independent: adding or
   renaming one does not change another's sequence.
2. Integers are drawn from the stream by rejection sampling on 64-bit words, so no value is more
   likely than another (no modulo bias).
3. Blocks are added until the stratum has ``n_per_stratum`` slots: each block's size is drawn
   uniformly from ``block_sizes``; the block holds each arm ``size / len(arms)`` times, put in
   random order by a Fisher-Yates shuffle. The last block is cut at ``n_per_stratum`` (it may be
   incomplete; every complete block is balanced).

SHA-256 makes the stream unpredictable without the seed (allocation concealment), and seeding it
explicitly keeps it reproducible for the statistician; no global random state is touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

ALGORITHM = "strongback-allocation-v1"


@dataclass(frozen=True)
class AllocationRow:
    stratum: str
    position: int
    block_number: int
    block_size: int
    arm: str


class _Stream:
    """Deterministic uniform integers from SHA-256 in counter mode."""

    def __init__(self, seed: int | str, stratum: str) -> None:
        self._prefix = f"{ALGORITHM}|{seed}|{stratum}|".encode()
        self._counter = 0
        self._buffer = b""

    def _word(self) -> int:
        if len(self._buffer) < 8:
            self._buffer += hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
            self._counter += 1
        word, self._buffer = self._buffer[:8], self._buffer[8:]
        return int.from_bytes(word, "big")

    def below(self, n: int) -> int:
        """Uniform integer in [0, n)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - (1 << 64) % n
        while True:
            value = self._word()
            if value < limit:
                return value % n


def _validate(
    strata: Sequence[str], arms: Sequence[str], block_sizes: Sequence[int], n_per_stratum: int
) -> None:
    if not strata or len(set(strata)) != len(strata):
        raise ValueError("strata must be a non-empty list of distinct codes")
    if len(arms) < 2 or len(set(arms)) != len(arms):
        raise ValueError("arms must list at least two distinct codes")
    if not block_sizes:
        raise ValueError("block_sizes must not be empty")
    for size in block_sizes:
        if size <= 0 or size % len(arms):
            raise ValueError(
                f"block size {size} is not a positive multiple of the {len(arms)} arms"
            )
    if n_per_stratum <= 0:
        raise ValueError("n_per_stratum must be positive")


def generate(
    strata: Sequence[str],
    arms: Sequence[str],
    block_sizes: Sequence[int],
    n_per_stratum: int,
    seed: int | str,
) -> list[AllocationRow]:
    """The allocation list: ``n_per_stratum`` rows per stratum, in stratum then position order."""
    _validate(strata, arms, block_sizes, n_per_stratum)
    sizes = sorted(set(block_sizes))
    rows: list[AllocationRow] = []
    for stratum in strata:
        stream = _Stream(seed, stratum)
        position, block_number = 0, 0
        while position < n_per_stratum:
            block_number += 1
            size = sizes[stream.below(len(sizes))]
            block = [arm for arm in arms for _ in range(size // len(arms))]
            for i in range(len(block) - 1, 0, -1):  # Fisher-Yates
                j = stream.below(i + 1)
                block[i], block[j] = block[j], block[i]
            for arm in block[: n_per_stratum - position]:
                position += 1
                rows.append(AllocationRow(stratum, position, block_number, size, arm))
    return rows
