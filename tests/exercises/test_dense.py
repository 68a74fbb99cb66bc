import numpy as np
import pytest
from helpers import table

from bp_lib.exercises.dense import check_dense_backward


def test_right_answer_passes():
    assert check_dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0))).passed


def test_each_mistake_is_named():
    wrongs = {
        "instead of W.T": lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)),
        "the mean of dZ": lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)),
        "dW carries an extra 1/m": lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)),
        "dW and db carry an extra 1/m": lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0) / len(X)),
        "not summed over the batch": lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ),
        "summed over the outputs (axis=1)": lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)),
    }
    for expected, wrong in wrongs.items():
        feedback = check_dense_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_transposed_weight_gradient_is_named_even_for_a_square_w():
    feedback = check_dense_backward(lambda dZ, X, W: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)))
    assert not feedback.passed and "dW is transposed" in feedback.message


def test_an_unlisted_mistake_gets_the_generic_message():
    feedback = check_dense_backward(lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, 2 * dZ.sum(axis=0)))
    assert not feedback.passed and "differs from the reference" in feedback.message


# --- one table for the checker: (answer, passes?, words its message must contain) ---


def _zero_everything(dZ, X, W):
    """Wrong, and overwrites its inputs so that a reference computed afterwards agrees."""
    for a in (dZ, X, W):
        a[...] = 0
    return np.zeros_like(X), np.zeros_like(W), np.zeros(W.shape[1])


def _in_place(dZ, X, W):
    """Right, but reuses dZ's memory for db's computation after using it."""
    dX, dW = dZ @ W.T, X.T @ dZ
    db = dZ.sum(axis=0)
    dZ *= 0  # scribbles on its input after use
    return dX, dW, db


def _loop(overwrite_dw=False, overwrite_db=False):
    def answer(dZ, X, W):
        dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros(W.shape[1])
        for i in range(len(X)):
            dW = np.outer(X[i], dZ[i]) if overwrite_dw else dW + np.outer(X[i], dZ[i])
            db = dZ[i].copy() if overwrite_db else db + dZ[i]
            dX[i] = W @ dZ[i]
        return dX, dW, db

    return answer


def _changes_w(dZ, X, W):
    grads = dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)
    W -= 0.1 * grads[1]
    return grads


DENSE_ROWS = [
    ("loop, accumulating", _loop(), True, []),
    ("loop, dW = outer", _loop(overwrite_dw=True), False, ["dW += np.outer"]),
    ("loop, db = dZ[i]", _loop(overwrite_db=True), False, ["db += dZ[i]"]),
    ("loop, both =", _loop(True, True), False, ["dW and db hold only the last"]),
    (
        "(dW, dX, db)",
        lambda dZ, X, W: (X.T @ dZ, dZ @ W.T, dZ.sum(axis=0)),
        False,
        ["wrong order", "not (dW, dX, db)"],
    ),
    (
        "(dX, db, dW)",
        lambda dZ, X, W: (dZ @ W.T, dZ.sum(axis=0), X.T @ dZ),
        False,
        ["wrong order"],
    ),
    ("list", lambda dZ, X, W: [dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)], True, []),
    ("changes W", _changes_w, False, ["W was changed in place"]),
    ("right", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)), True, ["matches"]),
    ("overwrites its inputs", _zero_everything, False, ["differs"]),
    ("right, changes dZ in place", _in_place, True, ["matches", "dZ in place"]),
    ("forgotten db", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ), False, ["db is missing"]),
    (
        "unsummed db",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ),
        False,
        ["not summed over the batch"],
    ),
    (
        "(1, n) db",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)),
        False,
        ["shape (1, n_out)"],
    ),
    (
        "db over everything",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum()),
        False,
        ["every entry"],
    ),
    (
        "dX transposed",
        lambda dZ, X, W: (W @ dZ.T, X.T @ dZ, dZ.sum(axis=0)),
        False,
        ["dX is transposed"],
    ),
    ("a string", lambda dZ, X, W: "dX", False, ["string"]),
    ("None", lambda dZ, X, W: None, False, ["returned None"]),
    ("a dict", lambda dZ, X, W: {"dX": 0}, False, ["dict"]),
    (
        "complex",
        lambda dZ, X, W: (dZ @ W.T + 0j, X.T @ dZ, dZ.sum(axis=0)),
        False,
        ["complex"],
    ),
    ("ragged", lambda dZ, X, W: ([[1, 2], [3]], X.T @ dZ, dZ.sum(0)), False, ["ragged"]),
    (
        "unexplained",
        lambda dZ, X, W: (dZ @ W.T, 1.5 * X.T @ dZ, dZ.sum(axis=0)),
        False,
        ["differs", "dW = X.T @ dZ"],
    ),
]


@pytest.mark.parametrize(
    ("answer", "passed", "words"),
    table(DENSE_ROWS),
)
def test_dense_backward_table(answer, passed, words):
    feedback = check_dense_backward(answer)
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message
