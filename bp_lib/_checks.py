"""Cheap argument checks shared by the whole package.

Every check looks only at shapes, dtypes and scalars (never a pass over a big
array), and raises an error that names the argument, what it got and what was
expected, so a reader sees what to fix instead of a numpy broadcasting message.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def as_float_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a real floating-point array; integers become float64.

    Raises ``TypeError`` for anything that is not real and numeric: strings, objects
    and complex numbers (whose imaginary part numpy would drop with only a warning).
    """
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iub":
        return array.astype(np.float64)
    if array.dtype.kind == "c":
        raise TypeError(
            f"{name} must be a real array, got complex values (dtype {array.dtype}); "
            "bp_lib computes with real numbers only"
        )
    raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")


def require_float_dtype(name: str, dtype) -> np.dtype:
    """Return ``dtype`` as a numpy dtype after checking it is a floating-point type.

    Parameters stored as integers would truncate every update to nothing.
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{name} must be a floating-point dtype (np.float32 or np.float64), "
            f"got {dtype!r}"
        ) from None
    if dtype.kind != "f":
        raise TypeError(
            f"{name} must be a floating-point dtype (np.float32 or np.float64), "
            f"got {dtype}"
        )
    return dtype


def all_finite(array: np.ndarray) -> bool:
    """True when ``array`` holds no NaN or infinity, usually in one BLAS call.

    The squared norm ``a . a`` (no temporary) is finite when every entry is; only
    when it is not (a NaN, an infinity, or entries whose squares overflow) is each
    entry tested. For the arrays of every training step (gradients).
    """
    flat = array.reshape(-1)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if math.isfinite(np.dot(flat, flat)):
            return True
    return bool(np.isfinite(array).all())


def first_non_finite(array: np.ndarray) -> str | None:
    """Where ``array`` first holds a NaN or an infinity, as ``"NaN at index (i, j)"``.

    ``None`` when every entry is finite. A full pass: call it where an error is
    being explained, or on arrays that are small next to the work around them.
    """
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    index = np.unravel_index(np.argmax(bad), array.shape)
    value = array[index]
    kind = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return f"{kind} at index {tuple(int(i) for i in index)}"


def require_finite(name: str, array: np.ndarray) -> np.ndarray:
    """Return ``array`` after checking it holds no NaN or infinity."""
    where = first_non_finite(array)
    if where is not None:
        raise ValueError(f"{name} must be finite, got {where}")
    return array


def unpack_cache(cache, size: int, forward: str) -> tuple:
    """``cache`` as a tuple of ``size`` items, or a ``TypeError`` naming ``forward``."""
    if not isinstance(cache, tuple) or len(cache) != size:
        raise TypeError(
            f"cache must be the second value returned by {forward} (a tuple of "
            f"{size}), got {type(cache).__name__}"
        )
    return cache


def require_array_cache(cache, forward: str) -> np.ndarray:
    """``cache`` as the array a forward function returned, or a ``TypeError``."""
    if not isinstance(cache, np.ndarray):
        raise TypeError(
            f"cache must be the second value returned by {forward} (an array), "
            f"got {type(cache).__name__}"
        )
    return cache


def require_ndim(name: str, array: np.ndarray, ndim: int, meaning: str) -> None:
    """Raise ``ValueError`` unless ``array`` has ``ndim`` dimensions.

    ``meaning`` names the dimensions in the message.
    """
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {meaning}, got shape {array.shape}")


def require_shape(name: str, array: np.ndarray, expected: tuple) -> None:
    """Raise ``ValueError`` unless ``array.shape == expected``."""
    if array.shape != tuple(expected):
        raise ValueError(f"{name} has shape {array.shape}, expected {tuple(expected)}")


def require_same_shape(
    name: str, array: np.ndarray, other_name: str, other: np.ndarray
) -> None:
    """Raise ``ValueError`` unless two arrays have the same shape.

    No silent broadcasting.
    """
    if array.shape != other.shape:
        raise ValueError(
            f"{name} has shape {array.shape} but {other_name} has shape {other.shape}; "
            "they must match exactly"
        )


def require_number(
    name: str, value, *, low=None, high=None, low_open=False, high_open=False
):
    """Return ``value`` as a float after checking it is a finite real number in bounds.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        left = "(-inf" if low is None else ("(" if low_open else "[") + f"{low}"
        right = "inf)" if high is None else f"{high}" + (")" if high_open else "]")
        finite = "" if np.isfinite(value) else "a finite number "
        raise ValueError(f"{name} must be {finite}in {left}, {right}, got {value!r}")
    return value


def require_positive_int(name: str, value) -> int:
    """Return ``value`` after checking it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def require_generator(name: str, rng) -> np.random.Generator:
    """Return ``rng`` after checking it is a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator "
            f"(e.g. np.random.default_rng(0)), got {type(rng).__name__}"
        )
    return rng
