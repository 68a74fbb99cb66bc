"""Checkers for the gradient-checking exercises (chapter 8)."""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose

EPS = 1e-3  # large on purpose: a forward difference is then off by ~1e-3, plainly visible


def _target(x: np.ndarray) -> float:
    """A smooth test function with curvature in every coordinate."""
    return float(np.sum(np.sin(3 * x) * x**2) + np.prod(np.cos(x[:2])))


def _cases() -> list[Case]:
    rng = np.random.default_rng(10)
    return [Case((rng.normal(size=shape),)) for shape in ((5,), (2, 3))]


def _forward_difference(x):
    x = x.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        base = _target(x)
        x[index] += EPS
        grad[index] = (_target(x) - base) / EPS
        x[index] -= EPS
    return grad


def _not_restored(x):
    """Centred differences that leave each coordinate at x - eps (the restore is missing)."""
    x = x.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x[index] += EPS
        f_plus = _target(x)
        x[index] -= 2 * EPS
        grad[index] = (f_plus - _target(x)) / (2 * EPS)
    return grad


def check_centred_difference(fn) -> Feedback:
    """Check ``fn(f, x, eps) -> grad``: centred differences of the scalar function ``f(x)``.

    ``fn`` must perturb ``x`` one entry at a time, evaluate ``f(x)`` at ``x + eps e_i`` and
    ``x - eps e_i``, restore the entry, and return an array shaped like ``x``.
    """

    def user(x):
        probe = x.copy()
        grad = fn(_target, probe, EPS)
        if not np.array_equal(probe, x):
            raise AssertionError("x was left modified after the call: restore each entry after perturbing it")
        return grad

    def reference(x):
        x = x.copy()
        return numerical_gradient(lambda: _target(x), x, EPS)

    mistakes = [
        (
            "This is a forward difference, (f(x + eps) - f(x)) / eps, with an error of order eps; "
            "the centred difference (f(x + eps) - f(x - eps)) / (2 eps) is accurate to order eps**2.",
            _forward_difference,
        ),
        (
            "The difference is divided by eps; the two points are 2 eps apart, so divide by 2 eps.",
            lambda x: 2 * reference(x),
        ),
        (
            "The perturbed entry is not restored before the next one is perturbed: set x[i] back "
            "to its original value after the two evaluations.",
            _not_restored,
        ),
        (
            "Every difference is zero: the function never saw the perturbation. Perturb the array "
            "f reads (x itself), not a copy of it.",
            lambda x: np.zeros_like(x),
        ),
    ]
    return diagnose("centred_difference", user, _cases(), reference, mistakes, tol=1e-9)
