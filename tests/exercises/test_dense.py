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
