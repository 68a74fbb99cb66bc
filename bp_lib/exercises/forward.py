"""Checkers for the notation exercises (chapter 2)."""

from __future__ import annotations

import numpy as np

from .feedback import Case, Feedback, diagnose


def _column_cases() -> list[Case]:
    """Inputs (A_prev, W, b) in the column convention.

    The first case has m == n_out on purpose, so that adding b along the wrong axis
    broadcasts silently instead of failing.
    """
    rng = np.random.default_rng(2)
    cases = []
    for n_in, n_out, m in [(4, 3, 3), (5, 2, 6), (3, 4, 1)]:
        cases.append(Case((rng.normal(size=(n_in, m)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out))))
    return cases


def check_dense_forward_columns(fn) -> Feedback:
    """Check ``fn(A_prev, W, b) -> Z`` with A_prev (n_in, m), W (n_out, n_in), b (n_out,), Z (n_out, m)."""
    mistakes = [
        (
            "b was added along the wrong axis: in the column convention each column is an example, "
            "so b must be a column, b[:, None], added to every column.",
            lambda A, W, b: W @ A + b[None, :],
        ),
        (
            "The result is in the row-batch layout (m, n_out): in the column convention Z = W @ A_prev + b "
            "has one column per example.",
            lambda A, W, b: A.T @ W.T + b,
        ),
        (
            "The bias is missing: Z = W @ A_prev + b[:, None].",
            lambda A, W, b: W @ A,
        ),
    ]
    return diagnose(
        "dense_forward_columns", fn, _column_cases(), lambda A, W, b: W @ A + b[:, None], mistakes, tol=1e-12
    )
