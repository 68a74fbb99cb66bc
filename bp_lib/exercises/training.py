"""Checkers for the training exercises (chapter 7).

The optimiser steps may be written in place, as ``bp.SGD`` and ``bp.Adam`` update
their arrays: the answer is what the function returns, or, when it returns None,
the arrays it updated. Every call gets its own copies of the inputs, so an update
in place can never change the reference it is judged against. The hyperparameters
(lr, mu, beta1, beta2, eps, and the step number t) differ between the cases, so a
value written into the function instead of read from its argument is named.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..gradcheck import numerical_gradient
from ..losses import mse_loss
from .feedback import Case, Feedback, Hyperparameter, checks, diagnose


def _output_error_cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = []
    for shape in ((4, 1), (6, 2), (3, 3)):
        Z = rng.normal(size=shape) * 2
        cases.append(Case((Z, rng.integers(0, 2, size=shape).astype(float))))
    return cases


def _mse_through_sigmoid(Z, Y):
    Z = Z.copy()
    return numerical_gradient(lambda: mse_loss(sigmoid(Z), Y)[0], Z)


def _output_error(Z, Y, scale=2.0, at=None, divide_by=None):
    """``scale (A - Y) A' / size`` with ``A' = sigmoid'`` evaluated at ``at(Z)``."""
    A = sigmoid(Z)
    S = sigmoid(Z if at is None else at(Z))
    n = Z.size if divide_by is None else divide_by(Z)
    return scale * (A - Y) * S * (1 - S) / n


@checks("mse_sigmoid_output_error", ("Z", "Y"))
def check_mse_sigmoid_output_error(fn) -> Feedback:
    """Check ``fn(Z, Y) -> dZ``.

    The gradient at the logits Z of ``mse_loss(sigmoid(Z), Y)``.

    Shapes: Z and Y (m, k); the answer is ``2 (A - Y) A (1 - A) / Z.size`` with
    ``A = sigmoid(Z)``.
    """
    mistakes = [
        (
            "This is A - Y, the output error of cross-entropy through a sigmoid. For "
            "the squared error the sigmoid's derivative stays in: dZ = 2 (A - Y) A (1 "
            "- A) / size.",
            lambda Z, Y: (sigmoid(Z) - Y) / Z.size,
        ),
        (
            "A - Y without the 1/size: the output error of cross-entropy, and not even "
            "of its mean. For the mean squared error, dZ = 2 (A - Y) A (1 - A) / size.",
            lambda Z, Y: sigmoid(Z) - Y,
        ),
        (
            "The sigmoid's derivative was evaluated at A instead of at Z: use "
            "A (1 - A) with A = sigmoid(Z).",
            lambda Z, Y: _output_error(Z, Y, at=sigmoid),
        ),
        (
            "The 1/size of the mean is missing: dZ = 2 (A - Y) A (1 - A) / size.",
            lambda Z, Y: _output_error(Z, Y, divide_by=lambda Z: 1),
        ),
        (
            "The factor 2 is missing: that is the gradient of the 1/2-MSE, mean((A - "
            "Y)**2) / 2. bp.mse_loss has no 1/2, so its gradient keeps the 2: dZ = 2 "
            "(A - Y) A (1 - A) / size.",
            lambda Z, Y: _output_error(Z, Y, scale=1.0),
        ),
        (
            "The gradient is divided by the number of rows m, but bp.mse_loss is a "
            "mean over all m * k entries: divide by Z.size.",
            lambda Z, Y: _output_error(Z, Y, divide_by=len),
        ),
        (
            "The sign is flipped: dZ = 2 (A - Y) A (1 - A) / size, predictions minus "
            "targets.",
            lambda Z, Y: _output_error(Z, Y, scale=-2.0),
        ),
        (
            "This is dL/dA = 2 (A - Y) / size, the gradient at the sigmoid's output; "
            "the exercise asks for dZ, at its input (the logits): multiply by the "
            "sigmoid's derivative A (1 - A).",
            lambda Z, Y: 2 * (sigmoid(Z) - Y) / Z.size,
        ),
    ]
    return diagnose(
        "mse_sigmoid_output_error",
        fn,
        _output_error_cases(),
        _mse_through_sigmoid,
        mistakes,
        hint=(
            "Chain the two local gradients: the mean squared error's "
            "2 (A - Y) / size, times the sigmoid's derivative A (1 - A) at Z."
        ),
    )


