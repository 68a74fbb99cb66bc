"""One training step of a multilayer perceptron, measured.

The code behind ``make bench`` and chapter 14. The network is
``Dense -> ReLU -> ... -> Dense`` with softmax cross-entropy and plain SGD, and one
step is :func:`bp_lib.train_step`: forward, loss, backward (without dL/dX of the
data), update. Beside the step, this module times what bounds it from below: the
step's own matrix products run alone, with the same shapes, dtype and BLAS. It also
measures the forward and backward passes separately and the memory a step allocates;
the timer is :func:`bp_lib.book.cost.call_times`.

Times are measurements, never asserted; the benchmark (``benchmarks/``) runs these
functions in a process of their own, alternating with the process of the other library.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from .._checks import require_positive_int
from ..activations import ReLU
from ..core import Sequential
from ..dense import Dense
from ..dropout import Dropout
from ..losses import softmax_cross_entropy
from ..optim import SGD
from ..train import train_step
from .cost import cached_bytes, parameter_bytes


def mlp(sizes, rng: np.random.Generator, dtype=np.float64) -> Sequential:
    """A multilayer perceptron with ReLU between its dense layers.

    ``Dense(sizes[0], sizes[1]) -> ReLU -> ... -> Dense(sizes[-2], sizes[-1])``,
    He-initialised, in ``dtype``.
    """
    sizes = [require_positive_int("sizes[i]", n) for n in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output width, got {sizes}")
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [Dense(n_in, n_out, rng=rng, dtype=dtype), ReLU()]
    return Sequential(*layers[:-1])


def digit_classifier(seed: int) -> Sequential:
    """Chapter 13's network for the 8x8 digits.

    ``64 -> 128 ReLU -> dropout 0.2 -> 10`` (He, then Xavier).
    """
    rng = np.random.default_rng(seed)
    return Sequential(
        Dense(64, 128, init="he", rng=rng), ReLU(), Dropout(0.2, rng=rng),
        Dense(128, 10, init="xavier", rng=rng),
    )  # fmt: skip


def classification_batch(
    m: int, n_in: int, n_classes: int, rng: np.random.Generator, dtype=np.float64
):
    """A random batch: ``X`` (m, n_in) standard normal and labels ``y`` (m,).

    ``X`` is in ``dtype``; the labels lie in ``[0, n_classes)``.
    """
    X = rng.standard_normal((m, n_in)).astype(dtype, copy=False)
    return X, rng.integers(0, n_classes, size=m)


def sgd_step(model: Sequential, X: np.ndarray, y: np.ndarray, lr: float = 0.01):
    """A function doing one :func:`bp_lib.train_step` of ``model`` on ``(X, y)``.

    The optimiser is ``SGD(lr)``.
    """
    optimizer = SGD(lr)

    def step() -> float:
        return train_step(model, softmax_cross_entropy, optimizer, X, y)

    return step


def matmul_step(model: Sequential, X: np.ndarray, rng: np.random.Generator):
    """A function running only the matrix products of one training step.

    The products are written into preallocated outputs. For every dense layer with
    input A (m, n_in) and weights W (n_in, n_out): ``A @ W`` (forward), ``A.T @ dZ``
    (dW) and, except for the first layer, ``dZ @ W.T`` (dX): the products
    :func:`bp_lib.train_step` makes, with the same shapes and dtype, and nothing else.
    """
    products = []
    A = X
    dense_layers = [layer for layer in model.layers if isinstance(layer, Dense)]
    for index, layer in enumerate(dense_layers):
        W = layer.params["W"]
        dZ = rng.standard_normal((A.shape[0], W.shape[1])).astype(W.dtype, copy=False)
        products.append((A, W, np.empty((A.shape[0], W.shape[1]), W.dtype)))
        products.append((A.T, dZ, np.empty(W.shape, W.dtype)))
        if index > 0:
            products.append((dZ, W.T, np.empty(A.shape, W.dtype)))
        A = np.maximum(A @ W, 0)

    def step() -> None:
        for left, right, out in products:
            np.matmul(left, right, out=out)

    return step


def pass_times(
    model: Sequential, X: np.ndarray, y: np.ndarray, steps: int, warmup: int = 3
):
    """Seconds of each forward and each backward pass of ``model`` on ``(X, y)``.

    The backward pass is :meth:`Sequential.backward_params` from the loss gradient, as
    :func:`bp_lib.train_step` runs it in training; the loss itself is in neither
    time. Returns two lists.
    """
    steps = require_positive_int("steps", steps)
    forward, backward = [], []
    for index in range(warmup + steps):
        start = time.perf_counter()
        scores = model.forward(X)
        middle = time.perf_counter()
        dscores = softmax_cross_entropy(scores, y)[1]
        resumed = time.perf_counter()
        model.backward_params(dscores)
        end = time.perf_counter()
        if index >= warmup:
            forward.append(middle - start)
            backward.append(end - resumed)
    return forward, backward


def step_peak_memory(model: Sequential, step) -> dict[str, int]:
    """Bytes a training step allocates at its high-water mark, beside what it must hold.

    tracemalloc (which sees numpy's allocations) is started just before one step,
    after a warm-up step, so the peak counts what the step itself allocates: the new
    cached activations, the loss gradient and every temporary, but not the
    parameters, their gradient arrays or the optimiser's state, which live from one
    step to the next. ``reference`` is the parameters' bytes plus the activations the
    backward pass keeps.
    """
    step()
    tracemalloc.start()
    try:
        step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    parameters, cached = parameter_bytes(model), cached_bytes(model)
    return {
        "peak": peak,
        "parameters": parameters,
        "cached": cached,
        "reference": parameters + cached,
    }
