"""Checkers for the dropout exercises (chapter 12).

Inverted dropout with drop probability ``p``: ``keep = U >= p`` with U ~ Uniform(0, 1),
``out = X * keep / (1 - p)`` and, with the same ``keep``, ``dX = dout * keep / (1 -
p)``; in evaluation mode ``out = X``. The cases use p = 0.3 and p = 0.6 (never 0.5, so
that a drop probability read as a keep probability shows), so a p written into the
function is caught. The mistakes the checkers name: no rescaling, scaling by ``p`` (or
``1 / p``, or ``1 - p``) instead of ``1 / (1 - p)``, ``p`` used as the keep probability,
a mask not drawn from ``rng`` (a fixed pattern, a generator of its own), one mask shared
by every row or every column, a fixed number of units dropped per row, blocks dropped
together, the scaled mask returned without X, a fraction dropped for a p written into
the mask; in the backward pass a mask that is missing, inverted or drawn afresh, dout
left out, and a p written into the backward pass; in evaluation mode a mask still
drawn or a scale still applied, and the two modes swapped. The forward output is judged
by statistics with a computed false-failure probability (see :data:`FORWARD_SHAPE`).
"""

from __future__ import annotations

import functools

import numpy as np

from .feedback import (
    READER_ERRORS,
    AnswerError,
    Case,
    Feedback,
    Hyperparameter,
    as_array,
    call_quietly,
    checks,
    coarse_tol,
    diagnose,
    error_text,
)

P = 0.3  # the first case's p; not 0.5, so that a drop probability read as keep shows
PS = (P, 0.6)  # one p per case
LIKELY_P = (0.5, 0.2, 0.1, 0.3)


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
            "dX does not contain dout: keep / (1 - p) is only the local derivative; "
            "multiply it by the upstream gradient, dX = dout * keep / (1 - p).",
            lambda dout, *rest: keep_of(dout, *rest) / (1 - p_of(dout, *rest)),
        ),
        (
            "The mask is inverted: the gradient flows through the kept units "
            "(keep True), dX = dout * keep / (1 - p), and is 0 at the dropped ones.",
            lambda dout, *rest: dout * ~keep_of(dout, *rest) / (1 - p_of(dout, *rest)),
        ),
    ]


FRESH_MASK = (
    "The backward pass drew a new mask: its zeros are not where the forward pass "
    "dropped units. Multiply by the forward pass's mask, dX = dout * keep / (1 - p)."
)


class _Last:
    """The reader's function, remembering its last result for a mistake to inspect."""

    def __init__(self, fn):
        self.fn, self.result = fn, None
        functools.update_wrapper(self, fn)  # messages name fn's own arguments

    def __call__(self, *args):
        self.result = None
        self.result = self.fn(*args)
        return self.result

    def fresh_mask(self, dout, keep, p):
        """The reader's last dX when it is right but for where its zeros are.

        That is: some zeros, the other entries equal to dout / (1 - p), but the
        zeros not at the positions the forward pass dropped.
        """
        dX, why = as_array(self.result, "dX")
        if (
            why is None
            and dX.shape == keep.shape
            and 0 < np.mean(dX == 0) < 1
            and not np.array_equal(dX != 0, keep)
            and np.allclose(dX[dX != 0], dout[dX != 0] / (1 - p))
        ):
            return dX
        return np.full(dout.shape, np.nan)  # matches nothing


@checks("dropout_backward", ("dout", "keep", "p"))
def check_dropout_backward(fn) -> Feedback:
    """Check ``fn(dout, keep, p) -> dX`` for inverted dropout.

    ``keep`` is the boolean mask of the forward pass (True where a unit was kept) and
    ``p`` the drop probability; the forward pass was ``out = X * keep / (1 - p)``.
    Shapes: dout, keep, dX (m, n).
    """
    last = _Last(fn)
    return diagnose(
        "dropout_backward",
        last,
        _backward_cases(),
        lambda dout, keep, p: dout * keep / (1 - p),
        [
            *_backward_mistakes(lambda dout, keep, p: keep, lambda dout, keep, p: p),
            (FRESH_MASK, last.fresh_mask),
        ],
        tol=1e-12,
        hint="Multiply dout by the forward pass's mask and by its scale: "
        "dX = dout * keep / (1 - p), with the p passed in.",
        hyperparameters=[Hyperparameter("p", 2, LIKELY_P)],
    )


IGNORES_RNG = (
    "two calls with generators of the same seed dropped different units: the mask "
    "must be drawn from the rng argument (rng.random(X.shape)), not from "
    "np.random or a generator of its own, so that a seeded run is reproducible"
)

