"""Scaled dot-product attention and a single-head self-attention module.

Forward, for each example of the batch (the products are batched over axis 0):

    Z = Q K^T / sqrt(d)        scores: query t against key s
    P = softmax(Z)             over the keys (last axis); masked keys get P = 0
    out = P V                  each query's output: a weighted mean of the rows of V

Backward, for dout = dL/dout:

    dV = P^T dout
    dP = dout V^T
    dZ = P * (dP - sum(dP * P, keys))   softmax's Jacobian-vector product, row by row
    dQ = dZ K / sqrt(d)
    dK = dZ^T Q / sqrt(d)

Shapes: Q, dQ (m, T, d); K, dK (m, S, d); V, dV (m, S, dv); Z, P, dP, dZ (m, T, S);
out, dout (m, T, dv). ``^T`` swaps the last two axes.

``mask`` is a boolean array of shape (T, S) (the same for every example) or
(m, T, S): True where query t may attend to key s, as PyTorch's boolean
``attn_mask``. A masked score becomes -inf, so its probability is exactly 0, and
since dZ carries the factor P, its gradient is exactly 0 too: a masked key adds
nothing to dQ, and receives nothing in dK and dV from that query. Every query needs
at least one key it may attend to (a softmax over no entries does not exist).

``SelfAttention`` is one head with Q = X Wq, K = X Wk, V = X Wv and an output
projection ``out = attention(Q, K, V) Wo``; ``causal=True`` lets position t attend
to positions 0..t only (:func:`causal_mask`).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import (
    all_finite,
    as_float_array,
    first_non_finite,
    require_float_dtype,
    require_ndim,
    require_positive_int,
    require_shape,
    unpack_cache,
)
from .activations import softmax, softmax_backward
from .core import Module
from .init import xavier_uniform


def causal_mask(T: int) -> np.ndarray:
    """The (T, T) boolean mask that lets query t attend to keys 0..t only.

    ``mask[t, s] = s <= t``: True on and below the diagonal.
    """
    T = require_positive_int("T", T)
    return np.tril(np.ones((T, T), dtype=bool))


def attention_forward(Q, K, V, mask=None):
    """``out = softmax(Q K^T / sqrt(d)) V`` over the allowed keys; ``(out, cache)``.

    Q (m, T, d), K (m, S, d), V (m, S, dv), mask None, (T, S) or (m, T, S) booleans
    (True = may attend) -> out (m, T, dv). The softmax runs over the S keys of
    each query; a masked score is set to -inf, so its probability P is 0.
    """
    Q, K, V, mask = _checked_inputs(Q, K, V, mask)
    scale = 1 / math.sqrt(Q.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):  # judged just below
        Z = (Q @ np.swapaxes(K, 1, 2)) * scale  # (m, T, S)
    _require_finite("Q K^T / sqrt(d)", Z, Q=Q, K=K)
    if mask is not None:
        Z = np.where(mask, Z, -np.inf)
    P = softmax(Z)  # (m, T, S); each row sums to 1 over its allowed keys
    with np.errstate(over="ignore", invalid="ignore"):
        out = P @ V  # (m, T, dv)
    _require_finite("P V", out, V=V)
    return out, (Q, K, V, P)


def attention_backward(dout, cache):
    """Gradients of scaled dot-product attention; returns ``(dQ, dK, dV)``.

    dout (m, T, dv) -> dQ (m, T, d), dK (m, S, d), dV (m, S, dv):

        dV = P^T dout                         (m, S, dv)
        dP = dout V^T                         (m, T, S)
        dZ = P * (dP - sum(dP * P, keys))     (m, T, S), 0 where masked
        dQ = dZ K / sqrt(d),   dK = dZ^T Q / sqrt(d)
    """
    Q, K, V, P = unpack_cache(cache, 4, "attention_forward")
    dout = as_float_array("dout", dout)
    _require_upstream_shape(dout, (*P.shape[:2], V.shape[-1]))
    scale = 1 / math.sqrt(Q.shape[-1])
    dV = np.swapaxes(P, 1, 2) @ dout
    dP = dout @ np.swapaxes(V, 1, 2)
    dZ = softmax_backward(dP, P)  # chapter 4's formula, one row per query
    dQ = (dZ @ K) * scale
    dK = (np.swapaxes(dZ, 1, 2) @ Q) * scale
    return dQ, dK, dV


# --- the checks ---------------------------------------------------------------------


def _checked_inputs(Q, K, V, mask):
    """Q, K, V as float arrays of compatible shapes and the mask as booleans."""
    Q = as_float_array("Q", Q)
    K = as_float_array("K", K)
    V = as_float_array("V", V)
    require_ndim("Q", Q, 3, "(batch m, queries T, features d)")
    require_ndim("K", K, 3, "(batch m, keys S, features d)")
    require_ndim("V", V, 3, "(batch m, keys S, value features dv)")
    if not Q.shape[0] == K.shape[0] == V.shape[0]:
        raise ValueError(
            f"Q, K and V must hold the same number of examples (axis 0), got shapes "
            f"{Q.shape}, {K.shape} and {V.shape}"
        )
    if Q.shape[2] != K.shape[2] or Q.shape[2] == 0:
        raise ValueError(
            f"Q and K must have the same number d >= 1 of features (last axis) for "
            f"the scores Q K^T, got Q of shape {Q.shape} and K of shape {K.shape}"
        )
    if K.shape[1] != V.shape[1] or K.shape[1] == 0:
        raise ValueError(
            f"K and V must hold the same number S >= 1 of keys (axis 1), got K of "
            f"shape {K.shape} and V of shape {V.shape}"
        )
    return Q, K, V, _checked_mask(mask, Q.shape[0], Q.shape[1], K.shape[1])


def _checked_mask(mask, m: int, T: int, S: int):
    """``mask`` as a (T, S) or (m, T, S) boolean array with a True in every row."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(
            f"mask must be a boolean array (True = may attend), got dtype "
            f"{mask.dtype}; for a 0/1 array, pass mask.astype(bool)"
        )
    if mask.shape not in ((T, S), (m, T, S)):
        raise ValueError(
            f"mask has shape {mask.shape}, expected (T, S) = {(T, S)} or "
            f"(m, T, S) = {(m, T, S)}"
        )
    empty = ~mask.any(axis=-1)
    if empty.any():
        index = tuple(int(i) for i in np.unravel_index(np.argmax(empty), empty.shape))
        where = f"query row {index[-1]}" + (
            f" of example {index[0]}" if len(index) == 2 else ""
        )
        raise ValueError(
            f"{where} may attend to no key: mask[{', '.join(map(str, index))}] is "
            "False everywhere; every query needs at least one True in its row"
        )
    return mask


