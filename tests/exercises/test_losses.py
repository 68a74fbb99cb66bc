from bp_lib import one_hot, softmax
from bp_lib.exercises.losses import check_mse_gradient, check_softmax_cross_entropy_gradient


def test_mse_checker():
    assert check_mse_gradient(lambda Y_hat, Y: 2 * (Y_hat - Y) / Y_hat.size).passed
    wrongs = {
        "The 1/m is missing": lambda Y_hat, Y: 2 * (Y_hat - Y),
        "The factor 2 is missing": lambda Y_hat, Y: (Y_hat - Y) / Y_hat.size,
        "divided by the number of rows": lambda Y_hat, Y: 2 * (Y_hat - Y) / len(Y_hat),
        "sign is flipped": lambda Y_hat, Y: 2 * (Y - Y_hat) / Y_hat.size,
    }
    for expected, wrong in wrongs.items():
        feedback = check_mse_gradient(wrong)
        assert not feedback.passed and expected.strip() in feedback.message, (expected, feedback.message)


def test_cross_entropy_checker():
    def targets(Z, y):
        return one_hot(y, Z.shape[1])

    assert check_softmax_cross_entropy_gradient(lambda Z, y: (softmax(Z) - targets(Z, y)) / len(Z)).passed
    wrongs = [
        ("not divided by m", lambda Z, y: softmax(Z) - targets(Z, y)),
        ("Z - Y was used", lambda Z, y: (Z - targets(Z, y)) / len(Z)),
        ("integer labels y were subtracted directly", lambda Z, y: (softmax(Z) - y[:, None]) / len(Z)),
        ("integer labels y were subtracted directly", lambda Z, y: (softmax(Z) - y) / len(Z)),  # plain broadcast
        ("sign is flipped", lambda Z, y: (targets(Z, y) - softmax(Z)) / len(Z)),
    ]
    for expected, wrong in wrongs:
        feedback = check_softmax_cross_entropy_gradient(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


# --- one table per checker: (answer, passes?, words its message must contain) ---

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_feedback  # noqa: E402


def _zeroes(A, B):
    """Wrong; makes both inputs equal, so a reference computed afterwards is zero."""
    A[...] = 0
    B[...] = 0
    return np.zeros(A.shape, dtype=float)


def _mse_in_place(Y_hat, Y):
    Y_hat -= Y  # right, but writes the residual into the caller's predictions
    Y_hat *= 2 / Y_hat.size
    return Y_hat


def _ce(Z, y):
    return (softmax(Z) - one_hot(y, Z.shape[1])) / len(Z)


MSE_ROWS = [
    ("right", lambda P, Y: 2 * (P - Y) / P.size, True, ["matches"]),
    ("right, in place", _mse_in_place, True, ["Y_hat in place"]),
    ("overwrites inputs", _zeroes, False, ["differs"]),
    ("no 2, no 1/size", lambda P, Y: P - Y, False, ["Both the factor 2"]),
    ("square kept", lambda P, Y: (P - Y) ** 2 / P.size, False, ["square was kept"]),
    ("reduced", lambda P, Y: np.mean(2 * (P - Y)), False, ["one number"]),
    ("a string", lambda P, Y: "grad", False, ["string"]),
    ("over shape[1]", lambda P, Y: 2 * (P - Y) / P.shape[1], False, ["shape[1]"]),
]


CE_ROWS = [
    (
        "softmax over axis 0",
        lambda Z, y: (np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True) - one_hot(y, Z.shape[1])) / len(Z),
        False,
        ["normalised over the batch"],
    ),
    (
        "softmax over everything",
        lambda Z, y: (np.exp(Z) / np.exp(Z).sum() - one_hot(y, Z.shape[1])) / len(Z),
        False,
        ["over the whole array"],
    ),
    (
        "sigmoid",
        lambda Z, y: (1 / (1 + np.exp(-Z)) - one_hot(y, Z.shape[1])) / len(Z),
        False,
        ["sigmoid was used"],
    ),
    ("right", _ce, True, ["matches"]),
    ("overwrites Z", lambda Z, y: _zeroes(Z, np.zeros(1)) * 0, False, ["differs"]),
    (
        "gradient at the probabilities",
        lambda Z, y: -one_hot(y, Z.shape[1]) / softmax(Z) / len(Z),
        False,
        ["probabilities"],
    ),
    ("divided by m K", lambda Z, y: _ce(Z, y) * len(Z) / Z.size, False, ["number of classes"]),
    ("None", lambda Z, y: None, False, ["returned None"]),
]


@pytest.mark.parametrize("row", MSE_ROWS, ids=[r[0] for r in MSE_ROWS])
def test_mse_gradient_table(row):
    assert_feedback(check_mse_gradient(row[1]), *row[2:])


@pytest.mark.parametrize("row", CE_ROWS, ids=[r[0] for r in CE_ROWS])
def test_cross_entropy_gradient_table(row):
    assert_feedback(check_softmax_cross_entropy_gradient(row[1]), *row[2:])