SAME_MASK = (
    "generators with different seeds dropped the same units: the mask ignores the "
    "rng argument (a fixed pattern, or a generator of its own such as "
    "np.random.default_rng(0)). Draw it from rng: keep = rng.random(X.shape) >= p."
)

# The forward output is judged from a large draw, X of shape (200, 300), for p = 0.3
# (seed 0) and p = 0.6 (seed 1). With keep[i, j] independent Bernoulli(1 - p):
# - the dropped fraction must lie within Z_FRACTION standard deviations of p; the
#   exact binomial probability of a right answer falling outside is 8.2e-11 (p = 0.3)
#   and 8.1e-11 (p = 0.6);
# - the dispersion of the kept counts, sum((K - n q)**2) / (n q (1 - q)) over the
#   rows (columns), with q the kept fraction, is close to chi2(200 - 1) (chi2(300 -
#   1)); it must lie in [0.4, 2] times its degrees of freedom; the chi2 probability
#   of falling outside is 3.6e-15 (rows) and 5e-22 (columns).
# The checker is deterministic given these seeds; over the ways a right answer may
# draw its mask (rng.random(X.shape) >= p, rng.binomial(1, 1 - p, X.shape), ...)
# the chance that one fails is below 2 * (8.2e-11 + 3.6e-15) < 2e-10.
FORWARD_SHAPE = (200, 300)
Z_FRACTION = 6.5
DISPERSION = (0.4, 2.0)


def _forward_inputs() -> list[np.ndarray]:
    """One X per case, with |X| >= 0.1, so that a zero output means a dropped unit."""
    rng = np.random.default_rng(12)
    inputs = []
    for _ in PS:
        X = rng.normal(size=FORWARD_SHAPE)
        inputs.append(X + np.sign(X) * 0.1)
    return inputs


def _as_output(out, X) -> tuple[np.ndarray, np.dtype]:
    """The output as a float64 array, and the dtype it was stored in."""
    if isinstance(out, tuple):
        raise AnswerError(
            f"returned a tuple of {len(out)}: this function returns only the output "
            "out (the (out, cache) pair belongs to the forward/backward exercise)"
        )
    array, why = as_array(out, "the output")
    if why is not None:
        raise AnswerError(why)
    if array.shape != X.shape:
        raise AnswerError(f"the output has shape {array.shape}, expected {X.shape}")
    if not np.all(np.isfinite(array)):
        raise AnswerError("the output has NaN or infinite values")
    return array, np.asarray(out).dtype


def _dispersion(kept: np.ndarray, axis: int) -> float:
    """sum((K - n q)**2) / (n q (1 - q)) over the kept counts K along ``axis``."""
    n = kept.shape[axis]
    q = kept.mean()
    counts = kept.sum(axis=axis)
    return float(np.sum((counts - n * q) ** 2) / (n * q * (1 - q)))


def _mask_shape_error(kept: np.ndarray) -> str | None:
    """Why ``kept`` is not a mask of independent draws, or None."""
    if np.all(kept == kept[:1]):
        return (
            "every row has the same mask: one mask was drawn per feature (e.g. "
            "rng.random(X.shape[1])) and shared by all the examples. Draw one "
            "value per unit, keep = rng.random(X.shape) >= p."
        )
    if np.all(kept == kept[:, :1]):
        return (
            "each row is kept or dropped whole: one value was drawn per example (e.g. "
            "rng.random((X.shape[0], 1))). Draw one value per unit, "
            "keep = rng.random(X.shape) >= p."
        )
    low, high = DISPERSION
    for axis, line in ((1, "row"), (0, "column")):
        dof = kept.shape[1 - axis] - 1
        statistic = _dispersion(kept, axis)
        if statistic < low * dof:
            return (
                f"the number of kept units varies too little from {line} to {line} "
                f"for independent draws (dispersion {statistic:.0f}, expected about "
                f"{dof}): dropout drops each unit on its own with probability p, "
                "keep = rng.random(X.shape) >= p, not a fixed number or pattern per "
                f"{line}."
            )
        if statistic > high * dof:
            return (
                f"the number of kept units varies too much from {line} to {line} for "
                f"independent draws (dispersion {statistic:.0f}, expected about "
                f"{dof}): whole blocks of units are dropped together. Draw one value "
                "per unit, keep = rng.random(X.shape) >= p."
            )
    return None


def _predicted(dropped, kept_value):
    """A forward mistake: the fraction ``dropped(p)``, the scale ``kept_value(p)``."""
    return dropped, kept_value


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
    (
        "No unit was dropped, but every unit was scaled: draw the mask from rng, "
        "keep = rng.random(X.shape) >= p, and return X * keep / (1 - p).",
        _predicted(lambda p: 0.0, lambda p: 1 / (1 - p)),
    ),
]


