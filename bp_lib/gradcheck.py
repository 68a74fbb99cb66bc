"""Numerical gradients and how to compare them with analytic ones.

The centred difference of a scalar function ``f`` at ``x`` along coordinate ``i`` is

    df/dx_i ~= (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

with an error of order ``eps**2`` (truncation) plus ``u |f| / eps`` (round-off,
``u`` the unit round-off of the dtype), which is why checks run in float64.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, require_number

#: Thresholds for the relative error, from "excellent" down to "a bug".
ERROR_BANDS = ((1e-7, "excellent"), (1e-5, "good"), (1e-3, "suspicious"))


def _scalar(f) -> float:
    """``f()`` as a Python float; a ``TypeError`` if it is not one number."""
    value = f()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(
            "f must return one real number (e.g. a loss), "
            f"got {type(value).__name__}"
            + (f" of shape {value.shape}" if isinstance(value, np.ndarray) else "")
        )
    return float(value)


def centred_difference(f, x: np.ndarray, index: tuple, eps: float) -> float:
    """``(f() - f())/(2 eps)`` with ``x[index]`` at ``+eps`` then ``-eps``.

    ``x[index]`` is restored exactly, even when ``f`` raises.
    """
    original = x[index]
    try:
        x[index] = original + eps
        f_plus = _scalar(f)
        x[index] = original - eps
        f_minus = _scalar(f)
    finally:
        x[index] = original
    return (f_plus - f_minus) / (2 * eps)


def _require_perturbable(x) -> None:
    """``x`` must be a writable array of float64 (or wider) for centred differences.

    A perturbation of ``eps`` in an integer array is rounded away, and float32 keeps
    about 7 digits: ``f(x + eps) - f(x - eps)`` then has only a few correct ones.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"x must be a floating-point numpy array (a perturbation of an integer "
            f"array would be rounded away), got {got}"
        )
    if x.dtype.itemsize < 8:
        raise TypeError(
            f"x must be float64 for centred differences, got {x.dtype}: its "
            f"{np.finfo(x.dtype).precision} digits leave few correct ones in "
            "f(x + eps) - f(x - eps); check a float64 copy of the computation"
        )
    if not x.flags.writeable:
        raise ValueError(
            "x must be writable: it is perturbed in place and restored "
            "(pass a copy, e.g. x.copy(), and let f read the copy)"
        )


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of the scalar ``f()`` w.r.t. the array ``x``.

    ``f`` takes no arguments, reads ``x`` and returns one number; ``x`` (float64,
    writable) is perturbed in place one coordinate at a time and restored exactly
    afterwards, even if ``f`` raises.

    Shapes: ``x`` any shape; the result has the shape and dtype of ``x``.
    """
    _require_perturbable(x)
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments, got {type(f).__name__}")
    require_number("eps", eps, low=0, low_open=True)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        grad[index] = centred_difference(f, x, index, eps)
    return grad


def relative_error(a, b) -> float:
    """``||a - b|| / (||a|| + ||b||)`` (Frobenius norms); 0 when both are 0.

    Shapes: ``a`` and ``b`` must have the same shape. The norms are taken of
    ``a / s`` and ``b / s``, ``s`` the largest magnitude, when the plain ones would
    overflow or underflow (entries above 1e154 or below 1e-150): the ratio does
    not change. NaN when
    either holds a NaN or an infinity, so that any comparison with ``tol`` fails.
    """
    a = as_float_array("a", a).astype(np.float64, copy=False)
    b = as_float_array("b", b).astype(np.float64, copy=False)
    if a.shape != b.shape:
        raise ValueError(
            f"a has shape {a.shape} but b has shape {b.shape}; they must match"
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.nan  # no error can be measured; a comparison with it fails
    with np.errstate(over="ignore", invalid="ignore"):
        numerator, denominator = _norms(a, b)
        if (
            not (np.isfinite(numerator) and denominator < np.inf)
            or denominator < 1e-150
        ):
            scale = max(np.max(np.abs(a), initial=0), np.max(np.abs(b), initial=0))
            if scale > 0:  # squares that overflowed or underflowed: rescale first
                numerator, denominator = _norms(a / scale, b / scale)
    if denominator == 0:
        return 0.0
    return float(numerator / denominator)


def _norms(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``(||a - b||, ||a|| + ||b||)``."""
    return np.linalg.norm(a - b), np.linalg.norm(a) + np.linalg.norm(b)


