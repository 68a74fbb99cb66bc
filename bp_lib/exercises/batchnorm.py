"""Checkers for the batch-normalisation exercises (chapter 11)."""

from __future__ import annotations

import numpy as np

from ..batchnorm import batchnorm_forward
from ..bugs import batchnorm_backward_double_division
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose

EPS = 1e-5


def _cases() -> list[Case]:
    """Inputs with a variance far from 1, so that an extra or missing 1/std cannot hide."""
    rng = np.random.default_rng(12)
    cases = []
    for m, n in [(6, 3), (4, 5)]:
        X = rng.normal(size=(m, n)) * 3 + 2
        cases.append(Case((rng.normal(size=(m, n)), X, rng.normal(size=n) + 1)))
    return cases


def _numerical(dout, X, gamma):
    X, gamma, beta = X.copy(), gamma.copy(), np.zeros_like(gamma)

    def f():
        return np.sum(batchnorm_forward(X, gamma, beta, EPS)[0] * dout)

    return numerical_gradient(f, X), numerical_gradient(f, gamma), numerical_gradient(f, beta)


def _parts(dout, X, gamma):
    mu, var = X.mean(axis=0), X.var(axis=0)
    inv = 1 / np.sqrt(var + EPS)
    x_hat = (X - mu) * inv
    return x_hat, inv, dout * gamma, dout.shape[0]


def _compact(dout, X, gamma, mean_term=True, variance_term=True, use_gamma=True):
    x_hat, inv, dx_hat, m = _parts(dout, X, gamma)
    if not use_gamma:
        dx_hat = dout
    dX = m * dx_hat
    if mean_term:
        dX = dX - dx_hat.sum(axis=0)
    if variance_term:
        dX = dX - x_hat * np.sum(dx_hat * x_hat, axis=0)
    return (inv / m) * dX, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def check_batchnorm_backward(fn) -> Feedback:
    """Check ``fn(dout, X, gamma) -> (dX, dgamma, dbeta)`` for training-mode batch norm (eps = 1e-5).

    Shapes: dout and X (m, n), gamma (n,) -> dX (m, n), dgamma (n,), dbeta (n,).
    """

    def double_division(dout, X, gamma):
        _, cache = batchnorm_forward(X, gamma, np.zeros_like(gamma), EPS)
        return batchnorm_backward_double_division(dout, cache)

    mistakes = [
        (
            "The mean's term is divided by the standard deviation twice: "
            "dX = (1 / (m std)) (m dx_hat - sum(dx_hat) - x_hat sum(dx_hat x_hat)), one 1/std in front.",
            double_division,
        ),
        (
            "The term through the batch mean is missing: mu depends on every row, which adds "
            "-sum(dx_hat) inside the bracket.",
            lambda dout, X, gamma: _compact(dout, X, gamma, mean_term=False),
        ),
        (
            "The term through the variance is missing: var depends on every row, which adds "
            "-x_hat sum(dx_hat x_hat) inside the bracket.",
            lambda dout, X, gamma: _compact(dout, X, gamma, variance_term=False),
        ),
        (
            "dout was used where dx_hat = dout * gamma belongs: the output is gamma x_hat + beta.",
            lambda dout, X, gamma: _compact(dout, X, gamma, use_gamma=False),
        ),
    ]
    return diagnose("batchnorm_backward", fn, _cases(), _numerical, mistakes)
