"""Checkers for the batch-normalisation exercises (chapter 11), and the wrong answers they name.

The right compact backward of training-mode batch norm, with ``inv = 1 / sqrt(var + eps)``:

    dx_hat = dout * gamma
    dX = (inv / m) * (m dx_hat - sum(dx_hat, 0) - x_hat * sum(dx_hat * x_hat, 0))

The ``batchnorm_backward_*`` functions below are WRONG ON PURPOSE: each is a slip that is
easy to make when deriving that formula by hand. They take the cache of
:func:`bp_lib.batchnorm_forward`, ``(x_hat, gamma, inv)``, and return ``(dX, dgamma, dbeta)``
like :func:`bp_lib.batchnorm_backward`, so a chapter can run a gradient check on them, and
:func:`check_batchnorm_backward` uses them as its list of mistakes. Only ``dX`` is wrong.
Shapes: dout, x_hat, dX (m, n); gamma, inv, dgamma, dbeta (n,).
"""

from __future__ import annotations

import numpy as np

from ..batchnorm import batchnorm_forward
from ..book.bugs import batchnorm_backward_double_division
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose

__all__ = [
    "EPS",
    "batchnorm_backward_double_division",
    "batchnorm_backward_dout_for_dx_hat",
    "batchnorm_backward_without_mean_term",
    "batchnorm_backward_without_variance_term",
    "check_batchnorm_backward",
]

EPS = 1e-5


def _parameter_gradients(dout, x_hat):
    """Return ``dgamma = sum(dout * x_hat, 0)`` and ``dbeta = sum(dout, 0)``, both (n,): right in every variant."""
    return np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def batchnorm_backward_without_mean_term(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: the path through the batch mean is forgotten.

    Computes ``dX = (inv / m) * (m dx_hat - x_hat * sum(dx_hat * x_hat, 0))``: the term
    ``-sum(dx_hat, 0)``, which comes from mu depending on every row, is missing, so dX no
    longer sums to 0 over the batch.
    """
    x_hat, gamma, inv = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dX = (inv / m) * (m * dx_hat - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return (dX, *_parameter_gradients(dout, x_hat))


def batchnorm_backward_without_variance_term(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: the path through the batch variance is forgotten.

    Computes ``dX = (inv / m) * (m dx_hat - sum(dx_hat, 0))``: the term
    ``-x_hat * sum(dx_hat * x_hat, 0)``, which comes from var depending on every row, is missing.
    """
    x_hat, gamma, inv = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dX = (inv / m) * (m * dx_hat - dx_hat.sum(axis=0))
    return (dX, *_parameter_gradients(dout, x_hat))


def batchnorm_backward_dout_for_dx_hat(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: ``dout`` is used where ``dx_hat = dout * gamma`` belongs.

    The output is ``gamma * x_hat + beta``, so the gradient reaching x_hat is scaled by gamma;
    this variant drops that factor (and is right only when gamma is all ones, as at initialisation).
    """
    x_hat, _, inv = cache
    m = dout.shape[0]
    dX = (inv / m) * (m * dout - dout.sum(axis=0) - x_hat * np.sum(dout * x_hat, axis=0))
    return (dX, *_parameter_gradients(dout, x_hat))


def _cases() -> list[Case]:
    """Inputs with a variance far from 1 and gamma far from 1, so that no wrong factor can hide."""
    rng = np.random.default_rng(12)
    cases = []
    for m, n in [(6, 3), (4, 5)]:
        X = rng.normal(size=(m, n)) * 3 + 2
        cases.append(Case((rng.normal(size=(m, n)), X, rng.normal(size=n) + 1)))
    return cases


def _numerical(dout, X, gamma):
    """Centred differences of sum(batchnorm_forward(X, gamma, beta) * dout) for X, gamma and beta."""
    X, gamma, beta = X.copy(), gamma.copy(), np.zeros_like(gamma)

    def f():
        return np.sum(batchnorm_forward(X, gamma, beta, EPS)[0] * dout)

    return numerical_gradient(f, X), numerical_gradient(f, gamma), numerical_gradient(f, beta)


def _on_inputs(wrong_backward):
    """Turn a ``(dout, cache)`` backward into the exercise's ``(dout, X, gamma)`` signature."""

    def from_inputs(dout, X, gamma):
        _, cache = batchnorm_forward(X, gamma, np.zeros_like(gamma), EPS)
        return wrong_backward(dout, cache)

    return from_inputs


MISTAKES = [
    (
        "The mean's term is divided by the standard deviation twice: "
        "dX = (1 / (m std)) (m dx_hat - sum(dx_hat) - x_hat sum(dx_hat x_hat)), one 1/std in front "
        "of the whole bracket and none inside.",
        batchnorm_backward_double_division,
    ),
    (
        "The term through the batch mean is missing: mu depends on every row, which adds "
        "-sum(dx_hat) inside the bracket (and makes dX sum to 0 over the batch).",
        batchnorm_backward_without_mean_term,
    ),
    (
        "The term through the variance is missing: var depends on every row, which adds "
        "-x_hat sum(dx_hat x_hat) inside the bracket.",
        batchnorm_backward_without_variance_term,
    ),
    (
        "dout was used where dx_hat = dout * gamma belongs: the output is gamma x_hat + beta, "
        "so multiply dout by gamma before the bracket.",
        batchnorm_backward_dout_for_dx_hat,
    ),
]


def check_batchnorm_backward(fn) -> Feedback:
    """Check ``fn(dout, X, gamma) -> (dX, dgamma, dbeta)`` for training-mode batch norm (eps = 1e-5).

    Shapes: dout and X (m, n), gamma (n,) -> dX (m, n), dgamma (n,), dbeta (n,).
    The reference is a numerical gradient; a wrong answer is matched against :data:`MISTAKES`.
    """
    mistakes = [(message, _on_inputs(wrong)) for message, wrong in MISTAKES]
    return diagnose("batchnorm_backward", fn, _cases(), _numerical, mistakes)
