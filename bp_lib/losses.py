"""Losses: each returns ``(loss, grad)``, a Python float and dL/d(first argument).

Every loss is a *mean*, so the ``1/m`` (or ``1/size``) lives in its gradient and
the layers below need no extra scaling:

    mse_loss               L = mean((Y_hat - Y)**2)
                           grad = 2 (Y_hat - Y) / size
    binary_cross_entropy   L = -mean(Y log P + (1 - Y) log(1 - P))
                           grad = (P - Y) / (P (1 - P)) / size
    bce_with_logits        the same with P = sigmoid(Z)
                           grad = (sigmoid(Z) - Y) / size
    softmax_cross_entropy  L = -mean_i log softmax(Z)_i,y_i
                           grad = (softmax(Z) - Y) / m

``size`` is the number of elements, ``m`` the number of rows (the batch).
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    require_finite,
    require_ndim,
    require_positive_int,
    require_same_shape,
)
from .activations import sigmoid, softmax_parts


def _pair(name: str, prediction, target_name: str, target):
    """Both arrays as floats of the prediction's dtype, with exactly equal shapes."""
    prediction = as_float_array(name, prediction)
    target = as_float_array(target_name, target).astype(prediction.dtype, copy=False)
    require_same_shape(name, prediction, target_name, target)
    if prediction.size == 0:
        raise ValueError(
            f"{name} is empty (shape {prediction.shape}); a mean needs elements"
        )
    return prediction, target


def _finite_loss(loss, **inputs) -> float:
    """``loss`` as a float if it is finite, else an error saying why not.

    A NaN or an infinity in an input is a ``ValueError`` naming its place; finite
    inputs whose loss overflows are a ``FloatingPointError`` (as in ``fit``, where
    that is how a diverging model shows).
    """
    loss = float(loss)
    if np.isfinite(loss):
        return loss
    for name, array in inputs.items():
        require_finite(name, array)
    raise FloatingPointError(
        f"the loss overflows ({loss}): the inputs are too large for "
        f"{next(iter(inputs.values())).dtype}; scale them down"
    )


def _require_unit_interval(name: str, array: np.ndarray) -> None:
    """``ValueError`` unless every entry lies in [0, 1].

    For probabilities and binary targets.
    """
    low, high = float(np.min(array)), float(np.max(array))
    if not (0.0 <= low and high <= 1.0):  # also rejects NaN
        raise ValueError(
            f"{name} must hold values in [0, 1], got values from {low} to {high}"
        )


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray):
    """Mean squared error over all elements; returns ``(loss, dY_hat)``.

    ``L = mean((Y_hat - Y)**2)``, ``dY_hat = 2 (Y_hat - Y) / Y_hat.size``.
    Y_hat and Y: the same shape, e.g. (m, k).
    """
    Y_hat, Y = _pair("Y_hat", Y_hat, "Y", Y)
    with np.errstate(over="ignore", invalid="ignore"):  # judged by _finite_loss
        diff = Y_hat - Y
        loss = np.mean(diff * diff)
    return _finite_loss(loss, Y_hat=Y_hat, Y=Y), 2 * diff / diff.size


def binary_cross_entropy(P: np.ndarray, Y: np.ndarray):
    """Binary cross-entropy on probabilities, mean over all elements; ``(loss, dP)``.

    ``L = -mean(Y log P + (1 - Y) log(1 - P))``,
    ``dP = (P - Y) / (P (1 - P)) / P.size``. P is clipped to ``[u, 1 - u]`` (``u``
    the dtype's machine epsilon) so that a probability of exactly 0 or 1 gives a
    large finite loss, not ``inf``; prefer :func:`bce_with_logits`, which needs no
    clipping. P and Y: the same shape.
    """
    P, Y = _pair("P", P, "Y", Y)
    _require_unit_interval("P (probabilities)", P)
    _require_unit_interval("Y (targets)", Y)
    tiny = np.finfo(P.dtype).eps
    P = np.clip(P, tiny, 1 - tiny)
    loss = -np.mean(Y * np.log(P) + (1 - Y) * np.log1p(-P))
    return float(loss), (P - Y) / (P * (1 - P)) / P.size