def _fits(dropped, scale, p, want_dropped, want_scale, scale_tol) -> bool:
    """Whether (dropped, scale) is what a mask dropping ``want_dropped`` gives."""
    size = FORWARD_SHAPE[0] * FORWARD_SHAPE[1]
    sd = np.sqrt(want_dropped * (1 - want_dropped) / size)
    return abs(dropped - want_dropped) <= Z_FRACTION * sd + 1e-12 and abs(
        scale - want_scale
    ) <= scale_tol * abs(want_scale)


SCALE_TOL = 1e-9  # the kept units must be X times one scale to this relative spread


def _coarse_forward(name, dtype, p) -> str:
    """The feedback for a forward output right but for its coarse ``dtype``."""
    return (
        f"{name}: return float64: the output is {dtype}, which keeps about "
        f"{np.finfo(dtype).precision} significant digits, so the checker cannot tell "
        f"its rounding from a slightly wrong scale at the {SCALE_TOL:g} agreement "
        f"with 1 / (1 - p) = {1 / (1 - p):.6g} this exercise checks. Compute in "
        "float64, numpy's default dtype."
    )


def _judge_forward_case(name, fn, X, seed, p) -> str | None:
    """The message for what is wrong with ``fn(X, p, rng)`` on this case, or None.

    An output stored in float32 is judged to that dtype's rounding, to name its
    mistake; if it has none, the message asks for float64 (it never passes).
    """

    def call(seed):
        return call_quietly(fn, X.copy(), p, np.random.default_rng(seed))

    out, dtype = _as_output(call(seed), X)
    why = _judge_output(name, call, out, X, seed, p, max(SCALE_TOL, coarse_tol(dtype)))
    if why is None and coarse_tol(dtype) > 0:
        return _coarse_forward(name, dtype, p)
    return why


def _judge_output(name, call, out, X, seed, p, scale_tol) -> str | None:
    """What is wrong with the forward output ``out`` of ``call(seed)``, or None.

    The kept units must be X times one scale to ``scale_tol``.
    """
    again, _ = _as_output(call(seed), X)
    if not np.array_equal(out, again):
        return f"{name}: {IGNORES_RNG}."
    kept = out != 0
    if not kept.any():
        return f"{name}: the output is all zeros: keep a fraction 1 - p of the units."
    ratio = out[kept] / X[kept]
    scale = float(ratio.mean())
    values = out[kept]
    if np.ptp(values) <= scale_tol * abs(values[0]) and np.ptp(X[kept]) > 0:
        return (
            f"{name}: every kept unit has the value {values[0]:.4g}: the output is the "
            "scaled mask without X. Return X * keep / (1 - p)."
        )
    if np.ptp(ratio) > scale_tol * abs(scale):
        return (
            f"{name}: the kept units are not X times one number (out / X ranges from "
            f"{ratio.min():.3g} to {ratio.max():.3g}): return X * keep / (1 - p), "
            "the input itself, masked and scaled."
        )
    dropped = 1 - float(kept.mean())
    if 0 < dropped:
        other, _ = _as_output(call(seed + 100), X)
        if np.array_equal(other != 0, kept):
            return f"{name}: {SAME_MASK}"
        why = _mask_shape_error(kept)
        if why is not None:
            return f"{name}: {why}"
    if _fits(dropped, scale, p, p, 1 / (1 - p), scale_tol):
        return None
    for message, (want_dropped, want_scale) in FORWARD_MISTAKES:
        if _fits(dropped, scale, p, want_dropped(p), want_scale(p), scale_tol):
            return message
    for other in dict.fromkeys(LIKELY_P + PS):
        if other != p and _fits(dropped, scale, p, other, 1 / (1 - p), scale_tol):
            return (
                f"{name}: the mask drops a fraction {dropped:.3f} of the units, as p = "
                f"{other:g} would, but this call passed p = {p:g} (the scale "
                "1 / (1 - p) is right): draw keep = rng.random(X.shape) >= p with the "
                "p passed in, not a number written into the mask (or rng.integers(0, "
                "2))."
            )
        if other != p and _fits(dropped, scale, p, other, 1 / (1 - other), scale_tol):
            return (
                f"{name}: p seems hard-coded: the answer drops a fraction "
                f"{dropped:.3f} and scales by {scale:.4g}, as p = {other:g} would, but "
                f"this call passed p = {p:g}. Use the argument p, never a number "
                "written into the function."
            )
    return (
        f"{name}: with p = {p:g} it dropped a fraction {dropped:.3f} of the units and "
        f"scaled the kept ones by {scale:.4g}; expected a fraction p (within "
        f"{Z_FRACTION:g} standard deviations of sampling noise) and a scale "
        f"1 / (1 - p) = {1 / (1 - p):.4g}. {FORWARD_HINT}"
    )


