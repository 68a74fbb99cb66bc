import numpy as np
import pytest
from helpers import assert_feedback, table

import bp_lib as bp
from bp_lib.exercises.layernorm import (
    EPS,
    MISTAKES,
    check_layernorm_backward,
    layernorm_backward_over_the_batch_axis,
    layernorm_backward_without_eps,
    layernorm_backward_without_mean_term,
    layernorm_backward_without_variance_term,
)

# --- answers as a reader would write them, independently of the checker's functions ---


def _parts(X, eps, axis=-1, ddof=0, outside=False):
    var = X.var(axis=axis, keepdims=True, ddof=ddof)
    inv = 1 / (np.sqrt(var) + eps) if outside else 1 / np.sqrt(var + eps)
    return inv, (X - X.mean(axis=axis, keepdims=True)) * inv


def right(dout, X, gamma, eps=EPS):
    n = X.shape[-1]
    inv, x_hat = _parts(X, eps)
    dx_hat = dout * gamma
    bracket = n * dx_hat - dx_hat.sum(-1, keepdims=True) - x_hat * (dx_hat * x_hat).sum(-1, keepdims=True)
    return inv / n * bracket, (dout * x_hat).sum(0), dout.sum(0)


def right_with_means(dout, X, gamma, eps=EPS):
    """The same formula written with means: dX = inv (dx_hat - mean - x_hat mean)."""
    inv, x_hat = _parts(X, eps)
    dx_hat = dout * gamma
    dX = inv * (dx_hat - dx_hat.mean(-1, keepdims=True) - x_hat * (dx_hat * x_hat).mean(-1, keepdims=True))
    return dX, np.einsum("ij,ij->j", dout, x_hat), np.sum(dout, axis=0)


def right_by_rows(dout, X, gamma, eps=EPS):
    """A loop over the rows, each with the 1-D formula, returned as a list."""
    dX = np.zeros_like(X)
    dgamma = np.zeros_like(gamma)
    for i, (x, d) in enumerate(zip(X, dout)):
        inv = 1 / np.sqrt(x.var() + eps)
        x_hat = (x - x.mean()) * inv
        g = d * gamma
        dX[i] = inv * (g - g.mean() - x_hat * np.mean(g * x_hat))
        dgamma += d * x_hat
    return [dX, dgamma, dout.sum(axis=0)]


def right_via_jacobian(dout, X, gamma, eps=EPS):
    """Through each row's n x n Jacobian of x_hat: (I - 1/n - x_hat x_hat^T / n) inv."""
    n = X.shape[-1]
    inv, x_hat = _parts(X, eps)
    rows = []
    for xh, iv, d in zip(x_hat, inv[:, 0], dout):
        J = iv * (np.eye(n) - 1 / n - np.outer(xh, xh) / n)
        rows.append(J.T @ (d * gamma))
    return np.array(rows), (dout * x_hat).sum(0), dout.sum(0)


def over_batch(dout, X, gamma, eps=EPS):
    m = len(X)
    inv, x_hat = _parts(X, eps, axis=0)
    dx_hat = dout * gamma
    bracket = m * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0)
    return inv / m * bracket, (dout * x_hat).sum(0), dout.sum(0)


def no_mean(dout, X, gamma, eps=EPS):
    inv, x_hat = _parts(X, eps)
    dx_hat = dout * gamma
    return inv * (dx_hat - x_hat * (dx_hat * x_hat).mean(-1, keepdims=True)), (dout * x_hat).sum(0), dout.sum(0)


def no_variance(dout, X, gamma, eps=EPS):
    inv, x_hat = _parts(X, eps)
    dx_hat = dout * gamma
    return inv * (dx_hat - dx_hat.mean(-1, keepdims=True)), (dout * x_hat).sum(0), dout.sum(0)


def no_eps(dout, X, gamma, eps=EPS):
    inv = 1 / X.std(axis=-1, keepdims=True)
    x_hat = (X - X.mean(axis=-1, keepdims=True)) * inv
    dx_hat = dout * gamma
    dX = inv * (dx_hat - dx_hat.mean(-1, keepdims=True) - x_hat * (dx_hat * x_hat).mean(-1, keepdims=True))
    return dX, (dout * x_hat).sum(0), dout.sum(0)


