"""The checker of the layer-normalisation exercise (chapter 15), and wrong answers.

The right compact backward of layer norm, per row (the last axis, n features), with
``inv = 1 / sqrt(var + eps)`` and the row's own mean and biased variance:

    dx_hat = dout * gamma
    dX = (inv / n) * (n dx_hat - sum(dx_hat, -1) - x_hat * sum(dx_hat * x_hat, -1))
    dgamma = sum(dout * x_hat, 0),  dbeta = sum(dout, 0)

The ``layernorm_backward_*`` functions below are WRONG ON PURPOSE: each is a slip that
is easy to make when deriving that formula, or when adapting batch norm's. They take
the exercise's arguments ``(dout, X, gamma, eps)`` and return ``(dX, dgamma, dbeta)``,
so a chapter can gradient-check them, and :func:`check_layernorm_backward` uses them as
its list of mistakes. Shapes: dout, X, dX (m, n); gamma, dgamma, dbeta (n,).

The cases have m != n, so that a sum over the wrong axis cannot have the right shape
by chance, and the second case uses eps = 0.1 on rows of variance about 0.1, so that
a forgotten or misplaced eps shows.
"""

from __future__ import annotations

import numpy as np

from ..layernorm import layernorm_forward
from .batchnorm import _with_eps, numerical_norm_gradients
from .feedback import Case, Feedback, Hyperparameter, checks, diagnose

__all__ = [
    "EPS",
    "check_layernorm_backward",
    "layernorm_backward_over_the_batch_axis",
    "layernorm_backward_without_eps",
    "layernorm_backward_without_mean_term",
    "layernorm_backward_without_variance_term",
]

EPS = 1e-5


def _backward(dout, X, gamma, eps=EPS, axis=-1, mean=True, variance=1, root=None):
    """Layer norm's compact backward with the slips of this module as switches.

    ``axis`` is the axis the statistics and the bracket's sums run over (-1 is right);
    ``mean`` keeps the bracket's mean term; ``variance`` multiplies its variance term
    (1 is right, 0 forgets it, -1 flips its sign); ``root(var, eps)`` is the divisor
    (``sqrt(var + eps)`` when None).
    """
    n = X.shape[axis]
    var = X.var(axis=axis, keepdims=True)
    std = np.sqrt(var + eps) if root is None else root(var, eps)
    x_hat = (X - X.mean(axis=axis, keepdims=True)) / std
    dx_hat = dout * gamma
    bracket = n * dx_hat
    if mean:
        bracket = bracket - dx_hat.sum(axis=axis, keepdims=True)
    if variance:
        term = x_hat * np.sum(dx_hat * x_hat, axis=axis, keepdims=True)
        bracket = bracket - variance * term
    return bracket / (n * std), np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def layernorm_backward_over_the_batch_axis(dout, X, gamma, eps=EPS):
    """WRONG ON PURPOSE: batch norm's backward, statistics and sums over axis 0.

    Normalising each feature over the batch is batch norm; layer norm normalises each
    row over its features, axis -1.
    """
    return _backward(dout, X, gamma, eps, axis=0)


def layernorm_backward_without_mean_term(dout, X, gamma, eps=EPS):
    """WRONG ON PURPOSE: the path through the row mean is forgotten.

    The bracket lacks ``-sum(dx_hat, -1)``, so the rows of dX no longer sum to 0.
    """
    return _backward(dout, X, gamma, eps, mean=False)


def layernorm_backward_without_variance_term(dout, X, gamma, eps=EPS):
    """WRONG ON PURPOSE: the path through the row variance is forgotten.

    The bracket lacks ``-x_hat * sum(dx_hat * x_hat, -1)``.
    """
    return _backward(dout, X, gamma, eps, variance=0)


def layernorm_backward_without_eps(dout, X, gamma, eps=EPS):
    """WRONG ON PURPOSE: ``1 / sqrt(var)``, the eps of the forward pass left out."""
    return _backward(dout, X, gamma, eps, root=lambda var, eps: np.sqrt(var))


def _with_parameter_gradients(dgamma=None, dbeta=None):
    """The right backward with ``dgamma(dout, x_hat)`` and/or ``dbeta`` swapped in."""

    def wrong(dout, X, gamma, eps):
        dX, right_dgamma, right_dbeta = _backward(dout, X, gamma, eps)
        x_hat = (X - X.mean(axis=-1, keepdims=True)) / np.sqrt(
            X.var(axis=-1, keepdims=True) + eps
        )
        return (
            dX,
            right_dgamma if dgamma is None else dgamma(dout, x_hat),
            right_dbeta if dbeta is None else dbeta(dout, x_hat),
        )

    return wrong


