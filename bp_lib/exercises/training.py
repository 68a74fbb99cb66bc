"""Checkers for the training exercises (chapter 7)."""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..gradcheck import numerical_gradient
from ..losses import mse_loss
from .feedback import Case, Feedback, diagnose


def _output_error_cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = []
    for shape in ((4, 1), (6, 2), (3, 3)):
        cases.append(Case((rng.normal(size=shape) * 2, rng.integers(0, 2, size=shape).astype(float))))
    return cases


def _mse_through_sigmoid(Z, Y):
    Z = Z.copy()
    return numerical_gradient(lambda: mse_loss(sigmoid(Z), Y)[0], Z)


def check_mse_sigmoid_output_error(fn) -> Feedback:
    """Check ``fn(Z, Y) -> dZ``: the gradient at the logits Z of ``mse_loss(sigmoid(Z), Y)``.

    Shapes: Z and Y (m, k); the answer is ``2 (A - Y) A (1 - A) / Z.size`` with ``A = sigmoid(Z)``.
    """
    mistakes = [
        (
            "This is A - Y, the output error of cross-entropy through a sigmoid. For the squared "
            "error the sigmoid's derivative stays in: dZ = 2 (A - Y) A (1 - A) / size.",
            lambda Z, Y: (sigmoid(Z) - Y) / Z.size,
        ),
        (
            "A - Y without the 1/size: the output error of cross-entropy, and not even of its mean. "
            "For the mean squared error, dZ = 2 (A - Y) A (1 - A) / size.",
            lambda Z, Y: sigmoid(Z) - Y,
        ),
        (
            "The sigmoid's derivative was evaluated at A instead of at Z: use A (1 - A) with A = sigmoid(Z).",
            lambda Z, Y: 2 * (sigmoid(Z) - Y) * sigmoid(sigmoid(Z)) * (1 - sigmoid(sigmoid(Z))) / Z.size,
        ),
        (
            "The 1/size of the mean is missing: dZ = 2 (A - Y) A (1 - A) / size.",
            lambda Z, Y: 2 * (sigmoid(Z) - Y) * sigmoid(Z) * (1 - sigmoid(Z)),
        ),
    ]
    return diagnose("mse_sigmoid_output_error", fn, _output_error_cases(), _mse_through_sigmoid, mistakes)


def _momentum_cases() -> list[Case]:
    rng = np.random.default_rng(9)
    return [Case((rng.normal(size=5), rng.normal(size=5), rng.normal(size=5), 0.1, 0.9)) for _ in range(2)]


def _momentum_reference(p, g, v, lr, mu):
    v_new = mu * v - lr * g
    return p + v_new, v_new


def check_momentum_step(fn) -> Feedback:
    """Check ``fn(p, g, v, lr, mu) -> (p_new, v_new)`` for SGD with classical momentum.

    ``v_new = mu v - lr g`` and ``p_new = p + v_new`` (arrays p, g, v of one shape).
    """
    mistakes = [
        (
            "The velocity was updated after moving p: first v_new = mu v - lr g, then p_new = p + v_new.",
            lambda p, g, v, lr, mu: (p + v, mu * v - lr * g),
        ),
        (
            "The learning rate is applied twice: with v_new = mu v - lr g already scaled, p_new = p + v_new.",
            lambda p, g, v, lr, mu: (p + lr * (mu * v - lr * g), mu * v - lr * g),
        ),
        (
            "The sign is flipped: the velocity must point downhill, v_new = mu v - lr g.",
            lambda p, g, v, lr, mu: (p + mu * v + lr * g, mu * v + lr * g),
        ),
        (
            "The old velocity is not decayed: v_new = mu v - lr g, not v - lr g.",
            lambda p, g, v, lr, mu: (p + v - lr * g, v - lr * g),
        ),
    ]
    return diagnose("momentum_step", fn, _momentum_cases(), _momentum_reference, mistakes, tol=1e-12)


