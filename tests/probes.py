"""The hostile-input table's machinery: a probe is one call and the outcome it must have.

A call has one of two acceptable outcomes:

- ``Returns(check)``: it returns, without any warning, a value whose every float is
  finite and for which ``check(value)`` holds (the right answer, not just an answer);
- ``Raises(error, *words)``: it raises ``error`` (or a subclass) whose message holds
  every one of ``words`` (the argument's name, what it got, what was expected).

``outcome`` classifies what a call actually did into one of ``OUTCOMES``, so the same
table can count how the library behaved before and after a change
(``python tests/hostile/count.py``), and the tests assert the expected outcome.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

OUTCOMES = (
    "right answer",  # returned, finite, no warning, check holds
    "clear error",  # raised the expected type with every expected word
    "unclear error",  # raised, but another type or without the words
    "warning",  # returned, but warned on the way
    "non-finite",  # returned NaN or inf where a finite answer was expected
    "wrong answer",  # returned a finite value that fails the check, or returned where it should raise
)


@dataclass(frozen=True)
class Returns:
    """The call returns a finite value, without a warning, that satisfies ``check``."""

    check: Callable[[object], bool] = lambda value: True
    finite: bool = True


@dataclass(frozen=True)
class Raises:
    """The call raises ``error`` with every one of ``words`` in its message."""

    error: type[BaseException]
    words: tuple[str, ...]

    def __init__(self, error, *words):
        object.__setattr__(self, "error", error)
        object.__setattr__(self, "words", words)


@dataclass(frozen=True)
class Probe:
    """One hostile call of the public API and the outcome it must have."""

    name: str
    call: Callable[[], object]
    expect: Returns | Raises

    @property
    def wanted(self) -> str:
        return "right answer" if isinstance(self.expect, Returns) else "clear error"


def _floats(value):
    """Every float in ``value`` (arrays, numbers, and containers of them)."""
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.inexact):
            yield from np.asarray(value, dtype=complex).ravel().tolist()
    elif isinstance(value, (float, np.floating, complex, np.complexfloating)):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _floats(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)


def _all_finite(value) -> bool:
    return all(math.isfinite(abs(x)) for x in _floats(value))


def run(probe: Probe) -> tuple[str, str]:
    """Call ``probe`` and return ``(outcome, detail)``: one of OUTCOMES and what happened."""
    expect = probe.expect
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="warn", under="ignore"):  # underflow to 0 is exact enough
                value = probe.call()
        except Exception as error:  # noqa: BLE001 - the probe classifies every error
            detail = f"{type(error).__name__}: {error}"
            if isinstance(expect, Raises) and isinstance(error, expect.error):
                missing = [word for word in expect.words if word not in str(error)]
                if not missing:
                    return "clear error", detail
                return "unclear error", f"{detail} (missing {missing})"
            return "unclear error", detail
    if caught:
        return "warning", "; ".join(str(w.message) for w in caught)
    if isinstance(expect, Raises):
        return "wrong answer", f"returned {value!r:.200} instead of raising {expect.error.__name__}"
    if expect.finite and not _all_finite(value):
        return "non-finite", f"returned {value!r:.200}"
    if not expect.check(value):
        return "wrong answer", f"returned {value!r:.200}"
    return "right answer", ""


def assert_holds(probe: Probe) -> None:
    """Assert that ``probe`` has the outcome it must have."""
    got, detail = run(probe)
    assert got == probe.wanted, f"{probe.name}: {got}: {detail}"


def params(probes):
    """The probes as ``pytest.param``s with their names as ids; names must be unique."""
    import pytest

    names = [probe.name for probe in probes]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    assert not duplicated, f"probe names used twice: {duplicated}"
    return [pytest.param(probe, id=probe.name) for probe in probes]


def close_to(expected, rtol: float = 1e-12, atol: float = 0.0):
    """A ``Returns`` check: the value equals ``expected`` to ``rtol`` (shapes equal too)."""

    def check(value) -> bool:
        got, want = np.asarray(value), np.asarray(expected)
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))

    return check


def table_test(probes):
    """The parametrised test of a probe table: ``test_probe = table_test(PROBES)``."""
    import pytest

    @pytest.mark.parametrize("probe", params(probes))
    def test_probe(probe):
        assert_holds(probe)

    return test_probe
