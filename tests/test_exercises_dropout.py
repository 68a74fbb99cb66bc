from bp_lib import dropout_forward
from bp_lib.exercises.dropout import check_dropout_backward, check_dropout_forward


def test_backward_checker():
    assert check_dropout_backward(lambda dout, keep, p: dout * keep / (1 - p)).passed
    wrongs = {
        "not rescaled": lambda dout, keep, p: dout * keep,
        "keep probability": lambda dout, keep, p: dout * keep / p,
        "mask is missing": lambda dout, keep, p: dout / (1 - p),
        "multiplied by (1 - p)": lambda dout, keep, p: dout * keep * (1 - p),
    }
    for expected, wrong in wrongs.items():
        feedback = check_dropout_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_forward_checker():
    assert check_dropout_forward(lambda X, p, rng: dropout_forward(X, p, rng)[0]).passed
    wrongs = {
        "not rescaled": lambda X, p, rng: X * (rng.random(X.shape) >= p),
        "keep probability": lambda X, p, rng: X * (rng.random(X.shape) < p) / p,
        "scaled by 1 / p": lambda X, p, rng: X * (rng.random(X.shape) >= p) / p,
    }
    for expected, wrong in wrongs.items():
        feedback = check_dropout_forward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    assert "shape" in check_dropout_forward(lambda X, p, rng: X[:10]).message
