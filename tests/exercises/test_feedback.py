import numpy as np
import pytest
from helpers import table

from bp_lib.exercises import Case, Feedback, Hyperparameter, diagnose

HINT = "Double it."

CASES = [Case((np.array([1.0, 2.0, 3.0]),)), Case((np.array([-1.0, 0.5]),))]
MISTAKES = [("You returned x instead of 2x.", lambda x: x), ("The sign is flipped.", lambda x: -2 * x)]


def _check(fn):
    return diagnose("double", fn, CASES, lambda x: 2 * x, MISTAKES, hint=HINT)


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

    assert diagnose("pair", lambda x, scale: (scale * x, x.sum()), cases, reference, [], hint=HINT).passed
    nearly = diagnose("pair", lambda x, scale: (scale * x * (1 + 1e-9), x.sum()), cases, reference, [], hint=HINT)
    assert nearly.passed  # within the default tolerance of 1e-6
    assert (
        "output 1" in diagnose("pair", lambda x, scale: (scale * x, -x.sum()), cases, reference, [], hint=HINT).message
    )


def test_a_nan_output_never_matches_a_mistake_either():
    nan_mistake = [("NaN mistake", lambda x: np.full_like(x, np.nan))]
    feedback = diagnose("double", lambda x: np.full_like(x, np.nan), CASES, lambda x: 2 * x, nan_mistake, hint=HINT)
    assert not feedback.passed and "differs from the reference (relative error nan)" in feedback.message


def test_the_hint_is_required():
    with pytest.raises(TypeError):
        diagnose("double", lambda x: 2 * x, CASES, lambda x: 2 * x, MISTAKES)


def _scale_cases():
    return [Case((np.array([1.0, 2.0]), 0.1)), Case((np.array([3.0, -1.0]), 0.5))]


def _scaled(x, lr):
    return lr * x


def _scale_check(fn, **options):
    return diagnose(
        "scaled",
        fn,
        _scale_cases(),
        _scaled,
        [],
        hint="Multiply by lr.",
        hyperparameters=[Hyperparameter("lr", 1, (0.01,))],
        **options,
    )


def _zeroes_x(x, lr):
    x[...] = 0
    return np.zeros_like(x)


def _doubles_x_in_place(x, lr):
    x *= lr
    return x


def _in_place_no_return(x, lr):
    x *= lr


# (answer, options, passes?, words its message must contain)
ROWS = [
    ("right", lambda x, lr: lr * x, {}, True, ["matches the reference on 2"]),
    ("overwrites its input", _zeroes_x, {}, False, ["differs"]),
    ("right, in place", _doubles_x_in_place, {}, True, ["x in place"]),
    (
        "in place, None, answer in args",
        _in_place_no_return,
        {"answer_in_arguments": lambda args: args[0]},
        True,
        ["matches"],
    ),
    ("in place, None, no answer in args", _in_place_no_return, {}, False, ["None"]),
    (
        "None, nothing changed",
        lambda x, lr: None,
        {"answer_in_arguments": lambda args: args[0]},
        False,
        ["changed none"],
    ),
    ("lr hard-coded (other case)", lambda x, lr: 0.1 * x, {}, False, ["lr seems hard"]),
    ("lr hard-coded (likely)", lambda x, lr: 0.01 * x, {}, False, ["lr = 0.01"]),
    ("a string", lambda x, lr: "x", {}, False, ["string"]),
    ("a dict", lambda x, lr: {"x": x}, {}, False, ["dict"]),
    ("complex", lambda x, lr: lr * x + 1j, {}, False, ["complex"]),
    ("ragged", lambda x, lr: [[1.0], [2.0, 3.0]], {}, False, ["ragged"]),
    ("a set", lambda x, lr: {1.0}, {}, False, ["set"]),
    ("objects", lambda x, lr: np.array([object(), object()]), {}, False, ["not an array"]),
    ("two outputs", lambda x, lr: (x, x), {}, False, ["returned 2 value(s)"]),
    ("raises", lambda x, lr: 1 / 0, {}, False, ["raised ZeroDivisionError"]),
    ("unexplained", lambda x, lr: 3 * x, {}, False, ["differs", "Multiply by lr."]),
]


def _affine_check(fn):
    """A checker of ``lr * x + shift`` whose two hyperparameters both vary."""
    cases = [Case((np.array([1.0, 2.0]), 0.1, 1.0)), Case((np.array([3.0, -1.0]), 0.5, 2.0))]
    return diagnose(
        "affine",
        fn,
        cases,
        lambda x, lr, shift: lr * x + shift,
        [],
        hint="Multiply by lr, add shift.",
        hyperparameters=[Hyperparameter("lr", 1, (0.01,)), Hyperparameter("shift", 2, (0.0,))],
    )


AFFINE_ROWS = [
    ("right", lambda x, lr, shift: lr * x + shift, True, ["matches"]),
    ("lr hard-coded", lambda x, lr, shift: 0.1 * x + shift, False, ["lr seems hard-coded"]),
    (
        "both hard-coded (other case)",
        lambda x, lr, shift: 0.1 * x + 1.0,
        False,
        ["lr and shift seem hard-coded", "lr = 0.1, shift = 1", "lr = 0.5, shift = 2"],
    ),
    (
        "both hard-coded (likely)",
        lambda x, lr, shift: 0.01 * x,
        False,
        ["lr and shift seem hard-coded", "lr = 0.01, shift = 0"],
    ),
    ("unexplained", lambda x, lr, shift: 3 * x, False, ["Multiply by lr, add shift."]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(AFFINE_ROWS))
def test_hard_coded_combinations_table(answer, passed, words):
    feedback = _affine_check(answer)
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message


@pytest.mark.parametrize(("answer", "options", "passed", "words"), table(ROWS))
def test_diagnose_table(answer, options, passed, words):
    feedback = _scale_check(answer, **options)
    assert feedback.passed is passed, feedback.message
    for word in words:
        assert word in feedback.message, feedback.message
    assert "\n" not in feedback.message  # the message is one line


def test_printed_feedback_fits_88_columns():
    feedback = Feedback(False, "word " * 60)
    assert all(len(line) <= 88 for line in str(feedback).splitlines())
    assert str(feedback).startswith("FAIL: word")


def test_a_mistake_that_raises_like_the_answer_is_named():
    mistakes = [("Transposed.", lambda x: np.ones((2, 3)) @ x.reshape(1, -1))]
    feedback = diagnose(
        "double",
        lambda x: np.ones((2, 3)) @ x.reshape(1, -1),
        CASES,
        lambda x: 2 * x,
        mistakes,
        hint=HINT,
    )
    assert feedback.message == "Transposed."
