"""Checkers for the whole-network backward pass (chapter 6)."""

from __future__ import annotations

import numpy as np

from ..activations import softmax
from ..gradcheck import numerical_gradient
from ..losses import one_hot, softmax_cross_entropy
from .feedback import Case, Feedback, checks, diagnose


def _forward_loss(X, y, W1, b1, W2, b2) -> float:
    """Mean softmax cross-entropy of the two-layer net.

    Z1 = X W1 + b1, A1 = tanh(Z1), Z2 = A1 W2 + b2.
    """
    return softmax_cross_entropy(np.tanh(X @ W1 + b1) @ W2 + b2, y)[0]


def _cases() -> list[Case]:
    """Three small nets with random inputs and labels.

    The first has as many inputs as hidden units and classes (n = h = k), so a missing
    transpose of W2, or W1 used in place of W2, gives a result of the right shape that
    the checker can recognise; the others have distinct sizes, so that shapes catch the
    rest.
    """
    rng = np.random.default_rng(7)
    cases = []
    for m, n, h, k in [(4, 3, 3, 3), (5, 4, 3, 3), (6, 2, 5, 4)]:
        X, y = rng.normal(size=(m, n)), rng.integers(0, k, size=m)
        params = (
            rng.normal(size=(n, h)),
            rng.normal(size=h) * 0.1,
            rng.normal(size=(h, k)),
            rng.normal(size=k) * 0.1,
        )
        cases.append(Case((X, y, *params)))
    return cases


def _numerical(X, y, W1, b1, W2, b2):
    params = [p.copy() for p in (W1, b1, W2, b2)]
    return tuple(
        numerical_gradient(lambda: _forward_loss(X, y, *params), p) for p in params
    )


def _backward(X, y, W1, b1, W2, b2, hidden_error):
    """The right backward pass, but for its hidden error.

    The hidden error is computed by ``hidden_error(dZ2, W2, Z1, A1)``.
    """
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    dZ2 = (softmax(A1 @ W2 + b2) - one_hot(y, W2.shape[1])) / len(X)
    dZ1 = hidden_error(dZ2, W2, Z1, A1)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


@checks("two_layer_backward", ("X", "y", "W1", "b1", "W2", "b2"))
def check_two_layer_backward(fn) -> Feedback:
    """Check ``fn(X, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)``.

    The network: Z1 = X @ W1 + b1, A1 = tanh(Z1), Z2 = A1 @ W2 + b2, loss the mean
    softmax cross-entropy of Z2 with integer labels y. Shapes: X (m, n), W1 (n, h), b1
    (h,), W2 (h, k), b2 (k,).
    """
    mistakes = [
        (
            "The activation derivative is missing from the hidden error: dZ1 = (dZ2 @ "
            "W2.T) * (1 - A1**2).",
            lambda *a: _backward(*a, hidden_error=lambda dZ2, W2, Z1, A1: dZ2 @ W2.T),
        ),
        (
            "W2 is not transposed in the hidden error: the error flows back through "
            "W2.T, dZ1 = (dZ2 @ W2.T) * f'(Z1).",
            lambda *a: _backward(
                *a, hidden_error=lambda dZ2, W2, Z1, A1: (dZ2 @ W2) * (1 - A1**2)
            ),
        ),
        (
            "W1 was used in the hidden error instead of W2: the error of layer 1 comes "
            "back through the weights of the layer above it, dZ1 = (dZ2 @ W2.T) * "
            "f'(Z1).",
            lambda *a: _backward(
                *a, hidden_error=lambda dZ2, W2, Z1, A1: (dZ2 @ a[2].T) * (1 - A1**2)
            ),
        ),
        (
            "The tanh derivative was evaluated at the activation A1 instead of at Z1: "
            "f'(Z1) = 1 - tanh(Z1)**2 = 1 - A1**2, not 1 - tanh(A1)**2.",
            lambda *a: _backward(
                *a,
                hidden_error=lambda dZ2, W2, Z1, A1: (
                    (dZ2 @ W2.T) * (1 - np.tanh(A1) ** 2)
                ),
            ),
        ),
        (
            "The tanh derivative was written with Z1 in place of A1: f'(Z1) = "
            "1 - tanh(Z1)**2 = 1 - A1**2, not 1 - Z1**2.",
            lambda *a: _backward(
                *a, hidden_error=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * (1 - Z1**2)
            ),
        ),
        (
            "This is the sigmoid's derivative pattern A1 (1 - A1); the hidden layer is "
            "tanh, whose derivative is 1 - A1**2.",
            lambda *a: _backward(
                *a, hidden_error=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * A1 * (1 - A1)
            ),
        ),
        (
            "The 1/m is applied twice: the output error (softmax(Z2) - Y) / m already "
            "holds it, so the weight gradients are plain products, dW = A.T @ dZ.",
            lambda *a: tuple(g / len(a[0]) for g in _numerical(*a)),
        ),
        (
            "The 1/m is missing: the loss is a mean over the batch, so the output "
            "error is (softmax(Z2) - Y) / m.",
            lambda *a: tuple(g * len(a[0]) for g in _numerical(*a)),
        ),
        (
            "The output error has the wrong sign: dZ2 = (softmax(Z2) - Y) / m, "
            "probabilities minus targets.",
            lambda *a: tuple(-g for g in _numerical(*a)),
        ),
        (
            "A bias gradient was not summed over the batch: b is added to every row, "
            "so db = dZ.sum(axis=0), shape (h,) for b1 and (k,) for b2.",
            lambda *a: _unsummed_bias(*a),
        ),
        *_zero_bias_mistakes(),
        *_transposed_mistakes(),
    ]
    return diagnose(
        "two_layer_backward",
        fn,
        _cases(),
        _numerical,
        mistakes,
        hint=(
            "Check each factor of the chain rule, layer by layer: dZ2 = (softmax(Z2) - "
            "Y) / m, dZ1 = (dZ2 @ W2.T) * (1 - A1**2), dW = A_prev.T @ dZ, "
            "db = dZ.sum(axis=0)."
        ),
        output_names=("dW1", "db1", "dW2", "db2"),
        protected={
            i: f"The gradients are right, but {name} was changed in place: a "
            "backward pass must leave the parameters alone (the optimiser updates "
            "them from the gradients)."
            for i, name in ((2, "W1"), (3, "b1"), (4, "W2"), (5, "b2"))
        },
    )


