import math

from bp_lib.exercises.chain_rule import check_neuron_gradient


def _local(x1, x2, w1, w2, b):
    return 1 - math.tanh(w1 * x1 + w2 * x2 + b) ** 2


def test_right_answer_passes():
    assert check_neuron_gradient(
        lambda x1, x2, w1, w2, b: tuple(_local(x1, x2, w1, w2, b) * v for v in (x1, x2, 1))
    ).passed


def test_each_mistake_is_named():
    def z(x1, x2, w1, w2, b):
        return w1 * x1 + w2 * x2 + b

    wrongs = {
        "taken as 1 - z**2": lambda *a: tuple((1 - z(*a) ** 2) * v for v in (a[0], a[1], 1)),
        "local derivative of tanh is missing": lambda *a: (a[0], a[1], 1.0),
        "written 1 - tanh(z); it is": lambda *a: tuple((1 - math.tanh(z(*a))) * v for v in (a[0], a[1], 1)),
        "inputs are swapped": lambda *a: tuple(_local(*a) * v for v in (a[1], a[0], 1)),
        "w times the local derivative": lambda *a: tuple(_local(*a) * v for v in (a[2], a[3], 1)),
    }
    for expected, wrong in wrongs.items():
        feedback = check_neuron_gradient(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_shared_node_checker_passes_a_reverse_sweep_written_with_accumulation():
    from bp_lib.exercises.chain_rule import check_shared_node_gradient

    def reverse_sweep(x, y):
        q = x * y
        s = q + x
        r = math.exp(y)
        s_bar, r_bar = r, s  # f = s * r
        x_bar = y_bar = 0.0
        y_bar += r * r_bar  # r = exp(y)
        q_bar = s_bar  # s = q + x
        x_bar += s_bar
        x_bar += y * q_bar  # q = x * y
        y_bar += x * q_bar
        return x_bar, y_bar

    assert check_shared_node_gradient(reverse_sweep).passed


def test_shared_node_checker_names_each_mistake():
    from bp_lib.exercises.chain_rule import check_shared_node_gradient

    e = math.exp
    wrongs = {
        "are swapped": [
            lambda x, y: ((x + 1) * e(y), (y + x * y + x) * e(y)),
            lambda x, y: ((x + 1) * e(y), x * (y + 2) * e(y)),
            lambda x, y: ((y + 1) * e(y), (y + x * y + x) * e(y)),
        ],
        "lacks its upstream factor": [lambda x, y: ((y + 1) * e(y), x * e(y) + e(y))],
        "df/ds = exp(y)": [lambda x, y: (y + 1, x + (x * y + x) * e(y)), lambda x, y: (y + 1, x * (y + 2) * e(y))],
    }
    for expected, functions in wrongs.items():
        for wrong in functions:
            feedback = check_shared_node_gradient(wrong)
            assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    # every way of losing a path of a node used twice is named, with exactly the lost paths
    dx = {"x via q": lambda x, y: y * e(y), "x direct": lambda x, y: e(y)}
    dy = {"y via q": lambda x, y: x * e(y), "y via r": lambda x, y: (x * y + x) * e(y)}
    lost_text = {
        "x via q": "df/dx lacks the path through q",
        "x direct": "df/dx lacks the direct path",
        "y via q": "df/dy lacks the path through q",
        "y via r": "df/dy lacks the path through r",
    }
    for x_kept in (["x via q"], ["x direct"], ["x via q", "x direct"]):
        for y_kept in (["y via q"], ["y via r"], ["y via q", "y via r"]):
            lost = [k for k in lost_text if k not in x_kept + y_kept]
            if not lost:
                continue
            feedback = check_shared_node_gradient(
                lambda x, y, xk=x_kept, yk=y_kept: (sum(dx[k](x, y) for k in xk), sum(dy[k](x, y) for k in yk))
            )
            assert not feedback.passed and "accumulate with +=" in feedback.message, feedback.message
            for key, text in lost_text.items():
                assert (text in feedback.message) == (key in lost), (key, feedback.message)


def test_shared_node_checker_reports_an_unlisted_mistake_and_an_error():
    from bp_lib.exercises.chain_rule import check_shared_node_gradient

    assert "differs from the reference" in check_shared_node_gradient(lambda x, y: (x, y)).message
    assert "raised ZeroDivisionError" in check_shared_node_gradient(lambda x, y: (1 / 0, y)).message


# --- one table per checker: (answer, passes?, words its message must contain) ---

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_feedback  # noqa: E402

from bp_lib.exercises.chain_rule import check_shared_node_gradient  # noqa: E402


def _right(*a):
    return tuple(_local(*a) * v for v in (a[0], a[1], 1.0))


NEURON_ROWS = [
    ("numpy array of 3", lambda *a: np.array(_right(*a)), True, ["matches"]),
    ("right", _right, True, ["matches"]),
    ("sign", lambda *a: tuple(-g for g in _right(*a)), False, ["sign is flipped"]),
    ("db = 1", lambda *a: (*_right(*a)[:2], 1.0), False, ["do/db"]),
    ("a string", lambda *a: "grads", False, ["string"]),
    ("None", lambda *a: None, False, ["returned None"]),
    ("two outputs", lambda *a: _right(*a)[:2], False, ["returned 2 value(s)"]),
    ("complex", lambda *a: (1j, 0.0, 0.0), False, ["complex"]),
]


def _shared_right(x, y):
    r = math.exp(y)
    return y * r + r, x * r + (x * y + x) * r


SHARED_ROWS = [
    ("(y_bar, x_bar)", lambda x, y: _shared_right(x, y)[::-1], False, ["wrong order"]),
    ("numpy array of 2", lambda x, y: np.array(_shared_right(x, y)), True, ["matches"]),
    ("right", _shared_right, True, ["matches"]),
    ("a dict", lambda x, y: {"x": 0.0}, False, ["dict"]),
    ("unexplained", lambda x, y: (0.0, 0.0), False, ["differs", "chain rule"]),
]


@pytest.mark.parametrize("row", NEURON_ROWS, ids=[r[0] for r in NEURON_ROWS])
def test_neuron_gradient_table(row):
    _, answer, passed, words = row
    assert_feedback(check_neuron_gradient(answer), passed, words, chain_rule_allowed=True)


@pytest.mark.parametrize("row", SHARED_ROWS, ids=[r[0] for r in SHARED_ROWS])
def test_shared_node_gradient_table(row):
    _, answer, passed, words = row
    assert_feedback(check_shared_node_gradient(answer), passed, words, chain_rule_allowed=True)
