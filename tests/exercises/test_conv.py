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


def scipy_untruncated(dout, X, W, stride, padding):
    """The scipy answer that is right only when the stride divides H + 2p - kh.

    dW keeps every offset of the "valid" correlation (no cut to kh x kw); dX is the
    full convolution of the dilated dout, cropped by p at both ends (no rows for what
    no window read).
    """
    m, F, H_out, W_out = dout.shape
    D = np.zeros((m, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    D[:, :, ::stride, ::stride] = dout
    Xp, p = _pad(X, padding), padding
    dW = sum(
        np.array([[signal.correlate2d(Xp[n, c], D[n, f], "valid") for c in range(X.shape[1])] for f in range(F)])
        for n in range(m)
    )
    full = np.array(
        [
            [sum(signal.convolve2d(D[n, f], W[f, c], "full") for f in range(F)) for c in range(X.shape[1])]
            for n in range(m)
        ]
    )
    return full[:, :, p : full.shape[2] - p, p : full.shape[3] - p], dW, dout.sum(axis=(0, 2, 3))


def crop_minus_p(dout, X, W, stride, padding):
    """The crop dXp[:, :, p:-p, p:-p], empty when p = 0."""
    dXp = loops(dout, X, W, stride, padding, crop="none")[0]
    p = padding
    return dXp[:, :, p:-p, p:-p], *loops(dout, X, W, stride, padding)[1:]


def stride_missing_from_dx(dout, X, W, stride, padding):
    """dX = convolve2d of the UNdilated dout with W, pasted at the top left of dXp."""
    Xp, p = _pad(X, padding), padding
    dXp = np.zeros_like(Xp)
    for n, f, c in np.ndindex(len(X), len(W), X.shape[1]):
        full = signal.convolve2d(dout[n, f], W[f, c], "full")
        rows, cols = min(len(full), Xp.shape[2]), min(full.shape[1], Xp.shape[3])
        dXp[n, c, :rows, :cols] += full[:rows, :cols]
    return dXp[:, :, p : p + X.shape[2], p : p + X.shape[3]], *loops(dout, X, W, stride, padding)[1:]


def stride_missing_from_dw(dout, X, W, stride, padding):
    dX, _, db = loops(dout, X, W, stride, padding)
    return dX, loops(dout, X, W, stride, padding, step=1)[1], db


def one_k_loops(dout, X, W, stride, padding):
    """The solution's loops with one k for rows and columns: raises when kh != kw."""
    p, k = padding, W.shape[2]
    Xp = _pad(X, p)
    dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
    m, F, H_out, W_out = dout.shape
    for n, f, i, j in np.ndindex(m, F, H_out, W_out):
        rows, cols = slice(stride * i, stride * i + k), slice(stride * j, stride * j + k)
        dW[f] += dout[n, f, i, j] * Xp[n, :, rows, cols]
        dXp[n, :, rows, cols] += dout[n, f, i, j] * W[f]
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
    ("scipy, dW not cut to kh x kw, dX cropped p:-p", scipy_untruncated, False, ["stride does not divide"]),
    ("crop p:-p (empty at p = 0)", crop_minus_p, False, ["empty slice"]),
    ("stride missing from dX only", stride_missing_from_dx, False, ["stride is missing from dX"]),
    ("stride missing from dW only", stride_missing_from_dw, False, ["stride is missing from dW"]),
    ("dW divided by m", lambda *a: loops(*a, dw_scale=1 / len(a[0])), False, ["dW is divided by the batch"]),
    (
        "dX, dW and db divided by m",
        lambda *a: tuple(g / len(a[0]) for g in loops(*a)),
        False,
        ["all divided by the batch size"],
    ),
    (
        "kernel flipped in one axis for dX",
        lambda dout, X, W, s, p: (loops(dout, X, W[:, :, ::-1, :], s, p)[0], *loops(dout, X, W, s, p)[1:]),
        False,
        ["one spatial axis only"],
    ),
    ("one k for a non-square kernel", one_k_loops, False, ["not square"]),
    (
        "dW with F and C swapped",
        lambda *a: (lambda r: (r[0], r[1].transpose(1, 0, 2, 3), r[2]))(loops(*a)),
        False,
        ["axes in the wrong order"],
    ),
    (
        "padding cropped at the start only",
        lambda *a: (lambda r: (r[0][:, :, a[4] :, a[4] :], *r[1:]))(loops(*a, crop="none")),
        False,
        ["one side only", "p : p + H"],
    ),
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
    last = [row[0] for row in ROWS].index("dW with F and C swapped")
    named = ROWS[5 : last + 1]  # from "dW flipped" to "dW with F and C swapped"
    assert named[0][0] == "dW flipped" and len(named) == 19
    messages = [check_conv2d_backward(answer).message for _, answer, _, _ in named]
    assert len(set(messages)) == len(named), messages


def test_the_unread_rows_case_fails_an_answer_right_only_when_the_stride_divides():
    """scipy_untruncated is right on every case whose stride divides H + 2p - k."""
    for case in _cases()[1:]:
        right = loops(*case.args)
        assert all(np.allclose(a, b) for a, b in zip(scipy_untruncated(*case.args), right))
    feedback = check_conv2d_backward(scipy_untruncated)
    assert not feedback.passed
    assert "X's shape" in feedback.message and "W's shape" in feedback.message
    assert "zero gradient" in feedback.message


def test_the_padding_advice_works_at_padding_zero():
    """The crop the one-side message recommends, followed literally, passes."""
    message = check_conv2d_backward(lambda *a: loops(*a, crop="end")).message
    assert "dXp[:, :, p : p + H, p : p + W_in]" in message and "p:-p" not in message

    def as_advised(dout, X, W, stride, padding):
        dXp = loops(dout, X, W, stride, padding, crop="none")[0]
        p, (H, W_in) = padding, X.shape[2:]
        return dXp[:, :, p : p + H, p : p + W_in], *loops(dout, X, W, stride, padding)[1:]

    assert check_conv2d_backward(as_advised).passed


def _outputs_or_error(fn, args):
    try:
        return fn(*args)
    except ValueError as error:
        return str(error)


def _same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return all(x.shape == y.shape and np.allclose(x, y, atol=1e-9) for x, y in zip(a, b))


def test_every_listed_mistake_is_wrong_and_distinct():
    """Each wrong function differs from the right answer on some case, and from every
    other one (messages aside: two forms of one mistake share its message)."""
    cases = _cases()
    rights = [loops(*case.args) for case in cases]
    wrongs = [[_outputs_or_error(wrong, case.args) for case in cases] for _, wrong in MISTAKES]
    for index, outputs in enumerate(wrongs):
        assert any(not _same(o, r) for o, r in zip(outputs, rights)), MISTAKES[index][0]
    for i in range(len(wrongs)):
        for j in range(i + 1, len(wrongs)):
            if MISTAKES[i][0] == MISTAKES[j][0]:
                continue
            assert any(not _same(a, b) for a, b in zip(wrongs[i], wrongs[j])), (MISTAKES[i][0], MISTAKES[j][0])


def test_every_mistake_but_the_empty_crop_shows_on_the_first_case():
    """The first case has stride 2, padding 1, kh != kw: all but p:-p show there."""
    case = _cases()[0]
    right = loops(*case.args)
    for message, wrong in MISTAKES:
        if "empty slice" in message:
            continue
        assert not _same(_outputs_or_error(wrong, case.args), right), message


def test_the_first_case_has_stride_padding_a_non_square_kernel_and_batch_above_one():
    dout, X, W, stride, padding = _cases()[0].args
    assert stride == 2 and padding == 1 and W.shape[2] != W.shape[3] and len(X) > 1 and W.shape[0] != W.shape[1]


def test_the_first_case_leaves_a_row_and_a_column_unread():
    dout, X, W, stride, p = _cases()[0].args
    assert (X.shape[2] + 2 * p - W.shape[2]) % stride and (X.shape[3] + 2 * p - W.shape[3]) % stride
