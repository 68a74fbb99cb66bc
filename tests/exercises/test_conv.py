import numpy as np
import pytest
from helpers import assert_feedback, table

import bp_lib as bp
from bp_lib.book.cnn_study import input_gradient_as_full_convolution, weight_gradient_as_correlation
from bp_lib.exercises.conv import MISTAKES, _cases, check_conv2d_backward

signal = pytest.importorskip("scipy.signal")

# --- answers as a reader would write them, independently of the checker's functions ---


def _pad(X, p):
    return np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


def loops(dout, X, W, stride, padding, *, step=None, flip=False, crop="both", db="sum", dw_scale=1.0):
    """The chain rule term by term; the keywords are the slips a reader makes."""
    step = stride if step is None else step
    Xp = _pad(X, padding)
    kh, kw = W.shape[2:]
    kernel = W[:, :, ::-1, ::-1] if flip else W
    dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
    m, F, H_out, W_out = dout.shape
    for n in range(m):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols = slice(step * i, step * i + kh), slice(step * j, step * j + kw)
                    dW[f] += dout[n, f, i, j] * Xp[n, :, rows, cols]
                    dXp[n, :, rows, cols] += dout[n, f, i, j] * kernel[f]
    p, (H, W_in) = padding, X.shape[2:]
    dX = {"both": dXp[:, :, p : p + H, p : p + W_in], "none": dXp, "end": dXp[:, :, :H, :W_in]}[crop]
    bias = {
        "sum": dout.sum(axis=(0, 2, 3)),
        "mean": dout.mean(axis=(0, 2, 3)),
        "per batch": dout.sum(axis=(0, 2, 3)) / m,
        "batch only": dout.sum(axis=0),
    }[db]
    return dX, dW * dw_scale, bias


def im2col_answer(dout, X, W, stride, padding):
    """Through the library's pair (the im2col matrix products)."""
    _, cache = bp.conv2d_forward(X, W, np.zeros(len(W)), stride, padding)
    return bp.conv2d_backward(dout, cache)


def as_convolutions(dout, X, W, stride, padding):
    """dW as a correlation, dX as a full convolution, returned as a list."""
    return [
        input_gradient_as_full_convolution(dout, W, X.shape, stride, padding),
        weight_gradient_as_correlation(X, dout, W.shape[2:], stride, padding),
        dout.sum(axis=(0, 2, 3)),
    ]


def with_scipy(dout, X, W, stride, padding, flip_dw=False):
    """scipy's correlate2d / convolve2d per (example, filter, channel), stride by dilation."""
    kh, kw = W.shape[2:]
    Xp = _pad(X, padding)
    m, F, H_out, W_out = dout.shape
    D = np.zeros((m, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    D[:, :, ::stride, ::stride] = dout
    dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
    for n in range(m):
        for f in range(F):
            for c in range(X.shape[1]):
                op = signal.convolve2d if flip_dw else signal.correlate2d
                dW[f, c] += op(Xp[n, c], D[n, f], mode="valid")[:kh, :kw]
                full = signal.convolve2d(D[n, f], W[f, c], mode="full")
                dXp[n, c, : full.shape[0], : full.shape[1]] += full
    p = padding
    return dXp[:, :, p : p + X.shape[2], p : p + X.shape[3]], dW, dout.sum(axis=(0, 2, 3))


def _changes_w(dout, X, W, stride, padding):
    result = loops(dout, X, W, stride, padding)
    W *= 0.5
    return result


ROWS = [
    ("right, loops", loops, True, ["matches the reference on 3 random inputs"]),
    ("right, im2col", im2col_answer, True, ["matches"]),
    ("right, as convolutions, a list", as_convolutions, True, ["matches"]),
    ("right, scipy correlate2d / convolve2d", with_scipy, True, ["matches"]),
    ("right, float32", lambda *a: tuple(x.astype(np.float32) for x in loops(*a)), True, ["matches"]),
    ("dW flipped", lambda *a: (lambda r: (r[0], r[1][:, :, ::-1, ::-1], r[2]))(loops(*a)), False, ["dW is flipped"]),
    ("dW by convolve2d", lambda *a: with_scipy(*a, flip_dw=True), False, ["dW was computed as a convolution"]),
    ("dX without the flip", lambda *a: loops(*a, flip=True), False, ["without its flip", "FULL CONVOLUTION"]),
    ("stride ignored", lambda *a: loops(*a, step=1), False, ["stride is missing"]),
    ("padding not cropped", lambda *a: loops(*a, crop="none"), False, ["still holds the padding"]),
    ("padding cropped at the end only", lambda *a: loops(*a, crop="end"), False, ["one side only"]),
    ("db averaged", lambda *a: loops(*a, db="mean"), False, ["db is averaged"]),
    ("db divided by m", lambda *a: loops(*a, db="per batch"), False, ["db is divided by the batch size"]),
    (
        "dW and db divided by m",
        lambda *a: loops(*a, db="per batch", dw_scale=1 / len(a[0])),
        False,
        ["dW and db are divided"],
    ),
    ("db over the batch only", lambda *a: loops(*a, db="batch only"), False, ["summed over the batch only"]),
    ("changes W in place", _changes_w, False, ["W was changed in place"]),
    ("(dW, dX, db)", lambda *a: (lambda r: (r[1], r[0], r[2]))(loops(*a)), False, ["wrong order"]),
    ("None", lambda *a: None, False, ["returned None"]),
    ("two outputs", lambda *a: loops(*a)[:2], False, ["returned 2 value(s)"]),
    ("dX off by a factor 2", lambda *a: (lambda r: (2 * r[0], r[1], r[2]))(loops(*a)), False, ["differs", "crop"]),
    ("no stride argument", lambda dout, X, W: loops(dout, X, W, 1, 0), False, ["conv2d_backward(dout, X, W"]),
    ("raises", lambda *a: 1 / 0, False, ["raised ZeroDivisionError"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(ROWS))
def test_conv2d_backward_table(answer, passed, words):
    assert_feedback(check_conv2d_backward(answer), passed, words, chain_rule_allowed=True)


def test_each_typical_mistake_gets_its_own_message():
    named = ROWS[5:15]  # from "dW flipped" to "db over the batch only"
    assert named[0][0] == "dW flipped" and named[-1][0] == "db over the batch only"
    messages = [check_conv2d_backward(answer).message for _, answer, _, _ in named]
    assert len(set(messages)) == len(named), messages


def test_every_listed_mistake_is_wrong_and_distinct_on_the_first_case():
    """Each wrong function differs from the right answer and from every other one there."""
    case = _cases()[0]
    right = loops(*case.args)
    wrongs = [wrong(*case.args) for _, wrong in MISTAKES]
    for index, wrong in enumerate(wrongs):
        differs = [a.shape != b.shape or not np.allclose(a, b, atol=1e-9) for a, b in zip(wrong, right)]
        assert any(differs), MISTAKES[index][0]
    for i in range(len(wrongs)):
        for j in range(i + 1, len(wrongs)):
            if MISTAKES[i][0] == MISTAKES[j][0]:
                continue  # two forms of one mistake share its message
            same = all(a.shape == b.shape and np.allclose(a, b, atol=1e-9) for a, b in zip(wrongs[i], wrongs[j]))
            assert not same, (MISTAKES[i][0], MISTAKES[j][0])


def test_the_first_case_has_stride_padding_a_non_square_kernel_and_batch_above_one():
    dout, X, W, stride, padding = _cases()[0].args
    assert stride == 2 and padding == 1 and W.shape[2] != W.shape[3] and len(X) > 1 and W.shape[0] != W.shape[1]