def _unsummed_bias(X, y, W1, b1, W2, b2):
    """The right backward pass with db1 and db2 left as the per-row errors dZ1, dZ2."""
    A1 = np.tanh(X @ W1 + b1)
    dZ2 = (softmax(A1 @ W2 + b2) - one_hot(y, W2.shape[1])) / len(X)
    dZ1 = (dZ2 @ W2.T) * (1 - A1**2)
    return X.T @ dZ1, dZ1, A1.T @ dZ2, dZ2


def _right(X, y, W1, b1, W2, b2):
    return _backward(
        X, y, W1, b1, W2, b2, lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * (1 - A1**2)
    )


def _with(change, positions):
    """The right gradients with ``change`` applied to the outputs at ``positions``."""

    def wrong(*args):
        grads = list(_right(*args))
        for i in positions:
            grads[i] = change(grads[i])
        return tuple(grads)

    return wrong


def _zero_bias_mistakes() -> list:
    """db1, db2 or both returned as zeros: the bias gradient forgotten."""
    mistakes = []
    for names, positions in (
        ("db1 and db2 are", (1, 3)),
        ("db1 is", (1,)),
        ("db2 is", (3,)),
    ):
        mistakes.append(
            (
                f"{names} zero: the bias gradient was forgotten. b is added to every "
                "row of the layer's output, so db = dZ.sum(axis=0), the layer's "
                "error summed over the batch (BP3).",
                _with(np.zeros_like, positions),
            )
        )
    return mistakes


def _transposed_mistakes() -> list:
    """dW1, dW2 or both returned transposed (the column convention dZ.T @ A_prev)."""
    mistakes = []
    for names, positions in (
        ("dW1 and dW2 are", (0, 2)),
        ("dW1 is", (0,)),
        ("dW2 is", (2,)),
    ):
        mistakes.append(
            (
                f"{names} transposed: dZ.T @ A_prev is the column convention's "
                "(n_out, n_in) gradient. Here Z = A_prev @ W + b, so dW = "
                "A_prev.T @ dZ, shaped like W, (n_in, n_out).",
                _with(np.transpose, positions),
            )
        )
    return mistakes
