"""Activation functions as forward/backward pairs, and their modules.

Each ``*_forward(Z)`` returns ``(A, cache)``; each ``*_backward(dA, cache)``
returns ``dZ`` of the shape of ``Z``. Element-wise derivatives:

    ReLU      A = max(Z, 0)            dZ = dA * [Z > 0]        (0 at Z = 0)
    sigmoid   A = 1 / (1 + exp(-Z))    dZ = dA * A * (1 - A)
    tanh      A = tanh(Z)              dZ = dA * (1 - A**2)

The sigmoid line uses sigma'(z) = sigma(z)(1 - sigma(z)). Note that sigma'(z) is
written in terms of the *output* A = sigma(Z): applying ``s * (1 - s)`` to Z
itself, or ``sigma(A)`` to A, are classic bugs.

Softmax over the last axis, ``S_i = exp(Z_i) / sum_j exp(Z_j)``, couples the
entries of a row; its Jacobian is ``diag(S) - S S^T`` and the backward pass is
the Jacobian-vector product ``dZ = S * (dS - sum(dS * S))`` (sum over the row).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import (
    as_float_array,
    first_non_finite,
    require_array_cache,
    require_same_shape,
)
from .core import Elementwise


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-Z))``, computed without overflow for any Z (any shape)."""
    Z = as_float_array("Z", Z)
    e = np.exp(-np.abs(Z))  # in (0, 1]: never overflows
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))


