"""Inverted dropout: drop each unit with probability p, scale kept ones by 1/(1 - p).

Forward (training):  mask = [U >= p] / (1 - p) with U ~ Uniform(0, 1),  out = X * mask
Backward:            dX = dout * mask   (the same mask as the forward pass)

Scaling at training time keeps ``E[out] = X``, so evaluation mode is the identity.
Shapes: X, mask, out, dout, dX all (m, n) (any shape works).
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    require_array_cache,
    require_generator,
    require_number,
    require_same_shape,
)
from .core import Module


def dropout_forward(X: np.ndarray, p: float, rng: np.random.Generator):
    """Inverted dropout with drop probability ``p`` in [0, 1); returns ``(out, mask)``.

    The cache is the scaled mask: 0 for a dropped unit, ``1 / (1 - p)`` for a kept one.
    """
    X = as_float_array("X", X)
    p = require_number("p", p, low=0, high=1, high_open=True)
    rng = require_generator("rng", rng)
    keep = rng.random(X.shape) >= p
    mask = keep.astype(X.dtype) / X.dtype.type(1 - p)
    return X * mask, mask


def dropout_backward(dout: np.ndarray, cache) -> np.ndarray:
    """``dX = dout * mask``: gradient flows only through kept units, scaled alike."""
    mask = require_array_cache(cache, "dropout_forward")
    dout = as_float_array("dout", dout)
    require_same_shape("dout", dout, "the dropout mask", mask)
    return dout * mask


class Dropout(Module):
    """Inverted dropout in training mode, the identity in evaluation mode.

    ``rng`` is the generator the masks are drawn from (``None``: fresh entropy);
    to replay a mask, e.g. for a gradient check, assign a newly seeded generator
    to ``layer.rng`` before each forward pass.
    """

    def __init__(self, p: float, rng: np.random.Generator | None = None):
        super().__init__()
        self.p = require_number("p", p, low=0, high=1, high_open=True)
        self.rng = (
            np.random.default_rng() if rng is None else require_generator("rng", rng)
        )

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Drop units of X at random (training) or return X unchanged (eval)."""
        if not self.training:
            X = as_float_array("X", X)
            self._cache = np.ones_like(X)
            return X
        out, self._cache = dropout_forward(X, self.p, self.rng)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return ``dout * mask`` (the mask is all ones in evaluation mode)."""
        return dropout_backward(dout, self._forward_cache())

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"
