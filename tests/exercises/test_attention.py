import itertools

import numpy as np
import pytest
from helpers import assert_feedback, table

import bp_lib as bp
from bp_lib.exercises.attention import MISTAKES, _cases, check_attention_backward

# --- answers as a reader would write them, independently of the checker's functions ---


def _probs(Q, K, mask, root=None):
    Z = Q @ np.swapaxes(K, 1, 2) / (np.sqrt(Q.shape[-1]) if root is None else root)
    if mask is not None:
        Z = np.where(mask, Z, -np.inf)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def right(dout, Q, K, V, mask):
    P = _probs(Q, K, mask)
    dV = np.swapaxes(P, 1, 2) @ dout
    dP = dout @ np.swapaxes(V, 1, 2)
    dZ = P * (dP - (dP * P).sum(-1, keepdims=True))
    s = np.sqrt(Q.shape[-1])
    return dZ @ K / s, np.swapaxes(dZ, 1, 2) @ Q / s, dV


def right_einsum(dout, Q, K, V, mask):
    d = Q.shape[-1]
    Z = np.einsum("mtd,msd->mts", Q, K) / np.sqrt(d)
    if mask is not None:
        Z = np.where(mask, Z, -np.inf)
    P = np.exp(Z - Z.max(-1, keepdims=True))
    P /= P.sum(-1, keepdims=True)
    dP = np.einsum("mtv,msv->mts", dout, V)
    dZ = P * (dP - np.einsum("mts,mts->mt", dP, P)[..., None])
    return (
        np.einsum("mts,msd->mtd", dZ, K) / np.sqrt(d),
        np.einsum("mts,mtd->msd", dZ, Q) / np.sqrt(d),
        np.einsum("mts,mtv->msv", P, dout),
    )


def right_by_examples(dout, Q, K, V, mask):
    """A loop over the examples, 2-D matrices and the full softmax Jacobian; a list."""
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    masks = np.broadcast_to(True if mask is None else mask, (len(Q), Q.shape[1], K.shape[1]))
    for i in range(len(Q)):
        q, k, v, g = Q[i], K[i], V[i], dout[i]
        z = np.where(masks[i], q @ k.T / np.sqrt(q.shape[1]), -np.inf)
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        dV[i] = p.T @ g
        dp = g @ v.T
        dz = np.array([(np.diag(row) - np.outer(row, row)) @ r for row, r in zip(p, dp)])
        dQ[i] = dz @ k / np.sqrt(q.shape[1])
        dK[i] = dz.T @ q / np.sqrt(q.shape[1])
    return [dQ, dK, dV]


def _with(**slip):
    """The right answer written with one slip."""

    def answer(dout, Q, K, V, mask):
        if slip.get("unmasked"):
            mask = None
        elif mask is not None and slip.get("inverted"):
            mask = ~mask
        elif mask is not None and mask.ndim == 3 and slip.get("first mask"):
            mask = mask[0]  # written for (T, S) masks
        P = _probs(Q, K, mask)
        d = Q.shape[-1]
        scales = {"none": 1.0, "dv": np.sqrt(V.shape[-1]), "d": d, "times": 1 / np.sqrt(d)}
        s = scales.get(slip.get("scale"), np.sqrt(d))
        dV = P @ dout if slip.get("dV") else np.swapaxes(P, 1, 2) @ dout
        if slip.get("dV scaled"):
            dV = dV / np.sqrt(d)
        dP = dout @ np.swapaxes(V, 1, 2)
        if slip.get("no_jacobian"):
            dZ = P * dP
        else:
            dZ = P * (dP - (dP * P).sum(slip.get("axis", -1), keepdims=True))
        dQ = dZ @ K / s
        dK = np.swapaxes(dZ, 1, 2) @ Q / s
        if slip.get("QtdZ"):
            dK = np.swapaxes(Q, 1, 2) @ dZ / s
        if slip.get("dZ Q"):
            dK = dZ @ Q / s  # the transpose of dZ forgotten
        if slip.get("dZ^T K"):
            dQ = np.swapaxes(dZ, 1, 2) @ K / s
        if slip.get("swap"):
            dQ, dK = np.swapaxes(dZ, 1, 2) @ Q / s, dZ @ K / s
        if slip.get("dQ unscaled"):
            dQ = dQ * s
        return dQ, dK, dV

    return answer


def right_then_raises(dout, Q, K, V, mask):
    """Right; then, when T != S, the product P dout (the error of the slip dV = P dout)."""
    result = right(dout, Q, K, V, mask)
    if Q.shape[1] != K.shape[1]:
        _ = _probs(Q, K, mask) @ dout
    return result


def _changes_q(dout, Q, K, V, mask):
    result = right(dout, Q, K, V, mask)
    Q *= 2
    return result


def _changes_dout(dout, Q, K, V, mask):
    result = right(dout, Q, K, V, mask)
    dout *= 2  # in a network this corrupts the gradient a Residual adds to the skip path
    return result


def _changes_mask(dout, Q, K, V, mask):
    result = right(dout, Q, K, V, mask)
    if mask is not None:
        mask[...] = True
    return result


def _raises(*args):
    raise RuntimeError("oops")


