"""Checkers for the initialisation exercises (chapter 9).

An initialiser returns random numbers, so these checkers compare statistics of a large
seeded draw (its standard deviation, its largest magnitude) with what each formula, right
or wrong, predicts.
"""

from __future__ import annotations

import numpy as np

from .feedback import Case, Feedback, diagnose

N_IN, N_OUT = 400, 100  # unequal on purpose: fan-in and fan-out mistakes then differ
HINT = "Compare the standard deviation and the range of your draw with the formula."


def _statistics(fn):
    """Wrap an initialiser into a function returning (std, max |w|) of one large draw."""

    def stats(seed):
        W = np.asarray(fn(N_IN, N_OUT, np.random.default_rng(seed)))
        if W.shape != (N_IN, N_OUT):
            raise ValueError(f"the initialiser returned shape {W.shape}, expected ({N_IN}, {N_OUT})")
        return np.array([W.std(), np.abs(W).max()])

    return stats


def _normal(std):
    """What a normal draw with this std predicts: its std (its maximum is itself random)."""
    return lambda seed: np.array([std])


def _uniform(limit):
    """What U(-limit, limit) predicts: std limit / sqrt(3) and largest magnitude ~limit."""
    return lambda seed: np.array([limit / np.sqrt(3), limit])


def check_he_normal(fn) -> Feedback:
    """Check ``fn(n_in, n_out, rng)``: a He normal draw of shape (n_in, n_out), std sqrt(2 / n_in)."""
    mistakes = [
        (
            "The variance 2/n_in was used as the standard deviation: N(0, sqrt(2/n)) names the std.",
            _normal(2 / N_IN),
        ),
        (
            "The fan-out n_out was used; He's formula keeps the forward variance: std = sqrt(2 / n_in).",
            _normal(np.sqrt(2 / N_OUT)),
        ),
        (
            "n_in + n_out is Xavier's denominator; He uses std = sqrt(2 / n_in).",
            _normal(np.sqrt(2 / (N_IN + N_OUT))),
        ),
        (
            "The factor 2 is missing: that is LeCun's std, sqrt(1 / n_in); ReLU halves the variance, "
            "He doubles it back.",
            _normal(np.sqrt(1 / N_IN)),
        ),
    ]
    cases = [Case((seed,)) for seed in (0, 1)]
    return diagnose(
        "he_normal",
        lambda seed: _statistics(fn)(seed)[:1],
        cases,
        _normal(np.sqrt(2 / N_IN)),
        mistakes,
        tol=0.01,
        hint=HINT,
    )


def check_xavier_uniform(fn) -> Feedback:
    """Check ``fn(n_in, n_out, rng)``: U(-a, a) with a = sqrt(6 / (n_in + n_out))."""
    limit = np.sqrt(6 / (N_IN + N_OUT))
    mistakes = [
        (
            "The limit is the standard deviation sqrt(2 / (n_in + n_out)); U(-a, a) has std a / sqrt(3), "
            "so a = sqrt(6 / (n_in + n_out)).",
            _uniform(np.sqrt(2 / (N_IN + N_OUT))),
        ),
        (
            "Only n_in was used: Xavier averages the fans, a = sqrt(6 / (n_in + n_out)).",
            _uniform(np.sqrt(6 / N_IN)),
        ),
        (
            "Only n_out was used: Xavier averages the fans, a = sqrt(6 / (n_in + n_out)).",
            _uniform(np.sqrt(6 / N_OUT)),
        ),
    ]
    cases = [Case((seed,)) for seed in (0, 1)]
    return diagnose("xavier_uniform", _statistics(fn), cases, _uniform(limit), mistakes, tol=0.01, hint=HINT)
