"""Checkers for the gradient-checking exercises (chapter 8).

The reader writes ``centred_difference(f, x, eps)`` with the signature of
:func:`bp_lib.numerical_gradient`: ``f()`` takes no arguments and reads the array ``x``,
so the only way to move ``f`` is to change ``x`` itself, in place, and put it back.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from .feedback import AnswerError, Case, Feedback, Hyperparameter, checks, diagnose

EPS = (
    1e-3  # large on purpose: a forward difference is then off by ~1e-3, plainly visible
)
STEPS = (EPS, 2e-3)  # eps differs between the cases, so a hard-coded step shows

HINT = (
    "Output 0 is your gradient; output 1 is x after your call, which must hold its "
    "original values again. Perturb x[i] by +eps and -eps, evaluate f() at each, "
    "restore x[i], and divide the difference by 2 eps."
)


def _target(x: np.ndarray) -> float:
    """A smooth test function with curvature in every coordinate.

    ``x`` may have any shape with at least 2 entries.
    """
    flat = x.ravel()
    return float(np.sum(np.sin(3 * x) * x**2) + np.prod(np.cos(flat[:2])))


def _cases() -> list[Case]:
    """(x, eps): two shapes and two steps, the first the book's eps = 1e-3."""
    rng = np.random.default_rng(10)
    shapes = ((5,), (2, 3))
    return [Case((rng.normal(size=s), eps)) for s, eps in zip(shapes, STEPS)]


def _reference(x0, eps):
    """The right gradient, and x unchanged."""
    x = x0.copy()
    return numerical_gradient(lambda: _target(x), x, eps), x0


def _exact(x0):
    """The exact gradient of :func:`_target`, to recognise a step far below eps."""
    grad = 3 * np.cos(3 * x0) * x0**2 + 2 * x0 * np.sin(3 * x0)
    flat = grad.reshape(-1)
    c0, c1 = np.cos(x0.reshape(-1)[:2])
    s0, s1 = np.sin(x0.reshape(-1)[:2])
    flat[0] -= s0 * c1
    flat[1] -= c0 * s1
    return grad


def _forward_difference(x0, eps):
    x = x0.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        base = _target(x)
        original = x[index]
        x[index] = original + eps
        grad[index] = (_target(x) - base) / eps
        x[index] = original
    return grad, x0


def _not_restored(x0, eps):
    """Centred differences that leave each entry at x - eps (the restore is missing)."""
    x = x0.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = _target(x)
        x[index] = original - eps
        grad[index] = (f_plus - _target(x)) / (2 * eps)
    return grad, x


def _tiny_step(x0, eps):
    """What a step far below ``eps`` gives: the exact gradient (if it is not eps's)."""
    if relative_error(_exact(x0), _reference(x0, eps)[0]) < 1e-6:
        return np.full(x0.shape, np.nan), x0  # eps too small to tell: matches nothing
    return _exact(x0), x0


def _minus_first(x0, eps):
    """f(x - eps e_i) first, then f(x + eps e_i), and the entry left at x + eps."""
    x = x0.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original - eps
        f_minus = _target(x)
        x[index] = original + eps
        grad[index] = (_target(x) - f_minus) / (2 * eps)
    return grad, x


def _backward_difference(x0, eps):
    x = x0.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        base = _target(x)
        original = x[index]
        x[index] = original - eps
        grad[index] = (base - _target(x)) / eps
        x[index] = original
    return grad, x0


RESTORE_EXACTLY = (
    "The gradient is right, but x is not exactly as you found it: x[i] += eps, "
    "x[i] -= 2 * eps, x[i] += eps leaves some entries off by a rounding error (the "
    "three additions do not cancel exactly in floating point). Save the entry, "
    "original = x[i], and restore it with x[i] = original, as numerical_gradient "
    "does."
)


