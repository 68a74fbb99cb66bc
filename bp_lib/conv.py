"""2-D convolution (cross-correlation, as PyTorch's ``conv2d``), max pooling, flatten.

Forward, with X zero-padded by ``p`` on every side (Xp) and stride ``s``:

    out[n, f, i, j] = b[f] + sum_{c, u, v} W[f, c, u, v] * Xp[n, c, s i + u, s j + v]

Backward, for dout = dL/dout:

    db[f]          = sum_{n, i, j} dout[n, f, i, j]
    dW[f, c, u, v] = sum_{n, i, j} dout[n, f, i, j] * Xp[n, c, s i + u, s j + v]
                     (the correlation of the input with the upstream gradient)
    dXp[n, c, y, x] = sum_{f, i, j} dout[n, f, i, j] * W[f, c, y - s i, x - s j]
                     (a full convolution of the upstream gradient, dilated by s, with
                     the kernel; terms with the kernel index outside it are 0)
    dX = dXp without its p border rows and columns on every side

Shapes: X, dX (m, C, H, W_in); W, dW (F, C, kh, kw); b, db (F,); out, dout
(m, F, H_out, W_out) with H_out = floor((H + 2p - kh) / s) + 1 and
W_out = floor((W_in + 2p - kw) / s) + 1, as PyTorch. Rows and columns of Xp that no
window reaches (when s does not divide H + 2p - kh) get a zero gradient.

Two implementations of the same pair: ``conv2d_forward_loops`` /
``conv2d_backward_loops`` write the sums above as loops (the lesson; small inputs),
``conv2d_forward`` / ``conv2d_backward`` gather every window into one row of a matrix
(im2col) and turn each sum into one matrix product (the speed); the matrix is filled by
one strided copy per kernel offset and stored column by column, so that the copies
and the products run over contiguous memory. ``Conv2d`` is the module over the im2col
pair; it writes its gradients into the same ``grads`` arrays at every ``backward``, as
``Dense`` does.

Max pooling keeps the largest entry of each ``size`` x ``size`` window; its backward
routes each upstream gradient to the entry that was kept. At a tie, the kept entry is
the FIRST maximal entry of the window in row-major order (smallest row, then
smallest column): the one ``np.argmax`` returns over the flattened window. The whole
gradient goes to that one entry; the other tied entries get 0.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import (
    as_float_array,
    require_float_dtype,
    require_ndim,
    require_positive_int,
    require_shape,
    unpack_cache,
)
from .core import Module
from .init import he_normal


def _require_padding(padding) -> int:
    """``padding`` as an int >= 0, or ``ValueError`` naming it."""
    if (
        isinstance(padding, bool)
        or not isinstance(padding, numbers.Integral)
        or padding < 0
    ):
        raise ValueError(f"padding must be an integer >= 0, got {padding!r}")
    return int(padding)


def output_size(size: int, k: int, stride: int, padding: int) -> int:
    """``floor((size + 2 padding - k) / stride) + 1``: windows along one axis."""
    return (size + 2 * padding - k) // stride + 1


def _checked_conv_inputs(X, W, b, stride, padding):
    """The forward's arguments, checked; returns ``(X, W, b, stride, padding)``."""
    X = as_float_array("X", X)
    W = as_float_array("W", W)
    b = as_float_array("b", b)
    require_ndim("X", X, 4, "(batch, channels, height, width)")
    require_ndim("W", W, 4, "(filters, channels, kernel height, kernel width)")
    if min(W.shape) < 1:
        raise ValueError(f"W has shape {W.shape}: every axis must be at least 1")
    if X.shape[1] != W.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} channels (shape {X.shape}) "
            f"but W expects {W.shape[1]} (shape {W.shape})"
        )
    require_shape("b", b, (W.shape[0],))
    stride = require_positive_int("stride", stride)
    padding = _require_padding(padding)
    _require_kernel_fits("W's kernel", W.shape[2:], X.shape, padding)
    return X, W, b, stride, padding


def _require_kernel_fits(what: str, kernel, shape, padding: int) -> None:
    """``ValueError`` unless a ``kernel`` (kh, kw) fits in the padded input."""
    height, width = shape[2] + 2 * padding, shape[3] + 2 * padding
    if kernel[0] > height or kernel[1] > width:
        raise ValueError(
            f"{what} {kernel[0]}x{kernel[1]} is larger than the padded input "
            f"{height}x{width} (X of shape {tuple(shape)}, padding {padding}): "
            f"expected a kernel of at most {height}x{width}"
        )


