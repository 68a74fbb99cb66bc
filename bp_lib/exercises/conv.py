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
left out of the backward pass (or out of one of dW and dX), a mean where the bias
gradient is a sum, the rows no window reads left out of dX or extra offsets left in
dW, a crop ``p:-p`` that is empty at padding 0, one k for a non-square kernel.

The first case has stride 2, padding 1, a non-square kernel and C != F, and its stride
divides neither H + 2p - kh nor W_in + 2p - kw (the last row and column of the padded
input are read by no window), so that each slip changes the answer there; the other
cases are the plain stride 1 with padding 0 and a larger padding.
"""

from __future__ import annotations

import numpy as np

from ..conv import conv2d_forward
from ..gradcheck import numerical_gradient
from .feedback import WEIGHTS_CHANGED_IN_PLACE, Case, Feedback, checks, diagnose


def _backward(dout, X, W, stride, padding, *, step=None, flip=None):
    """(dXp, dW, db) by the loops of the chain rule.

    ``step`` replaces the stride in the index map (``step=1``: the stride ignored);
    ``flip`` is the kernel's axes flipped for dX: ``(2, 3)`` both spatial axes,
    ``(2,)`` or ``(3,)`` one of them.
    """
    step = stride if step is None else step
    p = padding
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    kernel = W if flip is None else np.flip(W, axis=flip)
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


def _dilated_size(dout, stride):
    """(rows, columns) of the dilated upstream gradient: s (H_out - 1) + 1, ..."""
    return tuple(stride * (n - 1) + 1 for n in dout.shape[2:])


def _dw_untruncated(dout, X, W, stride, padding):
    """Every offset of the correlation of Xp with the dilated dout, not only kh x kw.

    (F, C, Hp - Hd + 1, Wp - Wd + 1): more than W's shape when the stride does not
    divide H + 2p - kh (or W_in + 2p - kw).
    """
    p = padding
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    (Hd, Wd), (Hp, Wp) = _dilated_size(dout, stride), Xp.shape[2:]
    D = np.zeros((*dout.shape[:2], Hd, Wd))
    D[:, :, ::stride, ::stride] = dout
    dW = np.zeros((len(W), X.shape[1], Hp - Hd + 1, Wp - Wd + 1))
    for u in range(dW.shape[2]):
        for v in range(dW.shape[3]):
            window = Xp[:, :, u : u + Hd, v : v + Wd]
            dW[:, :, u, v] = np.einsum("nfyx,ncyx->fc", D, window)
    return dW


def _dx_full_cropped_both_ends(dout, X, W, stride, padding):
    """The full convolution (Hd + kh - 1 rows) with p cropped from each end.

    Right only when the full convolution covers the whole padded input, i.e. when
    the stride divides H + 2p - kh; otherwise dX lacks the rows no window read.
    """
    (Hd, Wd), (kh, kw) = _dilated_size(dout, stride), W.shape[2:]
    full = _backward(dout, X, W, stride, padding)[0][:, :, : Hd + kh - 1, : Wd + kw - 1]
    return _crop(full, padding)


def _one_kernel_size(dw_first):
    """A loop answer that slices both axes with ``k = W.shape[2]`` (raises if kh != kw).

    ``dw_first``: the dW line comes before the dXp line in the loop body, so the
    error is raised where the reader's is.
    """

    def answer(dout, X, W, stride, padding):
        p, k = padding, W.shape[2]
        Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
        dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
        m, F, H_out, W_out = dout.shape
        for n, f, i, j in np.ndindex(m, F, H_out, W_out):
            rows = slice(stride * i, stride * i + k)
            cols = slice(stride * j, stride * j + k)
            for line in ("dW", "dX") if dw_first else ("dX", "dW"):
                if line == "dW":
                    dW[f] += dout[n, f, i, j] * Xp[n, :, rows, cols]
                else:
                    dXp[n, :, rows, cols] += dout[n, f, i, j] * W[f]
        return _crop(dXp, p), dW, dout.sum(axis=(0, 2, 3))

    return answer


def _right_part(index, scale=1.0):
    """Output ``index`` of the right answer, times ``scale``."""
    return lambda dout, X, W, s, p: _right(dout, X, W, s, p)[index] * scale


def _over_m(index):
    return lambda dout, X, W, s, p: _right(dout, X, W, s, p)[index] / len(dout)


def _dx_cropped(start, end):
    """The padded gradient sliced ``[start(p, H) : end(p, H)]`` on both axes."""

    def cropped(dout, X, W, s, p):
        dXp = _backward(dout, X, W, s, p)[0]
        H, W_in = X.shape[2:]
        return dXp[:, :, start(p, H) : end(p, H), start(p, W_in) : end(p, W_in)]

    return cropped


ONE_SIDE = (
    "dX was cropped from one side only: the padding was added on every side, so "
    "crop `padding` rows and columns at the start AND at the end of each axis, "
    "dXp[:, :, p : p + H, p : p + W_in]."
)
UNREAD = (
    "dX or dW has the wrong shape where the stride does not divide H + 2p - kh "
    "(or W_in + 2p - kw), as in this case: the last rows or columns of the padded "
    "input are read by no window and get a zero gradient, but they still belong to "
    "dX, which must have X's shape (m, C, H, W_in); and dW must have W's shape "
    "(F, C, kh, kw): keep only the first kh x kw offsets of the correlation of Xp "
    "with the dilated gradient, and add the full convolution into zeros the shape of "
    "the padded input before cropping p : p + H."
)
STRIDE_DX = (
    "The stride is missing from dX (dW has it): output (i, j) read the window "
    "starting at (s*i, s*j), so dout[n, f, i, j] * W[f] goes back onto that window; "
    "as a full convolution, convolve the DILATED upstream gradient (s - 1 zeros "
    "between neighbours), not dout itself."
)
STRIDE_DW = (
    "The stride is missing from dW (dX has it): dW[f, c, u, v] sums dout[n, f, i, j] "
    "Xp[n, c, s i + u, s j + v], the window output (i, j) read; as a correlation, "
    "correlate Xp with the DILATED upstream gradient (s - 1 zeros between "
    "neighbours), not with dout itself."
)
ONE_AXIS_FLIP = (
    "dX uses the kernel flipped in one spatial axis only: the full convolution "
    "flips it in both, W[:, :, ::-1, ::-1] (a rotation by 180 degrees)."
)
SQUARE = (
    "The kernel is not square here (kh != kw, W.shape[2:] = (kh, kw)): a window is "
    "kh rows by kw columns, so slice the rows with kh = W.shape[2] and the columns "
    "with kw = W.shape[3], not one k for both."
)
DW_AXES = (
    "dW has its axes in the wrong order: it must have W's shape (F, C, kh, kw), "
    "dW[f, c, u, v] the gradient of W[f, c, u, v] (filter, then input channel, then "
    "kernel row and column)."
)
EMPTY_CROP = (
    "With padding 0, dXp[:, :, p:-p, p:-p] is the empty slice 0:0, not the whole "
    "array: crop with dXp[:, :, p : p + H, p : p + W_in], which works for every p."
)


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
                _backward(dout, X, W, s, p, flip=(2, 3))[0], p
            )
        ),
    ),
    *(
        (
            ONE_AXIS_FLIP,
            _with(
                dX=lambda dout, X, W, s, p, axis=axis: _crop(
                    _backward(dout, X, W, s, p, flip=axis)[0], p
                )
            ),
        )
        for axis in (2, 3)
    ),
    (
        "The stride is missing from the backward pass: output (i, j) read the window "
        "starting at (s*i, s*j), so its gradient goes back to that window (the "
        "upstream gradient dilated by s), in both dW and dX.",
        _stride_ignored,
    ),
    (
        STRIDE_DX,
        _with(dX=lambda dout, X, W, s, p: _stride_ignored(dout, X, W, s, p)[0]),
    ),
    (
        STRIDE_DW,
        _with(dW=lambda dout, X, W, s, p: _stride_ignored(dout, X, W, s, p)[1]),
    ),
    (UNREAD, _with(dX=_dx_full_cropped_both_ends, dW=_dw_untruncated)),
    (UNREAD, _with(dX=_dx_full_cropped_both_ends)),
    (UNREAD, _with(dW=_dw_untruncated)),
    (
        "dX still holds the padding: the zeros added around X are constants, not "
        "inputs; crop `padding` rows and columns from every side of the padded "
        "gradient, so that dX has the shape of X.",
        _with(dX=lambda dout, X, W, s, p: _backward(dout, X, W, s, p)[0]),
    ),
    (ONE_SIDE, _with(dX=_dx_cropped(lambda p, n: 0, lambda p, n: n))),  # end only
    (ONE_SIDE, _with(dX=_dx_cropped(lambda p, n: 2 * p, lambda p, n: None))),
    (ONE_SIDE, _with(dX=_dx_cropped(lambda p, n: p, lambda p, n: None))),  # start
    (EMPTY_CROP, _with(dX=_dx_cropped(lambda p, n: p, lambda p, n: -p))),
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
            dW=_over_m(1),
            db=_over_m(2),
        ),
    ),
    (
        "dW is divided by the batch size: the 1/m of a mean loss is already inside "
        "dout, so dW is a plain sum over the batch and the positions.",
        _with(dW=_over_m(1)),
    ),
    (
        "dX, dW and db are all divided by the batch size: the 1/m of a mean loss is "
        "already inside dout, so the backward pass divides nothing; each gradient is "
        "a plain sum of the terms of the chain rule.",
        _with(dX=_over_m(0), dW=_over_m(1), db=_over_m(2)),
    ),
    (
        DW_AXES,
        _with(
            dW=lambda dout, X, W, s, p: _right_part(1)(dout, X, W, s, p).transpose(
                1, 0, 2, 3
            )
        ),
    ),
    (
        DW_AXES,
        _with(
            dW=lambda dout, X, W, s, p: _right_part(1)(dout, X, W, s, p).transpose(
                0, 1, 3, 2
            )
        ),
    ),
    (SQUARE, _one_kernel_size(dw_first=True)),
    (SQUARE, _one_kernel_size(dw_first=False)),
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
    """(dout, X, W, stride, padding): stride 2, padding 1 first; non-square kernels.

    The first case: (H + 2p - kh) = 5 and (W_in + 2p - kw) = 7 are not multiples of
    the stride 2, so the padded input's last row and column are read by no window.
    """
    rng = np.random.default_rng(16)
    cases = []
    for (m, C, H, W_in), (F, kh, kw), stride, padding in [
        ((2, 2, 6, 7), (3, 3, 2), 2, 1),  # 8 - 3 and 9 - 2: odd, rows unread
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
        protected={2: WEIGHTS_CHANGED_IN_PLACE},
    )
