"""Hostile input to dropout: probabilities, generators, caches, dtypes."""

import numpy as np
from probes import Probe, Raises, Returns, table_test

import bp_lib as bp

X = np.ones((4, 5))


def gen():
    return np.random.default_rng(0)


PROBES = [
    Probe("p 1", lambda: bp.dropout_forward(X, 1.0, gen()), Raises(ValueError, "p must be in [0, 1), got 1.0")),
    Probe("p -0.1", lambda: bp.dropout_forward(X, -0.1, gen()), Raises(ValueError, "p must be in [0, 1)")),
    Probe("p NaN", lambda: bp.dropout_forward(X, np.nan, gen()), Raises(ValueError, "p must be a finite number")),
    Probe("p str", lambda: bp.dropout_forward(X, "0.5", gen()), Raises(TypeError, "p must be a real number")),
    Probe("rng int", lambda: bp.dropout_forward(X, 0.5, 0), Raises(TypeError, "rng must be a numpy.random.Generator")),
    Probe("X complex", lambda: bp.dropout_forward(X + 1j, 0.5, gen()), Raises(TypeError, "X must be a real")),
    Probe("p 0 is identity", lambda: bp.dropout_forward(X, 0.0, gen())[0], Returns(lambda out: np.array_equal(out, X))),
    Probe(
        "float32 kept",
        lambda: bp.dropout_forward(np.float32(X), 0.5, gen())[0],
        Returns(lambda out: out.dtype == np.float32 and set(np.unique(out)) <= {0.0, 2.0}),
    ),
    Probe(
        "backward cache None",
        lambda: bp.dropout_backward(X, None),
        Raises(TypeError, "cache must be the second value returned by dropout_forward"),
    ),
    Probe(
        "backward dout broadcast",
        lambda: bp.dropout_backward(np.ones(5), bp.dropout_forward(X, 0.5, gen())[1]),
        Raises(ValueError, "dout has shape (5,)", "dropout mask"),
    ),
    Probe("module p 1", lambda: bp.Dropout(1.0), Raises(ValueError, "p must be in [0, 1)")),
    Probe(
        "module eval identity",
        lambda: bp.Dropout(0.9, rng=gen()).eval().forward(X),
        Returns(lambda out: np.array_equal(out, X)),
    ),
    Probe(
        "module backward before forward",
        lambda: bp.Dropout(0.5, rng=gen()).backward(X),
        Raises(RuntimeError, "before forward"),
    ),
]

test_probe = table_test(PROBES)
