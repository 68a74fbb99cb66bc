import numpy as np

from bp_lib.exercises import Case, diagnose

CASES = [Case((np.array([1.0, 2.0, 3.0]),)), Case((np.array([-1.0, 0.5]),))]
MISTAKES = [("You returned x instead of 2x.", lambda x: x), ("The sign is flipped.", lambda x: -2 * x)]


def _check(fn):
    return diagnose("double", fn, CASES, lambda x: 2 * x, MISTAKES)


def test_a_right_answer_passes():
    feedback = _check(lambda x: x + x)
    assert feedback.passed and bool(feedback) and str(feedback).startswith("PASS")


def test_a_known_mistake_is_named():
    assert str(_check(lambda x: x)) == "FAIL: You returned x instead of 2x."
    assert _check(lambda x: -2 * x).message == "The sign is flipped."


def test_unknown_mistakes_wrong_shapes_nan_and_errors_are_failures():
    assert "differs from the reference" in _check(lambda x: 3 * x).message
    assert "shape (1, 3)" in _check(lambda x: (2 * x)[None, :]).message
    assert "differs" in _check(lambda x: np.full_like(x, np.nan)).message
    assert "not written yet" in _check(lambda x: (_ for _ in ()).throw(NotImplementedError)).message
    assert "raised ZeroDivisionError" in _check(lambda x: 1 / 0).message
    assert "returned 2 value(s), expected 1" in _check(lambda x: (x, x)).message
