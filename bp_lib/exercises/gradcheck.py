"""Checkers for the gradient-checking exercises (chapter 8).

The reader writes ``centred_difference(f, x, eps)`` with the signature of
:func:`bp_lib.numerical_gradient`: ``f()`` takes no arguments and reads the array ``x``,
so the only way to move ``f`` is to change ``x`` itself, in place, and put it back.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose

EPS = 1e-3  # large on purpose: a forward difference is then off by ~1e-3, plainly visible

HINT = (
    "Output 0 is your gradient; output 1 is x after your call, which must hold its original "
    "values again. Perturb x[i] by +eps and -eps, evaluate f() at each, restore x[i], "
    "and divide the difference by 2 eps."
)


def _target(x: np.ndarray) -> float:
    """A smooth test function with curvature in every coordinate (any shape with >= 2 entries)."""
    flat = x.ravel()
    return float(np.sum(np.sin(3 * x) * x**2) + np.prod(np.cos(flat[:2])))


def _cases() -> list[Case]:
    rng = np.random.default_rng(10)
    return [Case((rng.normal(size=shape),)) for shape in ((5,), (2, 3))]


def _reference(x0):
    """The right gradient, and x unchanged."""
    x = x0.copy()
    return numerical_gradient(lambda: _target(x), x, EPS), x0


def _forward_difference(x0):
    x = x0.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        base = _target(x)
        original = x[index]
        x[index] = original + EPS
        grad[index] = (_target(x) - base) / EPS
        x[index] = original
    return grad, x0


def _not_restored(x0):
    """Centred differences that leave each entry at x - eps (the restore is missing)."""
    x = x0.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + EPS
        f_plus = _target(x)
        x[index] = original - EPS
        grad[index] = (f_plus - _target(x)) / (2 * EPS)
    return grad, x


def check_centred_difference(fn) -> Feedback:
    """Check ``fn(f, x, eps) -> grad``: centred differences of ``f()``, a scalar function reading ``x``.

    ``fn`` must perturb ``x`` in place one entry at a time, evaluate ``f()`` at ``x + eps e_i``
    and ``x - eps e_i``, restore the entry, and return an array shaped like ``x``:
    ``grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.
    """

    def user(x0):
        x = x0.copy()
        grad = fn(lambda: _target(x), x, EPS)
        return np.asarray(grad, dtype=np.float64), x

    mistakes = [
        (
            "This is a forward difference, (f(x + eps) - f(x)) / eps, with an error of order eps; "
            "the centred difference (f(x + eps) - f(x - eps)) / (2 eps) is accurate to order eps**2.",
            _forward_difference,
        ),
        (
            "The difference is divided by eps; the two points are 2 eps apart, so divide by 2 eps.",
            lambda x0: (2 * _reference(x0)[0], x0),
        ),
        (
            "The perturbed entry is not restored: x[i] is left at x[i] - eps, so every later "
            "evaluation, and the caller, sees a shifted x. Set x[i] back to its original value "
            "after the two evaluations.",
            _not_restored,
        ),
        (
            "Every difference is zero: f() never saw the perturbation. f reads the array x itself, "
            "so perturb x in place (x[i] = old + eps), not a copy of it.",
            lambda x0: (np.zeros_like(x0), x0),
        ),
    ]
    return diagnose("centred_difference", user, _cases(), _reference, mistakes, tol=1e-9, hint=HINT)
