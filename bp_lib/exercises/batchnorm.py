"""Checkers for the batch-normalisation exercises (chapter 11), and wrong answers.

The right compact backward of training-mode batch norm, with
``inv = 1 / sqrt(var + eps)``:

    dx_hat = dout * gamma
    dX = (inv / m) * (m dx_hat - sum(dx_hat, 0) - x_hat * sum(dx_hat * x_hat, 0))

The ``batchnorm_backward_*`` functions below are WRONG ON PURPOSE: each is a slip
that is easy to make when deriving that formula by hand. They take the cache of
:func:`bp_lib.batchnorm_forward`, ``(x_hat, gamma, inv)``, and return
``(dX, dgamma, dbeta)`` like :func:`bp_lib.batchnorm_backward`, so a chapter can run a
gradient check on them, and :func:`check_batchnorm_backward` uses them as its list of
mistakes. Only ``dX`` is wrong.
Shapes: dout, x_hat, dX (m, n); gamma, inv, dgamma, dbeta (n,).

:func:`check_batchnorm_backward` passes eps to the reader's function and varies it
between its cases (1e-5, then 0.1 on features of small variance), so that an eps
written into the function, or put in the wrong place, shows.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..batchnorm import batchnorm_forward
from ..book.bugs import batchnorm_backward_double_division
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, Hyperparameter, checks, diagnose

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
    """Return ``dgamma = sum(dout * x_hat, 0)`` and ``dbeta = sum(dout, 0)``.

    Both have shape (n,), and both are right in every variant.
    """
    return np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def batchnorm_backward_without_mean_term(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: the path through the batch mean is forgotten.

    Computes ``dX = (inv / m) * (m dx_hat - x_hat * sum(dx_hat * x_hat, 0))``: the term
    ``-sum(dx_hat, 0)``, which comes from mu depending on every row, is missing, so dX
    no longer sums to 0 over the batch.
    """
    x_hat, gamma, inv = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dX = (inv / m) * (m * dx_hat - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return (dX, *_parameter_gradients(dout, x_hat))


def batchnorm_backward_without_variance_term(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: the path through the batch variance is forgotten.

    Computes ``dX = (inv / m) * (m dx_hat - sum(dx_hat, 0))``: the term ``-x_hat *
    sum(dx_hat * x_hat, 0)``, which comes from var depending on every row, is missing.
    """
    x_hat, gamma, inv = cache
    m = dout.shape[0]
    dx_hat = dout * gamma
    dX = (inv / m) * (m * dx_hat - dx_hat.sum(axis=0))
    return (dX, *_parameter_gradients(dout, x_hat))


def batchnorm_backward_dout_for_dx_hat(dout: np.ndarray, cache):
    """WRONG ON PURPOSE: ``dout`` is used where ``dx_hat = dout * gamma`` belongs.

    The output is ``gamma * x_hat + beta``, so the gradient reaching x_hat is scaled by
    gamma; this variant drops that factor (and is right only when gamma is all ones, as
    at initialisation).
    """
    x_hat, _, inv = cache
    m = dout.shape[0]
    dX = (inv / m) * (
        m * dout - dout.sum(axis=0) - x_hat * np.sum(dout * x_hat, axis=0)
    )
    return (dX, *_parameter_gradients(dout, x_hat))


def _cases() -> list[Case]:
    """(dout, X, gamma, eps): variances and gamma far from 1, so no factor can hide.

    The first case uses the usual eps = 1e-5; the second eps = 0.1 on features whose
    variance is about 0.1, so where eps sits (and whether it is used) shows.
    """
    rng = np.random.default_rng(12)
    cases = []
    for (m, n), scale, eps in [((6, 3), 3.0, EPS), ((4, 5), 0.3, 0.1)]:
        X = rng.normal(size=(m, n)) * scale + 2
        cases.append(Case((rng.normal(size=(m, n)), X, rng.normal(size=n) + 1, eps)))
    return cases


def numerical_norm_gradients(forward, dout, X, gamma, eps):
    """Centred differences of ``sum(forward(X, gamma, 0, eps)[0] * dout)``.

    ``forward`` is batch norm's or layer norm's forward pass; ``X`` and ``gamma`` are
    copied. Returns the gradients for X, gamma and beta (= 0 here).
    """
    X, gamma, beta = X.copy(), gamma.copy(), np.zeros_like(gamma)

    def f():
        return np.sum(forward(X, gamma, beta, eps)[0] * dout)

    return tuple(numerical_gradient(f, array) for array in (X, gamma, beta))


def _numerical(dout, X, gamma, eps=EPS):
    """Centred differences of sum(batchnorm_forward(X, gamma, beta) * dout)."""
    return numerical_norm_gradients(batchnorm_forward, dout, X, gamma, eps)


def _on_inputs(wrong_backward):
    """Turn a ``(dout, cache)`` backward into the exercise's signature.

    That is ``(dout, X, gamma, eps)``.
    """

    def from_inputs(dout, X, gamma, eps=EPS):
        _, cache = batchnorm_forward(X, gamma, np.zeros_like(gamma), eps)
        return wrong_backward(dout, cache)

    return from_inputs


def _compact(dout, X, gamma, eps=EPS, ddof=0, eps_outside=False):
    """The compact backward from the inputs, with the two statistics slips as switches.

    ``ddof=1`` uses the unbiased variance; ``eps_outside`` computes
    ``inv = 1 / (sqrt(var) + eps)`` instead of ``1 / sqrt(var + eps)``.
    """
    m = len(X)
    var = X.var(axis=0, ddof=ddof)
    inv = 1 / (np.sqrt(var) + eps) if eps_outside else 1 / np.sqrt(var + eps)
    x_hat = (X - X.mean(axis=0)) * inv
    dx_hat = dout * gamma
    bracket = m * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)
    return (inv / m) * bracket, *_parameter_gradients(dout, x_hat)


MISTAKES = [
    (
        "The mean's term is divided by the standard deviation twice: "
        "dX = (1 / (m std)) (m dx_hat - sum(dx_hat) - x_hat sum(dx_hat x_hat)), one "
        "1/std in front of the whole bracket and none inside.",
        batchnorm_backward_double_division,
    ),
    (
        "The term through the batch mean is missing: mu depends on every row, which "
        "adds -sum(dx_hat) inside the bracket (and makes dX sum to 0 over the batch).",
        batchnorm_backward_without_mean_term,
    ),
    (
        "The term through the variance is missing: var depends on every row, which "
        "adds -x_hat sum(dx_hat x_hat) inside the bracket.",
        batchnorm_backward_without_variance_term,
    ),
    (
        "dout was used where dx_hat = dout * gamma belongs: the output is "
        "gamma x_hat + beta, so multiply dout by gamma before the bracket.",
        batchnorm_backward_dout_for_dx_hat,
    ),
]

INPUT_MISTAKES = [
    (
        "The variance is the unbiased one (ddof=1, divided by m - 1): batch norm "
        "normalises with the biased batch variance, X.var(axis=0), divided by m.",
        lambda dout, X, gamma, eps: _compact(dout, X, gamma, eps, ddof=1),
    ),
    (
        "eps is outside the square root: 1 / (sqrt(var) + eps); batch norm divides by "
        "sqrt(var + eps).",
        lambda dout, X, gamma, eps: _compact(dout, X, gamma, eps, eps_outside=True),
    ),
    (
        "dgamma used X instead of x_hat: the output is gamma x_hat + beta, so "
        "dgamma = sum(dout * x_hat, axis=0).",
        lambda dout, X, gamma, eps: (
            _compact(dout, X, gamma, eps)[0],
            np.sum(dout * X, axis=0),
            dout.sum(axis=0),
        ),
    ),
    (
        "dgamma or dbeta is a mean over the batch; both are sums: "
        "dgamma = sum(dout * x_hat, axis=0), dbeta = sum(dout, axis=0).",
        lambda dout, X, gamma, eps: (
            _compact(dout, X, gamma, eps)[0],
            *(g / len(X) for g in _compact(dout, X, gamma, eps)[1:]),
        ),
    ),
]


def _binds(fn, *args, **kwargs) -> bool:
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _with_eps(fn):
    """``fn`` as a function of ``(dout, X, gamma, eps)``, or None if it takes no eps.

    eps may be the fourth positional argument, or a keyword-only argument named eps
    (``def f(dout, X, gamma, *, eps=1e-5)``), which is then passed by keyword.
    """
    try:
        inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to read (a builtin): call it as is
        return fn
    if _binds(fn, None, None, None, None):
        return fn
    if _binds(fn, None, None, None, eps=None):

        def by_keyword(dout, X, gamma, eps):
            return fn(dout, X, gamma, eps=eps)

        return by_keyword
    return None


@checks("batchnorm_backward", None)
def check_batchnorm_backward(fn) -> Feedback:
    """Check ``fn(dout, X, gamma, eps) -> (dX, dgamma, dbeta)``: batch norm's backward.

    Training mode, with the batch's own statistics.

    Shapes: dout and X (m, n), gamma (n,) -> dX (m, n), dgamma (n,), dbeta (n,);
    eps is a number (write the function with ``eps=1e-5`` as its default; a
    keyword-only ``*, eps=1e-5`` is accepted too, and passed by keyword). The
    reference is a numerical gradient; a wrong answer is matched against
    :data:`MISTAKES` and :data:`INPUT_MISTAKES`.
    """
    with_eps = _with_eps(fn)
    if with_eps is None:
        return Feedback(
            False,
            "batchnorm_backward must take eps as its fourth argument, "
            "batchnorm_backward(dout, X, gamma, eps=1e-5): the checker passes "
            "different values of eps, and the formula must use the one it is given.",
        )
    mistakes = [(message, _on_inputs(wrong)) for message, wrong in MISTAKES]
    return diagnose(
        "batchnorm_backward",
        with_eps,
        _cases(),
        _numerical,
        mistakes + INPUT_MISTAKES,
        hint=(
            "Recompute x_hat and inv = 1 / sqrt(var + eps) from X (biased variance), "
            "then dX = (inv / m) (m dx_hat - sum(dx_hat) - x_hat sum(dx_hat x_hat)) "
            "with dx_hat = dout * gamma."
        ),
        hyperparameters=[Hyperparameter("eps", 3, (1e-5, 1e-3, 1e-8))],
        output_names=("dX", "dgamma", "dbeta"),
        protected={
            2: "The gradients are right, but gamma was changed in place: a backward "
            "pass must leave the parameters alone."
        },
    )