def _momentum_cases() -> list[Case]:
    """(p, g, v, lr, mu): the book's lr = 0.1, mu = 0.9, then other values of both."""
    rng = np.random.default_rng(9)
    return [
        Case((rng.normal(size=5), rng.normal(size=5), rng.normal(size=5), lr, mu))
        for lr, mu in ((0.1, 0.9), (0.03, 0.5))
    ]


def _momentum_reference(p, g, v, lr, mu):
    v_new = mu * v - lr * g
    return p + v_new, v_new


@checks("momentum_step", ("p", "g", "v", "lr", "mu"))
def check_momentum_step(fn) -> Feedback:
    """Check ``fn(p, g, v, lr, mu) -> (p_new, v_new)`` for SGD with classical momentum.

    ``v_new = mu v - lr g`` and ``p_new = p + v_new`` (arrays p, g, v of one shape).
    ``fn`` may update ``p`` and ``v`` in place, as ``bp.SGD`` does; if it returns
    None, the updated ``p`` and ``v`` are its answer.
    """
    mistakes = [
        (
            "The velocity was updated after moving p: first v_new = mu v - lr g, then "
            "p_new = p + v_new.",
            lambda p, g, v, lr, mu: (p + v, mu * v - lr * g),
        ),
        (
            "The learning rate is applied twice: with v_new = mu v - lr g already "
            "scaled, p_new = p + v_new.",
            lambda p, g, v, lr, mu: (p + lr * (mu * v - lr * g), mu * v - lr * g),
        ),
        (
            "The sign is flipped: the velocity must point downhill, v_new = mu v - lr "
            "g.",
            lambda p, g, v, lr, mu: (p + mu * v + lr * g, mu * v + lr * g),
        ),
        (
            "The old velocity is not decayed: v_new = mu v - lr g, not v - lr g.",
            lambda p, g, v, lr, mu: (p + v - lr * g, v - lr * g),
        ),
        (
            "This is the other convention, v = mu v + g and p = p - lr v (PyTorch's): "
            "here the velocity holds the step itself, v_new = mu v - lr g, "
            "p_new = p + v_new.",
            lambda p, g, v, lr, mu: (p - lr * (mu * v + g), mu * v + g),
        ),
        (
            "The gradient was weighted by (1 - mu), as in an average: classical "
            "momentum sums, v_new = mu v - lr g.",
            lambda p, g, v, lr, mu: (
                p + mu * v - lr * (1 - mu) * g,
                mu * v - lr * (1 - mu) * g,
            ),
        ),
        (
            "This is Nesterov's look-ahead step, p + mu v_new - lr g; the exercise "
            "asks for classical momentum, p_new = p + v_new.",
            lambda p, g, v, lr, mu: (
                p + mu * (mu * v - lr * g) - lr * g,
                mu * v - lr * g,
            ),
        ),
        (
            "Only p_new was returned: return (p_new, v_new), the velocity being what "
            "the next step needs.",
            lambda p, g, v, lr, mu: p + mu * v - lr * g,
        ),
    ]
    return diagnose(
        "momentum_step",
        fn,
        _momentum_cases(),
        _momentum_reference,
        mistakes,
        tol=1e-12,
        hint=(
            "Update the velocity first, v_new = mu v - lr g, then the parameters, "
            "p_new = p + v_new, using the lr and mu passed in."
        ),
        hyperparameters=[
            Hyperparameter("lr", 3, (1e-3, 0.01, 0.1, 0.3)),
            Hyperparameter("mu", 4, (0.9, 0.99, 0.5)),
        ],
        answer_in_arguments=(0, 2),
        output_names=("p_new", "v_new"),
    )


