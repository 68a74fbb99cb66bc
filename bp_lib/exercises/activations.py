"""Checkers for the activation-function exercises (chapter 4)."""

from __future__ import annotations

import numpy as np

from ..activations import relu_forward, sigmoid, softmax
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, checks, diagnose


def _backward_cases(seed: int, shapes=((3, 5), (1, 4), (6, 2))) -> list[Case]:
    """Random (Z, dA) pairs, Z kept away from 0 so ReLU's kink is never hit."""
    rng = np.random.default_rng(seed)
    cases = []
    for shape in shapes:
        Z = rng.normal(size=shape)
        Z += np.sign(Z) * 0.1  # |Z| >= 0.1
        cases.append(Case((Z, rng.normal(size=shape))))
    return cases


def _numerical_backward(activation):
    """DZ for upstream dA.

    The numerical gradient of sum(activation(Z) * dA) w.r.t. Z.
    """

    def reference(Z, dA):
        Z = Z.copy()
        return numerical_gradient(lambda: np.sum(activation(Z) * dA), Z)

    return reference


def _elementwise_hint(local: str) -> str:
    return (
        f"An element-wise activation's backward pass is dZ = dA * f'(Z), with "
        f"f'(Z) = {local}: check the local derivative, then the product with dA."
    )


@checks("sigmoid_backward", ("Z", "dA"))
def check_sigmoid_backward(fn) -> Feedback:
    """Check ``fn(Z, dA) -> dZ``.

    The backward pass of the sigmoid written in terms of Z.
    """

    def s(Z):
        return sigmoid(Z)

    mistakes = [
        (
            "The formula s(1 - s) was applied to Z itself: it needs s = sigmoid(Z), so "
            "compute s first.",
            lambda Z, dA: dA * Z * (1 - Z),
        ),
        (
            "The derivative was evaluated at the activation a = sigmoid(Z) instead of "
            "at Z: sigmoid'(z) = s(1 - s) with s = sigmoid(z), not sigmoid(a)(1 - "
            "sigmoid(a)).",
            lambda Z, dA: dA * s(s(Z)) * (1 - s(s(Z))),
        ),
        (
            "The upstream gradient dA is missing: multiply the local derivative by dA.",
            lambda Z, dA: s(Z) * (1 - s(Z)),
        ),
        (
            "This is tanh's derivative pattern 1 - s**2; the sigmoid's is s(1 - s) "
            "with s = sigmoid(Z).",
            lambda Z, dA: dA * (1 - s(Z) ** 2),
        ),
        (
            "dA was multiplied by the sigmoid itself, not by its derivative: "
            "dZ = dA * s * (1 - s).",
            lambda Z, dA: dA * s(Z),
        ),
        (
            "The sign is flipped: sigmoid'(z) = s(1 - s) is positive, so dZ has the "
            "sign of dA.",
            lambda Z, dA: -dA * s(Z) * (1 - s(Z)),
        ),
    ]
    return diagnose(
        "sigmoid_backward",
        fn,
        _backward_cases(4),
        _numerical_backward(sigmoid),
        mistakes,
        hint=_elementwise_hint("s(1 - s) with s = sigmoid(Z)"),
    )


