"""Checkers for the classifier exercises (chapter 13)."""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, Hyperparameter, checks, diagnose


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


@checks("weight_decay_gradient", ("W", "dW_data", "lam"))
def check_weight_decay_gradient(fn) -> Feedback:
    """Check ``fn(W, dW_data, lam) -> dW`` for ``L_data + (lam / 2) * sum(W**2)``.

    lam differs between the cases (1e-3, then 0.3).

    ``dW_data`` is the gradient of the data loss; the answer is ``dW_data + lam * W``.
    A right answer that overwrites ``W`` fails (changing ``dW_data`` in place only
    gets a note).
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
        (
            "This is an SGD step's shrink factor, (1 - lam) W - dW_data, not a "
            "gradient: the function returns the gradient dW_data + lam * W, and the "
            "optimiser takes the step.",
            lambda W, d, lam: (1 - lam) * W - d,
        ),
        (
            "This is a whole SGD step, W - lr (dW_data + lam * W), not a gradient: "
            "return dW_data + lam * W and leave the step to the optimiser.",
            lambda W, d, lam: W - 0.1 * (d + lam * W),
        ),
        (
            "The penalty's gradient was divided by a count (lam * W / n): lam already "
            "is the coefficient of (lam / 2) ||W||^2 in this loss. Dividing by the "
            "batch size converts scikit-learn's alpha (lam = alpha / n); the gradient "
            "of the penalty is lam * W.",
            lambda W, d, lam: d + lam * W / len(W),
        ),
        (
            "The penalty's gradient was divided by the number of weights (lam * W / "
            "W.size): the gradient of (lam / 2) sum(W**2) is lam * W.",
            lambda W, d, lam: d + lam * W / W.size,
        ),
        (
            "lam / 2 * sum(W**2) is the penalty itself, one number, not its gradient: "
            "the derivative of (lam / 2) sum(W**2) with respect to W is lam * W.",
            lambda W, d, lam: d + lam / 2 * np.sum(W**2),
        ),
        (
            "lam alone was added: the gradient of (lam / 2) sum(W**2) is lam * W, "
            "proportional to each weight.",
            lambda W, d, lam: d + lam,
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
        protected={
            0: "The gradient is right, but W was overwritten (W *= ..., W += ...): "
            "a gradient function must not change the weights, or the optimiser "
            "steps from the wrong W. Compute a new array, dW_data + lam * W."
        },
    )
