"""Checkers for the dense-layer exercises (chapter 3)."""

from __future__ import annotations

import numpy as np

from ..dense import dense_forward
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose


def _cases() -> list[Case]:
    """(dZ, X, W) triples; one has a square W, so a missing transpose cannot fail loudly."""
    rng = np.random.default_rng(3)
    cases = []
    for m, n_in, n_out in [(3, 4, 4), (5, 3, 2), (1, 2, 3)]:
        cases.append(Case((rng.normal(size=(m, n_out)), rng.normal(size=(m, n_in)), rng.normal(size=(n_in, n_out)))))
    return cases


def _numerical(dZ, X, W):
    """(dX, dW, db): centred differences of sum(dense_forward(X, W, b) * dZ), at b = 0."""
    X, W, b = X.copy(), W.copy(), np.zeros(W.shape[1])

    def loss():
        return np.sum(dense_forward(X, W, b)[0] * dZ)

    return numerical_gradient(loss, X), numerical_gradient(loss, W), numerical_gradient(loss, b)


def check_dense_backward(fn) -> Feedback:
    """Check ``fn(dZ, X, W) -> (dX, dW, db)`` for ``Z = X @ W + b``.

    Shapes: dZ (m, n_out), X (m, n_in), W (n_in, n_out) -> dX (m, n_in), dW (n_in, n_out), db (n_out,).
    """
    mistakes = [
        (
            "dW is transposed: it must have the shape of W, (n_in, n_out), and dW = X.T @ dZ "
            "(dZ.T @ X is its transpose).",
            lambda dZ, X, W: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)),
        ),
        (
            "dX uses W instead of W.T: each input feature k reaches output j through W[k, j], "
            "so dX[i, k] = sum_j dZ[i, j] W[k, j], i.e. dX = dZ @ W.T.",
            lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)),
        ),
        (
            "db is the mean of dZ over the batch; it is the sum. The 1/m of a mean loss is "
            "already inside dZ (the loss gradient), so the layer must not divide again.",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)),
        ),
        (
            "dW carries an extra 1/m: the loss gradient dZ already holds it, so dW = X.T @ dZ.",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)),
        ),
        (
            "db was not summed over the batch: b is added to every row in the forward pass, "
            "so its gradient collects every row, db = dZ.sum(axis=0).",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ),
        ),
        (
            "dW and db carry an extra 1/m: the 1/m of a mean loss is already inside dZ, so "
            "dW = X.T @ dZ and db = dZ.sum(axis=0), with no division in the layer.",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0) / len(X)),
        ),
        (
            "db was summed over the outputs (axis=1); it must be summed over the batch (axis=0), "
            "giving one entry per output unit, the shape of b.",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)),
        ),
    ]
    return diagnose("dense_backward", fn, _cases(), _numerical, mistakes)