ROWS = [
    ("right, batched @", right, True, ["matches"]),
    ("right, einsum", right_einsum, True, ["matches"]),
    ("right, per example with the Jacobian, a list", right_by_examples, True, ["matches"]),
    ("no 1/sqrt(d)", _with(scale="none"), False, ["1/sqrt(d) is missing"]),
    ("1/sqrt(d) only in dK", _with(**{"dQ unscaled": True}), False, ["1/sqrt(d) is missing"]),
    ("sqrt(dv)", _with(scale="dv"), False, ["dv = V.shape[-1]"]),
    ("1/d", _with(scale="d"), False, ["The scale is 1/d"]),
    ("Jacobian dropped", _with(no_jacobian=True), False, ["Jacobian is dropped"]),
    ("softmax over the query axis", _with(axis=-2), False, ["sums over the queries"]),
    ("dK = Q^T dZ", _with(QtdZ=True), False, ["dK = Q^T dZ"]),
    ("mask forgotten in backward", _with(unmasked=True), False, ["Masked keys get a gradient"]),
    ("dQ and dK swapped", _with(swap=True), False, ["dQ and dK are swapped"]),
    ("dV = P dout", _with(dV=True), False, ["dV = P dout"]),
    ("dK = dZ Q", _with(**{"dZ Q": True}), False, ["dK = dZ Q misses the transpose of dZ"]),
    ("dQ = dZ^T K", _with(**{"dZ^T K": True}), False, ["dQ = dZ^T K has a transpose too many"]),
    ("times sqrt(d)", _with(scale="times"), False, ["multiplied by sqrt(d)"]),
    ("dV scaled too", _with(**{"dV scaled": True}), False, ["dV is divided by sqrt(d) too"]),
    ("row sum over the batch", _with(axis=0), False, ["never over the examples"]),
    ("mask inverted", _with(inverted=True), False, ["The mask is inverted"]),
    ("mask of example 0 for all", _with(**{"first mask": True}), False, ["mask of example 0"]),
    ("changes Q in place", _changes_q, False, ["Q was changed in place"]),
    ("changes dout in place", _changes_dout, False, ["dout was changed in place"]),
    ("changes mask in place", _changes_mask, False, ["mask was changed in place"]),
    ("None", lambda *a: None, False, ["returned None"]),
    ("raises", _raises, False, ["raised RuntimeError: oops"]),
    ("NaN", lambda *a: (np.full_like(a[1], np.nan), *right(*a)[1:]), False, ["dQ holds", "NaN"]),
    ("dQ flattened", lambda *a: (right(*a)[0].ravel(), *right(*a)[1:]), False, ["dQ has the right values in shape"]),
    ("two outputs", lambda *a: right(*a)[:2], False, ["returned 2 value(s)"]),
    ("off by a factor 2", lambda *a: (2 * right(*a)[0], *right(*a)[1:]), False, ["differs", "Recompute P"]),
    ("right when T = S, raises otherwise", right_then_raises, False, ["raised ValueError"]),
    ("no mask argument", lambda dout, Q, K, V: right(dout, Q, K, V, None), False, ["must be callable as"]),
    ("not a function", 3, False, ["needs your function itself, got an int"]),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(ROWS))
def test_attention_backward_table(answer, passed, words):
    assert_feedback(check_attention_backward(answer), passed, words, chain_rule_allowed=True)


def test_each_mistake_gets_its_own_message():
    shared = ("None", "raises", "NaN", "dQ flattened", "two outputs", "off by a factor 2", "no mask argument")
    shared += ("not a function", "1/sqrt(d) only in dK", "right when T = S, raises otherwise")
    wrong = [row for row in ROWS if not row[2] and row[0] not in shared]
    messages = {check_attention_backward(answer).message for _, answer, _, _ in wrong}
    assert len(messages) == len(wrong)


def test_the_listed_mistakes_are_wrong_and_differ_from_each_other():
    """On the checker's first case (T = S, padding) every mistake returns arrays, wrong and distinct.

    A mistake is named by its values only, so each must return values on the first case.
    """
    dout, Q, K, V, mask = _cases()[0].args
    assert Q.shape[1] == K.shape[1] and mask.ndim == 3 and not mask.all(axis=(1, 2)).any()

    def f():
        return np.sum(bp.attention_forward(Q, K, V, mask)[0] * dout)

    numeric = [bp.numerical_gradient(f, x) for x in (Q, K, V)]
    outputs = []
    for message, wrong in MISTAKES:
        got = wrong(dout, Q, K, V, mask)
        assert all(np.isfinite(g).all() for g in got), message  # else NaN would be named first
        assert any(g.shape != n.shape or bp.relative_error(g, n) > 1e-3 for g, n in zip(got, numeric)), message
        outputs.append((message, got))
    for (first, a), (second, b) in itertools.combinations(outputs, 2):
        same = all(x.shape == y.shape and np.allclose(x, y) for x, y in zip(a, b))
        assert not same, f"two listed mistakes compute the same thing:\n{first}\n{second}"
    assert all(bp.relative_error(g, n) < 1e-7 for g, n in zip(right(dout, Q, K, V, mask), numeric))


def test_an_unwritten_answer_is_told_so():
    def unwritten(dout, Q, K, V, mask):
        raise NotImplementedError

    assert "not written yet" in check_attention_backward(unwritten).message


def _error_on(answer, case):
    try:
        answer(*case.args)
    except ValueError as error:
        return str(error)
    return None


def test_two_slips_with_the_same_numpy_error_get_their_own_messages():
    """dK = dZ Q and dV = P dout raise the same matmul error on T != S; each is named."""
    dZ_Q, P_dout = _with(**{"dZ Q": True}), _with(dV=True)
    no_mask = next(case for case in _cases() if case.args[1].shape[1] != case.args[2].shape[1])
    error = _error_on(dZ_Q, no_mask)
    assert error is not None and error == _error_on(P_dout, no_mask)
    assert "dK = dZ Q" in check_attention_backward(dZ_Q).message
    assert "dV = P dout" in check_attention_backward(P_dout).message
    # an answer right on T = S that raises that same error later is not given either name
    message = check_attention_backward(right_then_raises).message
    assert error in message and "dK = dZ Q" not in message and "dV = P dout" not in message
