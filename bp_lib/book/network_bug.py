"""Chapter 6's experiment: training with the derivative taken at the wrong place.

A common slip writes the activation derivative of a hidden layer on the stored output,
``tanh'(A)`` = ``1 - tanh(A)**2``, where ``tanh'(Z) = 1 - A**2`` is meant.
:class:`TanhDerivativeAtOutput` is a tanh layer with that slip in its backward pass;
:func:`train_both` trains the same network, from the same initial weights, once with
the right derivative and once with the slip, so that the chapter can measure what the
slip costs.
"""

from __future__ import annotations

import numpy as np

from ..activations import ReLU, Tanh
from ..core import Sequential
from ..dense import Dense
from ..losses import softmax_cross_entropy
from ..optim import SGD
from ..train import fit


def tanh_backward_at_output(dA: np.ndarray, cache) -> np.ndarray:
    """WRONG ON PURPOSE: ``dZ = dA * (1 - tanh(A)**2)``, tanh' evaluated at A, not at Z.

    ``cache`` is A = tanh(Z), as for ``bp.tanh_backward``; the right answer is
    ``dA * (1 - A**2)``.
    """
    A = cache
    return dA * (1 - np.tanh(A) ** 2)


class TanhDerivativeAtOutput(Tanh):
    """A tanh layer whose backward pass evaluates tanh' at its output (the slip)."""

    backward_fn = staticmethod(tanh_backward_at_output)


def network(seed: int, sizes=(2, 16, 8, 3), slip: bool = False) -> Sequential:
    """A dense network ``sizes[0]-...-sizes[3]``: tanh, then ReLU, then raw logits.

    Weights Xavier, He and Xavier drawn from ``np.random.default_rng(seed)``, so that
    ``network(s)`` and ``network(s, slip=True)`` start from the same weights; with
    ``slip`` the tanh layer is :class:`TanhDerivativeAtOutput`.
    """
    rng = np.random.default_rng(seed)
    n0, n1, n2, n3 = sizes
    return Sequential(
        Dense(n0, n1, init="xavier", rng=rng),
        TanhDerivativeAtOutput() if slip else Tanh(),
        Dense(n1, n2, init="he", rng=rng),
        ReLU(),
        Dense(n2, n3, init="xavier", rng=rng),
    )


def train_both(seed: int, X, y, lr: float, epochs: int) -> tuple[float, float, float]:
    """Train ``network(seed)`` with and without the slip; ``(initial, right, slipped)``.

    Full-batch SGD at ``lr`` for ``epochs`` steps on integer labels ``y`` with softmax
    cross-entropy; returns the initial loss and both final losses (after the last
    update).
    """
    sizes = (X.shape[1], 16, 8, int(y.max()) + 1)
    initial = softmax_cross_entropy(network(seed, sizes).forward(X), y)[0]
    final = []
    for slip in (False, True):
        net = network(seed, sizes, slip=slip)
        fit(net, X, y, optimizer=SGD(lr), epochs=epochs)
        final.append(softmax_cross_entropy(net.forward(X), y)[0])
    return float(initial), float(final[0]), float(final[1])
