import numpy as np

from bp_lib import one_hot, softmax
from bp_lib.exercises.network import check_two_layer_backward


def _backward(X, y, W1, b1, W2, b2, hidden=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * (1 - A1**2), scale=1.0):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    dZ2 = scale * (softmax(A1 @ W2 + b2) - one_hot(y, W2.shape[1])) / len(X)
    dZ1 = hidden(dZ2, W2, Z1, A1)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def test_right_answer_passes():
    assert check_two_layer_backward(_backward).passed


def test_each_mistake_is_named():
    wrongs = {
        "activation derivative is missing": lambda *a: _backward(*a, hidden=lambda d, W, Z, A: d @ W.T),
        "W2 is not transposed": lambda *a: _backward(*a, hidden=lambda d, W, Z, A: (d @ W) * (1 - A**2)),
        "W1 was used in the hidden error": lambda *a: _backward(
            *a, hidden=lambda d, W, Z, A: (d @ a[2].T) * (1 - A**2)
        ),
        "evaluated at the activation": lambda *a: _backward(
            *a, hidden=lambda d, W, Z, A: (d @ W.T) * (1 - np.tanh(A) ** 2)
        ),
        "applied twice": lambda *a: _backward(*a, scale=1 / len(a[0])),
        "The 1/m is missing": lambda *a: _backward(*a, scale=len(a[0])),
    }
    for expected, wrong in wrongs.items():
        feedback = check_two_layer_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


# --- one table: (answer, passes?, words its message must contain) ---

import pytest  # noqa: E402
from helpers import assert_feedback  # noqa: E402


def _overwrites(X, y, W1, b1, W2, b2):
    """Wrong; zeroes the weights, so a reference computed afterwards would differ."""
    for a in (X, W1, b1, W2, b2):
        a[...] = 0
    return np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)


def _in_place(X, y, W1, b1, W2, b2):
    grads = _backward(X, y, W1, b1, W2, b2)
    W1 -= 0.1 * grads[0]  # right, but takes a gradient step on the caller's weights
    return grads


def _reordered(order):
    def answer(*args):
        grads = _backward(*args)
        return tuple(grads[i] for i in order)

    return answer


def _bias_kept_2d(*args):
    dW1, db1, dW2, db2 = _backward(*args)
    return dW1, db1[None, :], dW2, db2[None, :]


def _changed(change, *positions):
    """The right gradients with ``change`` applied to the outputs at ``positions``."""

    def answer(*args):
        grads = list(_backward(*args))
        for i in positions:
            grads[i] = change(grads[i])
        return tuple(grads)

    return answer


NETWORK_ROWS = [
    (
        "(dW1, dW2, db1, db2)",
        _reordered((0, 2, 1, 3)),
        False,
        ["wrong order", "(dW1, db1, dW2, db2)"],
    ),
    ("db as (1, n)", _bias_kept_2d, False, ["db1 has the right values in shape (1,"]),
    ("float32", lambda *a: tuple(g.astype(np.float32) for g in _backward(*a)), True, []),
    ("right", _backward, True, ["matches"]),
    ("right, steps W1 in place", _in_place, False, ["W1 was changed in place"]),
    ("overwrites inputs", _overwrites, False, ["differs"]),
    (
        "1 - Z1**2",
        lambda *a: _backward(*a, hidden=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * (1 - Z1**2)),
        False,
        ["with Z1 in place of A1"],
    ),
    (
        "sigmoid pattern",
        lambda *a: _backward(*a, hidden=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * A1 * (1 - A1)),
        False,
        ["sigmoid's"],
    ),
    ("sign", lambda *a: _backward(*a, scale=-1.0), False, ["wrong sign"]),
    ("db1, db2 zeros", _changed(np.zeros_like, 1, 3), False, ["db1 and db2 are zero"]),
    ("db1 zeros", _changed(np.zeros_like, 1), False, ["db1 is zero", "forgotten"]),
    ("db2 zeros", _changed(np.zeros_like, 3), False, ["db2 is zero"]),
    ("dW1, dW2 transposed", _changed(np.transpose, 0, 2), False, ["dW1 and dW2 are transposed"]),
    ("dW2 transposed", _changed(np.transpose, 2), False, ["dW2 is transposed", "column"]),
    ("a string", lambda *a: "grads", False, ["string"]),
    ("three outputs", lambda *a: _backward(*a)[:3], False, ["returned 3 value(s)"]),
]


@pytest.mark.parametrize("row", NETWORK_ROWS, ids=[r[0] for r in NETWORK_ROWS])
def test_two_layer_backward_table(row):
    _, answer, passed, words = row
    assert_feedback(check_two_layer_backward(answer), passed, words, chain_rule_allowed=True)
