"""Checkers for the chain-rule exercises (chapter 1)."""

from __future__ import annotations

import math

import numpy as np

from .feedback import Case, Feedback, diagnose


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


def check_neuron_gradient(fn) -> Feedback:
    """Check ``fn(x1, x2, w1, w2, b) -> (dw1, dw2, db)`` for ``o = tanh(w1 x1 + w2 x2 + b)``."""
    rng = np.random.default_rng(1)
    cases = [Case(tuple(float(v) for v in rng.uniform(-1.5, 1.5, size=5))) for _ in range(4)]

    def local(*args):
        return 1 - math.tanh(_z(*args)) ** 2

    mistakes = [
        (
            "The derivative of tanh was taken as 1 - z**2 with z the pre-activation; it is "
            "1 - tanh(z)**2 = 1 - o**2, written with the output o.",
            lambda x1, x2, w1, w2, b: tuple((1 - _z(x1, x2, w1, w2, b) ** 2) * v for v in (x1, x2, 1.0)),
        ),
        (
            "The local derivative of tanh is missing: multiply by do/dz = 1 - o**2.",
            lambda x1, x2, w1, w2, b: (x1, x2, 1.0),
        ),
        (
            "The derivative of tanh was written 1 - tanh(z); it is 1 - tanh(z)**2.",
            lambda x1, x2, w1, w2, b: tuple((1 - math.tanh(_z(x1, x2, w1, w2, b))) * v for v in (x1, x2, 1.0)),
        ),
        (
            "dz/dw1 is x1 (the input that w1 multiplies), not x2: the inputs are swapped.",
            lambda x1, x2, w1, w2, b: tuple(local(x1, x2, w1, w2, b) * v for v in (x2, x1, 1.0)),
        ),
        (
            "The gradients with respect to the weights were given as w times the local derivative; "
            "dz/dw1 = x1, the other factor of the product.",
            lambda x1, x2, w1, w2, b: tuple(local(x1, x2, w1, w2, b) * v for v in (w1, w2, 1.0)),
        ),
    ]
    return diagnose("neuron_gradient", fn, cases, _numerical_neuron_gradient, mistakes)
