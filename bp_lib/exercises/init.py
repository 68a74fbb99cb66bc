"""Checkers for the initialisation exercises (chapter 9).

An initialiser returns random numbers, so these checkers compare *statistics* of a large
seeded draw with what each formula, right or wrong, predicts. The statistics are

    (mean, std, mean |w|)

of a large seeded draw: the mean catches a shifted range such as U(0, a), the std the
scale, and ``mean |w| / std`` the shape of the distribution (sqrt(2 / pi) = 0.80 for a
normal, sqrt(3) / 2 = 0.87 for a uniform), so a uniform draw with the right variance
does not pass for a normal one. An answer whose mean and std are right but whose shape
is wrong is told so, the shape named from its kurtosis (normal 3, triangular 2.4,
uniform 1.8). Fan-in and fan-out differ on purpose, so mixing them up is caught, and
the two cases have different fans (400 x 100, then 300 x 600), so a fan written into
the function as a number is caught too.

Tolerance. Each case pools :data:`DRAWS` = 16 calls of the initialiser (generators
seeded ``[seed, j]``): 640,000 weights for 400 x 100, 2,880,000 for 300 x 600. The
standard error of the pooled std is then std / sqrt(2 N), 0.09 % and 0.04 %; that of the
mean is std / sqrt(N), 0.13 % and 0.06 % of the std. The statistics are compared by
``bp.relative_error`` (norm of the difference over the sum of the norms), so a std
off by a fraction x gives a relative error of about x / 2. Measured over 300 generator
seeds, a right answer drawn from its own stream gives 0.0006 on average, 0.0014 at the
99th percentile and 0.0018 at most on the 400 x 100 case (0.0008 at most on 300 x
600). The tolerance :data:`TOL` = 0.003 is 1.7 times that largest error, while a std
1 % off (relative error 0.005) fails, and the named mistakes (3 % or more apart) are
told apart from one another.

:func:`check_block_backward` checks the backward pass of one ``Dense -> ReLU`` block,
whose variance the chapter's backward argument describes.
"""

from __future__ import annotations

import numpy as np

from ..activations import relu_backward, relu_forward
from ..dense import dense_backward, dense_forward
from .feedback import (
    AnswerError,
    Case,
    Feedback,
    Hyperparameter,
    as_array,
    call_quietly,
    checks,
    diagnose,
)

N_IN, N_OUT = 400, 100  # unequal on purpose: fan-in and fan-out mistakes then differ
SHAPES = ((N_IN, N_OUT), (300, 600))  # one per case; 400 + 100 is no fan of case 2
SEEDS = (0, 1)
DRAWS = 16  # calls pooled per case (see the module docstring for the tolerance)
TOL = 0.003  # on the relative error of (mean, std, mean |w|): a std 1 % off fails
KURTOSIS = {"uniform": 1.8, "triangular": 2.4, "normal": 3.0, "Laplace": 6.0}
HINT = (
    "Compare the mean, the standard deviation and the shape (normal or uniform) of "
    "your draw with the formula, computed from the n_in and n_out passed in."
)


def _draw(fn, rng, n_in: int, n_out: int) -> np.ndarray:
    """``fn(n_in, n_out, rng)`` as a float64 array; AnswerError if it is not one."""
    W, why = as_array(fn(n_in, n_out, rng), "the array returned")
    if why is not None:
        raise AnswerError(why)
    if W.shape != (n_in, n_out):
        raise AnswerError(
            f"the initialiser returned shape {W.shape}, expected "
            f"(n_in, n_out) = ({n_in}, {n_out})"
        )
    if not np.all(np.isfinite(W)):
        raise AnswerError(
            f"the array returned holds {int(np.sum(~np.isfinite(W)))} NaN or "
            "infinite weight(s): every weight must be a finite draw"
        )
    return W


def _moments(fn, seed: int, n_in: int, n_out: int, draws: int) -> np.ndarray:
    """Pooled ``[E w, E w**2, E |w|, E w**4, max |w|]`` over ``draws`` calls of fn.

    Call ``j`` gets ``default_rng([seed, j])``.
    """
    totals = np.zeros(5)
    for j in range(draws):
        W = _draw(fn, np.random.default_rng([seed, j]), n_in, n_out)
        totals[:4] += [W.mean(), (W**2).mean(), np.abs(W).mean(), (W**4).mean()]
        totals[4] = max(totals[4], np.abs(W).max())
    return np.concatenate([totals[:4] / draws, totals[4:]])


