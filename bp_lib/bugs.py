"""Deliberately wrong implementations that the book runs to show what goes wrong.

Nothing here is for use: each function reproduces a mistake found in published code,
documents what is wrong, and is tested (tests/test_bugs.py) to really differ from
the right computation, so the book's demonstrations cannot become vacuous.
"""

from __future__ import annotations

import numpy as np

from .losses import binary_cross_entropy, mse_loss


def mse_reporting_bce_gradient(A: np.ndarray, Y: np.ndarray):
    """WRONG ON PURPOSE: returns the MSE *value* but the binary cross-entropy *gradient*.

    A: sigmoid outputs (m, k); Y: targets of the same shape. Backpropagated through the
    sigmoid, the gradient returned here becomes ``(A - Y) / size`` at the logits: the
    "output error a - y" of many tutorials, which is the gradient of cross-entropy, not
    of the squared error they print. The squared error's own gradient at the logits is
    ``2 (A - Y) A (1 - A) / size``.
    """
    loss, _ = mse_loss(A, Y)
    _, grad = binary_cross_entropy(A, Y)
    return loss, grad
