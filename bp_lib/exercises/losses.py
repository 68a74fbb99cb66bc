"""Checkers for the loss-function exercises (chapter 5)."""

from __future__ import annotations

import numpy as np

from ..activations import softmax
from ..gradcheck import numerical_gradient
from ..losses import one_hot
from .feedback import Case, Feedback, checks, diagnose


def _mse_cases() -> list[Case]:
    rng = np.random.default_rng(5)
    return [
        Case((rng.normal(size=shape), rng.normal(size=shape)))
        for shape in ((4, 3), (6, 1), (2, 5))
    ]


def _mse_reference(Y_hat, Y):
    Y_hat = Y_hat.copy()
    return numerical_gradient(lambda: np.mean((Y_hat - Y) ** 2), Y_hat)


@checks("mse_gradient", ("Y_hat", "Y"))
def check_mse_gradient(fn) -> Feedback:
    """Check ``fn(Y_hat, Y) -> dY_hat`` for ``L = mean((Y_hat - Y)**2)``.

    The mean runs over *all* elements.
    """
    mistakes = [
        (
            "The 1/m is missing: the loss is a mean over all Y_hat.size elements, so "
            "its gradient is 2 (Y_hat - Y) / Y_hat.size.",
            lambda Y_hat, Y: 2 * (Y_hat - Y),
        ),
        (
            "The factor 2 is missing: that is the gradient of the loss with a 1/2 in "
            "front, mean((Y_hat - Y)**2) / 2, not of this one.",
            lambda Y_hat, Y: (Y_hat - Y) / Y_hat.size,
        ),
        (
            "The gradient is divided by the number of rows m, but the mean runs over "
            "all m * k elements: divide by Y_hat.size.",
            lambda Y_hat, Y: 2 * (Y_hat - Y) / len(Y_hat),
        ),
        (
            "The gradient is divided by the number of columns, Y_hat.shape[1], but "
            "the mean runs over all elements: divide by Y_hat.size.",
            lambda Y_hat, Y: 2 * (Y_hat - Y) / Y_hat.shape[1],
        ),
        (
            "The sign is flipped: d/dY_hat of (Y_hat - Y)**2 is +2 (Y_hat - Y).",
            lambda Y_hat, Y: -2 * (Y_hat - Y) / Y_hat.size,
        ),
        (
            "Both the factor 2 and the 1/size are missing: the gradient of "
            "mean((Y_hat - Y)**2) is 2 (Y_hat - Y) / Y_hat.size.",
            lambda Y_hat, Y: Y_hat - Y,
        ),
        (
            "The square was kept in the gradient: d/dY_hat of (Y_hat - Y)**2 is "
            "2 (Y_hat - Y), so the gradient is 2 (Y_hat - Y) / Y_hat.size.",
            lambda Y_hat, Y: (Y_hat - Y) ** 2 / Y_hat.size,
        ),
        (
            "The gradient was reduced to one number (a mean or a sum): it has one "
            "entry per prediction, the shape of Y_hat.",
            lambda Y_hat, Y: np.mean(2 * (Y_hat - Y)),
        ),
    ]
    return diagnose(
        "mse_gradient",
        fn,
        _mse_cases(),
        _mse_reference,
        mistakes,
        hint="The gradient of mean((Y_hat - Y)**2) over all entries is "
        "2 (Y_hat - Y) / Y_hat.size, one entry per prediction.",
    )


def _cross_entropy_cases() -> list[Case]:
    """Random logits and labels; the one-row batch comes first.

    With one row, ``softmax(Z) - y`` (integer labels, no one-hot) broadcasts to the
    right shape instead of raising, so that mistake can be recognised and named.
    """
    rng = np.random.default_rng(6)
    return [
        Case((rng.normal(size=(m, k)) * 2, rng.integers(0, k, size=m)))
        for m, k in ((1, 4), (5, 3), (7, 2))
    ]


def _cross_entropy_reference(Z, y):
    Z = Z.copy()
    Y = one_hot(y, Z.shape[1])
    return numerical_gradient(lambda: -np.sum(Y * np.log(softmax(Z))) / len(Z), Z)


@checks("softmax_cross_entropy_gradient", ("Z", "y"))
def check_softmax_cross_entropy_gradient(fn) -> Feedback:
    """Check ``fn(Z, y) -> dZ``.

    For the mean softmax cross-entropy; Z (m, K), y int labels (m,).
    """
    mistakes = [
        (
            "The gradient is not divided by m: the loss is a mean over the batch, so "
            "dZ = (softmax(Z) - Y) / m.",
            lambda Z, y: softmax(Z) - one_hot(y, Z.shape[1]),
        ),
        (
            "Z - Y was used, but the gradient needs the probabilities: dZ = "
            "(softmax(Z) - Y) / m.",
            lambda Z, y: (Z - one_hot(y, Z.shape[1])) / len(Z),
        ),
        (
            "The integer labels y were subtracted directly (softmax(Z) - y): the "
            "gradient needs the one-hot targets, Y[i, y[i]] = 1 and 0 elsewhere, so dZ "
            "= (softmax(Z) - Y) / m.",
            lambda Z, y: (softmax(Z) - y[:, None]) / len(Z),
        ),
        (
            "The sign is flipped: dZ = (softmax(Z) - Y) / m, probabilities minus "
            "targets.",
            lambda Z, y: (one_hot(y, Z.shape[1]) - softmax(Z)) / len(Z),
        ),
        (
            "This is the gradient with respect to the probabilities, -Y / (m s); the "
            "exercise asks for the logits Z, through the softmax: dZ = (s - Y) / m.",
            lambda Z, y: -one_hot(y, Z.shape[1]) / softmax(Z) / len(Z),
        ),
        (
            "The gradient is divided by the number of classes K, or by m K: the loss "
            "is a mean over the m examples only, so dZ = (softmax(Z) - Y) / m.",
            lambda Z, y: (softmax(Z) - one_hot(y, Z.shape[1])) / Z.size,
        ),
        (
            "The softmax was normalised over the batch (axis=0): each row is one "
            "example's distribution over the classes, so divide exp(Z) by its sum "
            "over axis=1, keepdims=True.",
            lambda Z, y: (
                (
                    np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
                    - one_hot(y, Z.shape[1])
                )
                / len(Z)
            ),
        ),
        (
            "The softmax was normalised over the whole array (np.sum without an "
            "axis): each row is one example's distribution, so divide exp(Z) by its "
            "sum over axis=1, keepdims=True.",
            lambda Z, y: (
                (np.exp(Z) / np.exp(Z).sum() - one_hot(y, Z.shape[1])) / len(Z)
            ),
        ),
        (
            "The sigmoid was used instead of the softmax: the classes of a row "
            "compete, so the probabilities are softmax(Z), each row summing to 1.",
            lambda Z, y: (1 / (1 + np.exp(-Z)) - one_hot(y, Z.shape[1])) / len(Z),
        ),
    ]
    return diagnose(
        "softmax_cross_entropy_gradient",
        fn,
        _cross_entropy_cases(),
        _cross_entropy_reference,
        mistakes,
        hint="The gradient of the mean softmax cross-entropy at the logits is "
        "(softmax(Z) - Y) / m, Y the one-hot targets.",
    )
