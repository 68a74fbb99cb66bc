"""Checkers for the dense-layer exercises (chapter 3)."""

from __future__ import annotations

import numpy as np

from ..dense import dense_forward
from ..gradcheck import numerical_gradient
from .feedback import WEIGHTS_CHANGED_IN_PLACE, Case, Feedback, checks, diagnose

HINT = (
    "Check each gradient against its derivation and its shape: dX = dZ @ W.T "
    "(m, n_in), dW = X.T @ dZ (n_in, n_out), db = dZ.sum(axis=0) (n_out,)."
)


def _cases() -> list[Case]:
    """(dZ, X, W) triples.

    One has a square W, so a missing transpose cannot fail loudly.
    """
    rng = np.random.default_rng(3)
    cases = []
    for m, n_in, n_out in [(3, 4, 4), (5, 3, 2), (1, 2, 3)]:
        dZ = rng.normal(size=(m, n_out))
        X = rng.normal(size=(m, n_in))
        cases.append(Case((dZ, X, rng.normal(size=(n_in, n_out)))))
    return cases


def _numerical(dZ, X, W):
    """(dX, dW, db): centred differences of ``sum(dense_forward(X, W, b) * dZ)``.

    Taken at b = 0.
    """
    X, W, b = X.copy(), W.copy(), np.zeros(W.shape[1])

    def loss():
        return np.sum(dense_forward(X, W, b)[0] * dZ)

    return (
        numerical_gradient(loss, X),
        numerical_gradient(loss, W),
        numerical_gradient(loss, b),
    )


def _with(dX=None, dW=None, db=None):
    """A wrong answer: the right (dX, dW, db) with the given ones replaced."""

    def wrong(dZ, X, W):
        return (
            dZ @ W.T if dX is None else dX(dZ, X, W),
            X.T @ dZ if dW is None else dW(dZ, X, W),
            dZ.sum(axis=0) if db is None else db(dZ, X, W),
        )

    return wrong


MISTAKES = [
    (
        "dW is transposed: it must have the shape of W, (n_in, n_out), and "
        "dW = X.T @ dZ (dZ.T @ X is its transpose).",
        _with(dW=lambda dZ, X, W: dZ.T @ X),
    ),
    (
        "dX uses W instead of W.T: each input feature k reaches output j through "
        "W[k, j], so dX[i, k] = sum_j dZ[i, j] W[k, j], i.e. dX = dZ @ W.T.",
        _with(dX=lambda dZ, X, W: dZ @ W),
    ),
    (
        "dX is transposed: it must have the shape of X, (m, n_in): dX = dZ @ W.T, "
        "not W @ dZ.T.",
        _with(dX=lambda dZ, X, W: W @ dZ.T),
    ),
    (
        "db is the mean of dZ over the batch; it is the sum. The 1/m of a mean loss is "
        "already inside dZ (the loss gradient), so the layer must not divide again.",
        _with(db=lambda dZ, X, W: dZ.mean(axis=0)),
    ),
    (
        "dW carries an extra 1/m: the loss gradient dZ already holds it, so "
        "dW = X.T @ dZ.",
        _with(dW=lambda dZ, X, W: X.T @ dZ / len(X)),
    ),
    (
        "db was not summed over the batch: b is added to every row in the forward "
        "pass, so its gradient collects every row, db = dZ.sum(axis=0).",
        _with(db=lambda dZ, X, W: dZ),
    ),
    (
        "dW and db carry an extra 1/m: the 1/m of a mean loss is already inside dZ, "
        "so dW = X.T @ dZ and db = dZ.sum(axis=0), with no division in the layer.",
        _with(
            dW=lambda dZ, X, W: X.T @ dZ / len(X), db=lambda dZ, X, W: dZ.mean(axis=0)
        ),
    ),
    (
        "db was summed over the outputs (axis=1); it must be summed over the batch "
        "(axis=0), giving one entry per output unit, the shape of b.",
        _with(db=lambda dZ, X, W: dZ.sum(axis=1)),
    ),
    (
        "db has shape (1, n_out): sum with keepdims=False, db = dZ.sum(axis=0), so "
        "that db has the shape of b, (n_out,).",
        _with(db=lambda dZ, X, W: dZ.sum(axis=0, keepdims=True)),
    ),
    (
        "db was summed over every entry of dZ, giving one number: sum over the batch "
        "only, db = dZ.sum(axis=0), one entry per output unit.",
        _with(db=lambda dZ, X, W: dZ.sum()),
    ),
    (
        "db is missing: return three gradients, (dX, dW, db), with "
        "db = dZ.sum(axis=0).",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ),
    ),
    (
        "db is all zeros: b receives the gradient of every row it was added to, "
        "db = dZ.sum(axis=0).",
        _with(db=lambda dZ, X, W: np.zeros(W.shape[1])),
    ),
    (
        "dW holds only the last example's contribution: in a loop over the examples "
        "dW = np.outer(X[i], dZ[i]) overwrites it each time; accumulate with "
        "dW += np.outer(X[i], dZ[i]), starting from zeros.",
        _with(dW=lambda dZ, X, W: np.outer(X[-1], dZ[-1])),
    ),
    (
        "db holds only the last example's row: in a loop over the examples db = dZ[i] "
        "overwrites it each time; accumulate with db += dZ[i], starting from zeros.",
        _with(db=lambda dZ, X, W: dZ[-1].copy()),
    ),
    (
        "dW and db hold only the last example's contribution: in a loop over the "
        "examples, = overwrites them each time; accumulate with dW += np.outer(X[i], "
        "dZ[i]) and db += dZ[i], starting from zeros.",
        _with(
            dW=lambda dZ, X, W: np.outer(X[-1], dZ[-1]),
            db=lambda dZ, X, W: dZ[-1].copy(),
        ),
    ),
]


@checks("dense_backward", ("dZ", "X", "W"))
def check_dense_backward(fn) -> Feedback:
    """Check ``fn(dZ, X, W) -> (dX, dW, db)`` for ``Z = X @ W + b``.

    Shapes: dZ (m, n_out), X (m, n_in), W (n_in, n_out) -> dX (m, n_in),
    dW (n_in, n_out), db (n_out,).
    """
    return diagnose(
        "dense_backward",
        fn,
        _cases(),
        _numerical,
        MISTAKES,
        hint=HINT,
        output_names=("dX", "dW", "db"),
        protected={2: WEIGHTS_CHANGED_IN_PLACE},
    )
