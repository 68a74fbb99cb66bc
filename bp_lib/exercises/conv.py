"""The checker of the convolution-backward exercise (chapter 16), and its wrong answers.

The exercise: ``conv2d_backward(dout, X, W, stride, padding) -> (dX, dW, db)`` for
``out = conv2d_forward(X, W, b, stride, padding)`` (cross-correlation, zero padding on
every side). With Xp the padded X and s the stride, the right answer is

    dW[f, c, u, v] = sum_{n, i, j} dout[n, f, i, j] Xp[n, c, s i + u, s j + v]
    dXp[n, c, s i + u, s j + v] += dout[n, f, i, j] W[f, c, u, v]   (for every term)
    dX = dXp without its padding,   db[f] = sum_{n, i, j} dout[n, f, i, j]

Shapes: dout (m, F, H_out, W_out), X and dX (m, C, H, W_in), W and dW (F, C, kh, kw),
db (F,). Each entry of :data:`MISTAKES` computes what a typical slip computes: a flip
where there is none (dW) or none where there is one (dX), the stride or the padding
left out of the backward pass, a mean where the bias gradient is a sum.

The first case has stride 2, padding 1, a non-square kernel and C != F, so that each
slip changes the answer there; the other cases are the plain stride 1 and a larger
padding.
"""

from __future__ import annotations

import numpy as np

from ..conv import conv2d_forward
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, checks, diagnose


def _backward(dout, X, W, stride, padding, *, step=None, flip_w=False):
    """(dXp, dW, db) by the loops of the chain rule.

    ``step`` replaces the stride in the index map (``step=1``: the stride ignored);
    ``flip_w`` uses the kernel flipped in both spatial axes for dX.
    """
    step = stride if step is None else step
    p = padding
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    kernel = _flipped(W) if flip_w else W
    kh, kw = W.shape[2:]
    dXp, dW = np.zeros(Xp.shape), np.zeros(W.shape)
    m, F, H_out, W_out = dout.shape
    for n in range(m):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    y, x = step * i, step * j
                    dW[f] += dout[n, f, i, j] * Xp[n, :, y : y + kh, x : x + kw]
                    dXp[n, :, y : y + kh, x : x + kw] += dout[n, f, i, j] * kernel[f]
    return dXp, dW, dout.sum(axis=(0, 2, 3))


def _crop(dXp, padding):
    p = padding
    return dXp[:, :, p : dXp.shape[2] - p, p : dXp.shape[3] - p]


def _flipped(kernel):
    return kernel[:, :, ::-1, ::-1]


def _right(dout, X, W, stride, padding):
    dXp, dW, db = _backward(dout, X, W, stride, padding)
    return _crop(dXp, padding), dW, db


def _with(dX=None, dW=None, db=None):
    """A wrong answer: the right (dX, dW, db) with the given ones replaced."""

    def wrong(dout, X, W, stride, padding):
        right = _right(dout, X, W, stride, padding)
        args = (dout, X, W, stride, padding)
        return tuple(
            value if fix is None else fix(*args)
            for value, fix in zip(right, (dX, dW, db))
        )

    return wrong


