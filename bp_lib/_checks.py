"""Cheap argument checks shared by the whole package.

Every check looks only at shapes, dtypes and scalars (never a pass over a big
array), and raises an error that names the argument, what it got and what was
expected, so a reader sees what to fix instead of a numpy broadcasting message.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a floating-point array; integers are converted to float64.

    Raises ``TypeError`` for anything that is not numeric.
    """
    array = np.asarray(value)
    if array.dtype.kind in "fc":
        return array
    if array.dtype.kind in "iub":
        return array.astype(np.float64)
    raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")


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
    """Return ``value`` as a float after checking it is a real number within the bounds.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lower = "-inf" if low is None else low
        upper = "inf" if high is None else high
        interval = f"{left}{lower}, {upper}{right}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
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