def _pad(X: np.ndarray, padding: int) -> np.ndarray:
    """X (m, C, H, W) with ``padding`` zero rows and columns on every side."""
    if padding == 0:
        return X
    p, (m, C, H, W) = padding, X.shape
    Xp = np.zeros((m, C, H + 2 * p, W + 2 * p), dtype=X.dtype)
    Xp[:, :, p : p + H, p : p + W] = X
    return Xp


def _crop(dXp: np.ndarray, padding: int) -> np.ndarray:
    """The inverse of :func:`_pad`: drop ``padding`` rows and columns on every side."""
    if padding == 0:
        return dXp
    p = padding
    return dXp[:, :, p:-p, p:-p]


def _checked_upstream(name: str, dout, expected: tuple, forward: str) -> np.ndarray:
    dout = as_float_array(name, dout)
    if dout.shape != tuple(expected):
        raise ValueError(
            f"{name} has shape {dout.shape}, expected {tuple(expected)} "
            f"(the shape of {forward}'s output)"
        )
    return dout


# --- the loops: the formulas as written ---------------------------------------------


def conv2d_forward_loops(X, W, b, stride=1, padding=0):
    """Cross-correlation by explicit loops; returns ``(out, cache)``.

    ``out[n, f, i, j] = b[f] + sum(W[f] * Xp[n, :, s i : s i + kh, s j : s j + kw])``.
    X (m, C, H, W_in), W (F, C, kh, kw), b (F,) -> out (m, F, H_out, W_out).
    """
    X, W, b, stride, padding = _checked_conv_inputs(X, W, b, stride, padding)
    Xp = _pad(X, padding)
    m, F, (kh, kw) = len(X), len(W), W.shape[2:]
    H_out = output_size(X.shape[2], kh, stride, padding)
    W_out = output_size(X.shape[3], kw, stride, padding)
    out = np.empty((m, F, H_out, W_out), dtype=np.result_type(X, W, b))
    for n in range(m):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    y, x = stride * i, stride * j
                    window = Xp[n, :, y : y + kh, x : x + kw]
                    out[n, f, i, j] = np.sum(window * W[f]) + b[f]
    return out, (Xp, W, stride, padding)


def conv2d_backward_loops(dout, cache):
    """Gradients of :func:`conv2d_forward_loops` by explicit loops: ``(dX, dW, db)``.

    Each output entry was ``sum(W[f] * window) + b[f]``, so it sends
    ``dout[n, f, i, j] * window`` to dW[f], ``dout[n, f, i, j] * W[f]`` to the window's
    place in dXp, and ``dout[n, f, i, j]`` to db[f]; dX is dXp without its padding.
    dout (m, F, H_out, W_out) -> dX (m, C, H, W_in), dW (F, C, kh, kw), db (F,).
    """
    Xp, W, stride, padding = unpack_cache(cache, 4, "conv2d_forward_loops")
    m, F, (kh, kw) = len(Xp), len(W), W.shape[2:]
    H_out = (Xp.shape[2] - kh) // stride + 1
    W_out = (Xp.shape[3] - kw) // stride + 1
    dout = _checked_upstream("dout", dout, (m, F, H_out, W_out), "conv2d_forward_loops")
    dXp, dW = np.zeros(Xp.shape, dout.dtype), np.zeros(W.shape, dout.dtype)
    for n in range(m):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    y, x = stride * i, stride * j
                    window = Xp[n, :, y : y + kh, x : x + kw]
                    dW[f] += dout[n, f, i, j] * window
                    dXp[n, :, y : y + kh, x : x + kw] += dout[n, f, i, j] * W[f]
    db = dout.sum(axis=(0, 2, 3))
    return _crop(dXp, padding), dW, db


# --- im2col: every window a row, every sum one matrix product ------------------------