@checks("centred_difference", ("f", "x", "eps"))
def check_centred_difference(fn) -> Feedback:
    """Check ``fn(f, x, eps) -> grad``: centred differences of ``f()``.

    ``f`` is a scalar function reading the array ``x``.

    ``fn`` must perturb ``x`` in place one entry at a time, evaluate ``f()`` at ``x +
    eps e_i`` and ``x - eps e_i``, restore the entry, and return an array shaped like
    ``x``: ``grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``. The exercise
    asks for ``x`` to be left *exactly* as it was found: an answer whose gradient is
    right but which leaves an entry off by a rounding error (``+= eps; -= 2 * eps;
    += eps``) fails with :data:`RESTORE_EXACTLY`.
    """
    drifted = []

    def user(x0, eps):
        x = x0.copy()

        def f(*args, **kwargs):
            if args or kwargs:
                raise AnswerError(
                    "f was called with an argument, but f() takes none: it reads the "
                    "array x itself. Change x[i] in place, call f(), and put x[i] "
                    "back."
                )
            return _target(x)

        grad = fn(f, x, eps)
        if not np.array_equal(x, x0) and np.allclose(x, x0, rtol=1e-12, atol=1e-15):
            drifted.append(True)
            return grad, x0  # judged on the gradient; the drift is named at the end
        return grad, x

    mistakes = [
        (
            "This is a forward difference, (f(x + eps) - f(x)) / eps, with an error of "
            "order eps; the centred difference (f(x + eps) - f(x - eps)) / (2 eps) is "
            "accurate to order eps**2.",
            _forward_difference,
        ),
        (
            "The difference is divided by eps; the two points are 2 eps apart, so "
            "divide by 2 eps.",
            lambda x0, eps: (2 * _reference(x0, eps)[0], x0),
        ),
        (
            "The step size is missing from the denominator: the difference is divided "
            "by 2, not by 2 eps, the distance between the two points.",
            lambda x0, eps: (eps * _reference(x0, eps)[0], x0),
        ),
        (
            "The difference f(x + eps) - f(x - eps) is not divided at all: divide it "
            "by 2 eps, the distance between the two points.",
            lambda x0, eps: (2 * eps * _reference(x0, eps)[0], x0),
        ),
        (
            "The perturbed entry is not restored: x[i] is left at x[i] - eps, so every "
            "later evaluation, and the caller, sees a shifted x. Set x[i] back to its "
            "original value after the two evaluations.",
            _not_restored,
        ),
        (
            "Every difference is zero: f() never saw the perturbation. f reads the "
            "array x itself, so perturb x in place (x[i] = old + eps), not a copy of "
            "it.",
            lambda x0, eps: (np.zeros_like(x0), x0),
        ),
        (
            "eps seems hard-coded: the differences use a step much smaller than the "
            "eps passed in (they match the exact derivative, not the centred "
            "difference with this eps). Perturb by the argument eps.",
            _tiny_step,
            1e-7,  # a step of 1e-4 or less is within 1e-7 of the exact derivative here
        ),
        (
            "The entry is left at x[i] + eps: f(x - eps) was evaluated first and x[i] "
            "never set back, so every later evaluation, and the caller, sees a "
            "shifted x. Save original = x[i] and end with x[i] = original.",
            _minus_first,
        ),
        (
            "The sign is flipped: the centred difference is (f(x + eps) - f(x - eps)) "
            "/ (2 eps), the value after the step up minus the value after the step "
            "down.",
            lambda x0, eps: (-_reference(x0, eps)[0], x0),
        ),
        (
            "This is a backward difference, (f(x) - f(x - eps)) / eps, with an error "
            "of order eps; the centred difference (f(x + eps) - f(x - eps)) / (2 eps) "
            "is accurate to order eps**2.",
            _backward_difference,
        ),
    ]
    feedback = diagnose(
        "centred_difference",
        user,
        _cases(),
        _reference,
        mistakes,
        tol=1e-9,
        hint=HINT,
        hyperparameters=[Hyperparameter("eps", 1, (1e-4, 1e-5, 1e-6))],
    )
    if feedback.passed and drifted:
        return Feedback(False, RESTORE_EXACTLY)
    return feedback