def sums_over_batch(dout, X, gamma, eps=EPS):
    n = X.shape[-1]
    inv, x_hat = _parts(X, eps)
    dx_hat = dout * gamma
    return inv / n * (n * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0)), (dout * x_hat).sum(0), dout.sum(0)


def copied_m(dout, X, gamma, eps=EPS):
    m = len(X)
    inv, x_hat = _parts(X, eps)
    dx_hat = dout * gamma
    bracket = m * dx_hat - dx_hat.sum(-1, keepdims=True) - x_hat * (dx_hat * x_hat).sum(-1, keepdims=True)
    return inv / m * bracket, (dout * x_hat).sum(0), dout.sum(0)


def _with(parts_kwargs):
    def answer(dout, X, gamma, eps=EPS):
        n = X.shape[-1]
        inv, x_hat = _parts(X, eps, **parts_kwargs)
        dx_hat = dout * gamma
        bracket = n * dx_hat - dx_hat.sum(-1, keepdims=True) - x_hat * (dx_hat * x_hat).sum(-1, keepdims=True)
        return inv / n * bracket, (dout * x_hat).sum(0), dout.sum(0)

    return answer


def _bracket(options):
    """The bracket with its mean term kept or not and its variance term's sign."""

    def answer(dout, X, gamma, eps=EPS):
        inv, x_hat = _parts(X, eps)
        dx_hat = dout * gamma
        bracket = dx_hat + options["variance_sign"] * x_hat * (dx_hat * x_hat).mean(-1, keepdims=True)
        if options.get("mean", True):
            bracket = bracket - dx_hat.mean(-1, keepdims=True)
        return inv * bracket, (dout * x_hat).sum(0), dout.sum(0)

    return answer


def _params(wrong):
    """dX right; dgamma and/or dbeta written wrong as named."""

    def answer(dout, X, gamma, eps=EPS):
        dX, dgamma, dbeta = right(dout, X, gamma, eps)
        _, x_hat = _parts(X, eps)
        dgamma = {"per row": (dout * x_hat).sum(-1), "from X": (dout * X).sum(0)}.get(wrong.get("dgamma"), dgamma)
        dbeta = {"per row": dout.sum(-1), "times gamma": (dout * gamma).sum(0)}.get(wrong.get("dbeta"), dbeta)
        return dX, dgamma, dbeta

    return answer


def _changes_gamma(dout, X, gamma, eps=EPS):
    result = right(dout, X, gamma, eps)
    gamma *= 2
    return result


