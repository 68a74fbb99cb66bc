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


def test_failures_are_falsy_and_print_as_fail():
    feedback = _check(lambda x: 3 * x)
    assert not feedback and not feedback.passed and str(feedback).startswith("FAIL: double: output 0")
    assert repr(feedback) == str(feedback)


def test_an_unexplained_mismatch_ends_with_the_hint():
    feedback = diagnose("double", lambda x: 3 * x, CASES, lambda x: 2 * x, MISTAKES, hint="Look at the factor.")
    assert feedback.message.endswith("Look at the factor.")


def test_every_case_is_checked_not_only_the_first():
    # right on the first case (3 entries), wrong on the second (2 entries)
    feedback = _check(lambda x: 2 * x if x.size == 3 else x)
    assert not feedback.passed and feedback.message == "You returned x instead of 2x."


def test_tuples_keyword_arguments_and_the_tolerance():
    cases = [Case((np.array([1.0, -2.0]),), {"scale": 3.0})]

    def reference(x, scale):
        return x * scale, x.sum()

    assert diagnose("pair", lambda x, scale: (scale * x, x.sum()), cases, reference, []).passed
    nearly = diagnose("pair", lambda x, scale: (scale * x * (1 + 1e-9), x.sum()), cases, reference, [])
    assert nearly.passed  # within the default tolerance of 1e-6
    assert "output 1" in diagnose("pair", lambda x, scale: (scale * x, -x.sum()), cases, reference, []).message


def test_a_nan_output_never_matches_a_mistake_either():
    nan_mistake = [("NaN mistake", lambda x: np.full_like(x, np.nan))]
    feedback = diagnose("double", lambda x: np.full_like(x, np.nan), CASES, lambda x: 2 * x, nan_mistake)
    assert not feedback.passed and "differs from the reference (relative error nan)" in feedback.message
