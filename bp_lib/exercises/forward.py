"""Checkers for the notation exercises (chapter 2)."""

from __future__ import annotations

import numpy as np

from .feedback import Case, Feedback, checks, diagnose


def _column_cases() -> list[Case]:
    """Inputs (A_prev, W, b) in the column convention.

    The first case has m == n_out on purpose, so that adding b along the wrong axis
    broadcasts silently instead of failing.
    """
    rng = np.random.default_rng(2)
    cases = []
    for n_in, n_out, m in [(4, 3, 3), (5, 2, 6), (3, 4, 1)]:
        cases.append(
            Case(
                (
                    rng.normal(size=(n_in, m)),
                    rng.normal(size=(n_out, n_in)),
                    rng.normal(size=n_out),
                )
            )
        )
    return cases


@checks("dense_forward_columns", ("A_prev", "W", "b"))
def check_dense_forward_columns(fn) -> Feedback:
    """Check ``fn(A_prev, W, b) -> Z``, a dense layer in the column convention.

    Shapes: A_prev (n_in, m), W (n_out, n_in), b (n_out,), Z (n_out, m).
    """
    mistakes = [
        (
            "b was added along the wrong axis: in the column convention each column is "
            "an example, so b must be a column, b[:, None], added to every column.",
            lambda A, W, b: W @ A + b[None, :],
        ),
        (
            "The result is in the row-batch layout (m, n_out): in the column "
            "convention Z = W @ A_prev + b has one column per example.",
            lambda A, W, b: A.T @ W.T + b,
        ),
        (
            "The bias is missing: Z = W @ A_prev + b[:, None].",
            lambda A, W, b: W @ A,
        ),
        (
            "An activation was applied: the exercise asks for the pre-activation "
            "Z = W @ A_prev + b[:, None], before any non-linearity.",
            lambda A, W, b: np.tanh(W @ A + b[:, None]),
        ),
        (
            "The bias was subtracted: Z = W @ A_prev + b[:, None].",
            lambda A, W, b: W @ A - b[:, None],
        ),
    ]
    return diagnose(
        "dense_forward_columns",
        fn,
        _column_cases(),
        lambda A, W, b: W @ A + b[:, None],
        mistakes,
        tol=1e-10,
        hint=(
            "In the column convention each example is a column: Z = W @ A_prev + "
            "b[:, None], shape (n_out, m)."
        ),
    )


def _two_layer_cases() -> list[Case]:
    """Inputs (A0, W1, b1, W2, b2) in the column convention.

    The first case is square (n0 = n1 = n2 = m = 3), so that a transposed weight matrix,
    a bias along the wrong axis or a transposed result all run without a shape error
    and can be named; the others have unequal sizes.
    """
    rng = np.random.default_rng(5)
    cases = []
    for n0, n1, n2, m in [(3, 3, 3, 3), (4, 5, 2, 6), (5, 3, 4, 1)]:
        cases.append(
            Case(
                (
                    rng.normal(size=(n0, m)),
                    rng.normal(size=(n1, n0)),
                    rng.normal(size=n1),
                    rng.normal(size=(n2, n1)),
                    rng.normal(size=n2),
                )
            )
        )
    return cases


def _two_layer_columns(
    A0, W1, b1, W2, b2, hidden=np.tanh, output=lambda z: z, transpose_w=False, bias=None
):
    """The column-convention forward, with switches that reproduce the usual mistakes.

    Right: A2 = W2 @ tanh(W1 @ A0 + b1[:, None]) + b2[:, None], shape (n2, m).
    """

    def layer(A, W, b):
        W = W.T if transpose_w else W
        return W @ A + (b[:, None] if bias is None else bias(b))

    return output(layer(hidden(layer(A0, W1, b1)), W2, b2))


