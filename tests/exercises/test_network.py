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
