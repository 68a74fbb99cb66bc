from bp_lib.exercises.forward import check_dense_forward_columns


def test_right_answer_passes():
    assert check_dense_forward_columns(lambda A, W, b: W @ A + b[:, None]).passed


def test_each_mistake_is_named():
    wrongs = {
        "wrong axis": lambda A, W, b: W @ A + b[None, :],
        "row-batch layout": lambda A, W, b: A.T @ W.T + b,
        "bias is missing": lambda A, W, b: W @ A,
    }
    for expected, wrong in wrongs.items():
        feedback = check_dense_forward_columns(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_two_layer_checker_passes_the_right_answer():
    import numpy as np

    from bp_lib.exercises.forward import check_two_layer_forward_columns

    def right(A0, W1, b1, W2, b2):
        A1 = np.tanh(W1 @ A0 + b1[:, None])
        return W2 @ A1 + b2[:, None]

    assert check_two_layer_forward_columns(right).passed


def test_two_layer_checker_names_each_mistake():
    import numpy as np

    from bp_lib.exercises.forward import check_two_layer_forward_columns

    wrongs = {
        "weight matrix is transposed": lambda A0, W1, b1, W2, b2: W2.T @ np.tanh(W1.T @ A0 + b1[:, None]) + b2[:, None],
        "wrong axis": lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1) + b2,
        "row-batch layout": lambda A0, W1, b1, W2, b2: np.tanh(A0.T @ W1.T + b1) @ W2.T + b2,
        "hidden layer has no activation": lambda A0, W1, b1, W2, b2: W2 @ (W1 @ A0 + b1[:, None]) + b2[:, None],
        "applied to the output too": lambda A0, W1, b1, W2, b2: np.tanh(
            W2 @ np.tanh(W1 @ A0 + b1[:, None]) + b2[:, None]
        ),
    }
    for expected, wrong in wrongs.items():
        feedback = check_two_layer_forward_columns(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    unlisted = check_two_layer_forward_columns(lambda A0, W1, b1, W2, b2: W2 @ np.maximum(W1 @ A0, 0))
    assert not unlisted.passed and "differs from the reference" in unlisted.message


# --- one table per checker: (answer, passes?, words its message must contain) ---

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_feedback  # noqa: E402

from bp_lib.exercises.forward import check_two_layer_forward_columns  # noqa: E402


def _zeroes(A, W, b):
    for a in (A, W, b):
        a[...] = 0
    return np.zeros((W.shape[0], A.shape[1]))


DENSE_COLUMN_ROWS = [
    (
        "float32 (tol 1e-10: asks for float64)",
        lambda A, W, b: (W @ A + b[:, None]).astype(np.float32),
        False,
        ["float32", "float64", "cannot tell its rounding", "1e-10"],
    ),
    ("right", lambda A, W, b: W @ A + b[:, None], True, ["matches"]),
    ("overwrites inputs", _zeroes, False, ["differs"]),
    ("activation applied", lambda A, W, b: np.tanh(W @ A + b[:, None]), False, ["activation"]),
    ("bias subtracted", lambda A, W, b: W @ A - b[:, None], False, ["subtracted"]),
    ("a string", lambda A, W, b: "Z", False, ["string"]),
    ("ragged", lambda A, W, b: [[1.0], [1.0, 2.0]], False, ["ragged"]),
]


def _two(A0, W1, b1, W2, b2, hidden=np.tanh, output=lambda z: z):
    return output(W2 @ hidden(W1 @ A0 + b1[:, None]) + b2[:, None])


TWO_LAYER_ROWS = [
    (
        "float32",
        lambda A0, W1, b1, W2, b2: (W2 @ np.tanh(W1 @ A0 + b1[:, None]) + b2[:, None]).astype(np.float32),
        False,
        ["float32", "float64", "cannot tell its rounding"],
    ),
    (
        "only W1.T",
        lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1.T @ A0 + b1[:, None]) + b2[:, None],
        False,
        ["W1 is transposed"],
    ),
    (
        "only W2.T",
        lambda A0, W1, b1, W2, b2: W2.T @ np.tanh(W1 @ A0 + b1[:, None]) + b2[:, None],
        False,
        ["W2 is transposed"],
    ),
    (
        "only + b1",
        lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1) + b2[:, None],
        False,
        ["b1 was added along the wrong axis"],
    ),
    (
        "only + b2",
        lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1[:, None]) + b2,
        False,
        ["b2 was added along the wrong axis"],
    ),
    (
        "no b2",
        lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1[:, None]),
        False,
        ["b2 is missing"],
    ),
    (
        "ReLU hidden",
        lambda A0, W1, b1, W2, b2: W2 @ np.maximum(W1 @ A0 + b1[:, None], 0) + b2[:, None],
        False,
        ["hidden activation is ReLU"],
    ),
    ("right", _two, True, ["matches"]),
    (
        "activations swapped",
        lambda *a: _two(*a, hidden=lambda z: z, output=np.tanh),
        False,
        ["hidden one is not"],
    ),
    ("None", lambda *a: None, False, ["returned None"]),
    (
        "returns (A1, A2)",
        lambda A0, W1, b1, W2, b2: (np.tanh(W1 @ A0 + b1[:, None]), _two(A0, W1, b1, W2, b2)),
        False,
        ["(A1, A2)"],
    ),
    (
        "returns (A2, A1)",
        lambda A0, W1, b1, W2, b2: (_two(A0, W1, b1, W2, b2), np.tanh(W1 @ A0 + b1[:, None])),
        False,
        ["(A2, A1)"],
    ),
]


@pytest.mark.parametrize("row", DENSE_COLUMN_ROWS, ids=[r[0] for r in DENSE_COLUMN_ROWS])
def test_dense_forward_columns_table(row):
    assert_feedback(check_dense_forward_columns(row[1]), *row[2:])


@pytest.mark.parametrize("row", TWO_LAYER_ROWS, ids=[r[0] for r in TWO_LAYER_ROWS])
def test_two_layer_forward_columns_table(row):
    assert_feedback(check_two_layer_forward_columns(row[1]), *row[2:])
