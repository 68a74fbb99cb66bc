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
