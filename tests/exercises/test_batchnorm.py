import numpy as np
import pytest
from helpers import table

import bp_lib as bp
from bp_lib.exercises.batchnorm import (
    EPS,
    MISTAKES,
    batchnorm_backward_double_division,
    batchnorm_backward_dout_for_dx_hat,
    batchnorm_backward_without_mean_term,
    batchnorm_backward_without_variance_term,
    check_batchnorm_backward,
)


def _reader_parts(X, gamma, eps=EPS):
    m = len(X)
    inv = 1 / np.sqrt(X.var(axis=0) + eps)
    x_hat = (X - X.mean(axis=0)) * inv
    return m, inv, x_hat


def test_right_answer_passes():
    def written_out(dout, X, gamma, eps=EPS):
        m, inv, x_hat = _reader_parts(X, gamma, eps)
        dx_hat = dout * gamma
        dX = inv / m * (m * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0))
        return dX, (dout * x_hat).sum(0), dout.sum(0)

    feedback = check_batchnorm_backward(written_out)
    assert feedback.passed, feedback.message


def test_each_mistake_is_named_when_written_by_a_reader():
    """Each wrong answer, written independently of the library's wrong functions, gets its own message."""

    def double(dout, X, gamma, eps=EPS):
        m, inv, x_hat = _reader_parts(X, gamma, eps)
        dx_hat = dout * gamma
        dX = inv / m * (m * dx_hat - inv * dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0))
        return dX, (dout * x_hat).sum(0), dout.sum(0)

    def no_mean(dout, X, gamma, eps=EPS):
        m, inv, x_hat = _reader_parts(X, gamma, eps)
        dx_hat = dout * gamma
        return inv / m * (m * dx_hat - x_hat * (dx_hat * x_hat).sum(0)), (dout * x_hat).sum(0), dout.sum(0)

    def no_variance(dout, X, gamma, eps=EPS):
        m, inv, x_hat = _reader_parts(X, gamma, eps)
        dx_hat = dout * gamma
        return inv / m * (m * dx_hat - dx_hat.sum(0)), (dout * x_hat).sum(0), dout.sum(0)

    def no_gamma(dout, X, gamma, eps=EPS):
        m, inv, x_hat = _reader_parts(X, gamma, eps)
        dX = inv / m * (m * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0))
        return dX, (dout * x_hat).sum(0), dout.sum(0)

    wrongs = {
        "divided by the standard deviation twice": double,
        "through the batch mean is missing": no_mean,
        "through the variance is missing": no_variance,
        "dout was used where": no_gamma,
    }
    messages = set()
    for expected, wrong in wrongs.items():
        feedback = check_batchnorm_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
        messages.add(feedback.message)
    assert len(messages) == len(wrongs)


@pytest.mark.parametrize(
    "wrong",
    [
        batchnorm_backward_double_division,
        batchnorm_backward_without_mean_term,
        batchnorm_backward_without_variance_term,
        batchnorm_backward_dout_for_dx_hat,
    ],
)
def test_wrong_functions_fail_a_gradient_check_but_keep_dgamma_dbeta(wrong):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 4)) * 2.5 - 1
    gamma, beta = rng.normal(size=4) + 1.5, rng.normal(size=4)
    dout = rng.normal(size=X.shape)
    _, cache = bp.batchnorm_forward(X, gamma, beta, EPS)
    right = bp.batchnorm_backward(dout, cache)
    got = wrong(dout, cache)
    numeric = bp.numerical_gradient(lambda: np.sum(bp.batchnorm_forward(X, gamma, beta, EPS)[0] * dout), X)
    assert bp.relative_error(got[0], numeric) > 1e-3
    np.testing.assert_allclose(got[1], right[1])
    np.testing.assert_allclose(got[2], right[2])


def test_mistake_list_is_the_documented_wrong_functions():
    assert [wrong for _, wrong in MISTAKES] == [
        batchnorm_backward_double_division,
        batchnorm_backward_without_mean_term,
        batchnorm_backward_without_variance_term,
        batchnorm_backward_dout_for_dx_hat,
    ]


