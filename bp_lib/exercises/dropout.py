"""Checkers for the dropout exercises (chapter 12).

Inverted dropout with drop probability ``p``: ``keep = U >= p`` with U ~ Uniform(0, 1),
``out = X * keep / (1 - p)`` and, with the same ``keep``, ``dX = dout * keep / (1 -
p)``; in evaluation mode ``out = X``. The cases use p = 0.3 and p = 0.6 (never 0.5, so
that a drop probability read as a keep probability shows), so a p written into the
function is caught. The mistakes the checkers name: no rescaling, scaling by ``p`` (or
``1 / p``, or ``1 - p``) instead of ``1 / (1 - p)``, ``p`` used as the keep probability,
an inverted mask, in the backward pass a mask that is missing or drawn afresh instead of
the forward pass's, and in evaluation mode a mask still drawn or a scale still applied.
"""

from __future__ import annotations

import numpy as np

from .feedback import (
    AnswerError,
    Case,
    Feedback,
    Hyperparameter,
    as_array,
    diagnose,
)

P = 0.3  # the first case's p; not 0.5, so that a drop probability read as keep shows
PS = (P, 0.6)  # one p per case
LIKELY_P = (0.5, 0.2, 0.1, 0.3)
STAT_TOL = 0.01  # sampling noise of the statistics below is about 0.3 %


def _backward_cases() -> list[Case]:
    rng = np.random.default_rng(13)
    cases = []
    for shape, p in zip(((4, 6), (3, 2)), PS):
        cases.append(Case((rng.normal(size=shape), rng.random(shape) >= p, p)))
    return cases