def bce_with_logits(Z: np.ndarray, Y: np.ndarray):
    """Binary cross-entropy on logits, stable for any Z; returns ``(loss, dZ)``.

    ``L = mean(max(Z, 0) - Z Y + log(1 + exp(-|Z|)))`` (equal to BCE of sigmoid(Z)),
    ``dZ = (sigmoid(Z) - Y) / Z.size``. Z and Y: the same shape.
    """
    Z, Y = _pair("Z", Z, "Y", Y)
    _require_unit_interval("Y (targets)", Y)
    with np.errstate(over="ignore", invalid="ignore"):  # judged by _finite_loss
        loss = np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))
    return _finite_loss(loss, Z=Z), (sigmoid(Z) - Y) / Z.size


def _labels(y, num_classes: int) -> np.ndarray:
    """``y`` checked as a 1-D integer array of labels in ``[0, num_classes)``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(
            f"y must be a 1-D integer array of labels, got {y.dtype} of shape {y.shape}"
        )
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes - 1}] for {num_classes} classes, "
            f"got values from {y.min()} to {y.max()}"
        )
    return y


def one_hot(y: np.ndarray, num_classes: int, dtype=np.float64) -> np.ndarray:
    """Integer labels (m,) in ``[0, num_classes)`` -> one-hot (m, num_classes)."""
    num_classes = require_positive_int("num_classes", num_classes)
    y = _labels(y, num_classes)
    Y = np.zeros((y.size, num_classes), dtype=dtype)
    Y[np.arange(y.size), y] = 1
    return Y


def _distributions(y, Z: np.ndarray) -> np.ndarray:
    """One-hot (or soft) targets: rows of non-negative numbers that sum to 1.

    ``y`` of the shape of ``Z`` (m, K), as floats of Z's dtype; otherwise a
    ``ValueError`` that says what is wrong (and, for integers, how to pass labels).
    """
    labels_hint = ""
    if np.asarray(y).dtype.kind in "iub":
        labels_hint = "; integer labels go in a 1-D array of shape (m,)"
    Y = as_float_array("y", y).astype(Z.dtype, copy=False)
    if Y.shape != Z.shape:
        raise ValueError(
            f"y (one-hot) has shape {Y.shape} but Z has shape {Z.shape}; "
            f"they must match exactly{labels_hint}"
        )
    require_finite("y (one-hot)", Y)
    if Y.min() < 0:
        raise ValueError(
            f"y (one-hot) must be non-negative, got {Y.min()}{labels_hint}"
        )
    sums = Y.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > 100 * Z.shape[1] * np.finfo(Z.dtype).eps:
        raise ValueError(
            f"each row of y (one-hot) must sum to 1, row {worst} sums to "
            f"{sums[worst]:.6g}{labels_hint}"
        )
    return Y


def softmax_cross_entropy(Z: np.ndarray, y: np.ndarray):
    """Softmax followed by cross-entropy, mean over the batch; returns ``(loss, dZ)``.

    ``L = -(1/m) sum_i log softmax(Z)_{i, y_i}`` computed with log-sum-exp,
    ``dZ = (softmax(Z) - Y) / m``. Z: logits (m, K); y: int labels (m,) or one-hot
    (m, K). The softmax and its logarithm share one exponential
    (:func:`softmax_parts`); with labels, ``Y`` is never built: its ones sit at
    ``[i, y_i]``, so ``- Y`` is one subtraction per row.
    """
    Z = as_float_array("Z", Z)
    require_ndim("Z", Z, 2, "logits (batch, classes)")
    m = Z.shape[0]
    if m == 0:
        raise ValueError(f"Z has no rows (shape {Z.shape}); a mean needs a batch")
    shifted, E, total = softmax_parts(Z)
    S = E / total  # softmax(Z)
    y = np.asarray(y)
    if y.ndim != 1:
        Y = _distributions(y, Z)
        # log softmax(Z) = shifted - log(total); a masked logit (-inf) with Y = 0
        # contributes 0, not 0 * -inf
        log_S = shifted - np.log(total)
        with np.errstate(invalid="ignore"):
            loss = -np.sum(np.where(Y == 0, 0.0, Y * log_S)) / m
        return float(loss), (S - Y) / m
    if y.shape[0] != m:
        raise ValueError(
            f"y has {y.shape[0]} labels but Z has {m} rows (shape {Z.shape})"
        )
    rows, y = np.arange(m), _labels(y, Z.shape[1])
    loss = -np.sum(shifted[rows, y] - np.log(total[:, 0])) / m  # log softmax(Z)[i, y_i]
    S[rows, y] -= 1  # S - Y
    S /= m
    return float(loss), S