def error_band(error: float) -> str:
    """Name the band a relative error falls in: excellent, good, suspicious or a bug."""
    for bound, name in ERROR_BANDS:
        if error < bound:
            return name
    return "a bug"


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing an analytic gradient with a reference one."""

    name: str
    shape: tuple
    exact: bool
    error: float
    tol: float
    both_negligible: bool = False

    @property
    def passed(self) -> bool:
        """True when the relative error is below ``tol`` or both are negligible."""
        return self.error < self.tol or self.both_negligible

    def __str__(self) -> str:
        # Only the verdict against ``tol`` is printed: the error itself is rounding
        # noise (1e-10 on one BLAS, 3e-11 on another), so printing it would make
        # stored notebook outputs machine-dependent.
        if self.exact:
            verdict = "exact match"
        elif self.both_negligible:
            verdict = "both ~ 0 (below atol)"
        elif self.passed:
            verdict = f"relative error < {self.tol:.0e}"
        else:
            verdict = f"relative error {self.error:.1e} >= {self.tol:.0e}"
        mark = "ok" if self.passed else "MISMATCH"
        return f"{self.name:<8} {str(self.shape):<10} {verdict:<28} {mark}"

    __repr__ = __str__


def compare(
    name: str, analytic, reference, tol: float = 1e-7, atol: float = 0.0
) -> Comparison:
    """Compare two gradients and return a :class:`Comparison` (printable in one line).

    ``analytic`` and ``reference`` must have the same shape; ``tol`` bounds the
    relative error for ``passed``. When a true gradient is zero (e.g. the bias of a
    layer followed by batch norm) the relative error compares two rounding errors
    and means nothing; ``atol > 0`` then passes the pair if the largest entry of
    both is at most ``atol``.
    """
    tol = require_number("tol", tol, low=0, low_open=True)
    atol = require_number("atol", atol, low=0)
    analytic = np.asarray(analytic)
    reference = np.asarray(reference)
    error = relative_error(analytic, reference)
    largest = max(
        np.max(np.abs(analytic), initial=0), np.max(np.abs(reference), initial=0)
    )
    return Comparison(
        name=name,
        shape=analytic.shape,
        exact=bool(np.array_equal(analytic, reference)),
        error=error,
        tol=tol,
        both_negligible=bool(largest <= atol),
    )


def spot_check(
    f,
    x: np.ndarray,
    analytic: np.ndarray,
    n: int,
    rng,
    eps: float = 1e-6,
    name: str = "x",
    tol: float = 1e-7,
) -> Comparison:
    """Compare ``analytic`` with centred differences at ``n`` random entries of ``x``.

    For a large array a full check costs two evaluations of ``f`` per entry; a spot
    check of a few hundred random entries catches a wrong formula, which is usually
    wrong in most entries, at a fraction of the cost. It can miss a bug confined to a
    few entries (one row, one element): chapter 8 shows one. ``x`` is perturbed in
    place and restored.
    """
    if analytic.shape != x.shape:
        raise ValueError(
            f"analytic has shape {analytic.shape}, expected {x.shape} (the shape of x)"
        )
    flat_indices = rng.choice(x.size, size=min(n, x.size), replace=False)
    numeric, chosen = [], []
    for flat in flat_indices:
        index = np.unravel_index(flat, x.shape)
        numeric.append(centred_difference(f, x, index, eps))
        chosen.append(analytic[index])
    return compare(
        f"{name}[{len(chosen)} entries]", np.array(chosen), np.array(numeric), tol
    )


def check_gradients(
    loss_fn,
    arrays: dict,
    analytic: dict,
    tol: float = 1e-7,
    eps: float = 1e-6,
    atol: float = 0.0,
):
    """Compare analytic gradients with centred differences, one array at a time.

    ``loss_fn()`` returns a scalar and reads the arrays of ``arrays`` (a dict
    name -> array, perturbed in place); ``analytic`` maps the same names to the
    gradients to check. ``tol`` and ``atol`` are as in :func:`compare`.
    Returns a list of :class:`Comparison`, one per name.
    """
    if set(arrays) != set(analytic):
        raise ValueError(
            "arrays and analytic must have the same keys, "
            f"got {sorted(arrays)} and {sorted(analytic)}"
        )
    return [
        compare(
            name,
            analytic[name],
            numerical_gradient(loss_fn, arrays[name], eps),
            tol,
            atol,
        )
        for name in arrays
    ]
