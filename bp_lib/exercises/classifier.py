"""Checkers for the classifier exercises (chapter 13)."""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, Hyperparameter, diagnose


def _cases() -> list[Case]:
    rng = np.random.default_rng(14)
    return [
        Case((rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 1e-3)),
        Case((rng.normal(size=5), rng.normal(size=5), 0.3)),
    ]


def _reference(W, dW_data, lam):
    """Centred differences of  <dW_data, W> + (lam / 2) ||W||^2.

    Its gradient is dW_data + lam W.
    """
    W = W.copy()
    return numerical_gradient(
        lambda: np.sum(dW_data * W) + 0.5 * lam * np.sum(W * W), W
    )


def check_weight_decay_gradient(fn) -> Feedback:
    """Check ``fn(W, dW_data, lam) -> dW`` for ``L_data + (lam / 2) * sum(W**2)``.

    lam differs between the cases (1e-3, then 0.3).

    ``dW_data`` is the gradient of the data loss; the answer is ``dW_data + lam * W``.
    """
    mistakes = [
        (
            "The penalty's gradient is missing: add lam * W to the data gradient.",
            lambda W, d, lam: d,
        ),
        (
            "The factor is 2 lam: that is the gradient of lam * sum(W**2); with the "
            "1/2 in front the penalty's gradient is lam * W.",
            lambda W, d, lam: d + 2 * lam * W,
        ),
        (
            "The penalty's gradient has the wrong sign: it pulls W towards 0, so add "
            "+lam * W.",
            lambda W, d, lam: d - lam * W,
        ),
        (
            "lam * W**2 is the penalty's value per entry, not its gradient: the "
            "derivative of (lam/2) W**2 is lam * W.",
            lambda W, d, lam: d + lam * W**2,
        ),
        (
            "The factor is lam / 2: the 1/2 of the penalty cancels the 2 of the "
            "derivative of W**2, so the penalty's gradient is lam * W.",
            lambda W, d, lam: d + lam / 2 * W,
        ),
        (
            "lam * sign(W) is the gradient of the L1 penalty lam * sum(|W|); the L2 "
            "penalty (lam / 2) sum(W**2) has gradient lam * W.",
            lambda W, d, lam: d + lam * np.sign(W),
        ),
        (
            "The data gradient is missing: return dW_data + lam * W, not lam * W "
            "alone.",
            lambda W, d, lam: lam * W,
        ),
        (
            "The data gradient was scaled by lam too: only the penalty carries lam, "
            "dW = dW_data + lam * W.",
            lambda W, d, lam: lam * (d + W),
        ),
    ]
    return diagnose(
        "weight_decay_gradient",
        fn,
        _cases(),
        _reference,
        mistakes,
        hint="Weight decay adds the penalty's gradient to the data gradient: "
        "d/dW of (lam / 2) sum(W**2) is lam * W.",
        hyperparameters=[Hyperparameter("lam", 2, (1e-4, 1e-3, 1e-2, 0.1, 1.0))],
    )
