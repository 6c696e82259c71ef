"""Benchmark callers as separate processes (no shared GIL), released together by a barrier, and
the percentiles reported from their timings."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence


def outcomes_from_processes(
    method: str, target: Callable[..., None], per_process: Sequence[tuple]
) -> list[object]:
    """Start one process per argument tuple as ``target(*args, barrier, results)``; each puts
    what it measured, or the exception that stopped it, on ``results``. Returns each process's
    outcome; raises the first failure."""
    context = multiprocessing.get_context(method)
    barrier, results = context.Barrier(len(per_process)), context.Queue()
    processes = [context.Process(target=target, args=(*args, barrier, results))
                 for args in per_process]  # fmt: skip
    for process in processes:
        process.start()
    outcomes = []
    for _ in processes:
        outcome = results.get()
        if isinstance(outcome, BaseException):
            raise RuntimeError(f"a benchmark caller failed: {outcome!r}")
        outcomes.append(outcome)
    for process in processes:
        process.join()
    return outcomes


def timings_from_processes(
    method: str, target: Callable[..., None], per_process: Sequence[tuple]
) -> list[float]:
    """``outcomes_from_processes`` where each process reports its list of timings (ms):
    every timing, sorted."""
    outcomes = outcomes_from_processes(method, target, per_process)
    return sorted(timing for timings in outcomes for timing in timings)  # type: ignore[attr-defined]


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of sorted ``values`` (nearest rank)."""
    return values[min(len(values) - 1, max(0, round(fraction * len(values)) - 1))]
