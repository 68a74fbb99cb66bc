"""One training step of a multilayer perceptron (or of one layer), measured.

The code behind ``make bench`` and chapter 14. The network is
``Dense -> ReLU -> ... -> Dense`` with softmax cross-entropy and plain SGD, and one
step is :func:`bp_lib.train_step`: forward, loss, backward (without dL/dX of the
data), update. Beside the step, this module times what bounds it from below: the
step's own matrix products run alone, with the same shapes, dtype and BLAS. It also
measures the forward and backward passes separately and the memory a step allocates;
the timer is :func:`bp_lib.book.cost.call_times`. The same step of one ``Conv2d`` or
one ``SelfAttention`` layer under a mean-squared error (``regression_batch``,
``conv_products``, ``attention_products``) and the convolution's two pairs, loops and
im2col (``conv_pair_step``), are measured the same way.

Times are measurements, never asserted; the benchmark (``benchmarks/``) runs these
functions in a process of their own, alternating with the process of the other library.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from .._checks import require_positive_int
from ..activations import ReLU
from ..attention import SelfAttention
from ..conv import Conv2d, im2col
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


def regression_batch(x_shape, y_shape, rng: np.random.Generator, dtype=np.float64):
    """A random input ``X`` of ``x_shape`` and target ``Y`` of ``y_shape``.

    Both standard normal, in ``dtype``: a fixed batch for a mean-squared error.
    """
    X = rng.standard_normal(tuple(x_shape)).astype(dtype, copy=False)
    return X, rng.standard_normal(tuple(y_shape)).astype(dtype, copy=False)


def layer_problem(kind: str, shape, rng: np.random.Generator, dtype=np.float64):
    """One Part V layer and a fixed regression batch for it: ``(layer, X, Y)``.

    ``kind`` "conv2d", ``shape`` (m, C, H, W, F, k) with k odd: ``Conv2d(C, F, k,
    padding=k // 2)`` (the output keeps H x W), X (m, C, H, W), Y (m, F, H, W).
    ``kind`` "attention", ``shape`` (m, T, d): ``SelfAttention(d)``, X and Y
    (m, T, d). Weights, X and Y are drawn from ``rng`` in that order, in ``dtype``.
    """
    if kind == "conv2d":
        m, C, H, W, F, k = (require_positive_int("shape[i]", n) for n in shape)
        if k % 2 == 0:
            raise ValueError(f"the kernel size k = shape[5] must be odd, got {k}")
        layer = Conv2d(C, F, k, padding=k // 2, rng=rng, dtype=dtype)
        return (layer, *regression_batch((m, C, H, W), (m, F, H, W), rng, dtype))
    if kind == "attention":
        m, T, d = (require_positive_int("shape[i]", n) for n in shape)
        layer = SelfAttention(d, rng=rng, dtype=dtype)
        return (layer, *regression_batch((m, T, d), (m, T, d), rng, dtype))
    raise ValueError(f"kind must be 'conv2d' or 'attention', got {kind!r}")


def sgd_step(model, X, y, lr: float = 0.01, loss_fn=softmax_cross_entropy):
    """A function doing one :func:`bp_lib.train_step` of ``model`` on ``(X, y)``.

    The optimiser is ``SGD(lr)``; the loss is ``loss_fn`` (softmax cross-entropy on
    labels unless told, e.g. ``mse_loss`` on a target array).
    """
    optimizer = SGD(lr)

    def step() -> float:
        return train_step(model, loss_fn, optimizer, X, y)

    return step


def preallocated_step(
    model: Sequential, X: np.ndarray, y: np.ndarray, lr: float = 0.01
):
    """The step of :func:`sgd_step` written out by hand, every array allocated once.

    For a ``Dense -> ReLU -> ... -> Dense`` model: the same products and element-wise
    passes as :func:`bp_lib.train_step` with ``SGD(lr)`` (the same numbers, bit for
    bit, for X in the weights' dtype), with no checks, no Python layers and no
    allocation but the loss's: the most a numpy step can reach, beside
    :func:`matmul_step`, the products alone.
    """
    dense = model.layers[::2]
    m, dtype = X.shape[0], X.dtype
    Z = [np.empty((m, layer.n_out), dtype) for layer in dense]
    A = [X] + [np.empty_like(z) for z in Z[:-1]]  # each layer's input
    masks = [np.empty(z.shape, np.bool_) for z in Z[:-1]]
    dX = [None] + [np.empty_like(a) for a in A[1:]]
    scratch = [
        {k: np.empty_like(v) for k, v in layer.params.items()} for layer in dense
    ]

    def step() -> float:
        for i, layer in enumerate(dense):
            np.matmul(A[i], layer.params["W"], out=Z[i])
            Z[i] += layer.params["b"]
            if i + 1 < len(dense):
                np.maximum(Z[i], 0, out=A[i + 1])
        loss, dZ = softmax_cross_entropy(Z[-1], y)
        for i in reversed(range(len(dense))):
            W, grads = dense[i].params["W"], dense[i].grads
            np.matmul(A[i].T, dZ, out=grads["W"])
            dZ.sum(axis=0, out=grads["b"])
            if i > 0:
                np.matmul(dZ, W.T, out=dX[i])
                np.greater(Z[i - 1], 0, out=masks[i - 1])
                dZ = np.multiply(dX[i], masks[i - 1], out=dX[i])
        for layer, work in zip(dense, scratch):
            for name, p in layer.params.items():
                np.multiply(layer.grads[name], lr, out=work[name])
                p -= work[name]
        return loss

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
    return _run_products(products)


def conv_products(conv: Conv2d, X: np.ndarray, rng: np.random.Generator):
    """A function running only the matrix products of a training step of ``conv``.

    ``conv`` is the first layer (no dX). With the windows of X as rows, ``cols``
    (m H_out W_out, C k k), stored as :func:`bp_lib.conv.im2col` stores it, and the
    weights as ``Wm`` (F, C k k): the forward ``Wm @ cols.T`` and the gradient
    ``D.T @ cols`` (D the upstream gradient as C-contiguous rows, (m H_out W_out, F)),
    in the layouts ``conv2d_forward`` and ``conv2d_backward`` use. ``cols`` is built
    once, outside: the products alone.
    """
    padded = np.pad(X, ((0, 0), (0, 0), (conv.padding,) * 2, (conv.padding,) * 2))
    cols = im2col(padded, conv.k, conv.k, conv.stride)
    Wm = conv.params["W"].reshape(conv.F, -1)
    D = rng.standard_normal((len(cols), conv.F)).astype(Wm.dtype, copy=False)
    out, dW = np.empty((conv.F, len(cols)), Wm.dtype), np.empty_like(Wm)
    return _run_products([(Wm, cols.T, out), (D.T, cols, dW)])


def attention_products(layer: SelfAttention, X: np.ndarray, rng: np.random.Generator):
    """A function running only the matrix products of a training step of ``layer``.

    ``layer`` is the first layer (no dX); the products are those of
    :class:`bp_lib.SelfAttention` with the same shapes (X (m, T, d)): forward
    ``X Wq``, ``X Wk``, ``X Wv``, ``Q K^T``, ``P V``, ``A Wo``; backward
    ``dWo = A^T dout``, ``dA = dout Wo^T``, ``dV = P^T dA``, ``dP = dA V^T``,
    ``dQ = dZ K``, ``dK = dZ^T Q`` and ``dW = X^T dQ`` (dK, dV) over all positions.
    """
    m, T, d = X.shape
    Wq, Wk, Wv, Wo = (layer.params[name] for name in layer.NAMES)
    dtype = Wq.dtype

    def empty(*shape):
        return np.empty(shape, dtype)

    def normal(*shape):
        return rng.standard_normal(shape).astype(dtype, copy=False)

    Q, K, V, A, dout, dA = (normal(m, T, d) for _ in range(6))
    P, dZ = normal(m, T, T), normal(m, T, T)  # the scores' shape (m, T, S), S = T
    rows, grad = X.reshape(-1, d), empty(d, d)
    products = [(X, W, empty(m, T, d)) for W in (Wq, Wk, Wv)] + [
        (Q, np.swapaxes(K, 1, 2), empty(m, T, T)),
        (P, V, empty(m, T, d)),
        (A, Wo, empty(m, T, d)),
        (A.reshape(-1, d).T, dout.reshape(-1, d), grad),
        (dout, Wo.T, empty(m, T, d)),
        (np.swapaxes(P, 1, 2), dA, empty(m, T, d)),
        (dA, np.swapaxes(V, 1, 2), empty(m, T, T)),
        (dZ, K, empty(m, T, d)),
        (np.swapaxes(dZ, 1, 2), Q, empty(m, T, d)),
    ]
    products += [(rows.T, g.reshape(-1, d), grad) for g in (Q, K, V)]  # dWq, dWk, dWv
    return _run_products(products)


def _run_products(products):
    """A function computing every ``(left, right, out)``: ``out = left @ right``."""

    def step() -> None:
        for left, right, out in products:
            np.matmul(left, right, out=out)

    return step


def conv_pair_step(forward, backward, X, W, b, padding: int, dout):
    """A function running ``forward(X, W, b, 1, padding)`` then ``backward(dout, .)``.

    For the convolution's two pairs (``conv2d_forward_loops`` /
    ``conv2d_backward_loops`` and ``conv2d_forward`` / ``conv2d_backward``); the
    function returns ``(out, dX, dW, db)``.
    """

    def step():
        out, cache = forward(X, W, b, 1, padding)
        return (out, *backward(dout, cache))

    return step


def pass_times(model, X, y, steps: int, warmup: int = 3, loss_fn=softmax_cross_entropy):
    """Seconds of each forward and each backward pass of ``model`` on ``(X, y)``.

    The backward pass is :meth:`Sequential.backward_params` from the gradient of
    ``loss_fn``, as :func:`bp_lib.train_step` runs it in training; the loss itself is
    in neither time. Returns two lists.
    """
    steps = require_positive_int("steps", steps)
    forward, backward = [], []
    for index in range(warmup + steps):
        start = time.perf_counter()
        scores = model.forward(X)
        middle = time.perf_counter()
        dscores = loss_fn(scores, y)[1]
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