def _dw_as_convolution(dout, X, W, stride, padding):
    """What a true convolution gives for dW: the upstream gradient is flipped."""
    p, (kh, kw) = padding, W.shape[2:]
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    m, F, H_out, W_out = dout.shape
    D = np.zeros((m, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    D[:, :, ::stride, ::stride] = dout
    D = D[:, :, ::-1, ::-1]
    dW = np.zeros(W.shape)
    for u in range(kh):
        for v in range(kw):
            window = Xp[:, :, u : u + D.shape[2], v : v + D.shape[3]]
            dW[:, :, u, v] = np.einsum("nfyx,ncyx->fc", D, window)
    return dW


def _stride_ignored(dout, X, W, stride, padding):
    dXp, dW, db = _backward(dout, X, W, stride, padding, step=1)
    return _crop(dXp, padding), dW, db


MISTAKES = [
    (
        "dW is flipped: it is the correlation of the input with the upstream gradient, "
        "dW[f, c, u, v] = sum over n, i, j of dout[n, f, i, j] Xp[n, c, s i + u, "
        "s j + v], with no flip (only dX uses the flipped kernel).",
        _with(
            dW=lambda dout, X, W, s, p: _right(dout, X, W, s, p)[1][:, :, ::-1, ::-1]
        ),
    ),
    (
        "dW was computed as a convolution of the input with the upstream gradient "
        "(which flips the upstream gradient): it is a correlation, "
        "dW[f, c, u, v] = sum over n, i, j of dout[n, f, i, j] Xp[n, c, s i + u, "
        "s j + v].",
        _with(dW=_dw_as_convolution),
    ),
    (
        "dX uses the kernel without its flip: dX is the FULL CONVOLUTION of the "
        "upstream gradient with the kernel, i.e. a correlation with the kernel "
        "flipped in both spatial axes (W[:, :, ::-1, ::-1]); equivalently, add "
        "dout[n, f, i, j] * W[f] onto the window it came from, at (s*i, s*j).",
        _with(
            dX=lambda dout, X, W, s, p: _crop(
                _backward(dout, X, W, s, p, flip_w=True)[0], p
            )
        ),
    ),
    (
        "The stride is missing from the backward pass: output (i, j) read the window "
        "starting at (s*i, s*j), so its gradient goes back to that window (the "
        "upstream gradient dilated by s), in both dW and dX.",
        _stride_ignored,
    ),
    (
        "dX still holds the padding: the zeros added around X are constants, not "
        "inputs; crop `padding` rows and columns from every side of the padded "
        "gradient, so that dX has the shape of X.",
        _with(dX=lambda dout, X, W, s, p: _backward(dout, X, W, s, p)[0]),
    ),
    (
        "dX was cropped from one side only: the padding was added on every side, so "
        "crop `padding` rows and columns at the start AND at the end of each axis, "
        "dXp[:, :, p:-p, p:-p].",
        _with(
            dX=lambda dout, X, W, s, p: _backward(dout, X, W, s, p)[0][
                :, :, : X.shape[2], : X.shape[3]
            ]
        ),
    ),
    (
        "dX was cropped from one side only: the padding was added on every side, so "
        "crop `padding` rows and columns at the start AND at the end of each axis, "
        "dXp[:, :, p:-p, p:-p].",
        _with(
            dX=lambda dout, X, W, s, p: _backward(dout, X, W, s, p)[0][
                :, :, 2 * p :, 2 * p :
            ]
        ),
    ),
    (
        "db is averaged; it is a sum: b[f] is added at every output position of every "
        "example, so db[f] = dout[:, f].sum() = dout.sum(axis=(0, 2, 3)) (the 1/m of "
        "a mean loss is already inside dout).",
        _with(db=lambda dout, X, W, s, p: dout.mean(axis=(0, 2, 3))),
    ),
    (
        "db is divided by the batch size; it is a sum: dout.sum(axis=(0, 2, 3)) (the "
        "1/m of a mean loss is already inside dout).",
        _with(db=lambda dout, X, W, s, p: dout.sum(axis=(0, 2, 3)) / len(dout)),
    ),
    (
        "dW and db are divided by the batch size: the 1/m of a mean loss is already "
        "inside dout, so both are plain sums over the batch and the positions.",
        _with(
            dW=lambda dout, X, W, s, p: _right(dout, X, W, s, p)[1] / len(dout),
            db=lambda dout, X, W, s, p: dout.sum(axis=(0, 2, 3)) / len(dout),
        ),
    ),
    (
        "db is summed over the batch only: b[f] is added at every output position "
        "too, so sum over axes 0, 2 and 3, dout.sum(axis=(0, 2, 3)), shape (F,).",
        _with(db=lambda dout, X, W, s, p: dout.sum(axis=0)),
    ),
    (
        "db is summed over the positions only: it must also sum over the batch, "
        "dout.sum(axis=(0, 2, 3)), shape (F,).",
        _with(db=lambda dout, X, W, s, p: dout.sum(axis=(2, 3))),
    ),
]

HINT = (
    "Go back to the forward sum, out[n, f, i, j] = b[f] + sum over c, u, v of "
    "W[f, c, u, v] Xp[n, c, s i + u, s j + v]: each term sends dout[n, f, i, j] times "
    "the window to dW[f], times W[f] to the window's place in dXp, and dout itself "
    "to db[f]; then crop the padding from dXp."
)


def _cases() -> list[Case]:
    """(dout, X, W, stride, padding): stride 2, padding 1 first; non-square kernels."""
    rng = np.random.default_rng(16)
    cases = []
    for (m, C, H, W_in), (F, kh, kw), stride, padding in [
        ((2, 2, 5, 6), (3, 3, 2), 2, 1),
        ((3, 1, 5, 5), (2, 3, 3), 1, 0),
        ((2, 3, 4, 3), (2, 2, 3), 1, 2),
    ]:
        X = rng.normal(size=(m, C, H, W_in))
        W = rng.normal(size=(F, C, kh, kw))
        H_out = (H + 2 * padding - kh) // stride + 1
        W_out = (W_in + 2 * padding - kw) // stride + 1
        dout = rng.normal(size=(m, F, H_out, W_out))
        cases.append(Case((dout, X, W, stride, padding)))
    return cases


def _numerical(dout, X, W, stride, padding):
    """(dX, dW, db): centred differences of ``sum(conv2d_forward(...) * dout)``."""
    X, W, b = X.copy(), W.copy(), np.zeros(W.shape[0])

    def loss():
        return np.sum(conv2d_forward(X, W, b, stride, padding)[0] * dout)

    return (
        numerical_gradient(loss, X),
        numerical_gradient(loss, W),
        numerical_gradient(loss, b),
    )


@checks("conv2d_backward", ("dout", "X", "W", "stride", "padding"))
def check_conv2d_backward(fn) -> Feedback:
    """Check ``fn(dout, X, W, stride, padding) -> (dX, dW, db)`` for a convolution.

    Shapes: dout (m, F, H_out, W_out), X (m, C, H, W_in), W (F, C, kh, kw) ->
    dX (m, C, H, W_in), dW (F, C, kh, kw), db (F,); stride and padding are ints.
    The reference is a numerical gradient of ``bp_lib.conv2d_forward``.
    """
    return diagnose(
        "conv2d_backward",
        fn,
        _cases(),
        _numerical,
        MISTAKES,
        hint=HINT,
        output_names=("dX", "dW", "db"),
        protected={
            2: "The gradients are right, but W was changed in place: a backward pass "
            "must leave the weights alone (the optimiser updates them from dW)."
        },
    )