@checks("two_layer_forward_columns", ("A0", "W1", "b1", "W2", "b2"))
def check_two_layer_forward_columns(fn) -> Feedback:
    """Check ``fn(A0, W1, b1, W2, b2) -> A2``: two layers in the column convention.

    The hidden layer is tanh, the output linear.

    Shapes: A0 (n0, m), W1 (n1, n0), b1 (n1,), W2 (n2, n1), b2 (n2,) -> A2 (n2, m), with
    A2 = W2 @ tanh(W1 @ A0 + b1[:, None]) + b2[:, None].
    """
    mistakes = [
        (
            "A weight matrix is transposed: in the column convention W is already "
            "(n_out, n_in) and the layer is W @ A_prev; W.T is the row-batch layout "
            "(n_in, n_out) of bp_lib.",
            lambda *a: _two_layer_columns(*a, transpose_w=True),
        ),
        (
            "b was added along the wrong axis: with examples as columns the bias is a "
            "column, b[:, None]; a plain + b broadcasts it along the rows.",
            lambda *a: _two_layer_columns(*a, bias=lambda b: b[None, :]),
        ),
        (
            "W1 is transposed (W1.T @ A0): in the column convention W1 is already "
            "(n1, n0) and the layer is W1 @ A0; W2 is used the right way.",
            lambda A0, W1, b1, W2, b2: (
                W2 @ np.tanh(W1.T @ A0 + b1[:, None]) + b2[:, None]
            ),
        ),
        (
            "W2 is transposed (W2.T @ A1): in the column convention W2 is already "
            "(n2, n1) and the layer is W2 @ A1; W1 is used the right way.",
            lambda A0, W1, b1, W2, b2: (
                W2.T @ np.tanh(W1 @ A0 + b1[:, None]) + b2[:, None]
            ),
        ),
        (
            "b1 was added along the wrong axis (+ b1): with examples as columns the "
            "bias is a column, b1[:, None]; b2 is added the right way.",
            lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1) + b2[:, None],
        ),
        (
            "b2 was added along the wrong axis (+ b2): with examples as columns the "
            "bias is a column, b2[:, None]; b1 is added the right way.",
            lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1[:, None]) + b2,
        ),
        (
            "b2 is missing: A2 = W2 @ A1 + b2[:, None].",
            lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0 + b1[:, None]),
        ),
        (
            "b1 is missing: A1 = tanh(W1 @ A0 + b1[:, None]).",
            lambda A0, W1, b1, W2, b2: W2 @ np.tanh(W1 @ A0) + b2[:, None],
        ),
        (
            "The hidden activation is ReLU: this exercise's hidden layer is tanh, "
            "A1 = tanh(W1 @ A0 + b1[:, None]).",
            lambda A0, W1, b1, W2, b2: (
                W2 @ np.maximum(W1 @ A0 + b1[:, None], 0) + b2[:, None]
            ),
        ),
        (
            "The hidden activation is the sigmoid: this exercise's hidden layer is "
            "tanh, A1 = tanh(W1 @ A0 + b1[:, None]).",
            lambda A0, W1, b1, W2, b2: (
                W2 @ (1 / (1 + np.exp(-(W1 @ A0 + b1[:, None])))) + b2[:, None]
            ),
        ),
        (
            "The result is in the row-batch layout (m, n2), one row per example: the "
            "column convention returns A2 with one column per example, (n2, m).",
            lambda *a: _two_layer_columns(*a).T,
        ),
        (
            "The hidden layer has no activation: apply tanh to Z1 before the second "
            "layer.",
            lambda *a: _two_layer_columns(*a, hidden=lambda z: z),
        ),
        (
            "tanh was applied to the output too: the output layer here is linear, A2 = "
            "Z2.",
            lambda *a: _two_layer_columns(*a, output=np.tanh),
        ),
        (
            "The output layer is linear and the hidden one is not: apply tanh to Z1 "
            "only, A2 = W2 @ tanh(Z1) + b2[:, None].",
            lambda *a: _two_layer_columns(*a, hidden=lambda z: z, output=np.tanh),
        ),
        (
            "Two arrays were returned, (A1, A2): this function returns only the "
            "network's output A2 = W2 @ A1 + b2[:, None], shape (n2, m).",
            lambda A0, W1, b1, W2, b2: (
                np.tanh(W1 @ A0 + b1[:, None]),
                _two_layer_columns(A0, W1, b1, W2, b2),
            ),
        ),
        (
            "Two arrays were returned, (A2, A1): this function returns only the "
            "network's output A2 = W2 @ A1 + b2[:, None], shape (n2, m).",
            lambda A0, W1, b1, W2, b2: (
                _two_layer_columns(A0, W1, b1, W2, b2),
                np.tanh(W1 @ A0 + b1[:, None]),
            ),
        ),
    ]
    return diagnose(
        "two_layer_forward_columns",
        fn,
        _two_layer_cases(),
        _two_layer_columns,
        mistakes,
        tol=1e-10,
        hint=(
            "Compute the layers in order, each example a column: A1 = tanh(W1 @ A0 + "
            "b1[:, None]), then A2 = W2 @ A1 + b2[:, None] (no activation on A2)."
        ),
    )
