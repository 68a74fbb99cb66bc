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
left out of the backward pass, taken from dv, squared, multiplied instead of divided
or put on dV too; the softmax's Jacobian dropped (dZ = P * dP) or its sum taken over
the wrong axis; a transpose forgotten or added (dK as Q^T dZ or dZ Q, dQ as dZ^T K,
dV as P dout); dQ and dK swapped; the mask left out of the backward pass, inverted,
or taken from example 0 for every example.

A mistake is named only by its values, never by the error it raises: two slips can
raise the same numpy error (dK = dZ Q and dV = P dout both fail on T != S with the
same matmul message). So the first case is square (T = S), where every listed slip
returns arrays and each differs from the others; a slip that raises on a later case
names nothing (:func:`_by_value`). That case has a padding mask per example in which
every example, example 0 too, has padded keys, so that "no mask" and "example 0's
mask for all" differ, and an inverted mask still leaves a key in every row. The other
cases have T != S and d != dv without a mask (a slip of shape shows there), and a
causal mask with batch 1. d = 6 in the first two cases, so that sqrt(d) is no factor
a reader might slip in by accident (with d = 4, a dQ off by 2 would look like a
missing scale).

A right answer that changes any argument in place (dout, Q, K, V or mask) fails: in a
network the caller still needs them (a ``Residual`` adds dout to the block's
backward).
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


def _with_mask(mask_of):
    """The right answer computed with ``mask_of(mask)`` in place of the mask."""
    return lambda dout, Q, K, V, mask: _right(dout, Q, K, V, mask_of(mask))


def _inverted(mask):
    return None if mask is None else ~np.asarray(mask, dtype=bool)


def _first_example(mask):
    """A (T, S) mask from an (m, T, S) one: example 0's, as if it held for all."""
    return mask[0] if mask is not None and np.ndim(mask) == 3 else mask


SCALE = (
    "The 1/sqrt(d) is missing from the backward pass: the scores are "
    "Z = Q K^T / sqrt(d), so both dQ = dZ K / sqrt(d) and dK = dZ^T Q / sqrt(d) "
    "carry it (dV does not: V enters after the softmax)."
)

AXIS = (
    "The softmax backward's sum does not run over the keys of one query: each "
    "row of P is the softmax of one query's scores and of nothing else, so the sum "
    "in dZ is over the last axis, the S keys (axis=-1, keepdims=True), never over "
    "the examples (axis 0) or the whole array."
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
        "dQ and dK are multiplied by sqrt(d) where they should be divided by it: "
        "the forward pass divides the scores by sqrt(d), so the chain rule divides "
        "their gradients by sqrt(d) too.",
        lambda dout, Q, K, V, mask: _backward(
            dout, Q, K, V, mask, root=1 / np.sqrt(Q.shape[-1])
        ),
    ),
    (
        "dV is divided by sqrt(d) too: V enters after the softmax, not through the "
        "scores, so dV = P^T dout has no scale; only dQ and dK carry 1/sqrt(d).",
        lambda dout, Q, K, V, mask: (
            *_right(dout, Q, K, V, mask)[:2],
            _right(dout, Q, K, V, mask)[2] / np.sqrt(Q.shape[-1]),
        ),
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
    (AXIS, lambda *a: _backward(*a, axis=0)),
    (AXIS, lambda *a: _backward(*a, axis=None)),
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
        "dK = dZ Q misses the transpose of dZ: dK[s, j] sums dZ[t, s] Q[t, j] over "
        "the queries t, the first of dZ's two axes, so dK = dZ^T Q / sqrt(d) "
        "(np.swapaxes(dZ, 1, 2) @ Q). With T = S the shapes hide it; with T != S "
        "dZ Q cannot even be multiplied.",
        lambda dout, Q, K, V, mask: (
            _right(dout, Q, K, V, mask)[0],
            _dz(dout, Q, K, V, mask) @ Q / np.sqrt(Q.shape[-1]),
            _right(dout, Q, K, V, mask)[2],
        ),
    ),
    (
        "dQ = dZ^T K has a transpose too many: dQ[t, j] sums dZ[t, s] K[s, j] over "
        "the keys s, the last axis of dZ, so dQ = dZ K / sqrt(d), no transpose.",
        lambda dout, Q, K, V, mask: (
            _t(_dz(dout, Q, K, V, mask)) @ K / np.sqrt(Q.shape[-1]),
            *_right(dout, Q, K, V, mask)[1:],
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
        "The mask is inverted: True means the query may attend to the key (as in "
        "attention_forward and PyTorch's boolean attn_mask), so the scores set to "
        "-inf are those where the mask is False.",
        _with_mask(_inverted),
    ),
    (
        "The mask of example 0 is used for every example: an (m, T, S) mask holds "
        "one (T, S) mask per example (each sequence has its own padding); "
        "np.where(mask, Z, -np.inf) takes a (T, S) and an (m, T, S) mask alike.",
        _with_mask(_first_example),
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
    "Recompute P as the forward pass does (masked scores -inf, the softmax over the "
    "keys, the last axis), then go back through one step at a time: out = P V "
    "(chapter 3's product, for dV and dP), the softmax of each row (chapter 4's "
    "softmax backward, for dZ), Z = Q K^T / sqrt(d) (for dQ and dK): "
    "eq-ch17-dV to eq-ch17-dQ-dK in chapter 17. Each gradient has its array's shape."
)


class _SlipDoesNotApplyError(Exception):
    """A listed slip that raises on a case: it names no answer on that case."""


def _by_value(mistake):
    """``mistake``, whose errors become :class:`_SlipDoesNotApplyError`.

    The feedback machinery names a mistake whose error text equals the reader's; a
    reader's function cannot raise this private class, so a mistake is named only
    when its values match the reader's.
    """

    def wrong(*args, **kwargs):
        try:
            return mistake(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - any error: the slip does not apply
            raise _SlipDoesNotApplyError(str(error)) from error

    return wrong


def _cases() -> list[Case]:
    """(dout, Q, K, V, mask): a square padded case first, then T != S, then causal.

    The padding case: example i may attend to its first S - 1 - i keys, so every
    example has a padded key. The scores are of order 1 (entries of Q and K about
    1), so the softmax is far from one-hot and every slip changes many entries.
    """
    rng = np.random.default_rng(17)
    cases = []
    for m, T, S, d, dv, mask in [
        (2, 4, 4, 6, 3, "padding"),  # sqrt(6): no factor a reader might slip in
        (2, 3, 5, 6, 2, None),
        (1, 4, 4, 3, 5, "causal"),
    ]:
        Q, K = rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d))
        V, dout = rng.normal(size=(m, S, dv)), rng.normal(size=(m, T, dv))
        if mask == "causal":
            mask = causal_mask(T)
        elif mask == "padding":
            lengths = S - 1 - np.arange(m)
            mask = np.arange(S)[None, None, :] < lengths[:, None, None]
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
    is matched against :data:`MISTAKES` by its values only.
    """
    inputs = "a backward pass must leave its inputs alone"
    changed = "The gradients are right, but {} was changed in place: {}."
    caller = (
        f"{inputs} (the caller may still need dout: a Residual adds it to the "
        "block's backward)"
    )
    return diagnose(
        "attention_backward",
        fn,
        _cases(),
        _numerical,
        [(message, _by_value(mistake)) for message, mistake in MISTAKES],
        hint=HINT,
        output_names=("dQ", "dK", "dV"),
        protected={
            0: changed.format("dout", caller),
            1: changed.format("Q", inputs),
            2: changed.format("K", inputs),
            3: changed.format("V", inputs),
            4: changed.format("mask", inputs),
        },
    )