ROWS = [
    ("right", right, True, ["matches"]),
    ("right, with means", right_with_means, True, ["matches"]),
    ("right, row by row, a list", right_by_rows, True, ["matches"]),
    ("right, through the Jacobian", right_via_jacobian, True, ["matches"]),
    ("right, float32", lambda *a: tuple(x.astype(np.float32) for x in right(*a)), True, ["matches"]),
    ("right, eps keyword-only", lambda dout, X, gamma, *, eps=EPS: right(dout, X, gamma, eps), True, ["matches"]),
    ("over the batch axis", over_batch, False, ["batch axis (axis=0)", "that is batch norm"]),
    ("no mean term", no_mean, False, ["row mean is missing"]),
    ("no variance term", no_variance, False, ["row variance is missing"]),
    ("no eps in 1/sqrt(var)", no_eps, False, ["has no eps"]),
    ("only the bracket's sums over the batch", sums_over_batch, False, ["Only the sums in the bracket"]),
    ("m copied from batch norm", copied_m, False, ["batch size m = len(X)"]),
    ("eps outside the root", _with({"outside": True}), False, ["outside the square root"]),
    ("unbiased variance", _with({"ddof": 1}), False, ["unbiased"]),
    (
        "dout for dx_hat",
        lambda d, X, g, eps=EPS: (right(d, X, np.ones_like(g), eps)[0], *right(d, X, g, eps)[1:]),
        False,
        ["dout was used where dx_hat"],
    ),
    (
        "dgamma, dbeta averaged",
        lambda *a: (right(*a)[0], *(g / len(a[1]) for g in right(*a)[1:])),
        False,
        ["mean over the rows"],
    ),
    ("eps hard-coded", lambda d, X, g, eps=EPS: right(d, X, g, 1e-5), False, ["eps seems hard-coded"]),
    ("no eps argument", lambda dout, X, gamma: right(dout, X, gamma), False, ["fourth argument"]),
    ("changes gamma in place", _changes_gamma, False, ["gamma was changed in place"]),
    ("(dX, dbeta, dgamma)", lambda *a: (lambda r: (r[0], r[2], r[1]))(right(*a)), False, ["wrong order"]),
    ("None", lambda *a: None, False, ["returned None"]),
    ("two outputs", lambda *a: right(*a)[:2], False, ["returned 2 value(s)"]),
    ("off by a factor 2", lambda *a: (2 * right(*a)[0], *right(*a)[1:]), False, ["differs", "axis=-1"]),
    ("variance term added", _bracket({"variance_sign": 1}), False, ["wrong sign"]),
    ("direct path only", _bracket({"mean": False, "variance_sign": 0}), False, ["Only the direct path"]),
    ("dgamma, dbeta per row", _params({"dgamma": "per row", "dbeta": "per row"}), False, ["summed over each row"]),
    ("dgamma per row", _params({"dgamma": "per row"}), False, ["summed over each row"]),
    ("dbeta per row", _params({"dbeta": "per row"}), False, ["summed over each row"]),
    ("dgamma from X", _params({"dgamma": "from X"}), False, ["dgamma uses X"]),
    ("dbeta times gamma", _params({"dbeta": "times gamma"}), False, ["dbeta is multiplied by gamma"]),
    (
        "dgamma off by 1.5",
        lambda *a: (right(*a)[0], 1.5 * right(*a)[1], right(*a)[2]),
        False,
        ["dgamma = sum(dout * x_hat, axis=0)"],
    ),
    ("not a function", 3, False, ["needs your function itself, got an int"]),
    ("None instead of a function", None, False, ["needs your function itself, got None"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(ROWS))
def test_layernorm_backward_table(answer, passed, words):
    assert_feedback(check_layernorm_backward(answer), passed, words)


def test_each_wrong_answer_gets_its_own_message():
    shared = ("None", "two outputs", "not a function", "None instead of a function", "dgamma per row", "dbeta per row")
    wrong = [row for row in ROWS if not row[2] and row[0] not in shared]
    messages = {check_layernorm_backward(answer).message for _, answer, _, _ in wrong}
    assert len(messages) == len(wrong)


def test_two_functions_get_feedback_not_an_error():
    feedback = check_layernorm_backward(right, right)
    assert_feedback(feedback, False, ["takes 1 function(s)", "given 2 argument(s)"])


def test_a_wrong_parameter_gradient_is_not_told_to_fix_dx():
    """The hint for an unnamed dgamma slip names dgamma's formula, not only dX's."""
    message = check_layernorm_backward(lambda *a: (right(*a)[0], 1.5 * right(*a)[1], right(*a)[2])).message
    assert "If dgamma or dbeta is wrong" in message and "output 1" in message


@pytest.mark.parametrize(
    "wrong",
    [
        layernorm_backward_over_the_batch_axis,
        layernorm_backward_without_mean_term,
        layernorm_backward_without_variance_term,
        layernorm_backward_without_eps,
    ],
)
def test_wrong_functions_fail_a_gradient_check(wrong):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(5, 7)) * 0.3 + rng.normal(size=(5, 1))
    gamma, dout = rng.normal(size=7) + 1.5, rng.normal(size=(5, 7))
    eps = 0.1  # large enough next to these rows' variance (~0.1) for a forgotten eps to show

    def f():
        return np.sum(bp.layernorm_forward(X, gamma, np.zeros(7), eps)[0] * dout)

    assert bp.relative_error(wrong(dout, X, gamma, eps)[0], bp.numerical_gradient(f, X)) > 1e-3
    assert bp.relative_error(right(dout, X, gamma, eps)[0], bp.numerical_gradient(f, X)) < 1e-7


def test_mistake_list_is_the_documented_wrong_functions():
    assert [wrong for _, wrong in MISTAKES] == [
        layernorm_backward_over_the_batch_axis,
        layernorm_backward_without_mean_term,
        layernorm_backward_without_variance_term,
        layernorm_backward_without_eps,
    ]


def test_an_unwritten_answer_is_told_so():
    def unwritten(dout, X, gamma, eps=EPS):
        raise NotImplementedError

    assert "not written yet" in check_layernorm_backward(unwritten).message