def _adam_cases() -> list[Case]:
    """(p, g, m, s, t, lr, beta1, beta2, eps): a first step from zero moments, then a later step."""
    rng = np.random.default_rng(10)
    shape = (3, 4)
    first = Case(
        (rng.normal(size=shape), rng.normal(size=shape), np.zeros(shape), np.zeros(shape), 1, 0.01, 0.9, 0.999, 1e-8)
    )
    later = Case(
        (
            rng.normal(size=shape),
            rng.normal(size=shape),
            rng.normal(size=shape) * 0.1,
            rng.uniform(0.01, 0.1, size=shape),
            4,
            0.01,
            0.9,
            0.999,
            1e-8,
        )
    )
    return [first, later]


def _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * g
    s_new = beta2 * s + (1 - beta2) * g**2
    m_hat, s_hat = m_new / (1 - beta1**t), s_new / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(s_hat) + eps), m_new, s_new


def _adam_without_correction(p, g, m, s, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * g
    s_new = beta2 * s + (1 - beta2) * g**2
    return p - lr * m_new / (np.sqrt(s_new) + eps), m_new, s_new


def _adam_without_sqrt(p, g, m, s, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + (1 - beta1) * g
    s_new = beta2 * s + (1 - beta2) * g**2
    m_hat, s_hat = m_new / (1 - beta1**t), s_new / (1 - beta2**t)
    return p - lr * m_hat / (s_hat + eps), m_new, s_new


def _adam_storing_corrected(p, g, m, s, t, lr, beta1, beta2, eps):
    m_hat = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
    s_hat = (beta2 * s + (1 - beta2) * g**2) / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(s_hat) + eps), m_hat, s_hat


def _adam_without_one_minus_beta(p, g, m, s, t, lr, beta1, beta2, eps):
    m_new = beta1 * m + g
    s_new = beta2 * s + g**2
    m_hat, s_hat = m_new / (1 - beta1**t), s_new / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(s_hat) + eps), m_new, s_new


def _adam_sign_flipped(p, g, m, s, t, lr, beta1, beta2, eps):
    p_new, m_new, s_new = _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps)
    return 2 * p - p_new, m_new, s_new


def check_adam_step(fn) -> Feedback:
    """Check ``fn(p, g, m, s, t, lr, beta1, beta2, eps) -> (p_new, m_new, s_new)``: one Adam step.

    ``m_new = beta1 m + (1 - beta1) g``, ``s_new = beta2 s + (1 - beta2) g**2``,
    ``p_new = p - lr m_hat / (sqrt(s_hat) + eps)`` with ``m_hat = m_new / (1 - beta1**t)`` and
    ``s_hat = s_new / (1 - beta2**t)``; t counts steps from 1. Arrays p, g, m, s share one shape.
    """
    mistakes = [
        (
            "The bias correction is missing: divide by (1 - beta1**t) and (1 - beta2**t) before the step, "
            "or the first step is (1 - beta1) / sqrt(1 - beta2) times too large (3.2 for the defaults).",
            _adam_without_correction,
        ),
        (
            "The square root is missing: the step divides m_hat by sqrt(s_hat) + eps, so that it has the "
            "units of p, not by s_hat.",
            _adam_without_sqrt,
        ),
        (
            "The bias-corrected moments were stored: return the raw m_new and s_new and correct only a "
            "copy used for the step, or the correction compounds from step to step.",
            _adam_storing_corrected,
        ),
        (
            "The moments are sums, not averages: m_new = beta1 m + (1 - beta1) g, and the same with beta2 for g**2.",
            _adam_without_one_minus_beta,
        ),
        (
            "The sign is flipped: Adam steps against the gradient, p_new = p - lr m_hat / (sqrt(s_hat) + eps).",
            _adam_sign_flipped,
        ),
    ]
    return diagnose("adam_step", fn, _adam_cases(), _adam_reference, mistakes, tol=1e-10)
