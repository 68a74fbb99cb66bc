"""The dense (fully connected) layer, in the row-batch convention.

Forward:   Z = X @ W + b
Backward:  dX = dZ @ W.T,   dW = X.T @ dZ,   db = dZ.sum(axis=0)

Shapes: X (m, n_in), W (n_in, n_out), b (n_out,), Z and dZ (m, n_out). The module
``Dense`` also takes any leading shape, X (..., n_in) -> Z (..., n_out): the leading
axes are flattened into one batch axis (a sequence of T vectors per example is
m * T rows), so dW and db sum over all of them.

``dense_forward`` / ``dense_backward`` are the formulas as the book writes them.
``Dense`` computes the same numbers with less memory traffic: the bias is added in
place (no temporary for ``X @ W``), the gradients are written into the arrays of
``grads`` (``out=``), and ``backward_params(dZ)`` skips ``dX`` (for a first layer).
``Dense.backward`` overwrites ``grads["W"]`` and ``grads["b"]``.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    require_finite,
    require_float_dtype,
    require_ndim,
    require_positive_int,
    require_shape,
    unpack_cache,
)
from .core import Module
from .init import get_initializer


def dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray):
    """``Z = X @ W + b``; returns ``(Z, cache)``.

    X: (m, n_in), W: (n_in, n_out), b: (n_out,) -> Z: (m, n_out).
    """
    X, W, b = _checked_inputs(X, W, b)
    Z = X @ W + b
    return Z, (X, W)


def _checked_inputs(X, W, b):
    """``X``, ``W``, ``b`` as float arrays of compatible shapes, or ``ValueError``.

    The shapes are (m, n_in), (n_in, n_out) and (n_out,).
    """
    X = as_float_array("X", X)
    W = as_float_array("W", W)
    b = as_float_array("b", b)
    require_ndim("X", X, 2, "(batch, features)")
    require_ndim("W", W, 2, "(n_in, n_out)")
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features (shape {X.shape}) "
            f"but W expects {W.shape[0]} (shape {W.shape})"
        )
    require_shape("b", b, (W.shape[1],))
    return X, W, b


def _checked_upstream(dZ, X, W):
    """``dZ`` as a float array of shape (m, n_out), or ``ValueError``."""
    dZ = as_float_array("dZ", dZ)
    require_shape("dZ", dZ, (X.shape[0], W.shape[1]))
    return dZ


def dense_backward(dZ: np.ndarray, cache):
    """Gradients of ``Z = X @ W + b``; returns ``(dX, dW, db)``.

    dZ: (m, n_out) -> dX: (m, n_in) = dZ @ W.T, dW: (n_in, n_out) = X.T @ dZ,
    db: (n_out,) = dZ summed over the batch.
    """
    X, W = unpack_cache(cache, 2, "dense_forward")
    dZ = _checked_upstream(dZ, X, W)
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db


class Dense(Module):
    """A dense layer with parameters ``W`` (n_in, n_out) and ``b`` (n_out,).

    ``init`` names an initialiser of :mod:`bp_lib.init` (``"he"``, ``"xavier"``,
    ``"lecun"``, ...) or is a callable ``(n_in, n_out, rng) -> W``; ``b`` starts
    at zero. Pass a seeded ``rng`` for reproducible weights; ``rng=None`` draws
    fresh entropy. ``dtype`` is the dtype of the parameters (float64 by default):
    a floating-point type, since integer weights would truncate every update.
    ``forward`` takes X of shape (..., n_in) and returns (..., n_out).
    """

    def __init__(self, n_in: int, n_out: int, init="he", rng=None, dtype=np.float64):
        super().__init__()
        self.n_in = require_positive_int("n_in", n_in)
        self.n_out = require_positive_int("n_out", n_out)
        dtype = require_float_dtype("dtype", dtype)
        rng = np.random.default_rng() if rng is None else rng
        W = as_float_array(
            "the initialiser's output",
            get_initializer(init)(self.n_in, self.n_out, rng),
        ).astype(dtype, copy=False)
        require_shape("the initialiser's output", W, (self.n_in, self.n_out))
        require_finite("the initialiser's output", W)
        self.params = {"W": W, "b": np.zeros(self.n_out, dtype=dtype)}
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``X @ W + b`` for X of shape (m, n_in), as :func:`dense_forward`.

        X of shape (..., n_in) is computed as (-1, n_in) rows and the result
        reshaped to (..., n_out). The bias is added in place.
        """
        X = as_float_array("X", X)
        leading = X.shape[:-1]
        if X.ndim > 2:
            X = X.reshape(-1, X.shape[-1])
        X, W, b = _checked_inputs(X, self.params["W"], self.params["b"])
        Z = X @ W
        Z += b
        self._cache = (X, W)
        self._leading = leading
        return Z.reshape(*leading, self.n_out) if len(leading) > 1 else Z

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Write ``grads["W"]`` and ``grads["b"]`` in place; return ``dX = dZ @ W.T``.

        ``X.T @ dZ`` and ``dZ.sum(axis=0)`` go into ``grads["W"]`` and ``grads["b"]``:
        the same numbers as :func:`dense_backward`, without fresh arrays for the
        gradients.
        """
        dZ, W = self._store_gradients(dout)
        dX = dZ @ W.T
        return dX.reshape(*self._leading, self.n_in) if len(self._leading) > 1 else dX

    def backward_params(self, dout: np.ndarray) -> None:
        """Write ``grads`` as ``backward`` does, but skip the product for dX."""
        self._store_gradients(dout)

    def _store_gradients(self, dout: np.ndarray):
        """``grads["W"] = X.T @ dZ`` and ``grads["b"] = dZ.sum(axis=0)``, in place.

        Returns ``(dZ, W)``.
        """
        X, W = self._forward_cache()
        dout = as_float_array("dout", dout)
        if len(self._leading) > 1:
            require_shape("dout", dout, (*self._leading, self.n_out))
            dout = dout.reshape(-1, self.n_out)
        dZ = _checked_upstream(dout, X, W)
        np.matmul(X.T, dZ, out=self.grads["W"])
        dZ.sum(axis=0, out=self.grads["b"])
        return dZ, W

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out})"
