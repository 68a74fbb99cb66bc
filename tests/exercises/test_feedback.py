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
    assert "output 0 holds 3 NaN value(s) of 3" in _check(lambda x: np.full_like(x, np.nan)).message
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
    assert not feedback.passed and "output 0 holds 3 NaN value(s)" in feedback.message


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


# ---- hostile answers to the shared machinery (issue 13) ----------------------------

from bp_lib.exercises import feedback as fb  # noqa: E402


def _tight_check(fn, tol=1e-12):
    cases = [Case((np.array([0.1, 0.2, 1 / 3]),)), Case((np.array([-0.7, 2.9]),))]  # not exact in float32
    return diagnose("double", fn, cases, lambda x: 2 * x, MISTAKES, hint=HINT, tol=tol)


def test_a_float32_answer_is_judged_to_the_checkers_own_tolerance():
    # right, but float32 cannot show a 1e-12 agreement: never a pass, a request for float64
    feedback = _tight_check(lambda x: (2 * x).astype(np.float32))
    assert not feedback.passed
    assert "return float64: output 0 is float32" in feedback.message
    assert "1e-12 agreement" in feedback.message
    # a wrong answer 5e-6 off passed before when returned in float32 (tolerance widened to 1e-5)
    off = _tight_check(lambda x: (2 * x * (1 + 5e-6)).astype(np.float32), tol=1e-6)
    assert not off.passed and "return float64" in off.message
    assert "differs" in _tight_check(lambda x: 2 * x * (1 + 5e-6), tol=1e-6).message
    # where the tolerance is coarser than float32's rounding, a right float32 answer passes
    assert _tight_check(lambda x: (2 * x).astype(np.float32), tol=1e-6).passed
    # far from the reference, a float32 answer still has its mistake named
    assert _tight_check(lambda x: x.astype(np.float32)).message == "You returned x instead of 2x."


def test_coarse_tol_is_the_rounding_a_dtype_can_explain():
    assert fb.coarse_tol(np.float64) == 0 and fb.coarse_tol(np.int64) == 0
    assert 1e-5 < fb.coarse_tol(np.float32) < 2e-5
    assert fb.coarse_tol(np.float16) > fb.coarse_tol(np.float32)


def test_a_nan_in_one_output_is_never_hidden_by_another():
    right = (np.ones(2), np.ones(2))
    assert np.isnan(fb._error((np.array([np.nan, 1.0]), np.ones(2)), right))
    assert np.isnan(fb._error((np.ones(2), np.array([np.inf, 1.0])), right))
    assert fb._error(right, right) == 0
    feedback = diagnose("pair", lambda x: (np.full_like(x, np.nan), 2 * x), CASES, lambda x: (x, 2 * x), [], hint=HINT)
    assert not feedback.passed and "output 0 holds" in feedback.message and "NaN" in feedback.message


def test_changed_sees_dicts_lists_and_numbers():
    assert fb._changed({"a": np.ones(2)}, {"a": np.zeros(2)})
    assert fb._changed({"a": np.ones(2)}, {"b": np.ones(2)})
    assert not fb._changed({"a": np.ones(2), "n": 1.0}, {"a": np.ones(2), "n": 1.0})
    assert fb._changed([1.0, 2.0], [1.0, 3.0]) and not fb._changed([np.nan], [np.nan])
    assert fb._changed([np.ones(2)], np.ones(2))  # a list became something else


def test_error_text_survives_any_exception():
    class UnprintableError(Exception):
        def __str__(self):
            raise RuntimeError

    assert fb.error_text(UnprintableError()) == "UnprintableError: (its message cannot be printed)"
    assert fb.error_text(KeyError("W")) == "KeyError: 'W'"
    long = fb.error_text(ValueError("x" * 1000))
    assert len(long) < 320 and long.endswith("...")
    assert fb.error_text(ValueError()) == "ValueError"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: (v for v in [1.0]), ["generator", "iterator"]),
        (lambda: map(float, [1.0]), ["a map", "iterator"]),
        (lambda: np.ones((2, 2)).view(np.matrix), ["numpy matrix"]),
        (lambda: np.ma.masked_array(np.ones(2), mask=[True, False]), ["masked array"]),
        (lambda: bytearray(b"ab"), ["bytearray", "not an array of numbers"]),
        (lambda: None, ["None"]),
        (lambda: [1.0, 1j], ["complex"]),
    ],
    ids=["generator", "map", "matrix", "masked", "bytearray", "None", "complex"],
)
def test_as_array_refuses_what_is_not_a_plain_array(make, words):
    array, why = fb.as_array(make(), "output 0")
    assert array is None
    for word in words:
        assert word in why, why


