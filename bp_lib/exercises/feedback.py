"""The machinery every exercise checker shares.

A checker describes a few random :class:`Case` inputs, a *reference* that gives
the right answer for a case (usually a numerical gradient), a list of known
*mistakes*, ``(message, function)`` pairs, the function computing what a typical
wrong solution computes, and a *hint* fitted to the exercise. The reader's answer
is compared with the reference; if it differs, with each mistake in turn, then with
the reference computed at other values of each :class:`Hyperparameter` (a value
written into the answer instead of read from its argument), and the message of
the first explanation that fits is the feedback; the hint ends it when none fits.

Every function gets its own deep copy of a case's inputs: the reader's function,
the reference and every mistake. An answer that overwrites its inputs therefore
cannot change what it is judged against, and an answer written in place (an
optimiser step that updates ``p`` as ``bp.SGD`` does) is judged on what it
returns, or, when it returns ``None`` and the checker says where to look, on the
arguments it updated.
"""

from __future__ import annotations

import copy
import inspect
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..gradcheck import relative_error

WIDTH = 88  # characters: printed feedback is wrapped to the book's text column


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: ``passed`` and a message that says what to fix.

    ``message`` is one line; ``str(feedback)`` prefixes ``PASS:`` or ``FAIL:`` and
    wraps it to :data:`WIDTH` columns for printing.
    """

    passed: bool
    message: str

    def __str__(self) -> str:
        text = ("PASS: " if self.passed else "FAIL: ") + self.message
        return textwrap.fill(
            text, WIDTH, break_long_words=False, break_on_hyphens=False
        )

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.passed


class AnswerError(ValueError):
    """Raised by a checker's wrapper when the reader's answer has the wrong form.

    :func:`diagnose` reports its message as the feedback, without "raised".
    """


@dataclass(frozen=True)
class Case:
    """The positional (and keyword) arguments of one call of the reader's function."""

    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Hyperparameter:
    """A number the reader's function must read from its argument ``position``.

    The cases give it different values. When an answer is wrong, the reference is
    recomputed with this argument set to each of ``likely`` (the values a reader
    would write in, e.g. the book's defaults) and to its value in the other cases;
    if one of them reproduces the answer, the feedback says the value seems
    hard-coded. ``tol`` (default: the checker's) is the tolerance of that match.
    """

    name: str
    position: int
    likely: tuple = ()
    tol: float | None = None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _describe(value) -> str:
    """A short name for what a value is, for a message."""
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def as_array(value, where: str):
    """``(float64 array, None)``, or ``(None, why)``.

    ``why`` says why ``value`` (called ``where`` in the message) is not
    an array of real numbers.
    """
    if value is None:
        return None, f"{where} is None (is a `return` missing?)"
    if isinstance(value, (str, bytes, dict, set)):
        return None, f"{where} is {_describe(value)}, not an array of numbers"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value)
    except (ValueError, TypeError):
        return None, (
            f"{where} is a ragged {type(value).__name__} (its rows have different "
            "lengths), not an array: return a numpy array"
        )
    if np.iscomplexobj(array):
        return None, (
            f"{where} has complex values: the answer is real (look for a square root "
            "of a negative number or a complex literal)"
        )
    if array.dtype.kind not in "biuf":
        kind = "ragged or mixed" if array.dtype == object else str(array.dtype)
        return None, f"{where} is a {kind} array, not an array of numbers"
    return array.astype(np.float64), None


def _outputs(result, expected: int):
    """The reader's result as a tuple of arrays, or a message saying why it is not one.

    A tuple is several outputs; so is a list when several are expected.
    """
    if result is None:
        return (
            None,
            f"returned None, expected {expected} value(s) (is a `return` missing?)",
        )
    if isinstance(result, tuple) or (isinstance(result, list) and expected > 1):
        values = tuple(result)
    else:
        values = (result,)
    arrays = []
    for position, value in enumerate(values):
        array, why = as_array(value, f"output {position}")
        if why is not None:
            return None, why
        arrays.append(array)
    return tuple(arrays), None


def _reference_outputs(result) -> tuple:
    values = result if isinstance(result, tuple) else (result,)
    return tuple(np.asarray(v, dtype=np.float64) for v in values)


def _error(got: tuple, want: tuple) -> float:
    """The largest relative error.

    Over the outputs (inf when counts or shapes differ).
    """
    if len(got) != len(want):
        return np.inf
    worst = 0.0
    for g, w in zip(got, want):
        if g.shape != w.shape:
            return np.inf
        with np.errstate(all="ignore"):
            error = relative_error(g, w)
        if not error <= worst:  # a NaN error makes the whole answer NaN
            worst = error
    return worst


def _mismatch(got: tuple, want: tuple, tol: float) -> str | None:
    """Why ``got`` is not ``want`` (count, shape or values), or None when they agree."""
    if len(got) != len(want):
        return f"returned {len(got)} value(s), expected {len(want)}"
    for position, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape:
            return f"output {position} has shape {g.shape}, expected {w.shape}"
        with np.errstate(all="ignore"):
            error = relative_error(g, w)
        if not error < tol:  # also catches NaN
            return (
                f"output {position} differs from the reference "
                f"(relative error {error:.1e})"
            )
    return None


def _quietly(fn, args, kwargs):
    """``fn`` on deep copies of the arguments, warnings silenced; None if it raises."""
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _reference_outputs(fn(*args, **kwargs))
    except Exception:  # noqa: BLE001 - a mistake that does not apply matches nothing
        return None