MISTAKES = [
    (
        "The statistics or the sums run over the batch axis (axis=0): that is batch "
        "norm. Layer norm normalises each row over its own features: mean, variance "
        "and both sums in the bracket over axis=-1 (keepdims=True).",
        layernorm_backward_over_the_batch_axis,
    ),
    (
        "The term through the row mean is missing: mu depends on every feature of the "
        "row, which adds -sum(dx_hat, axis=-1) inside the bracket (and makes each row "
        "of dX sum to 0).",
        layernorm_backward_without_mean_term,
    ),
    (
        "The term through the row variance is missing: var depends on every feature "
        "of the row, which adds -x_hat * sum(dx_hat * x_hat, axis=-1) inside the "
        "bracket.",
        layernorm_backward_without_variance_term,
    ),
    (
        "1 / sqrt(var) has no eps: the forward pass divides by sqrt(var + eps), and so "
        "must the backward (it matters when a row's variance is not large next to "
        "eps).",
        layernorm_backward_without_eps,
    ),
]

INPUT_MISTAKES = [
    (
        "Only the sums in the bracket run over the batch axis: the statistics are per "
        "row, and so are the bracket's two sums, over axis=-1 with keepdims=True.",
        lambda dout, X, gamma, eps: _bracket_over_batch(dout, X, gamma, eps),
    ),
    (
        "The bracket is divided by the batch size m = len(X); layer norm's counts the "
        "features of a row: dX = (inv / n) (n dx_hat - ...) with n = X.shape[-1].",
        lambda dout, X, gamma, eps: _divided_by_batch_size(dout, X, gamma, eps),
    ),
    (
        "eps is outside the square root: 1 / (sqrt(var) + eps); layer norm divides by "
        "sqrt(var + eps).",
        lambda dout, X, gamma, eps: _backward(
            dout, X, gamma, eps, root=lambda var, eps: np.sqrt(var) + eps
        ),
    ),
    (
        "The variance is the unbiased one (ddof=1, divided by n - 1): layer norm "
        "uses the biased variance of the row, X.var(axis=-1), divided by n.",
        lambda dout, X, gamma, eps: _backward(
            dout,
            X,
            gamma,
            eps,
            root=lambda var, eps: np.sqrt(var * X.shape[-1] / (X.shape[-1] - 1) + eps),
        ),
    ),
    (
        "dout was used where dx_hat = dout * gamma belongs: the output is "
        "gamma x_hat + beta, so multiply dout by gamma before the bracket.",
        lambda dout, X, gamma, eps: (
            _backward(dout, X, np.ones_like(gamma), eps)[0],
            *_backward(dout, X, gamma, eps)[1:],
        ),
    ),
    (
        "dgamma or dbeta is a mean over the rows; both are sums: "
        "dgamma = sum(dout * x_hat, axis=0), dbeta = sum(dout, axis=0).",
        lambda dout, X, gamma, eps: (
            _backward(dout, X, gamma, eps)[0],
            *(g / len(X) for g in _backward(dout, X, gamma, eps)[1:]),
        ),
    ),
    (
        "The variance term has the wrong sign: the bracket is n dx_hat - sum(dx_hat) "
        "MINUS x_hat * sum(dx_hat * x_hat), both paths through the statistics "
        "subtracted.",
        lambda dout, X, gamma, eps: _backward(dout, X, gamma, eps, variance=-1),
    ),
    (
        "Only the direct path is there: dX = inv * dx_hat forgets that the row mean "
        "and variance depend on every feature of the row; the bracket needs "
        "-sum(dx_hat, axis=-1) and -x_hat * sum(dx_hat * x_hat, axis=-1).",
        lambda dout, X, gamma, eps: _backward(
            dout, X, gamma, eps, mean=False, variance=0
        ),
    ),
    *(
        (
            "dgamma or dbeta is summed over each row (axis=-1); gamma and beta hold "
            "one value per feature, shared by every row, so their gradients sum over "
            "the rows: dgamma = sum(dout * x_hat, axis=0), dbeta = sum(dout, axis=0).",
            _with_parameter_gradients(**wrong),
        )
        for wrong in (
            {"dgamma": lambda d, x_hat: np.sum(d * x_hat, axis=-1)},
            {"dbeta": lambda d, x_hat: d.sum(axis=-1)},
            {
                "dgamma": lambda d, x_hat: np.sum(d * x_hat, axis=-1),
                "dbeta": lambda d, x_hat: d.sum(axis=-1),
            },
        )
    ),
    (
        "dgamma uses X where x_hat belongs: the output is gamma * x_hat + beta, so "
        "dgamma = sum(dout * x_hat, axis=0), with x_hat the normalised X.",
        lambda dout, X, gamma, eps: _with_parameter_gradients(
            dgamma=lambda d, x_hat: np.sum(d * X, axis=0)
        )(dout, X, gamma, eps),
    ),
    (
        "dbeta is multiplied by gamma: beta is added after the scaling, so "
        "dbeta = sum(dout, axis=0), without gamma.",
        lambda dout, X, gamma, eps: _with_parameter_gradients(
            dbeta=lambda d, x_hat: np.sum(d * gamma, axis=0)
        )(dout, X, gamma, eps),
    ),
]


