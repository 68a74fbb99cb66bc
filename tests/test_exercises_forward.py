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
