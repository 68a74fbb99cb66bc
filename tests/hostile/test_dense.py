"""Hostile input to the dense pair and ``Dense``: dtypes, initialisers, caches, shapes."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp

X = np.arange(6.0).reshape(2, 3)
W = np.ones((3, 2))
b = np.zeros(2)


def fresh(dtype=np.float64, init="he"):
    return bp.Dense(3, 2, init=init, rng=np.random.default_rng(0), dtype=dtype)


def leading_shape_forward():
    layer = fresh()
    X3 = np.arange(24.0).reshape(2, 4, 3)
    Z = layer.forward(X3)
    flat = X3.reshape(8, 3) @ layer.params["W"] + layer.params["b"]
    return Z.shape == (2, 4, 2) and np.allclose(Z.reshape(8, 2), flat)


def leading_shape_backward():
    layer = fresh()
    X3 = np.arange(24.0).reshape(2, 4, 3)
    layer.forward(X3)
    dX = layer.backward(np.ones((2, 4, 2)))
    dW = X3.reshape(8, 3).T @ np.ones((8, 2))
    return dX.shape == (2, 4, 3) and np.allclose(layer.grads["W"], dW) and np.allclose(layer.grads["b"], 8)


def leading_shape_bad_dout():
    layer = fresh()
    layer.forward(np.ones((2, 4, 3)))
    return layer.backward(np.ones((8, 2)))


def float32_layer_stays_float32():
    layer = fresh(np.float32)
    Z = layer.forward(np.ones((2, 3), dtype=np.float32))
    return Z.dtype == np.float32 and layer.params["W"].dtype == np.float32


def grads_written_in_place():
    layer = fresh()
    held = layer.grads["W"]
    layer.forward(X)
    layer.backward(np.ones((2, 2)))
    return held is layer.grads["W"] and np.allclose(held, X.T @ np.ones((2, 2)))


PROBES = [
    Probe("Dense dtype int64", lambda: fresh(np.int64), Raises(TypeError, "dtype must be a floating-point", "int64")),
    Probe("Dense dtype str", lambda: fresh(str), Raises(TypeError, "dtype must be a floating-point", "<U")),
    Probe("Dense dtype bool", lambda: fresh(bool), Raises(TypeError, "dtype", "bool")),
    Probe("Dense dtype complex", lambda: fresh(np.complex128), Raises(TypeError, "dtype", "complex128")),
    Probe(
        "Dense dtype nonsense", lambda: fresh("float99"), Raises(TypeError, "dtype must be a floating-point", "float99")
    ),
    Probe("Dense float32", float32_layer_stays_float32, Returns(lambda ok: ok)),
    Probe(
        "init returns NaN",
        lambda: fresh(init=lambda n, m, r: np.full((n, m), np.nan)),
        Raises(ValueError, "initialiser", "finite", "NaN"),
    ),
    Probe(
        "init returns inf",
        lambda: fresh(init=lambda n, m, r: np.full((n, m), np.inf)),
        Raises(ValueError, "initialiser", "inf"),
    ),
    Probe(
        "init wrong shape",
        lambda: fresh(init=lambda n, m, r: np.ones((m, n))),
        Raises(ValueError, "initialiser's output has shape (2, 3)", "(3, 2)"),
    ),
    Probe(
        "init returns str",
        lambda: fresh(init=lambda n, m, r: "weights"),
        Raises(TypeError, "initialiser's output must be a numeric"),
    ),
    Probe(
        "init returns complex",
        lambda: fresh(init=lambda n, m, r: np.ones((n, m)) * 1j),
        Raises(TypeError, "initialiser's output must be a real"),
    ),
    Probe(
        "init returns list",
        lambda: fresh(init=lambda n, m, r: [[1.0] * m] * n).params["W"],
        Returns(close_to(np.ones((3, 2)))),
    ),
    Probe("init unknown name", lambda: fresh(init="kaiming"), Raises(ValueError, "init must be one of", "kaiming")),
    Probe("n_in negative", lambda: bp.Dense(-1, 2), Raises(ValueError, "n_in must be a positive integer, got -1")),
    Probe("n_out numpy int", lambda: bp.Dense(np.int64(3), 2).n_in, Returns(lambda n: n == 3)),
    Probe("n_in True", lambda: bp.Dense(True, 2), Raises(ValueError, "n_in must be a positive integer, got True")),
    Probe("rng seed int", lambda: bp.Dense(3, 2, rng=0), Raises(TypeError, "rng must be a numpy.random.Generator")),
    Probe(
        "forward complex X", lambda: bp.dense_forward(X + 1j, W, b), Raises(TypeError, "X must be a real", "complex")
    ),
    Probe("forward complex W", lambda: bp.dense_forward(X, W * 1j, b), Raises(TypeError, "W must be a real")),
    Probe(
        "forward X 3-D pure", lambda: bp.dense_forward(np.ones((2, 2, 3)), W, b), Raises(ValueError, "X must be 2-D")
    ),
    Probe(
        "forward empty batch", lambda: bp.dense_forward(np.ones((0, 3)), W, b)[0], Returns(lambda Z: Z.shape == (0, 2))
    ),
    Probe(
        "backward cache None",
        lambda: bp.dense_backward(np.ones((2, 2)), None),
        Raises(TypeError, "cache must be the second value returned by dense_forward", "NoneType"),
    ),
    Probe(
        "backward cache array",
        lambda: bp.dense_backward(np.ones((2, 2)), X),
        Raises(TypeError, "cache must be", "ndarray"),
    ),
    Probe(
        "backward cache 3-tuple",
        lambda: bp.dense_backward(np.ones((2, 2)), (X, W, b)),
        Raises(TypeError, "a tuple of 2"),
    ),
    Probe(
        "backward dZ broadcastable",
        lambda: bp.dense_backward(np.ones((1, 2)), bp.dense_forward(X, W, b)[1]),
        Raises(ValueError, "dZ has shape (1, 2), expected (2, 2)"),
    ),
    Probe(
        "module forward wrong features",
        lambda: fresh().forward(np.ones((2, 4))),
        Raises(ValueError, "X has 4 features", "W expects 3"),
    ),
    Probe("module leading shape forward", leading_shape_forward, Returns(lambda ok: ok)),
    Probe("module leading shape backward", leading_shape_backward, Returns(lambda ok: ok)),
    Probe(
        "module leading shape wrong dout",
        leading_shape_bad_dout,
        Raises(ValueError, "dout has shape (8, 2), expected (2, 4, 2)"),
    ),
    Probe("module 1-D X", lambda: fresh().forward(np.ones(3)), Raises(ValueError, "X must be 2-D")),
    Probe("module grads in place", grads_written_in_place, Returns(lambda ok: ok)),
]

test_probe = table_test(PROBES)
