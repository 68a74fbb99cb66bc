import numpy as np
import pytest
from helpers import assert_feedback, table

from bp_lib import sigmoid, softmax
from bp_lib.exercises.activations import (
    check_relu_backward,
    check_sigmoid_backward,
    check_softmax_backward,
    check_tanh_backward,
)


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


# --- one table per checker: (answer, passes?, words its message must contain) ---


def _sig(Z):
    return sigmoid(Z)


def _zeroes_da(Z, dA):
    """Wrong; zeroes dA so that a reference computed from the same arrays would agree."""
    dA[...] = 0
    return np.zeros_like(Z)


def _relu_in_place(Z, dA):
    dA[Z <= 0] = 0  # a right answer that writes into the upstream gradient
    return dA


COMMON_ROWS = [
    ("overwrites dA", _zeroes_da, False, ["differs"]),
    ("a string", lambda Z, dA: "dZ", False, ["string"]),
    ("None", lambda Z, dA: None, False, ["returned None"]),
    ("a dict", lambda Z, dA: {"dZ": dA}, False, ["dict"]),
    ("complex", lambda Z, dA: dA + 0j, False, ["complex"]),
    ("ragged", lambda Z, dA: [[1.0, 2.0], [3.0]], False, ["ragged"]),
    ("two outputs", lambda Z, dA: (dA, dA), False, ["returned 2 value(s)"]),
]

SIGMOID_ROWS = COMMON_ROWS + [
    ("right", lambda Z, dA: dA * _sig(Z) * (1 - _sig(Z)), True, ["matches"]),
    ("tanh pattern", lambda Z, dA: dA * (1 - _sig(Z) ** 2), False, ["tanh's"]),
    ("sigmoid itself", lambda Z, dA: dA * _sig(Z), False, ["not by its derivative"]),
    ("sign", lambda Z, dA: -dA * _sig(Z) * (1 - _sig(Z)), False, ["sign is flipped"]),
    ("unexplained", lambda Z, dA: 2 * dA * _sig(Z), False, ["differs", "f'(Z)"]),
]

RELU_ROWS = COMMON_ROWS + [
    ("right", lambda Z, dA: dA * (Z > 0), True, ["matches"]),
    ("right, in place", _relu_in_place, True, ["matches", "dA in place"]),
    ("mask from dA", lambda Z, dA: dA * (dA > 0), False, ["taken from dA"]),
    ("inverted mask", lambda Z, dA: dA * (Z < 0), False, ["inverted"]),
    ("times relu(Z)", lambda Z, dA: dA * np.maximum(Z, 0), False, ["ReLU(Z)"]),
    ("times Z", lambda Z, dA: dA * Z, False, ["multiplied by Z"]),
    (
        "relu of dA too",
        lambda Z, dA: np.maximum(dA, 0) * (Z > 0),
        False,
        ["applied to dA"],
    ),
]


def _softmax_right(Z, dS):
    s = softmax(Z)
    return s * (dS - np.sum(dS * s, axis=1, keepdims=True))


def _right_with(s, dS):
    return s * (dS - np.sum(dS * s, axis=1, keepdims=True))


SOFTMAX_ROWS = COMMON_ROWS + [
    ("right", _softmax_right, True, ["matches"]),
    (
        "no keepdims",
        lambda Z, dS: softmax(Z) * (dS - np.sum(dS * softmax(Z), axis=1)),
        False,
        ["keepdims"],
    ),
    (
        "sum over everything",
        lambda Z, dS: softmax(Z) * (dS - np.sum(dS * softmax(Z))),
        False,
        ["whole batch"],
    ),
    (
        "no leading s",
        lambda Z, dS: dS - np.sum(dS * softmax(Z), axis=1, keepdims=True),
        False,
        ["leading factor s"],
    ),
    ("s - dS (seed 000)", lambda Z, dS: softmax(Z) - dS, False, ["cross-entropy combined"]),
    ("sign flipped", lambda Z, dS: -_softmax_right(Z, dS), False, ["sign is flipped"]),
    (
        "sum without s",
        lambda Z, dS: softmax(Z) * (dS - np.sum(dS, axis=1, keepdims=True)),
        False,
        ["s inside the sum"],
    ),
    (
        "diag(s) term missing",
        lambda Z, dS: -softmax(Z) * np.sum(dS * softmax(Z), axis=1, keepdims=True),
        False,
        ["s * dS is missing"],
    ),
    (
        "formula on Z",
        lambda Z, dS: Z * (dS - np.sum(dS * Z, axis=1, keepdims=True)),
        False,
        ["applied to Z itself"],
    ),
    (
        "softmax over the batch",
        lambda Z, dS: _right_with(np.exp(Z) / np.exp(Z).sum(), dS),
        False,
        ["whole batch (one np.sum"],
    ),
    (
        "softmax down the columns",
        lambda Z, dS: _right_with(np.exp(Z) / np.exp(Z).sum(axis=0), dS),
        False,
        ["down the columns"],
    ),
    ("float32", lambda Z, dS: _softmax_right(Z, dS).astype(np.float32), True, ["matches"]),
]

TANH_ROWS = COMMON_ROWS + [
    ("right", lambda Z, dA: dA * (1 - np.tanh(Z) ** 2), True, ["matches"]),
    ("1 - Z**2", lambda Z, dA: dA * (1 - Z**2), False, ["applied to Z itself"]),
    ("sign", lambda Z, dA: dA * (np.tanh(Z) ** 2 - 1), False, ["sign is flipped"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(SIGMOID_ROWS))
def test_sigmoid_backward_table(answer, passed, words):
    assert_feedback(check_sigmoid_backward(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), table(RELU_ROWS))
def test_relu_backward_table(answer, passed, words):
    assert_feedback(check_relu_backward(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), table(SOFTMAX_ROWS))
def test_softmax_backward_table(answer, passed, words):
    assert_feedback(check_softmax_backward(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), table(TANH_ROWS))
def test_tanh_backward_table(answer, passed, words):
    assert_feedback(check_tanh_backward(answer), passed, words)


def test_the_intro_quotes_the_relu_message_truly():
    message = check_relu_backward(lambda Z, dA: dA * (dA > 0)).message
    assert "the ReLU mask is taken from dA" in message.replace("The ReLU", "the ReLU")
