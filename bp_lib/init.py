"""Weight initialisers chosen so that the variance of activations is preserved.

Each takes ``(n_in, n_out, rng)`` and returns a ``(n_in, n_out)`` float64 array.
The variance each one targets (``std**2`` for a normal, ``limit**2 / 3`` for a
uniform on ``[-limit, limit]``):

    He (Kaiming)      Var(W) = 2 / n_in                (ReLU, forward pass)
    Xavier (Glorot)   Var(W) = 2 / (n_in + n_out)      (tanh, forward and backward)
    LeCun             Var(W) = 1 / n_in                (tanh / SELU, forward pass)

Beware the notation N(0, sqrt(2/n)): it gives the *standard deviation*, not the variance.
"""

from __future__ import annotations

import numpy as np

from ._checks import require_generator, require_positive_int


def _normal(variance: float, n_in: int, n_out: int, rng) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out))


def _uniform(variance: float, n_in: int, n_out: int, rng) -> np.ndarray:
    limit = np.sqrt(3.0 * variance)  # Var(U[-a, a]) = a**2 / 3
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _checked(n_in, n_out, rng) -> tuple[int, int, np.random.Generator]:
    return (
        require_positive_int("n_in", n_in),
        require_positive_int("n_out", n_out),
        require_generator("rng", rng),
    )


def he_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """He normal: ``W ~ N(0, 2 / n_in)`` (variance), shape ``(n_in, n_out)``."""
    n_in, n_out, rng = _checked(n_in, n_out, rng)
    return _normal(2.0 / n_in, n_in, n_out, rng)


def he_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """He uniform: ``W ~ U(-sqrt(6 / n_in), sqrt(6 / n_in))``, variance ``2 / n_in``."""
    n_in, n_out, rng = _checked(n_in, n_out, rng)
    return _uniform(2.0 / n_in, n_in, n_out, rng)


def xavier_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Xavier/Glorot normal: ``W ~ N(0, 2 / (n_in + n_out))`` (variance)."""
    n_in, n_out, rng = _checked(n_in, n_out, rng)
    return _normal(2.0 / (n_in + n_out), n_in, n_out, rng)


def xavier_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Xavier/Glorot uniform: ``W ~ U(-a, a)``, ``a = sqrt(6 / (n_in + n_out))``."""
    n_in, n_out, rng = _checked(n_in, n_out, rng)
    return _uniform(2.0 / (n_in + n_out), n_in, n_out, rng)


def lecun_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """LeCun normal: ``W ~ N(0, 1 / n_in)`` (variance), shape ``(n_in, n_out)``."""
    n_in, n_out, rng = _checked(n_in, n_out, rng)
    return _normal(1.0 / n_in, n_in, n_out, rng)


def lecun_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """LeCun uniform: ``W ~ U(-sqrt(3 / n_in), sqrt(3 / n_in))``, variance ``1 / n_in``."""
    n_in, n_out, rng = _checked(n_in, n_out, rng)
    return _uniform(1.0 / n_in, n_in, n_out, rng)


def zeros(n_in: int, n_out: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """All zeros, shape ``(n_in, n_out)``: every hidden unit stays identical (symmetry)."""
    return np.zeros((require_positive_int("n_in", n_in), require_positive_int("n_out", n_out)))


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
    """Return the initialiser named ``init`` (a key of ``INITIALIZERS``) or ``init`` if callable."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        raise ValueError(
            f"init must be one of {sorted(INITIALIZERS)} or a callable (n_in, n_out, rng), got {init!r}"
        ) from None
