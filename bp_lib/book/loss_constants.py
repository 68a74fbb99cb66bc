"""Chapter 5's experiments on the constants in front of a loss.

A constant factor ``c`` in front of a loss multiplies its gradient by ``c``. What that
does to training depends on the optimiser: plain gradient descent (with or without
momentum) takes the same steps as with the learning rate multiplied by ``c``; Adam
divides by the root of its second moment, so ``c`` cancels (up to its ``eps``). The
chapter runs both, and re-creates in bp_lib's terms seed 000's mean-squared-error
gradient, which is divided by the batch size twice (the seed's code is not copied).
"""

from __future__ import annotations

import numpy as np

from ..losses import mse_loss
from ..train import train_step


def scaled_loss(loss_fn, scale: float):
    """A loss giving ``(scale L, scale dL)``: ``loss_fn`` times ``scale``."""

    def scaled(output, target):
        loss, grad = loss_fn(output, target)
        return scale * loss, scale * grad

    return scaled


def mse_loss_divided_twice(Y_hat: np.ndarray, Y: np.ndarray):
    """A re-creation of seed 000's MSE gradient in bp_lib's terms; ``(loss, dY_hat)``.

    ``loss = mean((Y_hat - Y)**2)``, the loss the seed prints, and
    ``dY_hat = 2 (Y_hat - Y) / (N m)`` with ``N = Y.size`` and ``m = len(Y)`` (examples
    as rows): the seed's derivative ``2 (y_pred - y) / y.size`` is bp_lib's ``mse_loss``
    gradient, and the seed then divides every ``dW`` and ``db`` by ``m`` again. The
    backward pass is linear in its upstream gradient, so dividing every ``dW`` and
    ``db`` by ``m`` is dividing ``dY_hat`` by ``m``. Y_hat and Y: (m, k).
    """
    loss, grad = mse_loss(Y_hat, Y)
    return loss, grad / len(Y)


def trained_parameters(make_model, optimizer, loss_fn, X, Y, steps: int) -> np.ndarray:
    """Every parameter, flattened into one vector, after ``steps`` full-batch steps.

    ``make_model()`` builds a fresh model (the same one each call, from a seeded rng);
    each step is :func:`bp_lib.train.train_step` on the whole of ``(X, Y)``.
    """
    model = make_model()
    for step in range(steps):
        train_step(model, loss_fn, optimizer, X, Y, step)
    return np.concatenate([p.ravel() for p in model.params.values()])