FORWARD_HINT = (
    "Compare the fraction of zeros and the value of the kept units with p and "
    "1 / (1 - p), for the p passed in."
)


def _judge_forward(name, fn) -> Feedback:
    """Run :func:`_judge_forward_case` on every case; errors become feedback."""
    for seed, (X, p) in enumerate(zip(_forward_inputs(), PS)):
        try:
            why = _judge_forward_case(name, fn, X, seed, p)
        except NotImplementedError:
            return Feedback(
                False,
                f"{name} is not written yet: replace the `raise NotImplementedError`.",
            )
        except AnswerError as error:
            return Feedback(False, " ".join(f"{name}: {error}.".split()))
        except READER_ERRORS as error:  # any error is feedback
            return Feedback(False, f"{name} raised {error_text(error)}")
        if why is not None:
            return Feedback(False, why)
    return Feedback(True, f"{name} matches the reference on {len(PS)} random inputs.")


@checks("dropout_forward", ("X", "p", "rng"))
def check_dropout_forward(fn) -> Feedback:
    """Check ``fn(X, p, rng) -> out`` for inverted dropout, from a large draw.

    On X of shape (200, 300) (|X| >= 0.1) for p = 0.3 and p = 0.6, it checks that the
    kept units are X times one scale, 1 / (1 - p); that the fraction dropped is p
    within sampling noise; that the mask comes from ``rng`` (the same seed gives the
    same output, another seed another mask); and that the kept counts per row and
    per column vary as independent draws do (not one mask shared by every row or
    column, not a fixed pattern). A right answer fails with probability below 2e-10
    (see the comment above :data:`FORWARD_SHAPE`).
    """
    return _judge_forward("dropout_forward", fn)


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


@checks("dropout_forward", ("X", "p", "rng"), "dropout_backward", ("dout", "cache"))
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
    try:  # each call on its own copy of X, its output copied: no aliasing
        first, second = (
            np.array(
                call_quietly(run_forward, X.copy(), P, np.random.default_rng(7))[0],
                dtype=float,
            )
            for _ in range(2)
        )
    except AnswerError as error:
        return Feedback(False, " ".join(f"dropout_forward: {error}.".split()))
    except READER_ERRORS as error:
        return Feedback(
            False,
            f"dropout_forward raised {error_text(error)} on X of shape {X.shape}",
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

    last = _Last(reader)

    def fresh_mask(X, dout, seed, p):
        return last.fresh_mask(dout, keep_of(X, seed, p), p)

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
        *(
            (
                "dropout_backward: p seems hard-coded: dX matches dout * keep / (1 - "
                f"{other:g}) with the forward pass's own mask, but this call passed "
                "another p. Store p (or the scaled mask keep / (1 - p)) in the cache "
                "and read it from there.",
                lambda X, dout, seed, p, other=other: (
                    dout * keep_of(X, seed, p) / (1 - other)
                    if other != p
                    else np.full(dout.shape, np.nan)
                ),
            )
            for other in dict.fromkeys(LIKELY_P + PS)
        ),
    ]
    return diagnose(
        "dropout_forward with dropout_backward",
        last,
        _pair_cases(),
        lambda X, dout, seed, p: dout * keep_of(X, seed, p) / (1 - p),
        mistakes,
        tol=1e-12,
        hint="The backward pass multiplies dout by the mask the forward pass used, "
        "scaled like the kept units: dX = dout * keep / (1 - p).",
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


@checks("dropout_layer", ("X", "p", "rng", "training"))
def check_dropout_eval(fn) -> Feedback:
    """Check ``fn(X, p, rng, training) -> out``: inverted dropout in both modes.

    With ``training=True`` it is checked as :func:`check_dropout_forward` does; with
    ``training=False`` (evaluation mode) the output must be X itself: no mask and no
    scale, because inverted dropout already scaled the kept units during training.
    Shapes: X and out (m, n).
    """
    name = getattr(fn, "__name__", "your function")
    feedback = _judge_forward(name, lambda X, p, rng: fn(X, p, rng, True))
    if not feedback.passed:
        swapped = _judge_forward(name, lambda X, p, rng: fn(X, p, rng, False))
        if swapped.passed:
            return Feedback(
                False,
                "The modes are swapped: units are dropped when training is False and "
                "not when it is True. Drop and scale in training (training=True); "
                "return X unchanged in evaluation (training=False).",
            )
        return Feedback(False, f"In training mode: {feedback.message}")

    def evaluate(X, p):
        return fn(X, p, np.random.default_rng(0), False)

    def still_dropping(X, p):
        """The reader's own output when some, not all, of its units are zero."""
        out, why = as_array(evaluate(X, p), "out")
        if why is None and out.shape == X.shape and 0 < np.mean(out == 0) < 1:
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