def test_as_array_accepts_numbers_lists_and_plain_data_of_subclasses():
    assert fb.as_array([[1, 2], [3, 4]], "x")[0].dtype == np.float64
    assert fb.as_array(3, "x")[0].shape == ()

    class Sub(np.ndarray):
        def __sub__(self, other):  # a subclass's operators are never used
            return np.zeros(self.shape)

    array, why = fb.as_array(np.arange(3.0).view(Sub), "x")
    assert why is None and type(array) is np.ndarray and array.tolist() == [0.0, 1.0, 2.0]


def test_an_object_that_cannot_become_an_array_is_feedback():
    class Hostile:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("no")

    feedback = _check(lambda x: Hostile())
    assert not feedback.passed and "cannot be read as an array (RuntimeError: no)" in feedback.message


def test_right_values_transposed_are_named():
    cases = [Case((np.array([[1.0, 2.0], [3.0, 4.0]]),))]
    feedback = diagnose("t", lambda A: A, cases, lambda A: A.T.copy(), [], hint=HINT)
    assert not feedback.passed and "right values, transposed" in feedback.message


def test_the_reference_does_not_exist_while_the_answer_runs():
    """An answer that reads the checker's expected output from the caller's frames fails."""
    import sys

    def peeking(x):
        frame = sys._getframe(1)
        while frame is not None:
            if "want" in frame.f_locals:
                return frame.f_locals["want"][0]
            frame = frame.f_back
        return 3 * x

    assert not _check(peeking).passed


def test_warnings_of_the_answer_are_not_passed_on():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        feedback = _check(lambda x: np.log(-x) * 0 + 2 * x)
    assert not caught and "NaN" in feedback.message


def test_system_exit_is_feedback_but_keyboard_interrupt_is_not():
    def exits(x):
        raise SystemExit(2)

    assert "raised SystemExit: 2" in _check(exits).message

    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _check(interrupted)


@fb.checks("double", ("x",))
def _checked_double(fn):
    return _check(fn)


@fb.checks("forward", ("X",), "backward", ("dout", "cache"))
def _checked_pair(forward, backward):
    raise LookupError("the checker itself broke")


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ((np.ones(2),), ["double: the checker needs your function itself, got an ndarray"]),
        (("double",), ["got a string"]),
        ((None,), ["got None"]),
        ((lambda x, extra: 2 * x,), ["double must be callable as double(x)", "'extra'"]),
        ((lambda: 0,), ["too many positional arguments"]),
    ],
    ids=["array", "string", "None", "extra argument", "no argument"],
)
def test_checks_refuses_what_is_not_the_readers_function(answers, words):
    feedback = _checked_double(*answers)
    assert isinstance(feedback, Feedback) and not feedback.passed
    for word in words:
        assert word in feedback.message, feedback.message


def test_checks_names_each_function_and_never_raises():
    assert _checked_double(lambda x, scale=2: scale * x).passed  # a default is fine
    assert _checked_double(lambda *args: 2 * args[0]).passed
    feedback = _checked_pair(lambda X: X, "backward")
    assert "backward: the checker needs your function itself" in feedback.message
    broke = _checked_pair(lambda X: X, lambda dout, cache: dout)
    assert not broke.passed and "LookupError: the checker itself broke" in broke.message
    assert "checker bug" in broke.message
    assert "_checked_pair takes 2 function(s), forward, backward; it was given 1" in _checked_pair(print).message
    assert not _checked_double().passed