@checks("relu_backward", ("Z", "dA"))
def check_relu_backward(fn) -> Feedback:
    """Check ``fn(Z, dA) -> dZ``, the backward pass of ReLU: ``dZ = dA * (Z > 0)``."""
    mistakes = [
        (
            "The ReLU mask is taken from dA (the upstream gradient), but it must come "
            "from the forward input Z: dZ = dA * (Z > 0).",
            lambda Z, dA: dA * (dA > 0),
        ),
        (
            "dA was passed through unchanged: multiply it by the mask (Z > 0), which "
            "is 0 where the unit was off in the forward pass.",
            lambda Z, dA: dA,
        ),
        (
            "The upstream gradient dA is missing: multiply the mask (Z > 0) by dA.",
            lambda Z, dA: (Z > 0).astype(float),
        ),
        (
            "The mask is inverted: the gradient flows where the unit was on, Z > 0, "
            "and is 0 where it was off.",
            lambda Z, dA: dA * (Z < 0),
        ),
        (
            "dA was multiplied by ReLU(Z), the activation, instead of by its "
            "derivative, the 0/1 mask (Z > 0).",
            lambda Z, dA: dA * np.maximum(Z, 0),
        ),
        (
            "dA was multiplied by Z: ReLU's derivative is not z but the step "
            "[z > 0], so dZ = dA * (Z > 0).",
            lambda Z, dA: dA * Z,
        ),
        (
            "The ReLU was applied to dA, max(dA, 0), with the mask from Z as well: the "
            "backward pass only masks, dZ = dA * (Z > 0), keeping negative gradients.",
            lambda Z, dA: np.maximum(dA, 0) * (Z > 0),
        ),
    ]
    reference = _numerical_backward(lambda Z: relu_forward(Z)[0])
    return diagnose(
        "relu_backward",
        fn,
        _backward_cases(5),
        reference,
        mistakes,
        hint=_elementwise_hint("the mask (Z > 0)"),
    )


def _softmax_cases(seed: int) -> list[Case]:
    """(Z, dS) pairs; the first batch is square (m = K).

    There a row sum without keepdims broadcasts along the wrong axis instead of
    raising, so that mistake can be named.
    """
    rng = np.random.default_rng(seed)
    return [
        Case((rng.normal(size=shape) * 2, rng.normal(size=shape)))
        for shape in ((4, 4), (3, 5), (1, 4))
    ]


def _with_s(s, dS):
    """The right backward formula applied to a given (possibly wrong) softmax s."""
    return s * (dS - np.sum(dS * s, axis=1, keepdims=True))


@checks("softmax_backward", ("Z", "dS"))
def check_softmax_backward(fn) -> Feedback:
    """Check ``fn(Z, dS) -> dZ``.

    The backward pass of a row-wise softmax (shapes (m, K)).
    """

    def row_sum(Z, dS, **kwargs):
        return np.sum(dS * softmax(Z), **kwargs)

    mistakes = [
        (
            "Only the diagonal of the Jacobian was used (dS * s * (1 - s)): softmax "
            "couples the entries of a row, so "
            "dZ = s * (dS - sum(dS * s, axis=1, keepdims=True)).",
            lambda Z, dS: dS * softmax(Z) * (1 - softmax(Z)),
        ),
        (
            "The sum runs over the batch (axis=0); it must run over the classes of "
            "each row (axis=1).",
            lambda Z, dS: softmax(Z) * (dS - row_sum(Z, dS, axis=0, keepdims=True)),
        ),
        (
            "The correction term is missing: dZ = s * (dS - sum(dS * s)), not s * dS.",
            lambda Z, dS: softmax(Z) * dS,
        ),
        (
            "The row sums lost their axis (keepdims=False), so they were broadcast "
            "along the rows: use np.sum(dS * s, axis=1, keepdims=True), shape (m, 1).",
            lambda Z, dS: softmax(Z) * (dS - row_sum(Z, dS, axis=1)),
        ),
        (
            "The sum runs over the whole batch at once: each row has its own "
            "sum(dS * s) over its classes, axis=1, keepdims=True.",
            lambda Z, dS: softmax(Z) * (dS - row_sum(Z, dS)),
        ),
        (
            "The leading factor s is missing: dZ = s * (dS - sum(dS * s, axis=1, "
            "keepdims=True)).",
            lambda Z, dS: dS - row_sum(Z, dS, axis=1, keepdims=True),
        ),
        (
            "This is s - dS, the gradient of softmax and cross-entropy combined (with "
            "dS in the place of the one-hot Y), not the backward pass of softmax "
            "alone: dZ = s * (dS - sum(dS * s, axis=1, keepdims=True)).",
            lambda Z, dS: softmax(Z) - dS,
        ),
        (
            "The sign is flipped: dZ = s * (dS - sum(dS * s, axis=1, keepdims=True)), "
            "dS minus its s-weighted row sum.",
            lambda Z, dS: -softmax(Z) * (dS - row_sum(Z, dS, axis=1, keepdims=True)),
        ),
        (
            "The s inside the sum is missing: the row sum is sum(dS * s, axis=1, "
            "keepdims=True), the s-weighted sum, not sum(dS).",
            lambda Z, dS: softmax(Z) * (dS - np.sum(dS, axis=1, keepdims=True)),
        ),
        (
            "The term s * dS is missing: dZ = s * dS - s * sum(dS * s, axis=1, "
            "keepdims=True); the Jacobian is diag(s) - s s^T, and diag(s) gives "
            "s * dS.",
            lambda Z, dS: -softmax(Z) * row_sum(Z, dS, axis=1, keepdims=True),
        ),
        (
            "The formula was applied to Z itself: it needs s = softmax(Z), so compute "
            "s first, then dZ = s * (dS - sum(dS * s, axis=1, keepdims=True)).",
            lambda Z, dS: Z * (dS - np.sum(dS * Z, axis=1, keepdims=True)),
        ),
        (
            "The softmax was normalised over the whole batch (one np.sum of exp(Z)): "
            "each row is its own distribution, s = exp(Z) / sum(exp(Z), axis=1, "
            "keepdims=True).",
            lambda Z, dS: _with_s(np.exp(Z) / np.exp(Z).sum(), dS),
        ),
        (
            "The softmax was normalised down the columns (axis=0): each row is its own "
            "distribution, s = exp(Z) / sum(exp(Z), axis=1, keepdims=True).",
            lambda Z, dS: _with_s(np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True), dS),
        ),
    ]
    return diagnose(
        "softmax_backward",
        fn,
        _softmax_cases(6),
        _numerical_backward(softmax),
        mistakes,
        hint=(
            "Softmax is not element-wise: dZ = J^T dS row by row, which is "
            "s * (dS - sum(dS * s, axis=1, keepdims=True)) with s = softmax(Z)."
        ),
    )