def _require_finite(what: str, result: np.ndarray, **inputs) -> None:
    """``FloatingPointError`` unless ``result`` is finite, naming the cause.

    A NaN or an infinity in one of ``inputs`` is named with its place; otherwise
    finite inputs made ``result`` overflow. The input arrays are only searched
    when ``result`` is not finite.
    """
    if all_finite(result):
        return
    for name, array in inputs.items():
        where = first_non_finite(array)
        if where is not None:
            raise FloatingPointError(
                f"{name} must be finite for attention, got {where}"
            )
    largest = ", ".join(f"{n} up to {np.max(np.abs(a)):.3g}" for n, a in inputs.items())
    raise FloatingPointError(
        f"{what} overflows {result.dtype} ({largest}); scale the inputs down"
    )


def _require_upstream_shape(dout: np.ndarray, expected: tuple) -> None:
    if dout.shape != expected:
        raise ValueError(
            f"dout has shape {dout.shape}, expected {expected} "
            "(the shape of the forward pass's output)"
        )


# --- the module ---------------------------------------------------------------------


class SelfAttention(Module):
    """Single-head self-attention with parameters Wq, Wk, Wv, Wo, each (d, d).

    X (m, T, d) with d = ``d_model``:

        Q = X Wq,  K = X Wk,  V = X Wv,  A = attention(Q, K, V),  out = A Wo

    Backward (the sums run over the m T positions, every example and time step):

        dWo = A^T dout,  dA = dout Wo^T,  (dQ, dK, dV) = attention_backward(dA)
        dWq = X^T dQ,  dWk = X^T dK,  dWv = X^T dV
        dX = dQ Wq^T + dK Wk^T + dV Wv^T    (X reaches the output along three paths)

    The weights are drawn Xavier/Glorot uniform (no biases). ``causal=True`` masks
    every key after the query (:func:`causal_mask`). ``backward`` writes the
    gradients into the same ``grads`` arrays every time, as ``Dense`` does.
    """

    NAMES = ("Wq", "Wk", "Wv", "Wo")

    def __init__(self, d_model: int, rng=None, causal=False, dtype=np.float64):
        super().__init__()
        self.d_model = require_positive_int("d_model", d_model)
        if not isinstance(causal, (bool, np.bool_)):
            raise TypeError(f"causal must be True or False, got {causal!r}")
        self.causal = bool(causal)
        dtype = require_float_dtype("dtype", dtype)
        rng = np.random.default_rng() if rng is None else rng
        d = self.d_model
        self.params = {
            name: xavier_uniform(d, d, rng).astype(dtype) for name in self.NAMES
        }
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``attention(X Wq, X Wk, X Wv) Wo`` for X (m, T, d_model)."""
        X = self._checked_input(X)
        Wq, Wk, Wv, Wo = (self.params[name] for name in self.NAMES)
        mask = causal_mask(X.shape[1]) if self.causal else None
        A, attention_cache = attention_forward(X @ Wq, X @ Wk, X @ Wv, mask)
        self._cache = (X, A, attention_cache)
        return A @ Wo

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Write the four weight gradients in place; return dX (m, T, d_model)."""
        dQ, dK, dV = self._store_gradients(dout)
        Wq, Wk, Wv = (self.params[name] for name in self.NAMES[:3])
        return dQ @ Wq.T + dK @ Wk.T + dV @ Wv.T

    def backward_params(self, dout: np.ndarray) -> None:
        """Write the weight gradients as ``backward`` does, without dX."""
        self._store_gradients(dout)

    def _store_gradients(self, dout: np.ndarray):
        """``grads[...] = X^T dQ`` etc., in place, over all positions; (dQ, dK, dV)."""
        X, A, attention_cache = self._forward_cache()
        dout = as_float_array("dout", dout)
        require_shape("dout", dout, X.shape)
        d = self.d_model
        np.matmul(A.reshape(-1, d).T, dout.reshape(-1, d), out=self.grads["Wo"])
        dA = dout @ self.params["Wo"].T
        dQ, dK, dV = attention_backward(dA, attention_cache)
        rows = X.reshape(-1, d)  # one row per position (example, time step)
        for name, grad in zip(self.NAMES, (dQ, dK, dV)):
            np.matmul(rows.T, grad.reshape(-1, d), out=self.grads[name])
        return dQ, dK, dV

    def _checked_input(self, X) -> np.ndarray:
        X = as_float_array("X", X)
        require_ndim("X", X, 3, "(batch m, time steps T, d_model)")
        if X.shape[-1] != self.d_model:
            raise ValueError(
                f"X has {X.shape[-1]} features (shape {X.shape}) but SelfAttention "
                f"expects d_model = {self.d_model}"
            )
        if not all_finite(X):
            raise FloatingPointError(
                f"X must be finite for self-attention, got {first_non_finite(X)}"
            )
        return X

    def __repr__(self) -> str:
        return f"SelfAttention({self.d_model}, causal={self.causal})"
