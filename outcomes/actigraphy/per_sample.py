"""One value per sample, computed for the part asked for.

A week at 100 Hz is 60 million samples: its times alone are 484 MB of float64 and its sector
temperatures 242 MB of float32, yet the file holds one timestamp and one temperature per sector
of 120 samples. ``PerSample`` keeps what the file holds and computes values on indexing, so a
reader that walks the times (``chunks``) holds a chunk, not the week; any numpy operation on the
whole (``np.asarray``, ``recording.time - other``) builds the full array as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

CHUNK = 1 << 20  # samples per computed block: 8 MB of float64


class PerSample:
    """A read-only one-dimensional array of ``length`` values; ``compute(start, stop)`` gives
    the values of samples ``start..stop-1``."""

    ndim = 1

    def __init__(
        self, length: int, dtype: np.dtype | type, compute: Callable[[int, int], np.ndarray]
    ) -> None:
        self._length = length
        self.dtype = np.dtype(dtype)
        self._compute = compute

    def __len__(self) -> int:
        return self._length

    @property
    def shape(self) -> tuple[int]:
        return (self._length,)

    def __getitem__(self, key: object) -> object:
        if isinstance(key, (int, np.integer)):
            index = int(key) + (self._length if key < 0 else 0)
            if not 0 <= index < self._length:
                raise IndexError(f"sample {key} is outside 0..{self._length - 1}")
            return self._compute(index, index + 1)[0]
        if isinstance(key, slice):
            start, stop, step = key.indices(self._length)
            if step > 0:
                if start >= stop:
                    return np.empty(0, self.dtype)
                return self._compute(start, stop)[::step]
        return np.asarray(self)[key]  # reversed slices, index arrays, masks

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[int, np.ndarray]]:
        """(first sample, values) blocks of at most ``size`` samples, in order."""
        for start in range(0, self._length, size):
            yield start, self._compute(start, min(self._length, start + size))

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        out = np.empty(self._length, self.dtype)
        for start, values in self.chunks():
            out[start : start + len(values)] = values
        return out if dtype is None else out.astype(dtype)

    def __iter__(self) -> Iterator[object]:
        for _start, values in self.chunks():
            yield from values

    def __repr__(self) -> str:
        return f"PerSample({self._length} x {self.dtype})"
