"""Hostile input to layer norm and the residual connection."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp

rng = np.random.default_rng(0)
X = rng.normal(size=(4, 3))
g, b = np.ones(3), np.zeros(3)


def cache():
    return bp.layernorm_forward(X, g, b)[1]


def grads_in_place():
    layer = bp.LayerNorm(3)
    held = layer.grads["gamma"], layer.grads["beta"]
    layer.forward(X)
    layer.backward(np.ones((4, 3)))
    return held[0] is layer.grads["gamma"] and held[1] is layer.grads["beta"] and np.allclose(held[1], 4)


def huge_but_fine():
    # rows near 1e150: the variance 1e300 still fits float64 and eps no longer matters
    out = bp.layernorm_forward(X * 1e150, g, b)[0]
    centred = X - X.mean(axis=1, keepdims=True)
    return np.allclose(out, centred / X.std(axis=1, keepdims=True), atol=1e-12)


def residual_of(block):
    return bp.Residual(block)


PROBES = [
    Probe(
        "forward near 1e200",
        lambda: bp.layernorm_forward(X * 1e200, g, b),
        Raises(FloatingPointError, "variance of row (0,) of X overflows float64", "scale the input down"),
    ),
    Probe(
        "forward float32 near 1e20",
        lambda: bp.layernorm_forward(np.float32(X * 1e20), np.float32(g), np.float32(b)),
        Raises(FloatingPointError, "overflows float32"),
    ),
    Probe("forward near 1e150", huge_but_fine, Returns(lambda ok: ok)),
    Probe(
        "forward NaN",
        lambda: bp.layernorm_forward(np.where(X > 1, np.nan, X), g, b),
        Raises(FloatingPointError, "X must be finite for layer norm", "NaN at index"),
    ),
    Probe(
        "forward inf",
        lambda: bp.layernorm_forward(np.where(X > 1, np.inf, X), g, b),
        Raises(FloatingPointError, "inf at index"),
    ),
    Probe(
        "forward one row",
        lambda: bp.layernorm_forward(X[:1], g, b)[0],
        Returns(close_to(bp.layernorm_forward(X, g, b)[0][:1])),
    ),
    Probe(
        "forward 1-D row",
        lambda: bp.layernorm_forward(X[0], g, b)[0],
        Returns(close_to(bp.layernorm_forward(X, g, b)[0][0])),
    ),
    Probe(
        "forward scalar",
        lambda: bp.layernorm_forward(np.float64(1.0), np.ones(1), np.zeros(1)),
        Raises(ValueError, "at least 1 dimension"),
    ),
    Probe("forward complex", lambda: bp.layernorm_forward(X + 1j, g, b), Raises(TypeError, "X must be a real")),
    Probe(
        "forward gamma (1,)",
        lambda: bp.layernorm_forward(X, np.ones(1), b),
        Raises(ValueError, "gamma has shape (1,), expected (3,)"),
    ),
    Probe(
        "forward beta (4, 3)",
        lambda: bp.layernorm_forward(X, g, np.zeros((4, 3))),
        Raises(ValueError, "beta has shape (4, 3), expected (3,)"),
    ),
    Probe(
        "forward eps 0",
        lambda: bp.layernorm_forward(X, g, b, eps=0),
        Raises(ValueError, "eps must be in (0, inf), got 0"),
    ),
    Probe(
        "forward eps inf",
        lambda: bp.layernorm_forward(X, g, b, eps=np.inf),
        Raises(ValueError, "eps must be a finite number"),
    ),
    Probe(
        "forward constant row",
        lambda: bp.layernorm_forward(np.ones((4, 3)), g, b)[0],
        Returns(close_to(np.zeros((4, 3)))),
    ),
    Probe(
        "backward dout broadcast",
        lambda: bp.layernorm_backward(np.ones((4, 1)), cache()),
        Raises(ValueError, "dout has shape (4, 1), expected (4, 3)"),
    ),
    Probe(
        "forward zero features",
        lambda: bp.layernorm_forward(np.zeros((4, 0)), np.ones(0), np.zeros(0)),
        Raises(ValueError, "X's last axis must hold at least 1 feature, got shape (4, 0)"),
    ),
    Probe(
        "forward empty 1-D row",
        lambda: bp.layernorm_forward(np.zeros(0), np.ones(0), np.zeros(0)),
        Raises(ValueError, "at least 1 feature, got shape (0,)"),
    ),
    Probe(
        "backward batch norm cache",
        lambda: bp.layernorm_backward(np.ones((4, 3)), bp.batchnorm_forward(X, g, b)[1]),
        Raises(ValueError, "cache must be the second value returned by layernorm_forward"),
    ),
    Probe(
        "backward cache None",
        lambda: bp.layernorm_backward(np.ones((4, 3)), None),
        Raises(TypeError, "cache must be the second value returned by layernorm_forward"),
    ),
    # a constant row sits where x_hat = 0 and 1 / sqrt(var + eps) = 1 / sqrt(eps): the
    # derivative there is large, and it is the right one (the row's mean removed, times 316)
    Probe(
        "backward constant row",
        lambda: bp.layernorm_backward(X, bp.layernorm_forward(np.ones((4, 3)), g, b)[1])[0],
        Returns(close_to((X - X.mean(axis=1, keepdims=True)) / np.sqrt(1e-5))),
    ),
    Probe("module grads in place", grads_in_place, Returns(lambda ok: ok)),
    Probe("module n 0", lambda: bp.LayerNorm(0), Raises(ValueError, "n must be a positive integer, got 0")),
    Probe(
        "module int dtype",
        lambda: bp.LayerNorm(3, dtype=np.int32),
        Raises(TypeError, "dtype must be a floating-point dtype"),
    ),
    Probe(
        "module wrong features",
        lambda: bp.LayerNorm(2).forward(X),
        Raises(ValueError, "gamma has shape (2,), expected (3,)"),
    ),
    Probe(
        "module backward first",
        lambda: bp.LayerNorm(3).backward(X),
        Raises(RuntimeError, "backward was called before forward"),
    ),
    Probe(
        "residual of a function",
        lambda: residual_of(lambda x: x),
        Raises(TypeError, "block must be a bp_lib Module, got function"),
    ),
    Probe(
        "residual shape change",
        lambda: bp.Residual(bp.Dense(3, 2, rng=rng)).forward(X),
        Raises(ValueError, "maps X of shape (4, 3) to shape (4, 2)"),
    ),
    Probe(
        "residual dout broadcast",
        lambda: (lambda r: (r.forward(X), r.backward(np.ones((4, 1)))))(bp.Residual(bp.Tanh())),
        Raises(ValueError, "dout has shape (4, 1), expected (4, 3)"),
    ),
    Probe(
        "residual backward first",
        lambda: bp.Residual(bp.Tanh()).backward(X),
        Raises(RuntimeError, "backward was called before forward"),
    ),
    Probe("residual complex", lambda: bp.Residual(bp.Tanh()).forward(X + 1j), Raises(TypeError, "X must be a real")),
    Probe(
        "residual reused in a Sequential",
        lambda: (lambda r: bp.Sequential(r, r))(bp.Residual(bp.LayerNorm(3))),
        Raises(ValueError, "reuses"),
    ),
    Probe(
        "residual of a zero Dense",
        lambda: (lambda d: (d.params["W"].fill(0), bp.Residual(d).forward(X))[1])(bp.Dense(3, 3, rng=rng)),
        Returns(close_to(X)),
    ),
]

test_probe = table_test(PROBES)
