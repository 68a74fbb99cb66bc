"""Checkers for the chain-rule exercises (chapter 1)."""

from __future__ import annotations

import math

import numpy as np

from .feedback import Case, Feedback, checks, diagnose


def _neuron(x1, x2, w1, w2, b) -> float:
    return math.tanh(w1 * x1 + w2 * x2 + b)


def _numerical_neuron_gradient(x1, x2, w1, w2, b, eps=1e-6):
    """(do/dw1, do/dw2, do/db) by centred differences."""

    def d(index):
        args_plus = [x1, x2, w1, w2, b]
        args_minus = list(args_plus)
        args_plus[index] += eps
        args_minus[index] -= eps
        return (_neuron(*args_plus) - _neuron(*args_minus)) / (2 * eps)

    return d(2), d(3), d(4)


def _z(x1, x2, w1, w2, b) -> float:
    return w1 * x1 + w2 * x2 + b


@checks("neuron_gradient", ("x1", "x2", "w1", "w2", "b"))
def check_neuron_gradient(fn) -> Feedback:
    """Check ``fn(x1, x2, w1, w2, b) -> (dw1, dw2, db)`` of a tanh neuron.

    The neuron is ``o = tanh(w1 x1 + w2 x2 + b)``.
    """
    rng = np.random.default_rng(1)
    cases = [
        Case(tuple(float(v) for v in rng.uniform(-1.5, 1.5, size=5))) for _ in range(4)
    ]

    def local(*args):
        return 1 - math.tanh(_z(*args)) ** 2

    mistakes = [
        (
            "The derivative of tanh was taken as 1 - z**2 with z the pre-activation; "
            "it is 1 - tanh(z)**2 = 1 - o**2, written with the output o.",
            lambda x1, x2, w1, w2, b: tuple(
                (1 - _z(x1, x2, w1, w2, b) ** 2) * v for v in (x1, x2, 1.0)
            ),
        ),
        (
            "The local derivative of tanh is missing: multiply by do/dz = 1 - o**2.",
            lambda x1, x2, w1, w2, b: (x1, x2, 1.0),
        ),
        (
            "The derivative of tanh was written 1 - tanh(z); it is 1 - tanh(z)**2.",
            lambda x1, x2, w1, w2, b: tuple(
                (1 - math.tanh(_z(x1, x2, w1, w2, b))) * v for v in (x1, x2, 1.0)
            ),
        ),
        (
            "dz/dw1 is x1 (the input that w1 multiplies), not x2: the inputs are "
            "swapped.",
            lambda x1, x2, w1, w2, b: tuple(
                local(x1, x2, w1, w2, b) * v for v in (x2, x1, 1.0)
            ),
        ),
        (
            "The gradients with respect to the weights were given as w times the local "
            "derivative; dz/dw1 = x1, the other factor of the product.",
            lambda x1, x2, w1, w2, b: tuple(
                local(x1, x2, w1, w2, b) * v for v in (w1, w2, 1.0)
            ),
        ),
        (
            "This is the sigmoid's derivative pattern o(1 - o); for tanh it is "
            "do/dz = 1 - o**2.",
            lambda x1, x2, w1, w2, b: tuple(
                math.tanh(_z(x1, x2, w1, w2, b))
                * (1 - math.tanh(_z(x1, x2, w1, w2, b)))
                * v
                for v in (x1, x2, 1.0)
            ),
        ),
        (
            "The sign is flipped: do/dz = 1 - o**2 is positive, so do/dw1 has the sign "
            "of x1.",
            lambda x1, x2, w1, w2, b: tuple(
                -local(x1, x2, w1, w2, b) * v for v in (x1, x2, 1.0)
            ),
        ),
        (
            "do/db is 1 - o**2 (dz/db = 1), not 0 or 1: the bias also passes through "
            "tanh.",
            lambda x1, x2, w1, w2, b: (
                local(x1, x2, w1, w2, b) * x1,
                local(x1, x2, w1, w2, b) * x2,
                1.0,
            ),
        ),
    ]
    return diagnose(
        "neuron_gradient",
        fn,
        cases,
        _numerical_neuron_gradient,
        mistakes,
        hint=(
            "Check each factor of the chain rule against the derivation: "
            "do/dw1 = do/dz * dz/dw1 = (1 - o**2) * x1, and likewise for w2 and b."
        ),
    )


def _shared(x, y) -> float:
    """f(x, y) = (x*y + x) * exp(y): x and y are each used twice."""
    return (x * y + x) * math.exp(y)


def _numerical_shared_gradient(x, y, eps=1e-6):
    """(df/dx, df/dy) of :func:`_shared` by centred differences."""
    return (
        (_shared(x + eps, y) - _shared(x - eps, y)) / (2 * eps),
        (_shared(x, y + eps) - _shared(x, y - eps)) / (2 * eps),
    )


