"""The checker of the attention-backward exercise (chapter 17), and its wrong answers.

The exercise: ``attention_backward(dout, Q, K, V, mask) -> (dQ, dK, dV)`` for
``out = softmax(Q K^T / sqrt(d)) V`` over the allowed keys (``mask`` None, (T, S) or
(m, T, S) booleans, True = may attend; as :func:`bp_lib.attention_forward`). With
``P`` the masked softmax of the scores, per example:

    dV = P^T dout
    dP = dout V^T
    dZ = P * (dP - sum(dP * P, axis=-1, keepdims=True))   (each query's row)
    dQ = dZ K / sqrt(d),   dK = dZ^T Q / sqrt(d)

Shapes: dout (m, T, dv), Q and dQ (m, T, d), K and dK (m, S, d), V and dV (m, S, dv).
Each entry of :data:`MISTAKES` computes what a typical slip computes: the 1/sqrt(d)
left out of the backward pass (or taken from dv), the softmax's Jacobian dropped
(dZ = P * dP), its sum over the query axis, dK as Q^T dZ (dK^T, the wrong shape),
the softmax recomputed without the mask (masked keys get gradient), dQ and dK
swapped, dV as P dout.

The cases have d != dv, and T != S except in the causal case (a causal mask needs
T = S), so that most slips show in a shape; d = 6 in the first case, so that
sqrt(d) is no factor a reader might slip in by accident (with d = 4, a dQ off by 2
would look like a missing scale). One case has a causal mask and batch 1, one a
padding mask per example.
"""

from __future__ import annotations

import numpy as np

from ..activations import softmax
from ..attention import attention_forward, causal_mask
from ..gradcheck import numerical_gradient
from .feedback import Case, Feedback, checks, diagnose

__all__ = ["MISTAKES", "check_attention_backward"]


def _t(A):
    """Swap the last two axes: ``A^T`` of every example."""
    return np.swapaxes(A, -1, -2)


def _probabilities(Q, K, mask, root=None):
    """The masked softmax P of the scores, (m, T, S); ``root`` divides Q K^T."""
    Z = Q @ _t(K) / (np.sqrt(Q.shape[-1]) if root is None else root)
    if mask is not None:
        Z = np.where(mask, Z, -np.inf)
    return softmax(Z)


def _backward(
    dout,
    Q,
    K,
    V,
    mask,
    *,
    scale_q=True,
    scale_k=True,
    root=None,
    jacobian=True,
    axis=-1,
    masked=True,
):
    """(dQ, dK, dV) with the slips of this module as switches (defaults: right).

    ``scale_q``/``scale_k`` keep 1/sqrt(d) in dQ/dK; ``root`` replaces sqrt(d) in the
    backward only; ``jacobian=False`` uses dZ = P * dP; ``axis`` is the axis of the
    softmax backward's sum (-1, the keys, is right); ``masked=False`` recomputes P
    without the mask for the backward.
    """
    P = _probabilities(Q, K, mask if masked else None)
    root = np.sqrt(Q.shape[-1]) if root is None else root
    dV = _t(P) @ dout
    dP = dout @ _t(V)
    if jacobian:
        dZ = P * (dP - np.sum(dP * P, axis=axis, keepdims=True))
    else:
        dZ = P * dP
    dQ = dZ @ K / (root if scale_q else 1.0)
    dK = _t(dZ) @ Q / (root if scale_k else 1.0)
    return dQ, dK, dV


def _right(dout, Q, K, V, mask):
    return _backward(dout, Q, K, V, mask)


def _dz(dout, Q, K, V, mask):
    """The right dZ (m, T, S) of the scores."""
    P = _probabilities(Q, K, mask)
    dP = dout @ _t(V)
    return P * (dP - np.sum(dP * P, axis=-1, keepdims=True))


SCALE = (
    "The 1/sqrt(d) is missing from the backward pass: the scores are "
    "Z = Q K^T / sqrt(d), so both dQ = dZ K / sqrt(d) and dK = dZ^T Q / sqrt(d) "
    "carry it (dV does not: V enters after the softmax)."
)

