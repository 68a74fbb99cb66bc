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

A checker never raises and never passes a malformed answer: an answer that is not
a function of the expected arguments, returns None, a generator, a matrix, NaN, or
raises any exception gets failed feedback naming what is wrong (see :func:`checks`),
and warnings raised inside the reader's code are not passed on. An answer stored in
float32 (or float16) is judged to the checker's own tolerance, never a wider one:
when it fails only by what its precision can explain, the feedback asks for float64.
"""

from __future__ import annotations

import copy
import functools
import inspect
import itertools
import textwrap
import warnings
from collections.abc import Callable, Iterator, Sequence
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
    """A short name for what a value is, for a message: "None", "a string", "an int"."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return "a string"
    kind = type(value).__name__
    vowel = kind.lower().startswith(("a", "e", "i", "o", "u", "nd"))  # an ndarray
    return f"{'an' if vowel else 'a'} {kind}"


def error_text(error: BaseException, limit: int = 300) -> str:
    """``"Type: message"`` of ``error`` on one line, even if its ``str`` fails.

    The message is cut to ``limit`` characters.
    """
    try:
        message = _one_line(str(error))
    except Exception:  # noqa: BLE001 - a reader's exception may not print
        message = "(its message cannot be printed)"
    if len(message) > limit:
        message = message[: limit - 3] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _to_array(value, where: str):
    """``(array in its own dtype, None)``, or ``(None, why)``: see :func:`as_array`."""
    if value is None:
        return None, f"{where} is None (is a `return` missing?)"
    if isinstance(value, (str, bytes, bytearray, dict, set, frozenset)):
        return None, f"{where} is {_describe(value)}, not an array of numbers"
    if isinstance(value, np.matrix):
        return None, (
            f"{where} is a numpy matrix: return a plain array (np.asarray); a "
            "matrix keeps every row 2-D and its * is a matrix product"
        )
    if isinstance(value, np.ma.MaskedArray):
        return None, (
            f"{where} is a masked array: return a plain array with a value in "
            "every entry (a masked entry hides what was computed there)"
        )
    if isinstance(value, Iterator):
        return None, (
            f"{where} is {_describe(value)}, an iterator: return a tuple or an "
            "array (tuple(...) or np.array([...]) around a generator expression)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value)
    except (ValueError, TypeError) as error:
        if "inhomogeneous" in str(error) or "sequence" in str(error):
            return None, (
                f"{where} is a ragged {type(value).__name__} (its rows have "
                "different lengths), not an array: return a numpy array"
            )
        return None, f"{where} cannot be read as an array ({error_text(error)})"
    except Exception as error:  # noqa: BLE001 - a reader's object may fail anyhow
        return None, f"{where} cannot be read as an array ({error_text(error)})"
    if np.iscomplexobj(array):
        return None, (
            f"{where} has complex values: the answer is real (look for a square root "
            "of a negative number or a complex literal)"
        )
    if array.dtype.kind not in "biuf":
        kind = "ragged or mixed" if array.dtype == object else str(array.dtype)
        return None, f"{where} is a {kind} array, not an array of numbers"
    return array, None


def as_array(value, where: str):
    """``(float64 array, None)``, or ``(None, why)``.

    ``why`` says why ``value`` (called ``where`` in the message) is not an array of
    real numbers: None, a string, a dict, a set, an iterator (a generator), a numpy
    matrix, a masked array, a ragged list, complex or non-numeric values. Lists and
    numbers are accepted when they hold real numbers, like arrays.
    """
    array, why = _to_array(value, where)
    return (None, why) if why is not None else (array.astype(np.float64), None)


#: A backward pass whose gradients are right but which changed its weights argument.
WEIGHTS_CHANGED_IN_PLACE = (
    "The gradients are right, but W was changed in place: a backward pass must leave "
    "the weights alone (the optimiser updates them from dW)."
)


COARSE_ULPS = 100  # an answer in float32 within this many of its ulps is "near"


def coarse_tol(dtype) -> float:
    """The relative error a float ``dtype`` coarser than float64 can explain.

    ``COARSE_ULPS`` times its machine epsilon: 1.2e-5 for float32, 0.098 for
    float16; 0 for float64 and finer, whose rounding every tolerance covers.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or dtype.itemsize >= 8:
        return 0.0
    return COARSE_ULPS * float(np.finfo(dtype).eps)


def _outputs(result, want: tuple):
    """The reader's result as a tuple of float64 arrays, and how it was stored.

    Returns ``(arrays, why, coarse)``: ``why`` says why the result is not a tuple of
    arrays (arrays is then None); ``coarse`` maps the position of each output stored
    in a float type coarser than float64 (float32, float16) to its dtype.
    A tuple is several outputs; so is a list when several are expected, and so is
    an array whose rows are the expected outputs (e.g. three scalar gradients
    returned as ``np.array([d1, d2, d3])``).
    """
    expected = len(want)
    if result is None:
        return (
            None,
            f"returned None, expected {expected} value(s) (is a `return` missing?)",
            {},
        )
    if isinstance(result, Iterator):
        return (
            None,
            f"returned {_describe(result)}, an iterator: return a tuple of the "
            f"{expected} value(s) (tuple(...) around a generator expression)",
            {},
        )
    if isinstance(result, tuple) or (isinstance(result, list) and expected > 1):
        values = tuple(result)
    elif (
        isinstance(result, np.ndarray)
        and expected > 1
        and result.ndim >= 1
        and len(result) == expected
        and all(result[i].shape == w.shape for i, w in enumerate(want))
    ):
        values = tuple(result)
    else:
        values = (result,)
    arrays, coarse = [], {}
    for position, value in enumerate(values):
        array, why = _to_array(value, f"output {position}")
        if why is not None:
            return None, why, {}
        if coarse_tol(array.dtype) > 0:
            coarse[position] = array.dtype
        arrays.append(array.astype(np.float64))
    return tuple(arrays), None, coarse


def _integer_outputs(result) -> list[int]:
    """Positions of the outputs stored with an integer dtype."""
    values = result if isinstance(result, (tuple, list)) else (result,)
    return [
        i
        for i, value in enumerate(values)
        if getattr(value, "dtype", np.dtype(float)).kind in "iu"
    ]


def _names(output_names, count) -> list[str]:
    if output_names is not None and len(output_names) == count:
        return list(output_names)
    return [f"output {i}" for i in range(count)]


def _shape_or_order(got: tuple, want: tuple, tol: float, output_names) -> str | None:
    """A message for right values in the wrong order or in a wrong shape, or None."""
    names = _names(output_names, len(want))
    transposed = _transposed(got, want, tol, names)
    if transposed is not None:
        return transposed
    if len(got) == len(want) > 1:
        for order in itertools.permutations(range(len(got))):
            if list(order) == list(range(len(got))):
                continue
            if _mismatch(tuple(got[i] for i in order), want, tol) is None:
                given = ", ".join(names[order.index(i)] for i in range(len(got)))
                return (
                    f"the outputs are right but in the wrong order: return "
                    f"({', '.join(names)}), not ({given})."
                )
    if len(got) != len(want):
        return None
    for position, (g, w) in enumerate(zip(got, want)):
        if g.shape == w.shape:
            continue
        name = names[position]
        if g.size == w.size and _mismatch((g.reshape(w.shape),), (w,), tol) is None:
            if np.squeeze(g).shape == np.squeeze(w).shape:
                return (
                    f"{name} has the right values in shape {g.shape}, expected "
                    f"{w.shape}: drop the extra axis (sum with keepdims=False, or "
                    "keep b 1-D)."
                )
            return (
                f"{name} has the right values in shape {g.shape}, expected "
                f"{w.shape}: return it in the shape of the array it belongs to."
            )
        if g.ndim == w.ndim + 1 and g.shape[1:] == w.shape:
            if _mismatch((g.sum(axis=0),), (w,), tol) is None:
                return (
                    f"{name} has shape {g.shape}, one row per example: sum it over the "
                    f"batch (axis=0) to get shape {w.shape}."
                )
    return None


def _transposed(got: tuple, want: tuple, tol: float, names) -> str | None:
    """A message for an output holding the right values transposed, or None.

    Only a square output can be transposed without a shape error; a checker's square
    case exists to catch this.
    """
    if len(got) != len(want):
        return None
    for position, (g, w) in enumerate(zip(got, want)):
        if g.ndim == 2 and g.shape == w.shape == g.shape[::-1] and g.size > 1:
            fixed = tuple(x.T if i == position else x for i, x in enumerate(got))
            if _mismatch(fixed, want, tol) is None:
                return (
                    f"{names[position]} has the right values, transposed (rows and "
                    "columns swapped; this case is square, so its shape could not "
                    "tell): check which axis each step of the formula runs over."
                )
    return None


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
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(w))):
            return np.nan  # a NaN or inf anywhere makes the whole answer NaN
        with np.errstate(all="ignore"):
            error = relative_error(g, w)
        if np.isnan(error):
            return np.nan
        worst = max(worst, error)
    return worst


def _non_finite(got: tuple, names) -> str | None:
    """A message naming the first output that holds NaN or inf, or None."""
    for position, g in enumerate(got):
        nan, inf = int(np.isnan(g).sum()), int(np.isinf(g).sum())
        if nan or inf:
            held = " and ".join(
                f"{count} {kind}"
                for count, kind in ((nan, "NaN"), (inf, "infinite (inf)"))
                if count
            )
            return (
                f"{names[position]} holds {held} value(s) of {g.size}: look for a "
                "division by zero, a log or square root of a negative number or "
                "of 0, or an overflow (exp of a large number)"
            )
    return None


def _mismatch(got: tuple, want: tuple, tol: float, output_names=None) -> str | None:
    """Why ``got`` is not ``want`` (count, NaN or inf, shape or values), or None.

    None when they agree to ``tol``. ``output_names`` name the outputs in the
    message about NaN or inf (the others say "output k").
    """
    if len(got) != len(want):
        return f"returned {len(got)} value(s), expected {len(want)}"
    non_finite = _non_finite(got, _names(output_names, len(got)))
    if non_finite is not None:
        return non_finite
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
            if type(own) is type(error) and error_text(own) == error_text(error):
                return message
    return None


READER_ERRORS = (Exception, SystemExit)  # what a reader's code may raise to a checker


def call_quietly(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with warnings and numpy's floating-point reports off.

    A reader's function that divides by zero is judged on what it returns (the
    feedback names NaN or inf); its warnings would only repeat that, out of place.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _same_scalar(before, after) -> bool:
    if type(before) is not type(after):
        return False
    return bool(before == after or (before != before and after != after))  # NaN


def _changed(before, after) -> bool:
    """Whether an argument's values differ after the call.

    Arrays, and lists, tuples and dicts of arrays and numbers, are compared by value.
    """
    if isinstance(before, np.ndarray):
        return not (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and np.array_equal(before, after, equal_nan=True)
        )
    if isinstance(before, (list, tuple)):
        return (
            not isinstance(after, (list, tuple))
            or len(before) != len(after)
            or any(map(_changed, before, after))
        )
    if isinstance(before, dict):
        return (
            not isinstance(after, dict)
            or before.keys() != after.keys()
            or any(_changed(before[key], after[key]) for key in before)
        )
    if isinstance(before, (int, float, complex, np.generic)):
        return not _same_scalar(before, after)
    return False


def _argument_name(fn, position: int) -> str:
    try:
        names = list(inspect.signature(fn).parameters)
        return names[position]
    except (TypeError, ValueError, IndexError):
        return f"number {position + 1}"


MAX_HARD_CODED_TRIALS = 4096  # reference calls spent looking for hard-coded values


def _candidates(hp, cases, value) -> list:
    """The values ``hp`` might have been written in as: other cases', ``likely``."""
    found = []
    for other in [c.args[hp.position] for c in cases] + list(hp.likely):
        if other != value and other not in found:
            found.append(other)
    return found


def _hard_coded(name, hyperparameters, cases, case, reference, got, tol):
    """The message naming every hard-coded hyperparameter that explains ``got``.

    A reader who writes in one number usually writes in its neighbours too (lr and
    mu, or Adam's betas), so every subset of the hyperparameters is tried, smallest
    first: each member of the subset takes each of its candidate values (the other
    cases' values and its ``likely`` values), the others keep this case's values.
    The smallest subset whose reference reproduces ``got`` is named; None if none
    does.
    """
    options = [
        (hp, _candidates(hp, cases, case.args[hp.position])) for hp in hyperparameters
    ]
    options = [(hp, values) for hp, values in options if values]
    trials = 0
    for size in range(1, len(options) + 1):
        for subset in itertools.combinations(options, size):
            match_tol = max([tol] + [hp.tol for hp, _ in subset if hp.tol])
            best, best_error = None, np.inf
            for values in itertools.product(*(vals for _, vals in subset)):
                trials += 1
                if trials > MAX_HARD_CODED_TRIALS:
                    return None
                args = list(case.args)
                for (hp, _), other in zip(subset, values):
                    args[hp.position] = other
                want = _quietly(reference, tuple(args), case.kwargs)
                error = np.inf if want is None else _error(got, want)
                if error < best_error:
                    best, best_error = values, error
            if best is not None and best_error < match_tol:
                return _hard_coded_message(name, [hp for hp, _ in subset], best, case)
    return None


def _hard_coded_message(name, hps, values, case) -> str:
    names = [hp.name for hp in hps]
    if len(names) == 1:
        which = f"{names[0]} seems"
    else:
        which = f"{', '.join(names[:-1])} and {names[-1]} seem"
    written = ", ".join(f"{hp.name} = {v:g}" for hp, v in zip(hps, values))
    passed = ", ".join(f"{hp.name} = {case.args[hp.position]:g}" for hp in hps)
    args = "the argument" if len(names) == 1 else "the arguments"
    return (
        f"{name}: {which} hard-coded: the answer matches the reference computed "
        f"with {written}, but this call passed {passed}. Use {args} "
        f"{', '.join(names)}, never a number written into the function."
    )


def _unchanged_answer(name, user_fn, before, after, positions) -> str | None:
    """Why an answer that returned None did not update its arguments, or None."""
    if not any(map(_changed, before, after)):
        return (
            f"{name} returned None and changed none of its arguments: return "
            "the new values, or update the arrays in place (p -= ..., not "
            "p = p - ..., which only rebinds the name inside the function)."
        )
    if positions is not None:
        unchanged = [
            _argument_name(user_fn, i)
            for i in positions
            if not _changed(before[i], after[i])
        ]
        if unchanged:
            return (
                f"{name} returned None and left {', '.join(unchanged)} "
                "unchanged: update every array in place (v *= mu, p += v; "
                "p = p + v only rebinds the name inside the function), or "
                "return the new values."
            )
    return None


def _precision_message(name, got, want, coarse, tol, output_names) -> str | None:
    """The feedback for an answer that fails only by its dtype's rounding, or None.

    ``coarse`` maps output positions to their dtypes coarser than float64. The
    answer "fails only by its rounding" when each such output is within
    :func:`coarse_tol` of the reference and every other output within ``tol``.
    """
    if not coarse or len(got) != len(want):
        return None
    for position, (g, w) in enumerate(zip(got, want)):
        limit = max(tol, coarse_tol(coarse[position])) if position in coarse else tol
        if _mismatch((g,), (w,), limit) is not None:
            return None
    names = _names(output_names, len(want))
    dtype = np.dtype(next(iter(coarse.values())))
    which = ", ".join(names[i] for i in coarse)
    verb = "is" if len(coarse) == 1 else "are"
    error = max(_error((got[i],), (want[i],)) for i in coarse)
    return (
        f"{name}: return float64: {which} {verb} {dtype}, which keeps about "
        f"{np.finfo(dtype).precision} significant digits, so the checker cannot "
        f"tell its rounding from a small mistake at the {tol:g} agreement this "
        f"exercise checks (relative error {error:.1e}). Compute in float64, "
        "numpy's default dtype."
    )


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
    answer_in_arguments: Callable | Sequence[int] | None = None,
    updates_in_place: bool = False,
    protected: dict | None = None,
    output_names: Sequence[str] | None = None,
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
    ``updates_in_place``). ``answer_in_arguments`` may also be a tuple of argument
    positions; an answer that updated only some of them is then told which it left
    unchanged. ``protected`` maps argument positions to a message: a right answer
    that changed one of those arguments (a parameter a gradient function must not
    touch) fails with that message. ``output_names`` name the outputs in messages
    (outputs in the wrong order, a right value in a wrong shape, NaN or inf).

    An answer stored in float32 (or float16) is judged to ``tol`` like any other:
    when it fails only by what its rounding can explain (within :func:`coarse_tol`
    of the reference), the feedback asks for float64 instead of passing it. The
    reader's function runs with its warnings silenced (see :func:`call_quietly`);
    the reference runs after it.
    """
    positions = None
    if answer_in_arguments is not None and not callable(answer_in_arguments):
        positions = tuple(answer_in_arguments)

        def answer_in_arguments(args):
            values = tuple(args[i] for i in positions)
            return values if len(values) > 1 else values[0]

    changed_names = []
    for case in cases:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        try:
            result = call_quietly(user_fn, *args, **kwargs)
        except NotImplementedError:
            return Feedback(
                False,
                f"{name} is not written yet: replace the `raise NotImplementedError`.",
            )
        except AnswerError as error:
            return Feedback(False, _one_line(f"{name}: {error}"))
        except READER_ERRORS as error:  # any error is feedback
            named = _raising_mistake(mistakes, case, error)
            if named is not None:
                return Feedback(False, named)
            return Feedback(False, _one_line(f"{name} raised {error_text(error)}"))
        # computed after the reader's call, so no reference exists while its code runs
        want = _reference_outputs(
            call_quietly(
                reference, *copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)
            )
        )
        if result is None and answer_in_arguments is not None:
            unchanged = _unchanged_answer(name, user_fn, case.args, args, positions)
            if unchanged is not None:
                return Feedback(False, unchanged)
            result = answer_in_arguments(args)
        got, why_not, coarse = _outputs(result, want)
        if why_not is not None:
            return Feedback(False, f"{name}: {why_not}.")
        non_finite = _non_finite(got, _names(output_names, len(got)))
        if non_finite is not None:
            return Feedback(False, f"{name}: {non_finite}.")
        why = _mismatch(got, want, tol)
        if why is None:
            for position, message in (protected or {}).items():
                if _changed(case.args[position], args[position]):
                    return Feedback(False, message)
            if answer_in_arguments is None and not updates_in_place:
                changed_names += [
                    _argument_name(user_fn, i)
                    for i, (before, after) in enumerate(zip(case.args, args))
                    if _changed(before, after)
                ]
            continue
        precision = _precision_message(name, got, want, coarse, tol, output_names)
        if precision is not None:
            return Feedback(False, precision)
        # The answer has failed; a coarse dtype only widens what may name its mistake.
        case_tol = max([tol, *map(coarse_tol, coarse.values())])
        for message, mistake, *own_tol in mistakes:
            wrong = _quietly(mistake, case.args, case.kwargs)
            mistake_tol = max(own_tol[0] if own_tol else tol, case_tol)
            if wrong is not None and _mismatch(got, wrong, mistake_tol) is None:
                return Feedback(False, message)
        hard_coded = _hard_coded(
            name, hyperparameters, cases, case, reference, got, case_tol
        )
        if hard_coded is not None:
            return Feedback(False, hard_coded)
        shape_or_order = _shape_or_order(got, want, case_tol, output_names)
        if shape_or_order is not None:
            return Feedback(False, f"{name}: {shape_or_order}")
        integers = _integer_outputs(result)
        if integers:
            names = _names(output_names, len(want))
            which = ", ".join(names[i] for i in integers if i < len(names))
            return Feedback(
                False,
                f"{name}: {why}; {which} holds integers, so every value written "
                "into it was truncated: create it with a float dtype "
                "(np.zeros_like of a float array, or dtype=float).",
            )
        return Feedback(False, f"{name}: {why}. {hint}")
    message = f"{name} matches the reference on {len(cases)} random inputs."
    if changed_names:
        changed = ", ".join(dict.fromkeys(changed_names))
        message = (
            f"{message[:-1]}, but it changed its argument(s) {changed} in place: "
            "a caller that still needs them would see new values."
        )
    return Feedback(True, message)


def function_problem(fn, name: str, parameters: Sequence[str] | None) -> str | None:
    """Why ``fn`` cannot be the reader's ``name(*parameters)``, or None.

    ``fn`` must be callable and, when its signature can be read and ``parameters``
    is given, accept one positional argument per parameter.
    """
    if not callable(fn):
        return (
            f"{name}: the checker needs your function itself, got "
            f"{_describe(fn)}: pass {name}, not {name}(...) or what it returned."
        )
    if parameters is None:
        return None
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without one: judged by calling it
        return None
    try:
        signature.bind(*parameters)
    except TypeError as error:
        return (
            f"{name} must be callable as {name}({', '.join(parameters)}), but it "
            f"takes {signature}: {error}."
        )
    return None


def checks(*names_and_parameters):
    """Decorate a checker of the reader's function(s); it then never raises.

    ``names_and_parameters`` alternate a function's name and the tuple of arguments
    the checker calls it with (None: its signature is not checked), one pair per
    function the checker takes: ``@checks("dense_backward", ("dZ", "X", "W"))``.
    A function that is not callable, or cannot take those arguments, gets failed
    feedback saying so; so does any error that escapes the checker while it judges
    (a reader's error the checker did not expect where it arose).
    """
    answers = list(zip(names_and_parameters[::2], names_and_parameters[1::2]))

    def decorate(check):
        @functools.wraps(check)
        def checked(*fns) -> Feedback:
            if len(fns) != len(answers):
                wanted = ", ".join(name for name, _ in answers)
                return Feedback(
                    False,
                    f"{check.__name__} takes {len(answers)} function(s), {wanted}; "
                    f"it was given {len(fns)} argument(s).",
                )
            for fn, (name, parameters) in zip(fns, answers):
                problem = function_problem(fn, name, parameters)
                if problem is not None:
                    return Feedback(False, _one_line(problem))
            try:
                return check(*fns)
            except READER_ERRORS as error:
                return Feedback(
                    False,
                    _one_line(
                        f"{answers[0][0]}: judging it stopped on {error_text(error)} "
                        "(if your function runs on its own, this is a checker bug: "
                        "please report it)."
                    ),
                )

        return checked

    return decorate
