"""Checkers for the initialisation exercises (chapter 9).

An initialiser returns random numbers, so these checkers compare *statistics* of a large
seeded draw with what each formula, right or wrong, predicts. The statistics are

    (mean, std, mean |w|)

of a (400, 100) draw: the mean catches a shifted range such as U(0, a), the std the scale,
and ``mean |w| / std`` the shape of the distribution (sqrt(2 / pi) = 0.80 for a normal,
sqrt(3) / 2 = 0.87 for a uniform), so a uniform draw with the right variance does not pass
for a normal one. Fan-in and fan-out differ on purpose, so mixing them up is caught.

:func:`check_block_backward` checks the backward pass of one ``Dense -> ReLU`` block, whose
variance the chapter's backward argument describes.
"""

from __future__ import annotations

import numpy as np

from ..activations import relu_backward, relu_forward
from ..dense import dense_backward, dense_forward
from .feedback import Case, Feedback, diagnose

N_IN, N_OUT = 400, 100  # unequal on purpose: fan-in and fan-out mistakes then differ
SEEDS = (0, 1)
TOL = 0.01  # sampling noise of these statistics is about 0.2 %; the mistakes differ by 3 % or more
HINT = "Compare the mean, the standard deviation and the shape (normal or uniform) of your draw with the formula."


def draw_statistics(fn, seed: int) -> np.ndarray:
    """``[mean, std, mean |w|]`` of ``fn(N_IN, N_OUT, default_rng(seed))``; shape (3,).

    ``ValueError`` if ``fn`` does not return an ``(N_IN, N_OUT)`` array.
    """
    W = np.asarray(fn(N_IN, N_OUT, np.random.default_rng(seed)), dtype=np.float64)
    if W.shape != (N_IN, N_OUT):
        raise ValueError(f"the initialiser returned shape {W.shape}, expected (n_in, n_out) = ({N_IN}, {N_OUT})")
    return np.array([W.mean(), W.std(), np.abs(W).mean()])


def normal_statistics(std: float, mean: float = 0.0):
    """What ``N(mean, std**2)`` predicts for :func:`draw_statistics` (mean |w| for mean 0 only)."""
    return lambda seed: np.array([mean, std, std * np.sqrt(2 / np.pi)])


def uniform_statistics(low: float, high: float):
    """What ``U(low, high)`` with ``low <= 0 <= high`` predicts for :func:`draw_statistics`."""
    mean = (low + high) / 2
    std = (high - low) / np.sqrt(12)
    mean_abs = (low**2 + high**2) / (2 * (high - low))
    return lambda seed: np.array([mean, std, mean_abs])


def _check(name, fn, right, mistakes) -> Feedback:
    cases = [Case((seed,)) for seed in SEEDS]
    return diagnose(name, lambda seed: draw_statistics(fn, seed), cases, right, mistakes, tol=TOL, hint=HINT)


def check_he_normal(fn) -> Feedback:
    """Check ``fn(n_in, n_out, rng) -> W``: a He normal draw, ``N(0, 2 / n_in)``, std ``sqrt(2 / n_in)``."""
    std = np.sqrt(2 / N_IN)
    mistakes = [
        (
            "The variance 2/n_in was used as the standard deviation: N(0, sqrt(2/n)) names the std, "
            "and rng.normal takes the std, so pass scale=np.sqrt(2 / n_in).",
            normal_statistics(2 / N_IN),
        ),
        (
            "The fan-out n_out was used: He keeps the forward variance, which sums over the n_in inputs "
            "of a unit, so std = sqrt(2 / n_in).",
            normal_statistics(np.sqrt(2 / N_OUT)),
        ),
        (
            "n_in + n_out is Xavier's denominator; He uses std = sqrt(2 / n_in).",
            normal_statistics(np.sqrt(2 / (N_IN + N_OUT))),
        ),
        (
            "The factor 2 is missing: that is LeCun's std, sqrt(1 / n_in); ReLU halves the second moment, "
            "so He doubles the variance back: std = sqrt(2 / n_in).",
            normal_statistics(np.sqrt(1 / N_IN)),
        ),
        (
            "The draw is uniform (He uniform); the exercise asks for a normal draw: "
            "rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)).",
            uniform_statistics(-np.sqrt(3) * std, np.sqrt(3) * std),
        ),
    ]
    return _check("he_normal", fn, normal_statistics(std), mistakes)