def draw_statistics(
    fn, seed: int, n_in: int = N_IN, n_out: int = N_OUT, draws: int = DRAWS
):
    """``[mean, std, mean |w|]`` of ``draws`` pooled calls of the initialiser.

    Call ``j`` is ``fn(n_in, n_out, default_rng([seed, j]))``; shape (3,).
    :class:`AnswerError` if ``fn`` does not return an ``(n_in, n_out)`` array of
    real numbers.
    """
    mean, second, mean_abs, *_ = _moments(fn, seed, n_in, n_out, draws)
    return np.array([mean, np.sqrt(max(second - mean**2, 0.0)), mean_abs])


def _shape_message(name, fn, right, wanted: str) -> str | None:
    """A message for a centred draw whose std or shape alone is wrong, or None.

    A std a few per cent off (with the right shape) is named with its size; a right
    std with another shape is named by its kurtosis.

    ``wanted`` is the shape the exercise asks for ("normal" or "uniform").
    """
    seed, (n_in, n_out) = SEEDS[0], SHAPES[0]
    mean, second, mean_abs, fourth, largest = _moments(fn, seed, n_in, n_out, DRAWS)
    std = np.sqrt(max(second - mean**2, 0.0))
    want = right(seed, n_in, n_out)
    if abs(mean - want[0]) >= 2 * TOL * want[1]:
        return None
    off = std / want[1] - 1
    if abs(off) >= 2 * TOL:
        ratio = {"normal": np.sqrt(2 / np.pi), "uniform": np.sqrt(3) / 2}[wanted]
        if abs(off) > 0.1 or abs(mean_abs / std - ratio) > 0.01:
            return None
        return (
            f"{name}: the draw is {wanted} and centred, but its standard deviation is "
            f"{abs(off):.1%} too {'large' if off > 0 else 'small'} ({std:.5f} for "
            f"n_in = {n_in}, n_out = {n_out}; the formula gives {want[1]:.5f}): look "
            "for a constant slightly off (rounded, or a nearby formula)."
        )
    kurtosis = fourth / second**2 if second > 0 else np.nan
    shape = min(KURTOSIS, key=lambda k: abs(np.log(KURTOSIS[k] / kurtosis)))
    if shape == wanted:
        return None  # its shape is the wanted one: what is wrong is not said here
    if abs(np.log(KURTOSIS[shape] / kurtosis)) > 0.1:
        shape = "is neither normal nor uniform"
    else:
        shape = f"looks {shape}"
    if wanted == "uniform":
        limit = want[1] * np.sqrt(3)
        target = f"uniform on [-a, a], a = {limit:.4f} here"
        extra = f", max |w| {largest / limit:.2f} a"
        fix = "rng.uniform(-a, a, size=(n_in, n_out))"
    else:
        target = "normal"
        extra = ""
        fix = "rng.normal(0.0, std, size=(n_in, n_out))"
    return (
        f"{name}: the mean and the standard deviation are right, but the draw is not "
        f"{target}: its kurtosis E w^4 / (E w^2)^2 is {kurtosis:.2f} (uniform 1.8, "
        f"triangular 2.4, normal 3){extra}; mean |w| / std is {mean_abs / std:.3f} "
        f"(uniform 0.866, normal 0.798). It {shape}. Draw with {fix}."
    )


def normal_statistics(std, mean: float = 0.0):
    """What ``N(mean, std**2)`` predicts for :func:`draw_statistics` (mean 0 for |w|).

    ``std`` is a number or a function ``std(n_in, n_out)``.
    """
    spread = std if callable(std) else (lambda n_in, n_out: std)

    def predicted(seed, n_in=N_IN, n_out=N_OUT):
        s = spread(n_in, n_out)
        return np.array([mean, s, s * np.sqrt(2 / np.pi)])

    return predicted


def uniform_statistics(low, high):
    """What ``U(low, high)``, ``low <= 0 <= high``, predicts for draw_statistics.

    ``low`` and ``high`` are numbers or functions of ``(n_in, n_out)``.
    """

    def bound(b, n_in, n_out):
        return b(n_in, n_out) if callable(b) else b

    def predicted(seed, n_in=N_IN, n_out=N_OUT):
        lo, hi = bound(low, n_in, n_out), bound(high, n_in, n_out)
        mean_abs = (lo**2 + hi**2) / (2 * (hi - lo))
        return np.array([(lo + hi) / 2, (hi - lo) / np.sqrt(12), mean_abs])

    return predicted


