"""Checkers for the dropout exercises (chapter 12).

Inverted dropout with drop probability ``p``: ``keep = U >= p`` with U ~ Uniform(0, 1),
``out = X * keep / (1 - p)`` and, with the same ``keep``, ``dX = dout * keep / (1 - p)``.
The mistakes the checkers name: no rescaling, scaling by ``p`` (or ``1 / p``, or ``1 - p``)
instead of ``1 / (1 - p)``, ``p`` used as the keep probability, and, in the backward pass,
a mask that is missing or drawn afresh instead of the forward pass's.
"""

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


def _backward_mistakes(keep_of):
    """``(message, wrong_fn)`` pairs for a backward pass; ``keep_of(*args)`` gives the forward's mask.

    Each ``wrong_fn(*args)`` computes what a typical wrong backward returns, where ``args``
    start with ``dout``.
    """

    def wrong(scale_of_kept):
        return lambda dout, *rest: dout * keep_of(dout, *rest) * scale_of_kept

    return [
        (
            "The kept units are not rescaled: the forward pass multiplied them by 1 / (1 - p), so the "
            "backward pass must too, dX = dout * keep / (1 - p).",
            wrong(1.0),
        ),
        (
            "p was used as the keep probability: with p the drop probability the scale is 1 / (1 - p), not 1 / p.",
            wrong(1 / P),
        ),
        (
            "The gradient was multiplied by p: the forward pass scaled the kept units by 1 / (1 - p), "
            "and so must the backward pass.",
            wrong(P),
        ),
        (
            "The gradient was multiplied by (1 - p) instead of divided: the forward pass scaled by 1 / (1 - p).",
            wrong(1 - P),
        ),
        (
            "The mask is missing: a dropped unit did not take part in the forward pass and gets no gradient, "
            "dX = dout * keep / (1 - p).",
            lambda dout, *rest: dout / (1 - P),
        ),
    ]


def check_dropout_backward(fn) -> Feedback:
    """Check ``fn(dout, keep, p) -> dX`` for inverted dropout.

    ``keep`` is the boolean mask of the forward pass (True where a unit was kept) and
    ``p`` the drop probability; the forward pass was ``out = X * keep / (1 - p)``.
    Shapes: dout, keep, dX (m, n).
    """
    return diagnose(
        "dropout_backward",
        fn,
        _backward_cases(),
        lambda dout, keep, p: dout * keep / (1 - p),
        _backward_mistakes(lambda dout, keep, p: keep),
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
        (
            "The kept units were multiplied by p; inverted dropout divides them by the keep probability, "
            "out = X * keep / (1 - p), so that E[out] = X.",
            predicted(P, P),
        ),
        (
            "The kept units were multiplied by (1 - p) instead of divided by it: that is the test-time "
            "scaling of non-inverted dropout; inverted dropout uses out = X * keep / (1 - p).",
            predicted(P, 1 - P),
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


def _pair_cases() -> list[Case]:
    """(X, dout, seed) with |X| >= 0.1, so that a zero output means a dropped unit."""
    rng = np.random.default_rng(14)
    cases = []
    for seed, shape in enumerate(((30, 40), (25, 8))):
        X = rng.normal(size=shape)
        X += np.sign(X) * 0.1
        cases.append(Case((X, rng.normal(size=shape), seed)))
    return cases


def check_dropout_pair(forward, backward) -> Feedback:
    """Check a reader's ``forward(X, p, rng) -> (out, cache)`` and ``backward(dout, cache) -> dX`` together.

    The forward output is checked as :func:`check_dropout_forward` does; then the backward pass
    gets the reader's own cache and must return ``dout * keep / (1 - p)`` with ``keep = out != 0``,
    the units the forward pass kept. A backward pass that draws a new mask is named as such.
    Shapes: X, out, dout, dX (m, n).
    """

    def run_forward(X, p, rng):
        result = forward(X, p, rng)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError("forward must return a pair (out, cache), the cache being what backward needs")
        return result

    feedback = check_dropout_forward(lambda X, p, rng: run_forward(X, p, rng)[0])
    if not feedback.passed:
        return feedback
    X = _pair_cases()[0].args[0]
    first, second = (np.asarray(run_forward(X, P, np.random.default_rng(7))[0]) for _ in range(2))
    if not np.array_equal(first, second):
        return Feedback(
            False,
            "forward gave two different outputs for generators seeded alike: draw the mask from the rng "
            "argument (rng.random(X.shape) >= p), not from np.random or a generator of your own.",
        )

    def keep_of(X, seed):
        return np.asarray(run_forward(X, P, np.random.default_rng(seed))[0]) != 0

    def reader(X, dout, seed):
        _, cache = run_forward(X, P, np.random.default_rng(seed))
        return backward(dout, cache)

    def fresh_mask(X, dout, seed):
        """The reader's own dX when it is right except that its zeros are not the forward's dropped units.

        That is: about a fraction p of zeros (a mask was applied), the others equal to dout / (1 - p),
        but not at the positions the forward pass dropped.
        """
        dX = np.asarray(reader(X, dout, seed), dtype=np.float64)
        keep = keep_of(X, seed)
        nonzero = dX != 0
        if (
            dX.shape == keep.shape
            and abs(1 - nonzero.mean() - P) < 0.1
            and not np.array_equal(nonzero, keep)
            and np.allclose(dX[nonzero], dout[nonzero] / (1 - P))
        ):
            return dX
        return np.full(dout.shape, np.nan)  # matches nothing

    mistakes = [
        (
            "The backward pass drew a new mask: its zeros are not where the forward pass dropped units. "
            "Keep the forward pass's mask in the cache and multiply by that one, dX = dout * keep / (1 - p).",
            fresh_mask,
        ),
        *(
            (message, lambda X, dout, seed, wrong=wrong: wrong(dout, X, seed))
            for message, wrong in _backward_mistakes(lambda dout, X, seed: keep_of(X, seed))
        ),
    ]
    return diagnose(
        "dropout_forward with dropout_backward",
        reader,
        _pair_cases(),
        lambda X, dout, seed: dout * keep_of(X, seed) / (1 - P),
        mistakes,
        tol=1e-12,
    )
