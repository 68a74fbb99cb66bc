"""Weight initialisers chosen so that the variance of activations is preserved.

Each takes ``(n_in, n_out, rng)`` and returns a ``(n_in, n_out)`` float64 array.
The variance each one targets (``std**2`` for a normal, ``limit**2 / 3`` for a
uniform on ``[-limit, limit]``):

    He (Kaiming)      Var(W) = 2 / n_in                (ReLU, forward pass)
    Xavier (Glorot)   Var(W) = 2 / (n_in + n_out)      (tanh, forward and backward)
    LeCun             Var(W) = 1 / n_in                (tanh / SELU, forward pass)

Beware the notation N(0, sqrt(2/n)): it gives the *standard deviation*, not the
variance.
"""

from __future__ import annotations

import numpy as np

from ._checks import require_generator, require_positive_int

#: The variance each scheme targets, as a function of the fans (n_in, n_out).
VARIANCES = {
    # ReLU halves E[a^2]: keep Var(z) from layer to layer
    "he": lambda n_in, n_out: 2.0 / n_in,
    # compromise of forward and backward
    "xavier": lambda n_in, n_out: 2.0 / (n_in + n_out),
    # keep Var(z) for units near-linear at 0
    "lecun": lambda n_in, n_out: 1.0 / n_in,
}


def _normal(variance: float, n_in: int, n_out: int, rng) -> np.ndarray:
    """N(0, variance): the standard deviation passed to numpy is sqrt(variance)."""
    return rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out))


def _uniform(variance: float, n_in: int, n_out: int, rng) -> np.ndarray:
    """U(-a, a) with a = sqrt(3 variance), because Var(U[-a, a]) = a**2 / 3."""
    limit = np.sqrt(3.0 * variance)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


SAMPLERS = {"normal": _normal, "uniform": _uniform}


def _initializer(scheme: str, distribution: str, formula: str):
    """Build the public initialiser ``<scheme>_<distribution>(n_in, n_out, rng) -> W``.

    ``W`` has shape ``(n_in, n_out)``.
    """

    def initialize(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
        n_in = require_positive_int("n_in", n_in)
        n_out = require_positive_int("n_out", n_out)
        rng = require_generator("rng", rng)
        return SAMPLERS[distribution](VARIANCES[scheme](n_in, n_out), n_in, n_out, rng)

    initialize.__name__ = initialize.__qualname__ = f"{scheme}_{distribution}"
    initialize.__doc__ = (
        f"{formula}; takes (n_in, n_out, rng), returns W of shape (n_in, n_out)."
    )
    return initialize


he_normal = _initializer(
    "he", "normal", "He normal: W ~ N(0, 2 / n_in), 2 / n_in being the variance"
)
he_uniform = _initializer(
    "he", "uniform", "He uniform: W ~ U(-a, a), a = sqrt(6 / n_in), variance 2 / n_in"
)
xavier_normal = _initializer(
    "xavier", "normal", "Xavier/Glorot normal: W ~ N(0, 2 / (n_in + n_out)) (variance)"
)
xavier_uniform = _initializer(
    "xavier",
    "uniform",
    "Xavier/Glorot uniform: W ~ U(-a, a), a = sqrt(6 / (n_in + n_out))",
)
lecun_normal = _initializer(
    "lecun", "normal", "LeCun normal: W ~ N(0, 1 / n_in), 1 / n_in being the variance"
)
lecun_uniform = _initializer(
    "lecun",
    "uniform",
    "LeCun uniform: W ~ U(-a, a), a = sqrt(3 / n_in), variance 1 / n_in",
)


def zeros(n_in: int, n_out: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """All zeros, shape ``(n_in, n_out)``: hidden units stay identical (symmetry)."""
    shape = (require_positive_int("n_in", n_in), require_positive_int("n_out", n_out))
    return np.zeros(shape)


INITIALIZERS = {
    "he": he_normal,
    "he_uniform": he_uniform,
    "xavier": xavier_uniform,
    "xavier_normal": xavier_normal,
    "lecun": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "zeros": zeros,
}


def get_initializer(init):
    """Return ``init`` if it is callable, else the initialiser of that name.

    The names are the keys of ``INITIALIZERS``.
    """
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        raise ValueError(
            f"init must be one of {sorted(INITIALIZERS)} "
            f"or a callable (n_in, n_out, rng), got {init!r}"
        ) from None