def _check(name, fn, right, mistakes, shape: str) -> Feedback:
    cases = [Case((seed, *shape)) for seed, shape in zip(SEEDS, SHAPES)]

    def user(seed, n_in, n_out):
        first, second = (
            _draw(fn, np.random.default_rng([seed, j]), n_in, n_out) for j in (0, 1)
        )
        if np.array_equal(first, second):
            raise AnswerError(
                "generators with different seeds gave the same weights: the draw "
                "ignores the rng argument (a generator of its own, or a fixed seed), "
                "so every layer of a shape would start alike. Draw from the rng "
                "passed in (rng.normal, rng.uniform)"
            )
        statistics = draw_statistics(fn, seed, n_in, n_out)
        if not np.array_equal(statistics, draw_statistics(fn, seed, n_in, n_out)):
            raise AnswerError(
                "two calls with generators of the same seed gave different weights: "
                "draw from the rng passed in (rng.normal, rng.uniform), not from "
                "np.random, so that a seeded initialisation is reproducible"
            )
        return statistics

    feedback = diagnose(
        name,
        user,
        cases,
        right,
        mistakes,
        tol=TOL,
        hint=HINT,
        hyperparameters=[
            Hyperparameter("n_in", 1, (N_IN, N_OUT, 256, 784)),
            Hyperparameter("n_out", 2, (N_OUT, 10)),
        ],
    )
    if not feedback.passed and feedback.message.endswith(HINT):
        try:
            message = call_quietly(_shape_message, name, fn, right, shape)
        except Exception:  # noqa: BLE001 - the diagnosis above already stands
            message = None
        if message is not None:
            return Feedback(False, message)
    return feedback


@checks("he_normal", ("n_in", "n_out", "rng"))
def check_he_normal(fn) -> Feedback:
    """Check ``fn(n_in, n_out, rng) -> W``: a He normal draw, ``N(0, 2 / n_in)``.

    The standard deviation is ``sqrt(2 / n_in)``. The draw is judged on 16 pooled
    calls per case (640,000 and 2,880,000 weights), to a relative error of 0.003 on
    (mean, std, mean |w|): a std 1 % off fails, while a right answer's sampling error
    is about 0.0006 (0.0018 at most over 300 seeds); see the module docstring.
    """

    def he_std(n_in, n_out):
        return np.sqrt(2 / n_in)

    mistakes = [
        (
            "The variance 2/n_in was used as the standard deviation: N(0, sqrt(2/n)) "
            "names the std, and rng.normal takes the std, so pass "
            "scale=np.sqrt(2 / n_in).",
            normal_statistics(lambda n_in, n_out: 2 / n_in),
        ),
        (
            "The fan-out n_out was used: He keeps the forward variance, which sums "
            "over the n_in inputs of a unit, so std = sqrt(2 / n_in).",
            normal_statistics(lambda n_in, n_out: np.sqrt(2 / n_out)),
        ),
        (
            "n_in + n_out is Xavier's denominator; He uses std = sqrt(2 / n_in).",
            normal_statistics(lambda n_in, n_out: np.sqrt(2 / (n_in + n_out))),
        ),
        (
            "The factor 2 is missing: that is LeCun's std, sqrt(1 / n_in); ReLU halves "
            "the second moment, so He doubles the variance back: std = sqrt(2 / n_in).",
            normal_statistics(lambda n_in, n_out: np.sqrt(1 / n_in)),
        ),
        (
            "The draw is uniform (He uniform); the exercise asks for a normal draw: "
            "rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)).",
            uniform_statistics(
                lambda n_in, n_out: -np.sqrt(3) * he_std(n_in, n_out),
                lambda n_in, n_out: np.sqrt(3) * he_std(n_in, n_out),
            ),
        ),
        (
            "The square root is missing: the std is sqrt(2 / n_in), not 2 / n_in "
            "(that is the variance) nor sqrt(2) / n_in.",
            normal_statistics(lambda n_in, n_out: np.sqrt(2) / n_in),
        ),
        (
            "The draw is standard normal, N(0, 1): scale it by sqrt(2 / n_in).",
            normal_statistics(1.0),
        ),
    ]
    return _check("he_normal", fn, normal_statistics(he_std), mistakes, "normal")