def _adam_cases() -> list[Case]:
    """(p, g, m, s, t, lr, beta1, beta2, eps): a later step, then a first step.

    The later step (t = 4) comes first, so that t - 1 in the correction (a division
    by zero at t = 1) is named there. It uses the usual betas and eps; the first step
    (t = 1, zero moments) changes every hyperparameter, with an eps large enough to
    show where it sits.
    """
    rng = np.random.default_rng(10)
    shape = (3, 4)
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
    first = Case(
        (
            rng.normal(size=shape),
            rng.normal(size=shape),
            np.zeros(shape),
            np.zeros(shape),
            1,
            0.03,
            0.8,
            0.99,
            1e-3,
        )
    )
    return [later, first]


def _adam(p, g, m, s, t, lr, beta1, beta2, eps, **slip):
    """One Adam step, with switches that reproduce the usual slips."""
    if slip.get("average", True):
        m_new = beta1 * m + (1 - beta1) * g
        s_new = beta2 * s + (1 - beta2) * g**2
        if slip.get("abs_g"):
            s_new = beta2 * s + (1 - beta2) * np.abs(g)
    else:
        m_new, s_new = beta1 * m + g, beta2 * s + g**2
    t_c = t + slip.get("t_shift", 0)
    m_hat = m_new / (1 - beta1**t_c) if slip.get("correct_m", True) else m_new
    s_hat = s_new / (1 - beta2**t_c) if slip.get("correct_s", True) else s_new
    if slip.get("no_power"):
        m_hat, s_hat = m_new / (1 - beta1), s_new / (1 - beta2)
    if slip.get("beta1_for_s"):
        s_new = beta1 * s + (1 - beta1) * g**2
        s_hat = s_new / (1 - beta1**t_c)
    if slip.get("eps_hat"):
        m_hat = m_new * np.sqrt(1 - beta2**t_c) / (1 - beta1**t_c)
        s_hat = s_new
    if slip.get("no_eps"):
        eps = 0.0
    if slip.get("no_sqrt"):
        root = s_hat + eps
    elif slip.get("eps_inside"):
        root = np.sqrt(s_hat + eps)
    else:
        root = np.sqrt(s_hat) + eps
    sign = -1 if slip.get("flipped") else 1
    p_new = p - sign * lr * m_hat / root
    if slip.get("store_corrected"):
        return p_new, m_hat, s_hat
    return p_new, m_new, s_new


def _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps):
    return _adam(p, g, m, s, t, lr, beta1, beta2, eps)


def _adam_slip(**slip):
    return lambda *args: _adam(*args, **slip)


