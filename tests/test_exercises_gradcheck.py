import numpy as np

from bp_lib.exercises.gradcheck import check_centred_difference


def right(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def test_right_answer_passes():
    assert check_centred_difference(right).passed


def test_each_mistake_is_named():
    def forward(f, x, eps):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            base = f(x)
            x[i] += eps
            grad[i] = (f(x) - base) / eps
            x[i] -= eps
        return grad

    def not_restored_copy(f, x, eps):
        y = x.copy()
        grad = np.zeros_like(x)
        for i in np.ndindex(y.shape):
            y[i] += eps
            plus = f(y)
            y[i] -= 2 * eps
            grad[i] = (plus - f(y)) / (2 * eps)
        return grad

    def perturbs_a_copy(f, x, eps):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            copy = x.copy()
            copy[i] += eps
            grad[i] = (f(x) - f(x)) / (2 * eps)
        return grad

    def leaves_x_modified(f, x, eps):
        grad = right(f, x, eps)
        x += 1.0
        return grad

    wrongs = {
        "forward difference": forward,
        "divided by eps": lambda f, x, eps: 2 * right(f, x, eps),
        "not restored": not_restored_copy,
        "never saw the perturbation": perturbs_a_copy,
        "left modified": leaves_x_modified,
    }
    for expected, wrong in wrongs.items():
        feedback = check_centred_difference(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