@checks("xavier_uniform", ("n_in", "n_out", "rng"))
def check_xavier_uniform(fn) -> Feedback:
    """Check ``fn(n_in, n_out, rng) -> W``: a Xavier uniform draw.

    That is ``U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``. Judged like
    :func:`check_he_normal`, on 16 pooled calls per case to a relative error of 0.003.
    """

    def limit(n_in, n_out):
        return np.sqrt(6 / (n_in + n_out))

    def symmetric(a):
        return uniform_statistics(lambda n, m: -a(n, m), a)

    mistakes = [
        (
            "The limit is the standard deviation sqrt(2 / (n_in + n_out)); U(-a, a) "
            "has std a / sqrt(3), so the limit must be sqrt(3) times the std: a = "
            "sqrt(6 / (n_in + n_out)).",
            symmetric(lambda n, m: np.sqrt(2 / (n + m))),
        ),
        (
            "The square root is missing: the limit is a = sqrt(6 / (n_in + n_out)), "
            "not 6 / (n_in + n_out).",
            symmetric(lambda n, m: 6 / (n + m)),
        ),
        (
            "Only n_in was used (that is He uniform, sqrt(6 / n_in)): Xavier averages "
            "the fans, a = sqrt(6 / (n_in + n_out)).",
            symmetric(lambda n, m: np.sqrt(6 / n)),
        ),
        (
            "Only n_out was used: Xavier averages the fans, "
            "a = sqrt(6 / (n_in + n_out)).",
            symmetric(lambda n, m: np.sqrt(6 / m)),
        ),
        (
            "This is LeCun uniform, a = sqrt(3 / n_in): its limit uses only n_in. "
            "Xavier averages the two fans, a = sqrt(6 / (n_in + n_out)).",
            symmetric(lambda n, m: np.sqrt(3 / n)),
        ),
        (
            "The range is [0, a]: the weights must be centred, drawn from U(-a, a).",
            uniform_statistics(0.0, limit),
        ),
        (
            "The draw is normal with the right variance (Xavier normal); the exercise "
            "asks for a uniform draw: rng.uniform(-a, a, size=(n_in, n_out)).",
            normal_statistics(lambda n, m: limit(n, m) / np.sqrt(3)),
        ),
        (
            "The draw is U(0, 1) or U(-1, 1), unscaled: the limit is "
            "a = sqrt(6 / (n_in + n_out)).",
            uniform_statistics(-1.0, 1.0),
        ),
    ]
    return _check("xavier_uniform", fn, symmetric(limit), mistakes, "uniform")


def _block_cases(seed: int) -> list[Case]:
    """Random (dA, X, W).

    With n_in != n_out, so a missing transpose cannot go unnoticed.
    """
    rng = np.random.default_rng(seed)
    return [
        Case(
            (
                rng.normal(size=(m, n_out)),
                rng.normal(size=(m, n_in)),
                rng.normal(size=(n_in, n_out)),
            )
        )
        for m, n_in, n_out in ((6, 5, 3), (4, 2, 7), (9, 8, 4))
    ]


def _block_reference(dA, X, W):
    """The gradient dX of ``A = relu(X @ W)`` for upstream ``dA``.

    Computed by bp_lib's own (gradient-checked) pairs.
    """
    Z, dense_cache = dense_forward(X, W, np.zeros(W.shape[1]))
    _, relu_cache = relu_forward(Z)
    return dense_backward(relu_backward(dA, relu_cache), dense_cache)[0]


@checks("block_backward", ("dA", "X", "W"))
def check_block_backward(fn) -> Feedback:
    """Check ``fn(dA, X, W) -> dX`` for one block ``A = relu(X @ W)``.

    The answer is ``dX = (dA * (X @ W > 0)) @ W.T``.

    Shapes: dA (m, n_out), X (m, n_in), W (n_in, n_out) -> dX (m, n_in).
    """
    mistakes = [
        (
            "The ReLU mask is missing: the gradient only flows through units that were "
            "on, dX = (dA * (Z > 0)) @ W.T with Z = X @ W.",
            lambda dA, X, W: dA @ W.T,
        ),
        (
            "The ReLU mask is taken from dA; it must come from the forward pass, Z = X "
            "@ W: dA * (Z > 0).",
            lambda dA, X, W: (dA * (dA > 0)) @ W.T,
        ),
        (
            "The mask was taken from the input X after the product; mask first, with Z "
            "= X @ W: dX = (dA * (Z > 0)) @ W.T.",
            lambda dA, X, W: (dA @ W.T) * (X > 0),
        ),
        (
            "The ReLU was applied to the product, relu(dA @ W.T): the mask comes from "
            "Z = X @ W, and is applied to dA before the product.",
            lambda dA, X, W: np.maximum(dA @ W.T, 0),
        ),
        (
            "W is not transposed: the gradient goes back through W.T, "
            "dX = (dA * (Z > 0)) @ W.T, shape (m, n_in).",
            lambda dA, X, W: (dA * (X @ W > 0)) @ W,
        ),
        (
            "This is dW = X.T @ dZ, the gradient of the weights; the exercise asks for "
            "dX = (dA * (Z > 0)) @ W.T, the gradient of the input.",
            lambda dA, X, W: X.T @ (dA * (X @ W > 0)),
        ),
    ]
    return diagnose(
        "block_backward",
        fn,
        _block_cases(7),
        _block_reference,
        mistakes,
        hint=(
            "Check each factor of the chain rule through the block: "
            "dZ = dA * (Z > 0) with Z = X @ W, then dX = dZ @ W.T."
        ),
    )
