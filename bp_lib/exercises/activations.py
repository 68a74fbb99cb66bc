"""Checkers for the activation-function exercises (chapter 4)."""

from __future__ import annotations

import numpy as np

from ..activations import relu_forward, sigmoid, softmax
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose


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
    """DZ for upstream dA: the numerical gradient of sum(activation(Z) * dA) w.r.t. Z."""

    def reference(Z, dA):
        Z = Z.copy()
        return numerical_gradient(lambda: np.sum(activation(Z) * dA), Z)

    return reference


def check_sigmoid_backward(fn) -> Feedback:
    """Check ``fn(Z, dA) -> dZ``, the backward pass of the sigmoid written in terms of Z."""
    mistakes = [
        (
            "The formula s(1 - s) was applied to Z itself: it needs s = sigmoid(Z), so compute s first.",
            lambda Z, dA: dA * Z * (1 - Z),
        ),
        (
            "The derivative was evaluated at the activation a = sigmoid(Z) instead of at Z: "
            "sigmoid'(z) = s(1 - s) with s = sigmoid(z), not sigmoid(a)(1 - sigmoid(a)).",
            lambda Z, dA: dA * sigmoid(sigmoid(Z)) * (1 - sigmoid(sigmoid(Z))),
        ),
        (
            "The upstream gradient dA is missing: multiply the local derivative by dA.",
            lambda Z, dA: sigmoid(Z) * (1 - sigmoid(Z)),
        ),
    ]
    return diagnose("sigmoid_backward", fn, _backward_cases(4), _numerical_backward(sigmoid), mistakes)


def check_relu_backward(fn) -> Feedback:
    """Check ``fn(Z, dA) -> dZ``, the backward pass of ReLU."""
    mistakes = [
        (
            "The ReLU mask is taken from dA (the upstream gradient), but it must come from "
            "the forward input Z: dZ = dA * (Z > 0).",
            lambda Z, dA: dA * (dA > 0),
        ),
        (
            "dA was passed through unchanged: multiply it by the mask (Z > 0), which is 0 where "
            "the unit was off in the forward pass.",
            lambda Z, dA: dA,
        ),
        (
            "The upstream gradient dA is missing: multiply the mask (Z > 0) by dA.",
            lambda Z, dA: (Z > 0).astype(float),
        ),
    ]
    reference = _numerical_backward(lambda Z: relu_forward(Z)[0])
    return diagnose("relu_backward", fn, _backward_cases(5), reference, mistakes)


def _softmax_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    return [Case((rng.normal(size=shape) * 2, rng.normal(size=shape))) for shape in ((3, 5), (1, 4), (4, 2))]


def check_softmax_backward(fn) -> Feedback:
    """Check ``fn(Z, dS) -> dZ``, the backward pass of a row-wise softmax (shapes (m, K))."""
    mistakes = [
        (
            "Only the diagonal of the Jacobian was used (dS * s * (1 - s)): softmax couples the "
            "entries of a row, so dZ = s * (dS - sum(dS * s, axis=1, keepdims=True)).",
            lambda Z, dS: dS * softmax(Z) * (1 - softmax(Z)),
        ),
        (
            "The sum runs over the batch (axis=0); it must run over the classes of each row (axis=1).",
            lambda Z, dS: softmax(Z) * (dS - np.sum(dS * softmax(Z), axis=0, keepdims=True)),
        ),
        (
            "The correction term is missing: dZ = s * (dS - sum(dS * s)), not s * dS.",
            lambda Z, dS: softmax(Z) * dS,
        ),
    ]
    return diagnose("softmax_backward", fn, _softmax_cases(6), _numerical_backward(softmax), mistakes)


def check_tanh_backward(fn) -> Feedback:
    """Check ``fn(Z, dA) -> dZ``, the backward pass of tanh written in terms of Z.

    Shapes: Z and dA of any one shape; the answer is ``dA * (1 - tanh(Z)**2)``.
    """
    mistakes = [
        (
            "The formula 1 - t**2 was applied to Z itself: it needs t = tanh(Z), so compute t first.",
            lambda Z, dA: dA * (1 - Z**2),
        ),
        (
            "The derivative was evaluated at the activation a = tanh(Z) instead of at Z: "
            "tanh'(z) = 1 - t**2 with t = tanh(z), not 1 - tanh(a)**2.",
            lambda Z, dA: dA * (1 - np.tanh(np.tanh(Z)) ** 2),
        ),
        (
            "The square is missing: tanh'(z) = 1 - tanh(z)**2, not 1 - tanh(z).",
            lambda Z, dA: dA * (1 - np.tanh(Z)),
        ),
        (
            "This is the sigmoid's derivative pattern t(1 - t); for tanh it is 1 - t**2 with t = tanh(Z).",
            lambda Z, dA: dA * np.tanh(Z) * (1 - np.tanh(Z)),
        ),
        (
            "The upstream gradient dA is missing: multiply the local derivative 1 - tanh(Z)**2 by dA.",
            lambda Z, dA: 1 - np.tanh(Z) ** 2,
        ),
    ]
    return diagnose("tanh_backward", fn, _backward_cases(7), _numerical_backward(np.tanh), mistakes)
