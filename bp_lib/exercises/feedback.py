"""The machinery every exercise checker shares.

A checker describes a few random :class:`Case` inputs, a *reference* that gives
the right answer for a case (usually a numerical gradient), and a list of known
*mistakes*: ``(message, function)`` pairs, the function computing what a typical
wrong solution computes. The reader's answer is compared with the reference; if it
differs, with each mistake in turn, and the message of the one it matches is the
feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..gradcheck import relative_error


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: ``passed`` and a message that says what to fix."""

    passed: bool
    message: str

    def __str__(self) -> str:
        return ("PASS: " if self.passed else "FAIL: ") + self.message

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class Case:
    """The positional arguments of one call of the reader's function."""

    args: tuple
    kwargs: dict = field(default_factory=dict)


def _as_tuple(result) -> tuple:
    return result if isinstance(result, tuple) else (result,)


def _mismatch(got: tuple, want: tuple, tol: float) -> str | None:
    """Why ``got`` is not ``want`` (shape or values), or None when they agree."""
    if len(got) != len(want):
        return f"returned {len(got)} value(s), expected {len(want)}"
    for position, (g, w) in enumerate(zip(got, want)):
        g = np.asarray(g, dtype=np.float64)
        w = np.asarray(w, dtype=np.float64)
        if g.shape != w.shape:
            return f"output {position} has shape {g.shape}, expected {w.shape}"
        error = relative_error(g, w)
        if not error < tol:  # also catches NaN
            return f"output {position} differs from the reference (relative error {error:.1e})"
    return None


def diagnose(
    name: str,
    user_fn,
    cases,
    reference,
    mistakes,
    tol: float = 1e-6,
    hint: str = "Check each factor of the chain rule against the derivation.",
) -> Feedback:
    """Check ``user_fn`` on every case against ``reference``; name the mistake it matches.

    ``mistakes`` is a list of ``(message, wrong_fn)`` pairs: the message says what
    the reader did wrong and how to fix it; ``wrong_fn`` computes what that wrong
    solution returns. ``reference(*case.args)`` and every ``wrong_fn`` return an
    array or a tuple of arrays, like the reader's function. ``hint`` ends the message
    when the answer is wrong in a way no listed mistake explains.
    """
    for case in cases:
        try:
            got = _as_tuple(user_fn(*case.args, **case.kwargs))
        except NotImplementedError:
            return Feedback(False, f"{name} is not written yet: replace the `raise NotImplementedError`.")
        except Exception as error:  # noqa: BLE001 - any error is feedback for the reader
            return Feedback(False, f"{name} raised {type(error).__name__}: {error}")
        want = _as_tuple(reference(*case.args, **case.kwargs))
        why = _mismatch(got, want, tol)
        if why is None:
            continue
        for message, mistake in mistakes:
            if _mismatch(got, _as_tuple(mistake(*case.args, **case.kwargs)), tol) is None:
                return Feedback(False, message)
        return Feedback(False, f"{name}: {why}. {hint}")
    return Feedback(True, f"{name} matches the reference on {len(cases)} random inputs.")
