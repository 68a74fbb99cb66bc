"""Checkers for the classifier exercises (chapter 13)."""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, diagnose


def _cases() -> list[Case]:
    rng = np.random.default_rng(14)
    return [
        Case((rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 0.1)),
        Case((rng.normal(size=5), rng.normal(size=5), 0.03)),
    ]


def _reference(W, dW_data, lam):
    """Centred differences of  <dW_data, W> + (lam / 2) ||W||^2, whose gradient is dW_data + lam W."""
    W = W.copy()
    return numerical_gradient(lambda: np.sum(dW_data * W) + 0.5 * lam * np.sum(W * W), W)


def check_weight_decay_gradient(fn) -> Feedback:
    """Check ``fn(W, dW_data, lam) -> dW`` for the loss ``L_data + (lam / 2) * sum(W**2)``.

    ``dW_data`` is the gradient of the data loss; the answer is ``dW_data + lam * W``.
    """
    mistakes = [
        ("The penalty's gradient is missing: add lam * W to the data gradient.", lambda W, d, lam: d),
        (
            "The factor is 2 lam: that is the gradient of lam * sum(W**2); with the 1/2 in front the "
            "penalty's gradient is lam * W.",
            lambda W, d, lam: d + 2 * lam * W,
        ),
        (
            "The penalty's gradient has the wrong sign: it pulls W towards 0, so add +lam * W.",
            lambda W, d, lam: d - lam * W,
        ),
        (
            "lam * W**2 is the penalty's value per entry, not its gradient: the derivative of (lam/2) W**2 is lam * W.",
            lambda W, d, lam: d + lam * W**2,
        ),
    ]
    return diagnose("weight_decay_gradient", fn, _cases(), _reference, mistakes)
