"""What backpropagation costs: operation counts, cached memory, and a careful timer.

Counts are exact and deterministic (the book asserts them); times are measurements
(the book shows them and never asserts them). The benchmarks use the same timer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._checks import require_positive_int
from ..core import Sequential
from ..dense import Dense


@dataclass(frozen=True)
class Flops:
    """Floating-point operations of one pass over a batch.

    A multiply-add counts as 2.
    """

    forward: int
    backward: int


def dense_flops(m: int, n_in: int, n_out: int, input_gradient: bool = True) -> Flops:
    """FLOPs of ``Z = X @ W + b`` and of its backward pass.

    For X (m, n_in) and W (n_in, n_out). Forward: ``2 m n_in n_out`` for the product
    plus ``m n_out`` for the bias. Backward: ``2 m n_in n_out`` for ``dW = X.T @ dZ``,
    the same again for ``dX = dZ @ W.T`` (skipped when ``input_gradient`` is False,
    as for a first layer), and ``m n_out`` for ``db``.
    """
    m = require_positive_int("m", m)
    n_in = require_positive_int("n_in", n_in)
    n_out = require_positive_int("n_out", n_out)
    product = 2 * m * n_in * n_out
    return Flops(
        forward=product + m * n_out,
        backward=product * (2 if input_gradient else 1) + m * n_out,
    )


def network_flops(model: Sequential, m: int) -> Flops:
    """FLOPs of the dense layers of ``model`` for a batch of ``m``.

    Element-wise layers are not counted.
    """
    parts = [
        dense_flops(m, layer.n_in, layer.n_out)
        for layer in model.layers
        if isinstance(layer, Dense)
    ]
    return Flops(sum(p.forward for p in parts), sum(p.backward for p in parts))


def cached_bytes(model: Sequential) -> int:
    """Bytes of the arrays the layers keep from their last forward pass for backward.

    Parameters referenced by a cache (a dense layer keeps a reference to its ``W``)
    are not counted: they exist anyway. Each array is counted once, however many
    caches hold it.
    """
    seen = {id(p) for p in model.params.values()}
    total = 0
    for layer in model.layers:
        stack = [layer._cache]
        while stack:
            item = stack.pop()
            if isinstance(item, np.ndarray) and id(item) not in seen:
                seen.add(id(item))
                total += item.nbytes
            elif isinstance(item, (tuple, list)):
                stack.extend(item)
    return total


def parameter_bytes(model) -> int:
    """Bytes of all parameters of ``model``."""
    return sum(p.nbytes for p in model.params.values())


def call_times(fn, repeats: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of each of ``repeats`` calls of ``fn()``.

    ``warmup`` untimed calls come first.
    """
    repeats = require_positive_int("repeats", repeats)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median_time(fn, repeats: int = 7, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeats`` calls.

    ``warmup`` untimed calls come first.
    """
    return float(np.median(call_times(fn, repeats, warmup)))