def _bracket_over_batch(dout, X, gamma, eps):
    """Row statistics right, but the bracket's sums over axis 0 (n = X.shape[-1])."""
    n = X.shape[-1]
    std = np.sqrt(X.var(axis=-1, keepdims=True) + eps)
    x_hat = (X - X.mean(axis=-1, keepdims=True)) / std
    dx_hat = dout * gamma
    bracket = n * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)
    return bracket / (n * std), np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def _divided_by_batch_size(dout, X, gamma, eps):
    """Sums per row, but ``(inv / m) (m dx_hat - ...)`` with m = len(X), as in BN."""
    m = len(X)
    std = np.sqrt(X.var(axis=-1, keepdims=True) + eps)
    x_hat = (X - X.mean(axis=-1, keepdims=True)) / std
    dx_hat = dout * gamma
    bracket = (
        m * dx_hat
        - dx_hat.sum(axis=-1, keepdims=True)
        - x_hat * np.sum(dx_hat * x_hat, axis=-1, keepdims=True)
    )
    return bracket / (m * std), np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def _cases() -> list[Case]:
    """(dout, X, gamma, eps): m != n, row variances and gamma far from 1.

    The first case uses eps = 1e-5 on rows of variance about 9; the second eps = 0.1
    on rows of variance about 0.1, so that where eps sits (and whether it is used)
    shows.
    """
    rng = np.random.default_rng(15)
    cases = []
    for (m, n), scale, eps in [((4, 6), 3.0, EPS), ((5, 3), 0.3, 0.1)]:
        X = rng.normal(size=(m, n)) * scale + rng.normal(size=(m, 1)) * 2
        gamma = rng.normal(size=n) + 1.5
        cases.append(Case((rng.normal(size=(m, n)), X, gamma, eps)))
    return cases


def _numerical(dout, X, gamma, eps=EPS):
    """Centred differences of ``sum(layernorm_forward(X, gamma, 0, eps) * dout)``."""
    return numerical_norm_gradients(layernorm_forward, dout, X, gamma, eps)


@checks("layernorm_backward", None)
def check_layernorm_backward(fn) -> Feedback:
    """Check ``fn(dout, X, gamma, eps) -> (dX, dgamma, dbeta)``: layer norm's backward.

    Shapes: dout and X (m, n), gamma (n,) -> dX (m, n), dgamma (n,), dbeta (n,); eps
    is a number (``eps=1e-5`` as the default; a keyword-only ``*, eps=1e-5`` is
    accepted too, and passed by keyword). The reference is a numerical gradient; a
    wrong answer is matched against :data:`MISTAKES` and :data:`INPUT_MISTAKES`.
    """
    with_eps = _with_eps(fn)
    if with_eps is None:
        return Feedback(
            False,
            "layernorm_backward must take eps as its fourth argument, "
            "layernorm_backward(dout, X, gamma, eps=1e-5): the checker passes "
            "different values of eps, and the formula must use the one it is given.",
        )
    return diagnose(
        "layernorm_backward",
        with_eps,
        _cases(),
        _numerical,
        MISTAKES + INPUT_MISTAKES,
        hint=(
            "Recompute, per row, x_hat and inv = 1 / sqrt(var + eps) from X (biased "
            "variance over axis=-1). If dX is wrong: dX = (inv / n) (n dx_hat - "
            "sum(dx_hat) - x_hat sum(dx_hat x_hat)) with dx_hat = dout * gamma and "
            "both sums over axis=-1, keepdims=True. If dgamma or dbeta is wrong: "
            "dgamma = sum(dout * x_hat, axis=0), dbeta = sum(dout, axis=0)."
        ),
        hyperparameters=[Hyperparameter("eps", 3, (1e-5, 1e-3, 1e-8))],
        output_names=("dX", "dgamma", "dbeta"),
        protected={
            2: "The gradients are right, but gamma was changed in place: a backward "
            "pass must leave the parameters alone."
        },
    )