def test_unexplained_error_and_exception_are_reported():
    def off_by_two(dout, X, gamma, eps=EPS):
        m, inv, x_hat = _reader_parts(X, gamma, eps)
        dx_hat = dout * gamma
        dX = 2 * inv / m * (m * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0))
        return dX, (dout * x_hat).sum(0), dout.sum(0)

    feedback = check_batchnorm_backward(off_by_two)
    assert not feedback.passed and "differs from the reference" in feedback.message

    def unwritten(dout, X, gamma, eps=EPS):
        raise NotImplementedError

    assert "not written yet" in check_batchnorm_backward(unwritten).message


# --- one table: (answer, passes?, words its message must contain) ---


def _compact(dout, X, gamma, eps=EPS, ddof=0, outside=False, hard=None):
    eps = eps if hard is None else hard
    m, var = len(X), X.var(axis=0, ddof=ddof)
    inv = 1 / (np.sqrt(var) + eps) if outside else 1 / np.sqrt(var + eps)
    x_hat = (X - X.mean(axis=0)) * inv
    dx_hat = dout * gamma
    dX = inv / m * (m * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0))
    return dX, (dout * x_hat).sum(0), dout.sum(0)


def _overwrites(dout, X, gamma, eps=EPS):
    """Wrong; zeroes dout, so a reference computed afterwards would be all zeros."""
    dout[...] = 0
    return np.zeros_like(X), np.zeros_like(gamma), np.zeros_like(gamma)


def _in_place(dout, X, gamma, eps=EPS):
    X -= X.mean(axis=0)  # right, but centres the caller's X in place
    return _compact(dout, X, gamma, eps)


BN_ROWS = [
    (
        "(dX, dbeta, dgamma)",
        lambda *a: (lambda r: (r[0], r[2], r[1]))(_compact(*a)),
        False,
        ["wrong order", "(dX, dgamma, dbeta)"],
    ),
    (
        "float32",
        lambda *a: tuple(x.astype(np.float32) for x in _compact(*a)),
        True,
        ["matches"],
    ),
    ("right", _compact, True, ["matches"]),
    ("right, centres X in place", _in_place, True, ["matches", "X in place"]),
    ("overwrites dout", _overwrites, False, ["differs"]),
    ("unbiased variance", lambda *a: _compact(*a, ddof=1), False, ["unbiased"]),
    ("eps outside the root", lambda *a: _compact(*a, outside=True), False, ["outside"]),
    ("eps hard-coded", lambda *a: _compact(*a, hard=1e-5), False, ["eps seems hard-coded"]),
    (
        "dgamma from X",
        lambda d, X, g, eps=EPS: (_compact(d, X, g, eps)[0], (d * X).sum(0), d.sum(0)),
        False,
        ["dgamma used X"],
    ),
    (
        "eps keyword-only",
        lambda dout, X, gamma, *, eps=EPS: _compact(dout, X, gamma, eps),
        True,
        ["matches"],
    ),
    (
        "eps keyword-only, hard-coded",
        lambda dout, X, gamma, *, eps=EPS: _compact(dout, X, gamma, 1e-5),
        False,
        ["eps seems hard-coded"],
    ),
    (
        "keyword-only, other name",
        lambda dout, X, gamma, *, epsilon=EPS: _compact(dout, X, gamma, epsilon),
        False,
        ["fourth argument"],
    ),
    (
        "no eps argument",
        lambda dout, X, gamma: _compact(dout, X, gamma),
        False,
        ["fourth argument"],
    ),
    ("a string", lambda *a: "dX", False, ["string"]),
    ("None", lambda *a: None, False, ["returned None"]),
    ("two outputs", lambda *a: _compact(*a)[:2], False, ["returned 2 value(s)"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(BN_ROWS))
def test_batchnorm_backward_table(answer, passed, words):
    feedback = check_batchnorm_backward(answer)
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message