def _raising_mistake(mistakes, case, error) -> str | None:
    """The message of a mistake that raises the same error as the reader, or None."""
    for message, mistake, *_ in mistakes:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                mistake(*args, **kwargs)
        except Exception as own:  # noqa: BLE001 - compared with the reader's error
            if type(own) is type(error) and str(own) == str(error):
                return message
    return None


def _changed(before, after) -> bool:
    """Whether an argument's values differ after the call (arrays, lists of arrays)."""
    if isinstance(before, np.ndarray):
        return not (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and np.array_equal(before, after, equal_nan=True)
        )
    if isinstance(before, (list, tuple)):
        return len(before) != len(after) or any(map(_changed, before, after))
    return False


def _argument_name(fn, position: int) -> str:
    try:
        names = list(inspect.signature(fn).parameters)
        return names[position]
    except (TypeError, ValueError, IndexError):
        return f"number {position + 1}"


def _hard_coded(name, hyperparameters, cases, case, reference, got, tol):
    """The message naming a hard-coded hyperparameter that explains ``got``, or None."""
    for hp in hyperparameters:
        value = case.args[hp.position]
        others = [c.args[hp.position] for c in cases] + list(hp.likely)
        candidates = []
        for other in others:
            if other != value and other not in candidates:
                candidates.append(other)
        best, best_error = None, np.inf
        for other in candidates:
            args = list(case.args)
            args[hp.position] = other
            want = _quietly(reference, tuple(args), case.kwargs)
            error = np.inf if want is None else _error(got, want)
            if error < best_error:
                best, best_error = other, error
        if best is not None and best_error < (hp.tol or tol):
            return (
                f"{name}: {hp.name} seems hard-coded: the answer matches the reference "
                f"computed with {hp.name} = {best:g}, but this call passed "
                f"{hp.name} = {value:g}. Use the argument {hp.name}, never a number "
                "written into the function."
            )
    return None


def diagnose(
    name: str,
    user_fn: Callable,
    cases: Sequence[Case],
    reference: Callable,
    mistakes,
    *,
    hint: str,
    tol: float = 1e-6,
    hyperparameters: Sequence[Hyperparameter] = (),
    answer_in_arguments: Callable | None = None,
    updates_in_place: bool = False,
) -> Feedback:
    """Check ``user_fn`` on every case against ``reference``; name its mistake.

    ``mistakes`` is a list of ``(message, wrong_fn)`` pairs: the message says what the
    reader did wrong and how to fix it; ``wrong_fn`` computes what that wrong solution
    returns (a third element, if any, is the tolerance of that match).
    ``reference(*case.args)`` and every ``wrong_fn`` return an array or a tuple of
    arrays, like the reader's function; each of them, and ``user_fn``, is called on its
    own deep copy of the case's arguments. ``hint`` (required: it must fit the exercise)
    ends the message when the answer is wrong in a way no mistake and no hard-coded
    :class:`Hyperparameter` explains. ``answer_in_arguments(args)``, for exercises that
    may update in place, gives the answer from the reader's (updated) arguments when
    ``user_fn`` returns None. A passing answer that changed an argument gets a note in
    its message, unless the exercise updates in place (``answer_in_arguments`` or
    ``updates_in_place``).
    """
    changed_names = []
    for case in cases:
        want = _reference_outputs(
            reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        )
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        try:
            result = user_fn(*args, **kwargs)
        except NotImplementedError:
            return Feedback(
                False,
                f"{name} is not written yet: replace the `raise NotImplementedError`.",
            )
        except AnswerError as error:
            return Feedback(False, _one_line(f"{name}: {error}"))
        except Exception as error:  # noqa: BLE001 - any error is feedback
            named = _raising_mistake(mistakes, case, error)
            if named is not None:
                return Feedback(False, named)
            return Feedback(
                False, _one_line(f"{name} raised {type(error).__name__}: {error}")
            )
        if result is None and answer_in_arguments is not None:
            if not any(map(_changed, case.args, args)):
                return Feedback(
                    False,
                    f"{name} returned None and changed none of its arguments: return "
                    "the new values, or update the arrays in place (p -= ..., not "
                    "p = p - ..., which only rebinds the name inside the function).",
                )
            result = answer_in_arguments(args)
        got, why_not = _outputs(result, len(want))
        if why_not is not None:
            return Feedback(False, f"{name}: {why_not}.")
        why = _mismatch(got, want, tol)
        if why is None:
            if answer_in_arguments is None and not updates_in_place:
                changed_names += [
                    _argument_name(user_fn, i)
                    for i, (before, after) in enumerate(zip(case.args, args))
                    if _changed(before, after)
                ]
            continue
        for message, mistake, *own_tol in mistakes:
            wrong = _quietly(mistake, case.args, case.kwargs)
            if wrong is not None and _mismatch(got, wrong, *own_tol or [tol]) is None:
                return Feedback(False, message)
        hard_coded = _hard_coded(
            name, hyperparameters, cases, case, reference, got, tol
        )
        if hard_coded is not None:
            return Feedback(False, hard_coded)
        return Feedback(False, f"{name}: {why}. {hint}")
    message = f"{name} matches the reference on {len(cases)} random inputs."
    if changed_names:
        changed = ", ".join(dict.fromkeys(changed_names))
        message = (
            f"{message[:-1]}, but it changed its argument(s) {changed} in place: "
            "a caller that still needs them would see new values."
        )
    return Feedback(True, message)
