"""Hostile input to batch norm: overflow, NaN batches, caches, in-place gradients."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp

rng = np.random.default_rng(0)
X = rng.normal(size=(4, 3))
g, b = np.ones(3), np.zeros(3)


def cache():
    return bp.batchnorm_forward(X, g, b)[1]


def nan_batch_keeps_running_statistics():
    layer = bp.BatchNorm(3)
    layer.forward(X)
    before = layer.running_mean.copy(), layer.running_var.copy()
    bad = X.copy()
    bad[1, 2] = np.nan
    try:
        layer.forward(bad)
    except FloatingPointError:
        pass
    return np.array_equal(before[0], layer.running_mean) and np.array_equal(before[1], layer.running_var)


def grads_in_place(mode):
    layer = bp.BatchNorm(3)
    getattr(layer, mode)()
    held = layer.grads["gamma"], layer.grads["beta"]
    layer.forward(X)
    layer.backward(np.ones((4, 3)))
    return held[0] is layer.grads["gamma"] and held[1] is layer.grads["beta"] and np.allclose(held[1], 4)


def huge_but_fine():
    # values near 1e150: the variance 1e300 still fits float64 and eps no longer matters
    out = bp.batchnorm_forward(X * 1e150, g, b)[0]
    return np.allclose(out, (X - X.mean(0)) / X.std(0), atol=1e-12)


PROBES = [
    Probe(
        "forward near 1e200",
        lambda: bp.batchnorm_forward(X * 1e200, g, b),
        Raises(FloatingPointError, "variance of feature 0 overflows float64", "scale the input down"),
    ),
    Probe(
        "forward float32 near 1e20",
        lambda: bp.batchnorm_forward(np.float32(X * 1e20), np.float32(g), np.float32(b)),
        Raises(FloatingPointError, "overflows float32"),
    ),
    Probe("forward near 1e150", huge_but_fine, Returns(lambda ok: ok)),
    Probe(
        "forward NaN",
        lambda: bp.batchnorm_forward(np.where(X > 1, np.nan, X), g, b),
        Raises(FloatingPointError, "X must be finite for batch norm", "NaN at index"),
    ),
    Probe(
        "forward inf",
        lambda: bp.batchnorm_forward(np.where(X > 1, np.inf, X), g, b),
        Raises(FloatingPointError, "inf at index"),
    ),
    Probe("module NaN batch keeps running stats", nan_batch_keeps_running_statistics, Returns(lambda ok: ok)),
    Probe("module 1e200 batch", lambda: bp.BatchNorm(3).forward(X * 1e200), Raises(FloatingPointError, "overflows")),
    Probe("forward one row", lambda: bp.batchnorm_forward(X[:1], g, b), Raises(ValueError, "at least 2 rows")),
    Probe("forward complex", lambda: bp.batchnorm_forward(X + 1j, g, b), Raises(TypeError, "X must be a real")),
    Probe(
        "forward gamma (1,)",
        lambda: bp.batchnorm_forward(X, np.ones(1), b),
        Raises(ValueError, "gamma has shape (1,), expected (3,)"),
    ),
    Probe(
        "forward eps 0",
        lambda: bp.batchnorm_forward(X, g, b, eps=0),
        Raises(ValueError, "eps must be in (0, inf), got 0"),
    ),
    Probe(
        "forward eps inf",
        lambda: bp.batchnorm_forward(X, g, b, eps=np.inf),
        Raises(ValueError, "eps must be a finite number"),
    ),
    Probe(
        "forward constant column",
        lambda: bp.batchnorm_forward(np.ones((4, 3)), g, b)[0],
        Returns(close_to(np.zeros((4, 3)))),
    ),
    Probe(
        "backward dout broadcast",
        lambda: bp.batchnorm_backward(np.ones((4, 1)), cache()),
        Raises(ValueError, "dout has shape (4, 1), expected (4, 3)"),
    ),
    Probe(
        "graph backward dout broadcast",
        lambda: bp.batchnorm_backward_graph(np.ones((4, 1)), cache()),
        Raises(ValueError, "dout has shape (4, 1), expected (4, 3)"),
    ),
    Probe(
        "graph backward cache None",
        lambda: bp.batchnorm_backward_graph(np.ones((4, 3)), None),
        Raises(TypeError, "cache must be the second value returned by batchnorm_forward"),
    ),
    Probe(
        "backward cache 2-tuple",
        lambda: bp.batchnorm_backward(np.ones((4, 3)), (X, g)),
        Raises(TypeError, "a tuple of 3"),
    ),
    Probe(
        "graph equals compact",
        lambda: np.max(
            np.abs(np.subtract(bp.batchnorm_backward_graph(X, cache())[0], bp.batchnorm_backward(X, cache())[0]))
        ),
        Returns(lambda d: d < 1e-12),
    ),
    Probe("module grads in place (train)", lambda: grads_in_place("train"), Returns(lambda ok: ok)),
    Probe("module grads in place (eval)", lambda: grads_in_place("eval"), Returns(lambda ok: ok)),
    Probe(
        "module momentum 1.5",
        lambda: bp.BatchNorm(3, momentum=1.5),
        Raises(ValueError, "momentum must be in [0, 1], got 1.5"),
    ),
    Probe("module n 0", lambda: bp.BatchNorm(0), Raises(ValueError, "n must be a positive integer, got 0")),
    Probe(
        "module wrong features",
        lambda: bp.BatchNorm(2).forward(X),
        Raises(ValueError, "gamma has shape (2,), expected (3,)"),
    ),
    Probe(
        "module eval 1 row", lambda: bp.BatchNorm(3).eval().forward(X[:1]), Returns(close_to(X[:1] / np.sqrt(1 + 1e-5)))
    ),
]

test_probe = table_test(PROBES)