def _shared_cases() -> list[Case]:
    """Four random (x, y).

    Away from the points where two path terms coincide or vanish.
    """
    rng = np.random.default_rng(3)
    cases = []
    while len(cases) < 4:
        x, y = (float(v) for v in rng.uniform(-1.5, 1.5, size=2))
        if (
            min(
                abs(x),
                abs(y),
                abs(y + 1),
                abs(y + 2),
                abs(x - y),
                abs(x + y),
                abs(x - 1),
                abs(y - 1),
            )
            > 0.3
        ):
            cases.append(Case((x, y)))
    return cases


def _shared_path_terms(x, y) -> dict[str, float]:
    """The four path products of f = s * r, s = q + x, q = x*y, r = exp(y).

    df/dx = (x through q) + (x directly into s); df/dy = (y through q) + (y through r).
    """
    r = math.exp(y)
    s = x * y + x
    return {"x via q": y * r, "x direct": r, "y via q": x * r, "y via r": s * r}


#: What each dropped path term is, for the accumulation messages.
_PATH_NAMES = {
    "x via q": "df/dx lacks the path through q = x*y (the term y*exp(y))",
    "x direct": "df/dx lacks the direct path x -> s (the term exp(y))",
    "y via q": "df/dy lacks the path through q = x*y (the term x*exp(y))",
    "y via r": "df/dy lacks the path through r = exp(y) (the term (x*y + x)*exp(y))",
}


def _dropped_paths_mistakes() -> list:
    """One (message, wrong_fn) per way of losing path terms of x and/or y.

    A term is lost by overwriting a gradient instead of adding to it.
    """
    mistakes = []
    for x_kept in (("x via q",), ("x direct",), ("x via q", "x direct")):
        for y_kept in (("y via q",), ("y via r",), ("y via q", "y via r")):
            dropped = [k for k in _PATH_NAMES if k not in x_kept + y_kept]
            if not dropped:
                continue
            message = (
                "A node used twice kept only one of its contributions: "
                + "; ".join(_PATH_NAMES[k] for k in dropped)
                + ". Every use of a node adds a term (multivariate chain rule): "
                "accumulate with +=, never overwrite with =."
            )

            def wrong(x, y, x_kept=x_kept, y_kept=y_kept):
                terms = _shared_path_terms(x, y)
                return sum(terms[k] for k in x_kept), sum(terms[k] for k in y_kept)

            mistakes.append((message, wrong))
    return mistakes


@checks("shared_node_gradient", ("x", "y"))
def check_shared_node_gradient(fn) -> Feedback:
    """Check ``fn(x, y) -> (df/dx, df/dy)`` for ``f = (x*y + x) * exp(y)``.

    The reference is centred differences.

    The intended solution is a reverse sweep by hand over q = x*y, s = q + x, r =
    exp(y), f = s * r. The messages name the usual mistakes: the product's local
    derivatives swapped, a path of a node used twice lost, an upstream factor left out.
    """

    def right(x, y):
        t = _shared_path_terms(x, y)
        return t["x via q"] + t["x direct"], t["y via q"] + t["y via r"]

    swapped = (
        "The local derivatives of the product q = x*y are swapped: dq/dx is y, the "
        "*other* factor, and dq/dy is x (d(x*y)/dx = x is the classic slip)."
    )
    r_upstream = (
        "The term through r = exp(y) lacks its upstream factor: it is dr/dy * df/dr = "
        "exp(y) * s, with df/dr = s = x*y + x, not exp(y) alone."
    )
    s_upstream = (
        "The terms that pass through s = q + x lack the upstream factor "
        "df/ds = exp(y): df/dx = (y + 1) * exp(y), not y + 1."
    )
    mistakes = [
        (
            swapped,
            lambda x, y: (
                x * math.exp(y) + math.exp(y),
                right(x, y)[1] - x * math.exp(y) + y * math.exp(y),
            ),
        ),
        (swapped, lambda x, y: (x * math.exp(y) + math.exp(y), right(x, y)[1])),
        (
            swapped,
            lambda x, y: (
                right(x, y)[0],
                right(x, y)[1] - x * math.exp(y) + y * math.exp(y),
            ),
        ),
        *_dropped_paths_mistakes(),
        (r_upstream, lambda x, y: (right(x, y)[0], x * math.exp(y) + math.exp(y))),
        (s_upstream, lambda x, y: (y + 1, x + (x * y + x) * math.exp(y))),
        (s_upstream, lambda x, y: (y + 1, right(x, y)[1])),
    ]
    return diagnose(
        "shared_node_gradient",
        fn,
        _shared_cases(),
        _numerical_shared_gradient,
        mistakes,
        hint=(
            "Check each factor of the chain rule along every path: sweep backwards "
            "over f = s * r, r = exp(y), s = q + x, q = x * y, adding (+=) one term "
            "per use of a node."
        ),
    )
