import numpy as np

from bp_lib.exercises.batchnorm import EPS, _compact, check_batchnorm_backward


def right(dout, X, gamma):
    return _compact(dout, X, gamma)


def test_right_answer_passes():
    def written_out(dout, X, gamma):
        m = len(X)
        inv = 1 / np.sqrt(X.var(axis=0) + EPS)
        x_hat = (X - X.mean(axis=0)) * inv
        dx_hat = dout * gamma
        dX = inv / m * (m * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0))
        return dX, (dout * x_hat).sum(0), dout.sum(0)

    assert check_batchnorm_backward(written_out).passed


def test_each_mistake_is_named():
    def double(dout, X, gamma):
        m = len(X)
        inv = 1 / np.sqrt(X.var(axis=0) + EPS)
        x_hat = (X - X.mean(axis=0)) * inv
        dx_hat = dout * gamma
        dX = inv / m * (m * dx_hat - inv * dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0))
        return dX, (dout * x_hat).sum(0), dout.sum(0)

    wrongs = {
        "divided by the standard deviation twice": double,
        "through the batch mean is missing": lambda d, X, g: _compact(d, X, g, mean_term=False),
        "through the variance is missing": lambda d, X, g: _compact(d, X, g, variance_term=False),
        "dout was used where": lambda d, X, g: _compact(d, X, g, use_gamma=False),
    }
    for expected, wrong in wrongs.items():
        feedback = check_batchnorm_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
