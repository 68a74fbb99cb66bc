"""Checkers for the dropout exercises (chapter 12)."""

from __future__ import annotations

import numpy as np

from .feedback import Case, Feedback, diagnose

P = 0.3  # not 0.5, so that a drop probability read as a keep probability shows


def _backward_cases() -> list[Case]:
    rng = np.random.default_rng(13)
    cases = []
    for shape in ((4, 6), (3, 2)):
        cases.append(Case((rng.normal(size=shape), rng.random(shape) >= P, P)))
    return cases


def check_dropout_backward(fn) -> Feedback:
    """Check ``fn(dout, keep, p) -> dX`` for inverted dropout.

    ``keep`` is the boolean mask of the forward pass (True where a unit was kept) and
    ``p`` the drop probability; the forward pass was ``out = X * keep / (1 - p)``.
    """
    mistakes = [
        (
            "The kept units are not rescaled: the forward pass multiplied them by 1 / (1 - p), so the "
            "backward pass must too, dX = dout * keep / (1 - p).",
            lambda dout, keep, p: dout * keep,
        ),
        (
            "p was used as the keep probability: with p the drop probability the scale is 1 / (1 - p), not 1 / p.",
            lambda dout, keep, p: dout * keep / p,
        ),
        (
            "The mask is missing: a dropped unit did not take part in the forward pass and gets no gradient, "
            "dX = dout * keep / (1 - p).",
            lambda dout, keep, p: dout / (1 - p),
        ),
        (
            "The gradient was multiplied by (1 - p) instead of divided: the forward pass scaled by 1 / (1 - p).",
            lambda dout, keep, p: dout * keep * (1 - p),
        ),
    ]
    return diagnose(
        "dropout_backward",
        fn,
        _backward_cases(),
        lambda dout, keep, p: dout * keep / (1 - p),
        mistakes,
        tol=1e-12,
    )


def check_dropout_forward(fn) -> Feedback:
    """Check ``fn(X, p, rng) -> out`` for inverted dropout, from statistics of a large draw.

    Measured on X = ones((200, 300)): the fraction of dropped units (should be p) and the
    value of the kept ones (should be 1 / (1 - p)).
    """

    def statistics(seed):
        X = np.ones((200, 300))
        out = np.asarray(fn(X, P, np.random.default_rng(seed)))
        if out.shape != X.shape:
            raise ValueError(f"the output has shape {out.shape}, expected {X.shape}")
        kept = out != 0
        return np.array([1 - kept.mean(), out[kept].mean() if kept.any() else 0.0])

    def predicted(dropped, kept_value):
        return lambda seed: np.array([dropped, kept_value])

    mistakes = [
        (
            "The kept units are not rescaled by 1 / (1 - p): the expected output is then (1 - p) X, not X.",
            predicted(P, 1.0),
        ),
        (
            "p was used as the keep probability: a fraction 1 - p of the units was dropped instead of p.",
            predicted(1 - P, 1 / P),
        ),
        (
            "The kept units were scaled by 1 / p; with p the drop probability the scale is 1 / (1 - p).",
            predicted(P, 1 / P),
        ),
    ]
    return diagnose(
        "dropout_forward",
        statistics,
        [Case((0,)), Case((1,))],
        predicted(P, 1 / (1 - P)),
        mistakes,
        tol=0.01,
        hint="Compare the fraction of zeros and the value of the kept units with p and 1 / (1 - p).",
    )