MISTAKES = [
    (SCALE, lambda *a: _backward(*a, scale_q=False, scale_k=False)),
    (SCALE, lambda *a: _backward(*a, scale_q=False)),
    (SCALE, lambda *a: _backward(*a, scale_k=False)),
    (
        "The scale uses dv = V.shape[-1], the value features; the scores are divided "
        "by sqrt(d) with d = Q.shape[-1] = K.shape[-1], the features of queries and "
        "keys.",
        lambda dout, Q, K, V, mask: _backward(
            dout, Q, K, V, mask, root=np.sqrt(V.shape[-1])
        ),
    ),
    (
        "The scale is 1/d; the scores are divided by sqrt(d), so dQ and dK are "
        "divided by sqrt(d) = np.sqrt(Q.shape[-1]), not by d.",
        lambda dout, Q, K, V, mask: _backward(dout, Q, K, V, mask, root=Q.shape[-1]),
    ),
    (
        "The softmax's Jacobian is dropped: dZ = P * dP treats each probability as if "
        "it depended on its own score only, but every probability of a row depends on "
        "every score of that row: dZ = P * (dP - sum(dP * P, axis=-1, keepdims=True)) "
        "(chapter 4's softmax backward).",
        lambda *a: _backward(*a, jacobian=False),
    ),
    (
        "The softmax backward sums over the queries (axis=-2): the softmax runs over "
        "the keys of each query, the last axis of the (m, T, S) scores, so "
        "dZ = P * (dP - sum(dP * P, axis=-1, keepdims=True)).",
        lambda *a: _backward(*a, axis=-2),
    ),
    (
        "dK = Q^T dZ has shape (m, d, S), dK transposed: Z = Q K^T, so "
        "dK = dZ^T Q / sqrt(d), shape (m, S, d) like K (swap the last two axes of dZ, "
        "np.swapaxes(dZ, 1, 2) or dZ.transpose(0, 2, 1)).",
        lambda dout, Q, K, V, mask: (
            _right(dout, Q, K, V, mask)[0],
            _t(Q) @ _dz(dout, Q, K, V, mask) / np.sqrt(Q.shape[-1]),
            _right(dout, Q, K, V, mask)[2],
        ),
    ),
    (
        "Masked keys get a gradient: the backward recomputes the softmax without the "
        "mask. A masked score is -inf, its probability is 0, and so is its dZ: use "
        "the masked P of the forward pass (a masked key adds nothing to dQ and gets "
        "nothing in dK and dV).",
        lambda *a: _backward(*a, masked=False),
    ),
    (
        "dQ and dK are swapped: Q multiplies K^T from the left, so dQ = dZ K / sqrt(d) "
        "(shape (m, T, d)) and dK = dZ^T Q / sqrt(d) (shape (m, S, d)).",
        lambda *a: (_right(*a)[1], _right(*a)[0], _right(*a)[2]),
    ),
    (
        "dV = P dout is missing a transpose: out = P V, so dV = P^T dout, shape "
        "(m, S, dv) like V (P^T: np.swapaxes(P, 1, 2)).",
        lambda dout, Q, K, V, mask: (
            *_right(dout, Q, K, V, mask)[:2],
            _probabilities(Q, K, mask) @ dout,
        ),
    ),
]


HINT = (
    "Recompute P = softmax(Q K^T / sqrt(d)) with the mask (masked scores -inf) over "
    "the keys (last axis); then dV = P^T dout, dP = dout V^T, dZ = P * (dP - "
    "sum(dP * P, axis=-1, keepdims=True)), dQ = dZ K / sqrt(d), dK = dZ^T Q / "
    "sqrt(d), where ^T swaps the last two axes of every example."
)


def _cases() -> list[Case]:
    """(dout, Q, K, V, mask): T != S, d != dv; no mask, a causal one, a padding one.

    The scores are of order 1 (entries of Q and K about 1), so the softmax is far
    from one-hot and every slip changes many entries.
    """
    rng = np.random.default_rng(17)
    cases = []
    for m, T, S, d, dv, mask in [
        (2, 3, 5, 6, 2, None),  # sqrt(6): no factor a reader might slip in
        (1, 4, 4, 3, 5, "causal"),
        (3, 2, 4, 5, 3, "padding"),
    ]:
        Q, K = rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d))
        V, dout = rng.normal(size=(m, S, dv)), rng.normal(size=(m, T, dv))
        if mask == "causal":
            mask = causal_mask(T)
        elif mask == "padding":  # example i may attend to its first S - i keys
            mask = np.arange(S)[None, None, :] < (S - np.arange(m))[:, None, None]
            mask = np.broadcast_to(mask, (m, T, S)).copy()
        cases.append(Case((dout, Q, K, V, mask)))
    return cases


def _numerical(dout, Q, K, V, mask):
    """(dQ, dK, dV): centred differences of ``sum(attention_forward(...) * dout)``."""
    Q, K, V = Q.copy(), K.copy(), V.copy()

    def loss():
        return np.sum(attention_forward(Q, K, V, mask)[0] * dout)

    return (
        numerical_gradient(loss, Q),
        numerical_gradient(loss, K),
        numerical_gradient(loss, V),
    )


@checks("attention_backward", ("dout", "Q", "K", "V", "mask"))
def check_attention_backward(fn) -> Feedback:
    """Check ``fn(dout, Q, K, V, mask) -> (dQ, dK, dV)``: attention's backward.

    Shapes: dout (m, T, dv), Q (m, T, d), K (m, S, d), V (m, S, dv), mask None or
    booleans (T, S) or (m, T, S) -> dQ (m, T, d), dK (m, S, d), dV (m, S, dv). The
    reference is a numerical gradient of ``bp_lib.attention_forward``; a wrong answer
    is matched against :data:`MISTAKES`.
    """
    inputs = "a backward pass must leave its inputs alone"
    return diagnose(
        "attention_backward",
        fn,
        _cases(),
        _numerical,
        MISTAKES,
        hint=HINT,
        output_names=("dQ", "dK", "dV"),
        protected={
            1: f"The gradients are right, but Q was changed in place: {inputs}.",
            2: f"The gradients are right, but K was changed in place: {inputs}.",
            3: f"The gradients are right, but V was changed in place: {inputs}.",
        },
    )