def check_xavier_uniform(fn) -> Feedback:
    """Check ``fn(n_in, n_out, rng) -> W``: ``U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``."""
    fans = N_IN + N_OUT
    limit = np.sqrt(6 / fans)
    mistakes = [
        (
            "The limit is the standard deviation sqrt(2 / (n_in + n_out)); U(-a, a) has std a / sqrt(3), "
            "so the limit must be sqrt(3) times the std: a = sqrt(6 / (n_in + n_out)).",
            uniform_statistics(-np.sqrt(2 / fans), np.sqrt(2 / fans)),
        ),
        (
            "The square root is missing: the limit is a = sqrt(6 / (n_in + n_out)), not 6 / (n_in + n_out).",
            uniform_statistics(-6 / fans, 6 / fans),
        ),
        (
            "Only n_in was used (that is He uniform, sqrt(6 / n_in)): Xavier averages the fans, "
            "a = sqrt(6 / (n_in + n_out)).",
            uniform_statistics(-np.sqrt(6 / N_IN), np.sqrt(6 / N_IN)),
        ),
        (
            "Only n_out was used: Xavier averages the fans, a = sqrt(6 / (n_in + n_out)).",
            uniform_statistics(-np.sqrt(6 / N_OUT), np.sqrt(6 / N_OUT)),
        ),
        (
            "The range is [0, a]: the weights must be centred, drawn from U(-a, a).",
            uniform_statistics(0.0, limit),
        ),
        (
            "The draw is normal with the right variance (Xavier normal); the exercise asks for a uniform draw: "
            "rng.uniform(-a, a, size=(n_in, n_out)).",
            normal_statistics(limit / np.sqrt(3)),
        ),
    ]
    return _check("xavier_uniform", fn, uniform_statistics(-limit, limit), mistakes)


def _block_cases(seed: int) -> list[Case]:
    """Random (dA, X, W) with n_in != n_out, so a missing transpose cannot go unnoticed."""
    rng = np.random.default_rng(seed)
    return [
        Case((rng.normal(size=(m, n_out)), rng.normal(size=(m, n_in)), rng.normal(size=(n_in, n_out))))
        for m, n_in, n_out in ((6, 5, 3), (4, 2, 7), (9, 8, 4))
    ]


def _block_reference(dA, X, W):
    """The gradient dX of ``A = relu(X @ W)`` for upstream ``dA``, by bp_lib's own (gradient-checked) pairs."""
    Z, dense_cache = dense_forward(X, W, np.zeros(W.shape[1]))
    _, relu_cache = relu_forward(Z)
    return dense_backward(relu_backward(dA, relu_cache), dense_cache)[0]


def check_block_backward(fn) -> Feedback:
    """Check ``fn(dA, X, W) -> dX`` for one block ``A = relu(X @ W)``: ``dX = (dA * (X @ W > 0)) @ W.T``.

    Shapes: dA (m, n_out), X (m, n_in), W (n_in, n_out) -> dX (m, n_in).
    """
    mistakes = [
        (
            "The ReLU mask is missing: the gradient only flows through units that were on, "
            "dX = (dA * (Z > 0)) @ W.T with Z = X @ W.",
            lambda dA, X, W: dA @ W.T,
        ),
        (
            "The ReLU mask is taken from dA; it must come from the forward pass, Z = X @ W: dA * (Z > 0).",
            lambda dA, X, W: (dA * (dA > 0)) @ W.T,
        ),
        (
            "The mask was taken from the input X after the product; mask first, with Z = X @ W: "
            "dX = (dA * (Z > 0)) @ W.T.",
            lambda dA, X, W: (dA @ W.T) * (X > 0),
        ),
        (
            "The ReLU was applied to the product, relu(dA @ W.T): the mask comes from Z = X @ W, "
            "and is applied to dA before the product.",
            lambda dA, X, W: np.maximum(dA @ W.T, 0),
        ),
    ]
    return diagnose("block_backward", fn, _block_cases(7), _block_reference, mistakes)
