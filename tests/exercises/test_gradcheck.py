import numpy as np

from bp_lib import numerical_gradient
from bp_lib.exercises.gradcheck import check_centred_difference


def right(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def test_right_answer_passes():
    assert check_centred_difference(right).passed
    assert check_centred_difference(numerical_gradient).passed


def forward(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        base = f()
        x[i] += eps
        grad[i] = (f() - base) / eps
        x[i] -= eps
    return grad


def divided_by_eps(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / eps
    return grad


def not_restored(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        plus = f()
        x[i] -= 2 * eps
        grad[i] = (plus - f()) / (2 * eps)
    return grad


def perturbs_a_copy(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[i] += eps
        plus = f()
        shifted[i] -= 2 * eps
        grad[i] = (plus - f()) / (2 * eps)
    return grad


def test_each_mistake_is_named():
    wrongs = {
        "forward difference": forward,
        "divide by 2 eps": divided_by_eps,
        "not restored": not_restored,
        "never saw the perturbation": perturbs_a_copy,
    }
    messages = set()
    for expected, wrong in wrongs.items():
        feedback = check_centred_difference(wrong)
        assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
        messages.add(feedback.message)
    assert len(messages) == len(wrongs)


def test_right_gradient_but_x_left_modified_is_explained():
    def leaves_x_modified(f, x, eps):
        grad = right(f, x, eps)
        x += 1.0
        return grad

    feedback = check_centred_difference(leaves_x_modified)
    assert not feedback.passed and "original values" in feedback.message


def test_unwritten_and_crashing_solutions_get_feedback():
    def unwritten(f, x, eps):
        raise NotImplementedError

    def calls_f_with_x(f, x, eps):
        return np.array([f(x)])

    assert "not written yet" in check_centred_difference(unwritten).message
    message = check_centred_difference(calls_f_with_x).message
    assert "f() takes none" in message and "raised" not in message


# --- one table: (answer, passes?, words its message must contain) ---

import pytest  # noqa: E402
from helpers import table  # noqa: E402


def _with_step(h=None, divide=lambda eps: 2 * eps):
    def answer(f, x, eps):
        step = eps if h is None else h
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + step
            plus = f()
            x[i] = old - step
            minus = f()
            x[i] = old
            grad[i] = (plus - minus) / divide(step)
        return grad

    return answer


def _loop(step, restore="save"):
    """Centred differences; ``step(plus, minus, eps)`` combines the two values."""

    def answer(f, x, eps):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            if restore == "save":
                old = x[i]
                x[i] = old + eps
                plus = f()
                x[i] = old - eps
                minus = f()
                x[i] = old
            elif restore == "add back":  # += eps; -= 2 eps; += eps: rounding drift
                x[i] += eps
                plus = f()
                x[i] -= 2 * eps
                minus = f()
                x[i] += eps
            else:  # minus first, the entry left at x + eps
                old = x[i]
                x[i] = old - eps
                minus = f()
                x[i] = old + eps
                plus = f()
            grad[i] = step(plus, minus, eps)
        return grad

    return answer


def _backward_difference(f, x, eps):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        base = f()
        old = x[i]
        x[i] = old - eps
        grad[i] = (base - f()) / eps
        x[i] = old
    return grad


def _calls_f_with_x(f, x, eps):
    return np.array([f(x + eps) for _ in np.ndindex(x.shape)]).reshape(x.shape)


_CENTRED = _loop(lambda plus, minus, eps: (plus - minus) / (2 * eps))


CENTRED_ROWS = [
    (
        "float32 result (tol 1e-9)",
        lambda f, x, e: _CENTRED(f, x, e).astype(np.float32),
        False,
        ["float32", "float64", "cannot tell its rounding"],
    ),
    ("list result", lambda f, x, e: _CENTRED(f, x, e).tolist(), True, []),
    (
        "+= eps, -= 2 eps, += eps (not exact)",
        _loop(lambda plus, minus, eps: (plus - minus) / (2 * eps), "add back"),
        False,
        ["not exactly as you found it", "x[i] = original"],
    ),
    (
        "minus first, left at x + eps",
        _loop(lambda plus, minus, eps: (plus - minus) / (2 * eps), "minus first"),
        False,
        ["left at x[i] + eps"],
    ),
    (
        "sign flipped",
        _loop(lambda plus, minus, eps: (minus - plus) / (2 * eps)),
        False,
        ["sign is flipped"],
    ),
    ("backward difference", _backward_difference, False, ["backward difference"]),
    ("f called with x", _calls_f_with_x, False, ["f() takes none"]),
    (
        "flattened gradient",
        lambda f, x, e: _CENTRED(f, x, e).ravel(),
        False,
        ["right values in shape"],
    ),
    ("right", right, True, ["matches"]),
    ("bp.numerical_gradient", numerical_gradient, True, ["matches"]),
    ("eps 1e-3 hard-coded", _with_step(h=1e-3), False, ["eps seems hard-coded"]),
    ("eps 1e-6 hard-coded", _with_step(h=1e-6), False, ["eps seems hard-coded"]),
    ("divides by 2", _with_step(divide=lambda eps: 2), False, ["step size is missing"]),
    ("no division", _with_step(divide=lambda eps: 1), False, ["not divided at all"]),
    ("None", lambda f, x, eps: None, False, ["None"]),
    ("a string", lambda f, x, eps: "grad", False, ["string"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(CENTRED_ROWS))
def test_centred_difference_table(answer, passed, words):
    feedback = check_centred_difference(answer)
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message
    assert "chain rule" not in feedback.message
