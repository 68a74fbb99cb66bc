"""Batch normalisation over the batch axis, training and evaluation modes.

Training forward, per feature j over a batch of m rows:

    mu = mean(X, 0)
    var = mean((X - mu)**2, 0)    (biased)
    x_hat = (X - mu) / sqrt(var + eps)
    out = gamma * x_hat + beta

Backward (the compact form; the chapter derives it on the graph):

    dbeta = sum(dout, 0)
    dgamma = sum(dout * x_hat, 0)
    dx_hat = dout * gamma
    dX = (1 / (m sqrt(var + eps)))
         * (m dx_hat - sum(dx_hat, 0) - x_hat * sum(dx_hat * x_hat, 0))

Shapes: X, out, dout, dX (m, n); gamma, beta, mu, var (n,).
In evaluation mode the module uses running averages instead of batch statistics;
``BatchNorm.backward`` overwrites ``grads["gamma"]`` and ``grads["beta"]``.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    first_non_finite,
    require_ndim,
    require_number,
    require_positive_int,
    require_shape,
    unpack_cache,
)
from .core import Module


def _check_features(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> None:
    require_ndim("X", X, 2, "(batch, features)")
    require_shape("gamma", gamma, (X.shape[1],))
    require_shape("beta", beta, (X.shape[1],))


def batchnorm_forward(
    X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
):
    """Training-mode batch norm: batch mean and biased batch variance; ``(out, cache)``.

    X: (m, n) with m >= 2, gamma and beta: (n,) -> out: (m, n).
    """
    X = as_float_array("X", X)
    gamma = as_float_array("gamma", gamma)
    beta = as_float_array("beta", beta)
    _check_features(X, gamma, beta)
    if X.shape[0] < 2:
        raise ValueError(
            "batch norm in training mode needs a batch of at least 2 rows, "
            f"got X of shape {X.shape}: the variance of one row is 0 "
            "(use eval mode for single examples)"
        )
    eps = require_number("eps", eps, low=0, low_open=True)
    with np.errstate(over="ignore", invalid="ignore"):  # judged just below
        mu = X.mean(axis=0)
        centred = X - mu
        var = np.mean(centred * centred, axis=0)
    _require_finite_statistics(X, var)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = centred * inv_std
    out = gamma * x_hat + beta
    return out, (x_hat, gamma, inv_std)


def _require_finite_statistics(X: np.ndarray, var: np.ndarray) -> None:
    """``FloatingPointError`` unless the batch variance (hence the mean) is finite.

    A NaN or an infinity in ``X`` is named with its place; a finite ``X`` whose
    variance overflows the dtype (values near 1e154 in float64, 1e19 in float32)
    would otherwise normalise to all zeros. A FloatingPointError, as in ``fit``:
    in a network it is how a diverging layer below shows up.
    """
    if np.isfinite(var).all():
        return
    where = first_non_finite(X)
    if where is not None:
        raise FloatingPointError(f"X must be finite for batch norm, got {where}")
    feature = int(np.argmax(~np.isfinite(var)))
    raise FloatingPointError(
        f"the batch variance of feature {feature} overflows {X.dtype} (X holds "
        f"values up to {np.max(np.abs(X[:, feature])):.3g}); scale the input down"
    )


def _checked_backward_inputs(dout, cache, forward: str):
    """``(dout, x_hat, gamma, inv_std)``, ``dout`` shaped like the forward output."""
    x_hat, gamma, inv_std = unpack_cache(cache, 3, forward)
    dout = as_float_array("dout", dout)
    require_shape("dout", dout, x_hat.shape)
    return dout, x_hat, gamma, inv_std


def batchnorm_backward(dout: np.ndarray, cache):
    """Gradients of training-mode batch norm; returns ``(dX, dgamma, dbeta)``.

    dout: (m, n) -> dX: (m, n), dgamma and dbeta: (n,). ``dX`` sums to 0 over the
    batch: shifting every row by the same amount does not change the output.
    """
    dout, x_hat, gamma, inv_std = _checked_backward_inputs(
        dout, cache, "batchnorm_forward"
    )
    m = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dX = (inv_std / m) * (
        m * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0)
    )
    return dX, dgamma, dbeta


def batchnorm_backward_graph(dout: np.ndarray, cache):
    """The same gradients as :func:`batchnorm_backward`, node by node on the graph.

    Forward graph: mu = mean(X), xmu = X - mu, var = mean(xmu**2),
    std = sqrt(var + eps), inv = 1 / std, x_hat = xmu * inv, out = gamma * x_hat + beta.
    Each line below is the backward step of one node, in reverse order; returns
    ``(dX, dgamma, dbeta)``.
    """
    dout, x_hat, gamma, inv = _checked_backward_inputs(dout, cache, "batchnorm_forward")
    m = dout.shape[0]
    xmu = x_hat / inv  # recover the centred input
    dbeta = dout.sum(axis=0)  # out = gamma * x_hat + beta
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dinv = np.sum(dx_hat * xmu, axis=0)  # x_hat = xmu * inv
    dxmu = dx_hat * inv
    dstd = -dinv * inv**2  # inv = 1 / std
    dvar = 0.5 * inv * dstd  # std = sqrt(var + eps)
    dxmu = dxmu + 2 * xmu * dvar / m  # var = mean(xmu**2): a second path to xmu
    dmu = -dxmu.sum(axis=0)  # xmu = X - mu
    dX = dxmu + dmu / m  # mu = mean(X): every row gets dmu / m
    return dX, dgamma, dbeta


class BatchNorm(Module):
    """Batch norm over ``n`` features, parameters ``gamma`` (ones) and ``beta`` (zeros).

    Training mode normalises with the batch statistics and updates
    ``running_mean`` and ``running_var`` as
    ``r <- momentum * r + (1 - momentum) * batch``, where the running variance takes
    the *unbiased* batch variance (m / (m - 1) times the biased one), as PyTorch
    does. ``momentum`` is the weight of the *old* value: PyTorch's ``momentum`` is
    the weight of the *new* batch, so ``momentum=0.9`` here is ``momentum=0.1``
    in ``torch.nn.BatchNorm1d`` (both defaults). Evaluation mode uses the running
    statistics: ``out = gamma * (X - running_mean) / sqrt(running_var + eps) + beta``.
    ``backward`` writes ``grads["gamma"]`` and ``grads["beta"]`` in place.
    """

    def __init__(
        self, n: int, eps: float = 1e-5, momentum: float = 0.9, dtype=np.float64
    ):
        super().__init__()
        self.n = require_positive_int("n", n)
        self.eps = require_number("eps", eps, low=0, low_open=True)
        self.momentum = require_number("momentum", momentum, low=0, high=1)
        self.params = {
            "gamma": np.ones(self.n, dtype=dtype),
            "beta": np.zeros(self.n, dtype=dtype),
        }
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.running_mean = np.zeros(self.n, dtype=dtype)
        self.running_var = np.ones(self.n, dtype=dtype)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Normalise X (m, n) by batch (training) or running (eval) statistics."""
        gamma, beta = self.params["gamma"], self.params["beta"]
        if self.training:
            out, cache = batchnorm_forward(X, gamma, beta, self.eps)
            self._cache = ("train", cache)
            self._update_running_statistics(as_float_array("X", X))
            return out
        X = as_float_array("X", X)
        _check_features(X, gamma, beta)
        inv_std = 1 / np.sqrt(self.running_var + self.eps)
        x_hat = (X - self.running_mean) * inv_std
        self._cache = ("eval", (x_hat, gamma, inv_std))
        return gamma * x_hat + beta

    def _update_running_statistics(self, X: np.ndarray) -> None:
        m = X.shape[0]
        unbiased_var = X.var(axis=0) * m / (m - 1)
        self.running_mean *= self.momentum
        self.running_mean += (1 - self.momentum) * X.mean(axis=0)
        self.running_var *= self.momentum
        self.running_var += (1 - self.momentum) * unbiased_var

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Write ``grads["gamma"]``, ``grads["beta"]`` in place; return dX."""
        mode, cache = self._forward_cache()
        if mode == "eval":
            # an affine map per feature: dX = dout * gamma / sqrt(var + eps)
            dout, x_hat, gamma, inv_std = _checked_backward_inputs(
                dout, cache, "BatchNorm.forward"
            )
            dgamma, dbeta = np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
            dX = dout * gamma * inv_std
        else:
            dX, dgamma, dbeta = batchnorm_backward(dout, cache)
        # in place: an optimiser or a caller holding the arrays never goes stale
        self.grads["gamma"][...] = dgamma
        self.grads["beta"][...] = dbeta
        return dX

    def __repr__(self) -> str:
        return f"BatchNorm({self.n}, eps={self.eps:g}, momentum={self.momentum:g})"