def logsumexp(Z: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log(sum(exp(Z)))`` along ``axis``, shifted by the max so it never overflows.

    Infinite entries give the exact limits: ``+inf`` if any entry is ``+inf``,
    ``-inf`` if every entry is ``-inf`` (an empty sum). NaN is a ``ValueError``.
    """
    Z = _checked_logits(Z, axis)
    shift = _finite_max(Z, axis)
    with np.errstate(divide="ignore", over="ignore"):  # log(0) = -inf is exact here
        out = shift + np.log(np.sum(np.exp(Z - shift), axis=axis, keepdims=True))
    if np.isnan(out).any():
        raise ValueError(f"Z must not hold NaN, got {first_non_finite(Z)}")
    return out if keepdims else np.squeeze(out, axis=axis)


def _checked_logits(Z, axis: int) -> np.ndarray:
    """``Z`` as a float array with at least one entry along a valid ``axis``."""
    Z = as_float_array("Z", Z)
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    if not -Z.ndim <= axis < Z.ndim:
        raise ValueError(
            f"axis {axis} is out of range for Z of shape {Z.shape} "
            f"(valid: {-Z.ndim} to {Z.ndim - 1})"
        )
    if Z.shape[axis] == 0:
        raise ValueError(
            f"Z has no entries along axis {axis} (shape {Z.shape}): "
            "a softmax needs at least one"
        )
    return Z


def _finite_max(Z: np.ndarray, axis: int) -> np.ndarray:
    """The max along ``axis`` (kept as an axis), 0 where it is not finite.

    Subtracting an infinite max would give ``inf - inf = NaN``; subtracting 0 from
    a row whose max is infinite leaves its exact limit to the caller.
    """
    shift = np.max(Z, axis=axis, keepdims=True)
    if not np.isfinite(shift).all():
        shift = np.where(np.isfinite(shift), shift, 0.0)
    return shift


def _undefined_softmax(Z: np.ndarray) -> ValueError:
    """The error for logits whose softmax does not exist (NaN, +inf, or all -inf)."""
    rows = Z.reshape(-1, Z.shape[-1])
    for flat_index, row in enumerate(rows):
        index = np.unravel_index(flat_index, Z.shape[:-1])
        row_name = ", ".join(str(int(i)) for i in index)
        if np.isnan(row).any() or np.isposinf(row).any():
            got = "NaN" if np.isnan(row).any() else "+inf"
            return ValueError(
                f"Z must hold finite logits (or -inf for a masked entry), "
                f"got {got} in row {row_name}"
            )
        if np.isneginf(row).all():
            return ValueError(
                f"row {row_name} of Z is -inf everywhere: a softmax needs at least "
                "one finite logit per row"
            )
    raise AssertionError("no undefined row found")  # pragma: no cover


def softmax_parts(Z: np.ndarray):
    """``(shifted, E, total)``: ``Z - max``, its ``exp`` and their sum.

    All over the last axis, the sum kept as a column. ``softmax(Z) = E / total`` and
    ``log softmax(Z) = shifted - log(total)``; the largest entry of each row of
    ``shifted`` is 0, so ``E`` never overflows and ``total`` lies in ``[1, K]``.
    Entries of ``-inf`` (masked) get probability 0; NaN, ``+inf`` or a row that
    is ``-inf`` everywhere is a ``ValueError``.
    """
    Z = _checked_logits(Z, -1)
    with np.errstate(over="ignore"):  # 1e308 - (-1e308) = -inf: exp gives 0, exact
        shifted = Z - _finite_max(Z, -1)
    E = np.exp(shifted)
    total = np.sum(E, axis=-1, keepdims=True)
    if not ((total >= 1) & (total < np.inf)).all():
        raise _undefined_softmax(Z)
    return shifted, E, total


def softmax(Z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, max-subtracted.

    ``exp(Z - max) / sum(exp(Z - max))``, the max taken over the last axis.
    """
    _, E, total = softmax_parts(Z)
    return E / total


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """``Z - logsumexp(Z)`` over the last axis (finite for any finite Z).

    A masked entry (``-inf``) gives ``-inf``; NaN, ``+inf`` or a row that is
    ``-inf`` everywhere is a ``ValueError``.
    """
    Z = _checked_logits(Z, -1)
    total = logsumexp(Z, axis=-1, keepdims=True)
    if not np.isfinite(total).all():
        raise _undefined_softmax(Z)
    with np.errstate(over="ignore"):  # below -1.8e308: -inf is the rounded value
        return Z - total


def _checked_upstream(dA, reference: np.ndarray) -> np.ndarray:
    dA = as_float_array("dout", dA)
    require_same_shape("dout", dA, "the forward output", reference)
    return dA


def relu_forward(Z: np.ndarray):
    """``A = max(Z, 0)``; returns ``(A, cache)``. Z: any shape."""
    Z = as_float_array("Z", Z)
    return np.maximum(Z, 0), Z


def relu_backward(dA: np.ndarray, cache) -> np.ndarray:
    """``dZ = dA * [Z > 0]``: the mask comes from Z (derivative at 0 taken as 0)."""
    Z = require_array_cache(cache, "relu_forward")
    return _checked_upstream(dA, Z) * (Z > 0)


def sigmoid_forward(Z: np.ndarray):
    """``A = sigmoid(Z)``; returns ``(A, cache)``. Z: any shape."""
    A = sigmoid(Z)
    return A, A


def sigmoid_backward(dA: np.ndarray, cache) -> np.ndarray:
    """``dZ = dA * A * (1 - A)`` with A = sigmoid(Z), the cached output."""
    A = require_array_cache(cache, "sigmoid_forward")
    return _checked_upstream(dA, A) * A * (1 - A)


def tanh_forward(Z: np.ndarray):
    """``A = tanh(Z)``; returns ``(A, cache)``. Z: any shape."""
    A = np.tanh(as_float_array("Z", Z))
    return A, A


def tanh_backward(dA: np.ndarray, cache) -> np.ndarray:
    """``dZ = dA * (1 - A**2)`` with A = tanh(Z), the cached output."""
    A = require_array_cache(cache, "tanh_forward")
    return _checked_upstream(dA, A) * (1 - A * A)


def softmax_forward(Z: np.ndarray):
    """``S = softmax(Z)`` over the last axis; returns ``(S, cache)``. Z: (..., K)."""
    S = softmax(Z)
    return S, S


def softmax_backward(dS: np.ndarray, cache) -> np.ndarray:
    """Jacobian-vector product ``dZ = S * (dS - sum(dS * S, last axis))``.

    Returns an array of the shape of Z.
    """
    S = require_array_cache(cache, "softmax_forward")
    dS = _checked_upstream(dS, S)
    return S * (dS - np.sum(dS * S, axis=-1, keepdims=True))


class ReLU(Elementwise):
    """Parameter-free module over :func:`relu_forward` / :func:`relu_backward`."""

    forward_fn = staticmethod(relu_forward)
    backward_fn = staticmethod(relu_backward)


class Sigmoid(Elementwise):
    """Parameter-free module over :func:`sigmoid_forward` / :func:`sigmoid_backward`."""

    forward_fn = staticmethod(sigmoid_forward)
    backward_fn = staticmethod(sigmoid_backward)


class Tanh(Elementwise):
    """Parameter-free module over :func:`tanh_forward` / :func:`tanh_backward`."""

    forward_fn = staticmethod(tanh_forward)
    backward_fn = staticmethod(tanh_backward)


class Softmax(Elementwise):
    """Parameter-free module over :func:`softmax_forward` / :func:`softmax_backward`.

    To train a classifier, prefer leaving the logits raw and using
    :func:`bp_lib.softmax_cross_entropy`, which is stable and gives ``(S - Y) / m``.
    """

    forward_fn = staticmethod(softmax_forward)
    backward_fn = staticmethod(softmax_backward)