def _windows(Xp: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """The windows of Xp (m, C, Hp, Wp) as a view (m, C, H_out, W_out, kh, kw)."""
    return sliding_window_view(Xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def _offset(u: int, v: int, H_out: int, W_out: int, stride: int) -> tuple:
    """The index of ``Xp[:, :, u + s i, v + s j]`` for every window (i, j).

    Kernel offset (u, v) of window (i, j) sits at row u + s i, column v + s j: one
    strided slab of shape (m, C, H_out, W_out), with no place in it twice.
    """
    rows = slice(u, u + stride * (H_out - 1) + 1, stride)
    cols = slice(v, v + stride * (W_out - 1) + 1, stride)
    return (slice(None), slice(None), rows, cols)


def im2col(Xp: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """Every window of Xp as one row: (m * H_out * W_out, C * kh * kw).

    Row ``(n, i, j)`` (in C order) holds ``Xp[n, :, s i : s i + kh, s j : s j + kw]``
    flattened in the order (c, u, v), the order of ``W[f].reshape(-1)``. The matrix
    is stored column by column: it is the transpose of a C-contiguous
    (C * kh * kw, m * H_out * W_out) array, filled by one slab copy per kernel offset
    (u, v), ``T[c, u, v, n, i, j] = Xp[n, c, u + s i, v + s j]``.
    """
    m, C, Hp, Wp = Xp.shape
    H_out, W_out = (Hp - kh) // stride + 1, (Wp - kw) // stride + 1
    T = np.empty((C, kh, kw, m, H_out, W_out), dtype=Xp.dtype)
    for u, v in np.ndindex(kh, kw):
        T[:, u, v] = Xp[_offset(u, v, H_out, W_out, stride)].transpose(1, 0, 2, 3)
    return T.reshape(C * kh * kw, m * H_out * W_out).T


def col2im(dcols: np.ndarray, shape: tuple, kh: int, kw: int, stride: int):
    """The adjoint of :func:`im2col`: add each row back onto its window's place.

    dcols (m * H_out * W_out, C * kh * kw) -> an array of ``shape`` (m, C, Hp, Wp).
    One strided addition per kernel offset (u, v): for a fixed offset, the windows
    touch distinct places, so ``+=`` on the strided slab adds every term. Fastest
    when dcols is stored as im2col stores its matrix (its transpose C-contiguous).
    """
    m, C, Hp, Wp = shape
    H_out, W_out = (Hp - kh) // stride + 1, (Wp - kw) // stride + 1
    T = dcols.T.reshape(C, kh, kw, m, H_out, W_out)
    dXp = np.zeros(shape, dtype=dcols.dtype)
    for u, v in np.ndindex(kh, kw):
        dXp[_offset(u, v, H_out, W_out, stride)] += T[:, u, v].transpose(1, 0, 2, 3)
    return dXp


def _as_images(Z_T: np.ndarray, b: np.ndarray, shape: tuple) -> np.ndarray:
    """``Z_T + b[:, None]`` (F, m * H_out * W_out) as a C-contiguous ``shape``.

    ``shape`` is (m, F, H_out, W_out): the bias and the transpose in one pass.
    """
    m, F, H_out, W_out = shape
    out = np.empty(shape, dtype=np.result_type(Z_T, b))
    images = Z_T.reshape(F, m, H_out, W_out).transpose(1, 0, 2, 3)
    return np.add(images, b[:, None, None], out=out)


def conv2d_forward(X, W, b, stride=1, padding=0):
    """Cross-correlation as one matrix product (im2col); returns ``(out, cache)``.

    ``out = W.reshape(F, -1) @ im2col(Xp).T + b``, the rows' product transposed,
    (F, m * H_out * W_out), laid out as (m, F, H_out, W_out), C-contiguous.
    X (m, C, H, W_in), W (F, C, kh, kw), b (F,) -> out (m, F, H_out, W_out);
    stride and padding are ints, zero padding on every side.
    """
    X, W, b, stride, padding = _checked_conv_inputs(X, W, b, stride, padding)
    (F, _, kh, kw), m = W.shape, len(X)
    cols = im2col(_pad(X, padding), kh, kw, stride)
    H_out = output_size(X.shape[2], kh, stride, padding)
    W_out = output_size(X.shape[3], kw, stride, padding)
    out = _as_images(W.reshape(F, -1) @ cols.T, b, (m, F, H_out, W_out))
    return out, (cols, X.shape, W, stride, padding)


def _as_rows(dout: np.ndarray) -> np.ndarray:
    """The upstream gradient (m, F, H_out, W_out) as D (m * H_out * W_out, F).

    One row per window, stored as im2col stores its matrix (D.T C-contiguous), by
    one copy of dout.
    """
    m, F, H_out, W_out = dout.shape
    D_T = np.ascontiguousarray(dout.transpose(1, 0, 2, 3))
    return D_T.reshape(F, m * H_out * W_out).T


def _unpack_conv_cache(dout, cache):
    """``(dout as (m * H_out * W_out, F), cols, padded shape, W, stride, padding)``."""
    cols, shape, W, stride, padding = unpack_cache(cache, 5, "conv2d_forward")
    (F, _, kh, kw), m = W.shape, shape[0]
    H_out = output_size(shape[2], kh, stride, padding)
    W_out = output_size(shape[3], kw, stride, padding)
    dout = _checked_upstream("dout", dout, (m, F, H_out, W_out), "conv2d_forward")
    padded = (m, shape[1], shape[2] + 2 * padding, shape[3] + 2 * padding)
    return _as_rows(dout), cols, padded, W, stride, padding


def _input_gradient(D, W, padded: tuple, stride: int, padding: int) -> np.ndarray:
    """``dX = col2im(D @ W.reshape(F, -1))`` cropped by the padding.

    The product is computed as ``(W.reshape(F, -1).T @ D.T).T``, the same matrix
    stored as col2im reads it fastest. D (m * H_out * W_out, F) -> dX (m, C, H, W_in).
    """
    dcols = (W.reshape(len(W), -1).T @ D.T).T
    return _crop(col2im(dcols, padded, *W.shape[2:], stride), padding)


def conv2d_backward(dout, cache):
    """Gradients of :func:`conv2d_forward` as matrix products: ``(dX, dW, db)``.

    With D = dout as rows (m * H_out * W_out, F): ``dW = (D.T @ cols)`` reshaped to
    (F, C, kh, kw), ``db = D.sum(axis=0)``, and ``dX = col2im(D @ W.reshape(F, -1))``
    cropped by the padding. dout (m, F, H_out, W_out) -> dX (m, C, H, W_in).
    """
    D, cols, padded, W, stride, padding = _unpack_conv_cache(dout, cache)
    dW = (D.T @ cols).reshape(W.shape)
    db = D.sum(axis=0)
    return _input_gradient(D, W, padded, stride, padding), dW, db


class Conv2d(Module):
    """A convolution with ``F`` filters of ``C`` x ``k`` x ``k``: params ``W``, ``b``.

    ``W`` (F, C, k, k) is drawn with He's variance 2 / fan_in, fan_in = C * k * k;
    ``b`` (F,) starts at zero. ``forward`` takes X (m, C, H, W_in) and returns
    (m, F, H_out, W_out) as :func:`conv2d_forward`; ``backward`` writes dW and db
    into the same ``grads`` arrays every time, and ``backward_params`` skips dX.
    Pass a seeded ``rng`` for reproducible weights (``None`` draws fresh entropy).
    """

    def __init__(
        self, C, F, k, stride=1, padding=0, rng=None, dtype=np.float64
    ) -> None:
        super().__init__()
        self.C = require_positive_int("C", C)
        self.F = require_positive_int("F", F)
        self.k = require_positive_int("k", k)
        self.stride = require_positive_int("stride", stride)
        self.padding = _require_padding(padding)
        dtype = require_float_dtype("dtype", dtype)
        rng = np.random.default_rng() if rng is None else rng
        fan_in = self.C * self.k * self.k
        W = he_normal(fan_in, self.F, rng).T.reshape(self.F, self.C, self.k, self.k)
        self.params = {
            "W": np.ascontiguousarray(W, dtype=dtype),
            "b": np.zeros(self.F, dtype=dtype),
        }
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The convolution of X (m, C, H, W_in); keeps the im2col rows for backward."""
        out, self._cache = conv2d_forward(
            X, self.params["W"], self.params["b"], self.stride, self.padding
        )
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Write ``grads["W"]`` and ``grads["b"]`` in place; return dX."""
        D, W, padded = self._store_gradients(dout)
        return _input_gradient(D, W, padded, self.stride, self.padding)

    def backward_params(self, dout: np.ndarray) -> None:
        """Write ``grads`` as ``backward`` does, without computing dX."""
        self._store_gradients(dout)

    def _store_gradients(self, dout):
        """``grads["W"] = D.T @ cols``, ``grads["b"] = D.sum(0)``, in place.

        A C-contiguous ``grads["W"]`` (the one ``__init__`` builds) is written by the
        product itself; any other layout through ``[...] =``, since its reshape
        would be a copy and the gradient would be lost.
        """
        D, cols, padded, W, _, _ = _unpack_conv_cache(dout, self._forward_cache())
        dW = self.grads["W"]
        if dW.flags.c_contiguous:
            np.matmul(D.T, cols, out=dW.reshape(self.F, -1))
        else:
            dW[...] = (D.T @ cols).reshape(dW.shape)
        D.sum(axis=0, out=self.grads["b"])
        return D, W, padded

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.C}, {self.F}, {self.k}, stride={self.stride}, "
            f"padding={self.padding})"
        )


# --- max pooling and flatten ------------------------------------------------------


def maxpool2d_forward(X, size=2, stride=2):
    """The maximum of each ``size`` x ``size`` window; returns ``(out, cache)``.

    ``out[n, c, i, j] = max over (u, v) of X[n, c, s i + u, s j + v]``.
    X (m, C, H, W_in) -> out (m, C, H_out, W_out), H_out = floor((H - size) / s) + 1.
    The cache records which entry of each window was kept: the first maximal one in
    row-major order (``np.argmax`` of the flattened window).
    """
    X = as_float_array("X", X)
    require_ndim("X", X, 4, "(batch, channels, height, width)")
    size = require_positive_int("size", size)
    stride = require_positive_int("stride", stride)
    _require_kernel_fits("the pooling window", (size, size), X.shape, 0)
    windows = _windows(X, size, size, stride)  # (m, C, H_out, W_out, size, size)
    flat = windows.reshape(*windows.shape[:4], size * size)
    kept = np.argmax(flat, axis=-1)  # (m, C, H_out, W_out)
    out = np.take_along_axis(flat, kept[..., None], axis=-1)[..., 0]
    return out, (kept, X.shape, size, stride)


def maxpool2d_backward(dout, cache):
    """Route each upstream gradient to the entry its window kept; returns ``dX``.

    ``dX[n, c, s i + u, s j + v] += dout[n, c, i, j]`` for the kept (u, v) of window
    (i, j); every other entry gets 0. Overlapping windows (stride < size) add up.
    dout (m, C, H_out, W_out) -> dX (m, C, H, W_in).
    """
    kept, shape, size, stride = unpack_cache(cache, 4, "maxpool2d_forward")
    dout = _checked_upstream("dout", dout, kept.shape, "maxpool2d_forward")
    H_out, W_out = kept.shape[2:]
    dX = np.zeros(shape, dtype=dout.dtype)
    for offset in range(size * size):
        u, v = divmod(offset, size)
        dX[_offset(u, v, H_out, W_out, stride)] += np.where(kept == offset, dout, 0)
    return dX


class MaxPool2d(Module):
    """Max pooling over ``size`` x ``size`` windows every ``stride``; no parameters.

    Ties: the gradient goes to the first maximal entry of the window in row-major
    order (see :func:`maxpool2d_forward`).
    """

    def __init__(self, size=2, stride=2) -> None:
        super().__init__()
        self.size = require_positive_int("size", size)
        self.stride = require_positive_int("stride", stride)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``maxpool2d_forward(X, size, stride)``; keeps the routing for backward."""
        out, self._cache = maxpool2d_forward(X, self.size, self.stride)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """``maxpool2d_backward(dout, cache)``."""
        return maxpool2d_backward(dout, self._forward_cache())

    def backward_params(self, dout: np.ndarray) -> None:
        """No parameters, so nothing to store (the cache is still required)."""
        self._forward_cache()

    def __repr__(self) -> str:
        return f"MaxPool2d(size={self.size}, stride={self.stride})"


class Flatten(Module):
    """X (m, ...) -> (m, product of the rest), in C order, as ``torch.flatten(x, 1)``.

    ``backward`` reshapes dout back to the shape X had.
    """

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Keep axis 0 and flatten every other axis in C order."""
        X = as_float_array("X", X)
        if X.ndim < 2:
            raise ValueError(
                f"X must have at least 2 dimensions (batch, ...), got shape {X.shape}"
            )
        self._cache = X.shape
        return X.reshape(X.shape[0], int(np.prod(X.shape[1:])))  # -1 fails at m = 0

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dout (m, n) reshaped to the shape of the forward pass's X."""
        shape = self._forward_cache()
        expected = (shape[0], int(np.prod(shape[1:])))
        dout = _checked_upstream("dout", dout, expected, "Flatten.forward")
        return dout.reshape(shape)

    def backward_params(self, dout: np.ndarray) -> None:
        """No parameters, so nothing to store (the cache is still required)."""
        self._forward_cache()
