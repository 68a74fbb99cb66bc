"""The dense (fully connected) layer, in the row-batch convention.

Forward:   Z = X @ W + b
Backward:  dX = dZ @ W.T,   dW = X.T @ dZ,   db = dZ.sum(axis=0)

Shapes: X (m, n_in), W (n_in, n_out), b (n_out,), Z and dZ (m, n_out).
``Dense.backward`` overwrites ``grads["W"]`` and ``grads["b"]``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, require_ndim, require_positive_int, require_shape
from .core import Module
from .init import get_initializer


def dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray):
    """``Z = X @ W + b``; returns ``(Z, cache)``.

    X: (m, n_in), W: (n_in, n_out), b: (n_out,) -> Z: (m, n_out).
    """
    X = as_float_array("X", X)
    W = as_float_array("W", W)
    b = as_float_array("b", b)
    require_ndim("X", X, 2, "(batch, features)")
    require_ndim("W", W, 2, "(n_in, n_out)")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features (shape {X.shape}) but W expects {W.shape[0]} (shape {W.shape})")
    require_shape("b", b, (W.shape[1],))
    Z = X @ W + b
    return Z, (X, W)


def dense_backward(dZ: np.ndarray, cache):
    """Gradients of ``Z = X @ W + b``; returns ``(dX, dW, db)``.

    dZ: (m, n_out) -> dX: (m, n_in) = dZ @ W.T, dW: (n_in, n_out) = X.T @ dZ,
    db: (n_out,) = dZ summed over the batch.
    """
    X, W = cache
    dZ = as_float_array("dZ", dZ)
    require_shape("dZ", dZ, (X.shape[0], W.shape[1]))
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db


class Dense(Module):
    """A dense layer with parameters ``W`` (n_in, n_out) and ``b`` (n_out,).

    ``init`` names an initialiser of :mod:`bp_lib.init` (``"he"``, ``"xavier"``,
    ``"lecun"``, ...) or is a callable ``(n_in, n_out, rng) -> W``; ``b`` starts
    at zero. Pass a seeded ``rng`` for reproducible weights; ``rng=None`` draws
    fresh entropy. ``dtype`` is the dtype of the parameters (float64 by default).
    """

    def __init__(self, n_in: int, n_out: int, init="he", rng=None, dtype=np.float64):
        super().__init__()
        self.n_in = require_positive_int("n_in", n_in)
        self.n_out = require_positive_int("n_out", n_out)
        rng = np.random.default_rng() if rng is None else rng
        W = np.asarray(get_initializer(init)(self.n_in, self.n_out, rng), dtype=dtype)
        require_shape("the initialiser's output", W, (self.n_in, self.n_out))
        self.params = {"W": W, "b": np.zeros(self.n_out, dtype=dtype)}
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``X @ W + b`` for X of shape (m, n_in)."""
        Z, self._cache = dense_forward(X, self.params["W"], self.params["b"])
        return Z

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Store ``grads["W"]``, ``grads["b"]`` (overwriting them); return dX."""
        dX, self.grads["W"], self.grads["b"] = dense_backward(dout, self._forward_cache())
        return dX

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out})"