def _backward_mistakes(keep_of, p_of):
    """``(message, wrong_fn)`` pairs for a backward pass.

    ``keep_of(*args)`` gives the forward's mask and ``p_of(*args)`` the drop
    probability; each ``wrong_fn(*args)`` computes what a typical wrong backward
    returns, where ``args`` start with ``dout``.
    """

    def wrong(scale_of_kept):
        def backward(dout, *rest):
            p = p_of(dout, *rest)
            return dout * keep_of(dout, *rest) * scale_of_kept(p)

        return backward

    return [
        (
            "The kept units are not rescaled: the forward pass multiplied them by "
            "1 / (1 - p), so the backward pass must too, dX = dout * keep / (1 - p).",
            wrong(lambda p: 1.0),
        ),
        (
            "p was used as the keep probability: with p the drop probability the scale "
            "is 1 / (1 - p), not 1 / p.",
            wrong(lambda p: 1 / p),
        ),
        (
            "The gradient was multiplied by p: the forward pass scaled the kept units "
            "by 1 / (1 - p), and so must the backward pass.",
            wrong(lambda p: p),
        ),
        (
            "The gradient was multiplied by (1 - p) instead of divided: the forward "
            "pass scaled by 1 / (1 - p).",
            wrong(lambda p: 1 - p),
        ),
        (
            "The mask is missing: a dropped unit did not take part in the forward pass "
            "and gets no gradient, dX = dout * keep / (1 - p).",
            lambda dout, *rest: dout / (1 - p_of(dout, *rest)),
        ),
        (
            "The mask is inverted: the gradient flows through the kept units "
            "(keep True), dX = dout * keep / (1 - p), and is 0 at the dropped ones.",
            lambda dout, *rest: dout * ~keep_of(dout, *rest) / (1 - p_of(dout, *rest)),
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
        _backward_mistakes(lambda dout, keep, p: keep, lambda dout, keep, p: p),
        tol=1e-12,
        hint="Multiply dout by the forward pass's mask and by its scale: "
        "dX = dout * keep / (1 - p), with the p passed in.",
        hyperparameters=[Hyperparameter("p", 2, LIKELY_P)],
    )


def _statistics_of(out, X) -> np.ndarray:
    """``[fraction dropped, mean of out / X over the kept units]``.

    For X of ones the second entry is the value of the kept units.
    """
    if isinstance(out, tuple):
        raise AnswerError(
            f"returned a tuple of {len(out)}: this function returns only the output "
            "out (the (out, cache) pair belongs to the forward/backward exercise)"
        )
    array, why = as_array(out, "the output")
    if why is not None:
        raise AnswerError(why)
    out = np.asarray(out)
    if out.dtype.kind not in "biuf":
        raise AnswerError(f"the output is a {out.dtype} array, not real numbers")
    if out.shape != X.shape:
        raise AnswerError(f"the output has shape {out.shape}, expected {X.shape}")
    kept = out != 0
    ratio = (out[kept] / X[kept]).mean() if kept.any() else 0.0
    return np.array([1 - kept.mean(), ratio])


IGNORES_RNG = (
    "two calls with generators of the same seed dropped different units: the mask "
    "must be drawn from the rng argument (rng.random(X.shape)), not from "
    "np.random or a generator of its own, so that a seeded run is reproducible"
)


def _predicted(dropped, kept_value):
    """Statistics predicted from ``dropped(p)`` and ``kept_value(p)``."""
    return lambda seed, p: np.array([dropped(p), kept_value(p)])


FORWARD_MISTAKES = [
    (
        "The kept units are not rescaled by 1 / (1 - p): the expected output is then "
        "(1 - p) X, not X.",
        _predicted(lambda p: p, lambda p: 1.0),
    ),
    (
        "p was used as the keep probability: a fraction 1 - p of the units was dropped "
        "instead of p.",
        _predicted(lambda p: 1 - p, lambda p: 1 / p),
    ),
    (
        "p was used as the keep probability for the mask: a fraction 1 - p of the "
        "units was dropped instead of p (the scale 1 / (1 - p) is right).",
        _predicted(lambda p: 1 - p, lambda p: 1 / (1 - p)),
    ),
    (
        "The kept units were scaled by 1 / p; with p the drop probability the scale is "
        "1 / (1 - p).",
        _predicted(lambda p: p, lambda p: 1 / p),
    ),
    (
        "The kept units were multiplied by p; inverted dropout divides them by the "
        "keep probability, out = X * keep / (1 - p), so that E[out] = X.",
        _predicted(lambda p: p, lambda p: p),
    ),
    (
        "The kept units were multiplied by (1 - p) instead of divided by it: that is "
        "the test-time scaling of non-inverted dropout; inverted dropout uses "
        "out = X * keep / (1 - p).",
        _predicted(lambda p: p, lambda p: 1 - p),
    ),
    (
        "No unit was dropped: draw the mask from rng, keep = rng.random(X.shape) >= p, "
        "and multiply X by it.",
        _predicted(lambda p: 0.0, lambda p: 1.0),
    ),
]

FORWARD_HINT = (
    "Compare the fraction of zeros and the value of the kept units with p and "
    "1 / (1 - p), for the p passed in."
)


def _forward_cases() -> list[Case]:
    return [Case((seed, p)) for seed, p in enumerate(PS)]


def check_dropout_forward(fn) -> Feedback:
    """Check ``fn(X, p, rng) -> out`` for inverted dropout, from a large draw.

    Measured on X = ones((200, 300)) for p = 0.3 and p = 0.6: the fraction of dropped
    units (should be p) and the value of the kept ones (should be 1 / (1 - p)).
    """

    def statistics(seed, p):
        X = np.ones((200, 300))
        out = fn(X.copy(), p, np.random.default_rng(seed))
        again = fn(X.copy(), p, np.random.default_rng(seed))
        statistics = _statistics_of(out, X)
        if not np.array_equal(np.asarray(out), np.asarray(again)):
            raise AnswerError(IGNORES_RNG)
        return statistics

    return diagnose(
        "dropout_forward",
        statistics,
        _forward_cases(),
        _predicted(lambda p: p, lambda p: 1 / (1 - p)),
        FORWARD_MISTAKES,
        tol=STAT_TOL,
        hint=FORWARD_HINT,
        hyperparameters=[Hyperparameter("p", 1, LIKELY_P)],
    )


def _pair_cases() -> list[Case]:
    """(X, dout, seed, p).

    With |X| >= 0.1, so that a zero output means a dropped unit.
    """
    rng = np.random.default_rng(14)
    cases = []
    for seed, (shape, p) in enumerate(zip(((30, 40), (25, 8)), PS)):
        X = rng.normal(size=shape)
        X += np.sign(X) * 0.1
        cases.append(Case((X, rng.normal(size=shape), seed, p)))
    return cases


def check_dropout_pair(forward, backward) -> Feedback:
    """Check ``forward(X, p, rng) -> (out, cache)`` and ``backward(dout, cache) -> dX``.

    The forward output is checked as :func:`check_dropout_forward` does; then the
    backward pass gets the reader's own cache and must return ``dout * keep / (1 - p)``
    with ``keep = out != 0``, the units the forward pass kept. A backward pass that
    draws a new mask is named as such. Shapes: X, out, dout, dX (m, n).
    """

    def run_forward(X, p, rng):
        result = forward(X, p, rng)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise AnswerError(
                "forward must return a pair (out, cache), the cache being what "
                "backward needs"
            )
        return result

    feedback = check_dropout_forward(lambda X, p, rng: run_forward(X, p, rng)[0])
    if not feedback.passed:
        return feedback
    X = _pair_cases()[0].args[0]
    first, second = (
        np.asarray(run_forward(X, P, np.random.default_rng(7))[0]) for _ in range(2)
    )
    if not np.array_equal(first, second):
        return Feedback(
            False,
            "forward gave two different outputs for generators seeded alike: draw the "
            "mask from the rng argument (rng.random(X.shape) >= p), not from np.random "
            "or a generator of your own.",
        )

    def keep_of(X, seed, p):
        return np.asarray(run_forward(X, p, np.random.default_rng(seed))[0]) != 0

    def reader(X, dout, seed, p):
        _, cache = run_forward(X, p, np.random.default_rng(seed))
        return backward(dout, cache)

    def fresh_mask(X, dout, seed, p):
        """The reader's own dX when it is right except that its zeros are elsewhere.

        That is: about a fraction p of zeros (a mask was applied), the others equal
        to dout / (1 - p), but not at the positions the forward pass dropped.
        """
        dX = np.asarray(reader(X, dout, seed, p), dtype=np.float64)
        keep = keep_of(X, seed, p)
        nonzero = dX != 0
        if (
            dX.shape == keep.shape
            and abs(1 - nonzero.mean() - p) < 0.1
            and not np.array_equal(nonzero, keep)
            and np.allclose(dX[nonzero], dout[nonzero] / (1 - p))
        ):
            return dX
        return np.full(dout.shape, np.nan)  # matches nothing

    mistakes = [
        (
            "The backward pass drew a new mask: its zeros are not where the forward "
            "pass dropped units. Keep the forward pass's mask in the cache and "
            "multiply by that one, dX = dout * keep / (1 - p).",
            fresh_mask,
        ),
        *(
            (message, lambda X, dout, seed, p, wrong=wrong: wrong(dout, X, seed, p))
            for message, wrong in _backward_mistakes(
                lambda dout, X, seed, p: keep_of(X, seed, p),
                lambda dout, X, seed, p: p,
            )
        ),
    ]
    return diagnose(
        "dropout_forward with dropout_backward",
        reader,
        _pair_cases(),
        lambda X, dout, seed, p: dout * keep_of(X, seed, p) / (1 - p),
        mistakes,
        tol=1e-12,
        hint="The backward pass multiplies dout by the mask the forward pass used, "
        "scaled like the kept units: dX = dout * keep / (1 - p).",
        hyperparameters=[Hyperparameter("p", 3, LIKELY_P)],
    )


def _eval_cases() -> list[Case]:
    """(X, p) with |X| >= 0.1, large enough for the statistics of a mask still drawn."""
    rng = np.random.default_rng(15)
    cases = []
    for shape, p in zip(((200, 150), (120, 250)), PS):
        X = rng.normal(size=shape)
        X += np.sign(X) * 0.1
        cases.append(Case((X, p)))
    return cases


def check_dropout_eval(fn) -> Feedback:
    """Check ``fn(X, p, rng, training) -> out``: inverted dropout in both modes.

    With ``training=True`` it is checked as :func:`check_dropout_forward` does; with
    ``training=False`` (evaluation mode) the output must be X itself: no mask and no
    scale, because inverted dropout already scaled the kept units during training.
    Shapes: X and out (m, n).
    """
    feedback = check_dropout_forward(lambda X, p, rng: fn(X, p, rng, True))
    if not feedback.passed:
        return Feedback(False, f"In training mode: {feedback.message}")

    def evaluate(X, p):
        return fn(X, p, np.random.default_rng(0), False)

    def still_dropping(X, p):
        """The reader's own output when it drops a fraction p and scales the rest."""
        out = np.asarray(evaluate(X, p), dtype=np.float64)
        if out.shape == X.shape:
            dropped, ratio = _statistics_of(out, X)
            if abs(dropped - p) < 0.02 and abs(ratio - 1 / (1 - p)) < 0.02:
                return out
        return np.full(X.shape, np.nan)  # matches nothing

    mistakes = [
        (
            "In evaluation mode the output was multiplied by (1 - p): that is the "
            "test-time rule of the older, non-inverted dropout. Inverted dropout "
            "already scaled the kept units by 1 / (1 - p) during training, so "
            "evaluation is the identity, out = X.",
            lambda X, p: X * (1 - p),
        ),
        (
            "In evaluation mode the output was divided by (1 - p): with no unit "
            "dropped there is nothing to compensate; evaluation is the identity, out = "
            "X.",
            lambda X, p: X / (1 - p),
        ),
        (
            "Units are still dropped in evaluation mode: dropout is a training-time "
            "noise; in evaluation every unit is kept and unscaled, out = X.",
            still_dropping,
        ),
        (
            "In evaluation mode the output was multiplied by p: evaluation is the "
            "identity, out = X.",
            lambda X, p: X * p,
        ),
        (
            "The output is all zeros in evaluation mode: return X itself.",
            lambda X, p: np.zeros_like(X),
        ),
    ]
    return diagnose(
        "dropout_layer in evaluation mode",
        evaluate,
        _eval_cases(),
        lambda X, p: X,
        mistakes,
        tol=1e-12,
        hint="In evaluation mode inverted dropout is the identity: return X unchanged.",
    )
