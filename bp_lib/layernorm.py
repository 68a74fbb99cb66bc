"""Layer normalisation over the last (feature) axis, one row at a time.

Forward, for each row x (the last axis, n features) of X (..., n):

    mu = mean(x)
    var = mean((x - mu)**2)        (biased)
    x_hat = (x - mu) / sqrt(var + eps)
    out = gamma * x_hat + beta

Backward (the compact form, batch norm's algebra over the other axis):

    dbeta = sum of dout over every leading axis
    dgamma = sum of dout * x_hat over every leading axis
    dx_hat = dout * gamma
    dX = (1 / (n sqrt(var + eps)))
         * (n dx_hat - sum(dx_hat, -1) - x_hat * sum(dx_hat * x_hat, -1))

Shapes: X, out, dout, dX (..., n); gamma, beta, dgamma, dbeta (n,); mu, var (..., 1).
The statistics are those of each row alone: no row's output depends on another row,
there are no running statistics, and training and evaluation compute the same thing.
``LayerNorm.backward`` writes ``grads["gamma"]`` and ``grads["beta"]`` in place.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    first_non_finite,
    require_float_dtype,
    require_number,
    require_positive_int,
    unpack_cache,
)
from .core import Module


def _check_features(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> None:
    """``ValueError`` unless X is (..., n) and gamma, beta are (n,)."""
    if X.ndim == 0:
        raise ValueError(
            "X must have at least 1 dimension (..., features), got a scalar of shape ()"
        )
    n = X.shape[-1]
    if n == 0:
        raise ValueError(
            f"X's last axis must hold at least 1 feature, got shape {X.shape}: "
            "layer norm takes the mean and variance of each row's features"
        )
    for name, array in (("gamma", gamma), ("beta", beta)):
        if array.shape != (n,):
            raise ValueError(
                f"{name} has shape {array.shape}, expected ({n},): one value per "
                f"feature of X's last axis (X has shape {X.shape})"
            )


def layernorm_forward(
    X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
):
    """Layer norm: each row's own mean and biased variance; returns ``(out, cache)``.

    ``out = gamma * (X - mu) / sqrt(var + eps) + beta``, with ``mu`` and ``var`` the
    mean and biased variance of each row over its last axis (eps inside the root).
    X: (..., n), gamma and beta: (n,) -> out: (..., n), normalised over the last axis.
    """
    X = as_float_array("X", X)
    gamma = as_float_array("gamma", gamma)
    beta = as_float_array("beta", beta)
    _check_features(X, gamma, beta)
    eps = require_number("eps", eps, low=0, low_open=True)
    with np.errstate(over="ignore", invalid="ignore"):  # judged just below
        mu = X.mean(axis=-1, keepdims=True)
        centred = X - mu
        var = np.mean(centred * centred, axis=-1, keepdims=True)
    _require_finite_statistics(X, var)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = centred * inv_std
    out = gamma * x_hat + beta
    return out, (x_hat, gamma, inv_std)


def _require_finite_statistics(X: np.ndarray, var: np.ndarray) -> None:
    """``FloatingPointError`` unless every row's variance (hence mean) is finite.

    A NaN or an infinity in ``X`` is named with its place; a finite row whose
    variance overflows the dtype would otherwise normalise to zeros. The error type
    is the one ``fit`` stops on: in a network, it is how a diverging layer shows up.
    """
    if np.isfinite(var).all():
        return
    where = first_non_finite(X)
    if where is not None:
        raise FloatingPointError(f"X must be finite for layer norm, got {where}")
    row = np.unravel_index(np.argmax(~np.isfinite(var)), var.shape)[:-1]
    which = f"row {tuple(int(i) for i in row)} of X" if row else "X"
    raise FloatingPointError(
        f"the variance of {which} overflows {X.dtype} (it holds values up to "
        f"{np.max(np.abs(X[row])):.3g}); scale the input down"
    )


def layernorm_backward(dout: np.ndarray, cache):
    """Gradients of layer norm; returns ``(dX, dgamma, dbeta)``.

    With ``inv = 1 / sqrt(var + eps)`` and ``dx_hat = dout * gamma``, per row:
    ``dX = inv / n * (n dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat))``;
    ``dgamma = sum(dout * x_hat)``, ``dbeta = sum(dout)`` over the leading axes.
    dout: (..., n) -> dX: (..., n), dgamma and dbeta: (n,). Each row of ``dX`` sums
    to 0: adding the same amount to every feature of a row does not change its output.
    """
    x_hat, gamma, inv_std = unpack_cache(cache, 3, "layernorm_forward")
    if np.shape(inv_std) != np.shape(x_hat)[:-1] + (1,):
        raise ValueError(
            f"cache must be the second value returned by layernorm_forward: its "
            f"1 / std has shape {np.shape(inv_std)}, where layer norm's has one value "
            f"per row, {np.shape(x_hat)[:-1] + (1,)} (a batch norm cache?)"
        )
    dout = as_float_array("dout", dout)
    if dout.shape != x_hat.shape:
        raise ValueError(
            f"dout has shape {dout.shape}, expected {x_hat.shape} "
            "(the shape of the forward pass's X)"
        )
    n = dout.shape[-1]
    leading = tuple(range(dout.ndim - 1))
    dbeta = dout.sum(axis=leading)
    dgamma = np.sum(dout * x_hat, axis=leading)
    dx_hat = dout * gamma
    dX = (inv_std / n) * (
        n * dx_hat
        - dx_hat.sum(axis=-1, keepdims=True)
        - x_hat * np.sum(dx_hat * x_hat, axis=-1, keepdims=True)
    )
    return dX, dgamma, dbeta


class LayerNorm(Module):
    """Layer norm over ``n`` features, parameters ``gamma`` (ones) and ``beta`` (zeros).

    Takes X of any shape (..., n). Training and evaluation mode compute the same
    output (:func:`layernorm_forward`): the statistics are each row's own, so there is
    nothing to keep between batches. ``backward`` writes the parameter gradients into
    the same ``grads`` arrays every time, as ``Dense`` does.
    """

    def __init__(self, n: int, eps: float = 1e-5, dtype=np.float64):
        super().__init__()
        self.n = require_positive_int("n", n)
        self.eps = require_number("eps", eps, low=0, low_open=True)
        dtype = require_float_dtype("dtype", dtype)
        self.params = {
            "gamma": np.ones(self.n, dtype=dtype),
            "beta": np.zeros(self.n, dtype=dtype),
        }
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Normalise each row of X (..., n); the same in training and evaluation."""
        out, self._cache = layernorm_forward(
            X, self.params["gamma"], self.params["beta"], self.eps
        )
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Write ``grads["gamma"]``, ``grads["beta"]`` in place; return dX."""
        dX, dgamma, dbeta = layernorm_backward(dout, self._forward_cache())
        self.grads["gamma"][...] = dgamma
        self.grads["beta"][...] = dbeta
        return dX

    def __repr__(self) -> str:
        return f"LayerNorm({self.n}, eps={self.eps:g})"