@checks("adam_step", ("p", "g", "m", "s", "t", "lr", "beta1", "beta2", "eps"))
def check_adam_step(fn) -> Feedback:
    """Check ``fn(p, g, m, s, t, lr, beta1, beta2, eps) -> (p_new, m_new, s_new)``.

    One Adam step: ``m_new = beta1 m + (1 - beta1) g``, ``s_new = beta2 s + (1 - beta2)
    g**2``, ``p_new = p - lr m_hat / (sqrt(s_hat) + eps)`` with ``m_hat = m_new / (1 -
    beta1**t)``, ``s_hat = s_new / (1 - beta2**t)``; t counts steps from 1. Arrays p, g,
    m, s share one shape. ``fn`` may update ``p``, ``m`` and ``s`` in place, as
    ``bp.Adam`` does; if it returns None, they are its answer.
    """
    mistakes = [
        (
            "The bias correction is missing: divide by (1 - beta1**t) and "
            "(1 - beta2**t) before the step, or the first step is "
            "(1 - beta1) / sqrt(1 - beta2) times too large (3.2 for the defaults).",
            _adam_slip(correct_m=False, correct_s=False),
        ),
        (
            "Only the second moment is bias-corrected: m_hat = m_new / (1 - beta1**t) "
            "needs its correction too.",
            _adam_slip(correct_m=False),
        ),
        (
            "Only the first moment is bias-corrected: s_hat = s_new / (1 - beta2**t) "
            "needs its correction too.",
            _adam_slip(correct_s=False),
        ),
        (
            "The step number is off by one (t + 1 in the correction): t counts steps "
            "from 1, so the first step divides by 1 - beta**1.",
            _adam_slip(t_shift=1),
        ),
        (
            "The step number is off by one (t - 1 in the correction): t counts steps "
            "from 1, so the first step divides by 1 - beta**1, not by 1 - beta**0 = 0.",
            _adam_slip(t_shift=-1),
        ),
        (
            "The correction is 1 - beta, without the power t: it is 1 - beta**t, which "
            "tends to 1 as the steps add up.",
            _adam_slip(no_power=True),
        ),
        (
            "The square root is missing: the step divides m_hat by sqrt(s_hat) + eps, "
            "so that it has the units of p, not by s_hat.",
            _adam_slip(no_sqrt=True),
        ),
        (
            "eps is inside the square root: Adam adds it outside, "
            "sqrt(s_hat) + eps (the two differ where s_hat is small).",
            _adam_slip(eps_inside=True),
        ),
        (
            "The bias-corrected moments were stored: return the raw m_new and s_new "
            "and correct only a copy used for the step, or the correction compounds "
            "from step to step.",
            _adam_slip(store_corrected=True),
        ),
        (
            "The moments are sums, not averages: m_new = beta1 m + (1 - beta1) g, and "
            "the same with beta2 for g**2.",
            _adam_slip(average=False),
        ),
        (
            "The sign is flipped: Adam steps against the gradient, "
            "p_new = p - lr m_hat / (sqrt(s_hat) + eps).",
            _adam_slip(flipped=True),
        ),
        (
            "The second moment uses beta1: s_new = beta2 s + (1 - beta2) g**2 and "
            "s_hat = s_new / (1 - beta2**t), each moment with its own beta.",
            _adam_slip(beta1_for_s=True),
        ),
        (
            "eps is added to sqrt(s_new), the uncorrected moment (the paper's "
            "'efficient' form, where eps stands for eps * sqrt(1 - beta2**t)): this "
            "exercise adds eps to sqrt(s_hat), p_new = p - lr m_hat / (sqrt(s_hat) + "
            "eps).",
            _adam_slip(eps_hat=True),
        ),
        (
            "eps is missing from the denominator: p_new = p - lr m_hat / "
            "(sqrt(s_hat) + eps); it keeps the step finite where s_hat is near 0.",
            _adam_slip(no_eps=True),
        ),
        (
            "The second moment averages |g|, not g**2: s_new = beta2 s + (1 - beta2) "
            "g**2, so that sqrt(s_hat) is a root-mean-square gradient.",
            _adam_slip(abs_g=True),
        ),
    ]
    return diagnose(
        "adam_step",
        fn,
        _adam_cases(),
        _adam_reference,
        mistakes,
        tol=1e-10,
        hint=(
            "Follow the update in order, with the arguments passed in: the two "
            "moments, their bias-corrected copies, then "
            "p_new = p - lr m_hat / (sqrt(s_hat) + eps)."
        ),
        hyperparameters=[
            Hyperparameter("t", 4, (1,)),
            Hyperparameter("lr", 5, (1e-3, 0.01, 0.1)),
            Hyperparameter("beta1", 6, (0.9,)),
            Hyperparameter("beta2", 7, (0.999,)),
            Hyperparameter("eps", 8, (1e-8,)),
        ],
        answer_in_arguments=(0, 2, 3),
        output_names=("p_new", "m_new", "s_new"),
    )