@checks("tanh_backward", ("Z", "dA"))
def check_tanh_backward(fn) -> Feedback:
    """Check ``fn(Z, dA) -> dZ``, the backward pass of tanh written in terms of Z.

    Shapes: Z and dA of any one shape; the answer is ``dA * (1 - tanh(Z)**2)``.
    """
    mistakes = [
        (
            "The formula 1 - t**2 was applied to Z itself: it needs t = tanh(Z), so "
            "compute t first.",
            lambda Z, dA: dA * (1 - Z**2),
        ),
        (
            "The derivative was evaluated at the activation a = tanh(Z) instead of at "
            "Z: tanh'(z) = 1 - t**2 with t = tanh(z), not 1 - tanh(a)**2.",
            lambda Z, dA: dA * (1 - np.tanh(np.tanh(Z)) ** 2),
        ),
        (
            "The square is missing: tanh'(z) = 1 - tanh(z)**2, not 1 - tanh(z).",
            lambda Z, dA: dA * (1 - np.tanh(Z)),
        ),
        (
            "This is the sigmoid's derivative pattern t(1 - t); for tanh it is "
            "1 - t**2 with t = tanh(Z).",
            lambda Z, dA: dA * np.tanh(Z) * (1 - np.tanh(Z)),
        ),
        (
            "The upstream gradient dA is missing: multiply the local derivative "
            "1 - tanh(Z)**2 by dA.",
            lambda Z, dA: 1 - np.tanh(Z) ** 2,
        ),
        (
            "The sign is flipped: tanh'(z) = 1 - tanh(z)**2 is positive, not "
            "tanh(z)**2 - 1.",
            lambda Z, dA: dA * (np.tanh(Z) ** 2 - 1),
        ),
    ]
    return diagnose(
        "tanh_backward",
        fn,
        _backward_cases(7),
        _numerical_backward(np.tanh),
        mistakes,
        hint=_elementwise_hint("1 - t**2 with t = tanh(Z)"),
    )
