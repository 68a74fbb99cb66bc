import numpy as np

from bp_lib import sigmoid
from bp_lib.exercises.activations import check_relu_backward, check_sigmoid_backward


def test_sigmoid_checker_passes_the_right_answer_and_names_each_mistake():
    assert check_sigmoid_backward(lambda Z, dA: dA * sigmoid(Z) * (1 - sigmoid(Z))).passed
    assert "applied to Z itself" in check_sigmoid_backward(lambda Z, dA: dA * Z * (1 - Z)).message
    at_a = check_sigmoid_backward(lambda Z, dA: dA * sigmoid(sigmoid(Z)) * (1 - sigmoid(sigmoid(Z))))
    assert "evaluated at the activation" in at_a.message
    assert "dA is missing" in check_sigmoid_backward(lambda Z, dA: sigmoid(Z) * (1 - sigmoid(Z))).message


def test_relu_checker_passes_the_right_answer_and_names_each_mistake():
    assert check_relu_backward(lambda Z, dA: dA * (Z > 0)).passed
    assert "taken from dA" in check_relu_backward(lambda Z, dA: dA * (dA > 0)).message
    assert "ReLU applied to dA" not in check_relu_backward(lambda Z, dA: np.maximum(dA, 0)).message
    assert "taken from dA" in check_relu_backward(lambda Z, dA: np.maximum(dA, 0)).message  # the same mistake
    assert "passed through unchanged" in check_relu_backward(lambda Z, dA: dA).message
    assert "dA is missing" in check_relu_backward(lambda Z, dA: (Z > 0).astype(float)).message


def test_softmax_checker_passes_the_right_answer_and_names_each_mistake():
    from bp_lib import softmax
    from bp_lib.exercises.activations import check_softmax_backward

    def right(Z, dS):
        s = softmax(Z)
        return s * (dS - np.sum(dS * s, axis=1, keepdims=True))

    assert check_softmax_backward(right).passed
    wrongs = {
        "Only the diagonal": lambda Z, dS: dS * softmax(Z) * (1 - softmax(Z)),
        "over the batch (axis=0)": lambda Z, dS: softmax(Z) * (dS - np.sum(dS * softmax(Z), axis=0, keepdims=True)),
        "correction term is missing": lambda Z, dS: softmax(Z) * dS,
    }
    for expected, wrong in wrongs.items():
        feedback = check_softmax_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_tanh_checker_passes_the_right_answer_and_names_each_mistake():
    from bp_lib.exercises.activations import check_tanh_backward

    assert check_tanh_backward(lambda Z, dA: dA * (1 - np.tanh(Z) ** 2)).passed
    wrongs = {
        "applied to Z itself": lambda Z, dA: dA * (1 - Z**2),
        "evaluated at the activation": lambda Z, dA: dA * (1 - np.tanh(np.tanh(Z)) ** 2),
        "The square is missing": lambda Z, dA: dA * (1 - np.tanh(Z)),
        "sigmoid's derivative pattern": lambda Z, dA: dA * np.tanh(Z) * (1 - np.tanh(Z)),
        "dA is missing": lambda Z, dA: 1 - np.tanh(Z) ** 2,
    }
    for expected, wrong in wrongs.items():
        feedback = check_tanh_backward(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    unexplained = check_tanh_backward(lambda Z, dA: 2 * dA * (1 - np.tanh(Z) ** 2))
    assert not unexplained.passed and "differs from the reference" in unexplained.message
