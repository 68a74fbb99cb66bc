"""Hostile input to scaled dot-product attention and ``SelfAttention``."""

import numpy as np
from probes import Probe, Raises, Returns, table_test

import bp_lib as bp


def qkv(m=2, T=3, S=4, d=5, dv=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d)), rng.normal(size=(m, S, dv))


def with_nan(index, value=np.nan):
    arrays = list(qkv())
    arrays[index][1, 2, 0] = value
    return arrays


def layer(d=3, causal=False, dtype=np.float64):
    return bp.SelfAttention(d, rng=np.random.default_rng(0), causal=causal, dtype=dtype)


def huge_but_finite_scores():
    # scores near 1e200 are finite: the softmax picks each query's largest key
    Q, K, V = qkv()
    out = bp.attention_forward(Q * 1e100, K * 1e100, V)[0]
    best = np.argmax(Q @ np.swapaxes(K, 1, 2), axis=-1)
    return np.allclose(out, np.take_along_axis(V, best[..., None], axis=1))


def one_query_one_key():
    Q, K, V = qkv(m=1, T=1, S=1)
    out, cache = bp.attention_forward(Q, K, V)
    dQ, dK, dV = bp.attention_backward(np.ones_like(out), cache)
    return np.array_equal(out, V) and not dQ.any() and not dK.any() and np.array_equal(dV, np.ones_like(V))


def masked_keys_get_nothing():
    Q, K, V = qkv()
    mask = np.ones((3, 4), bool)
    mask[:, 2:] = False
    out, cache = bp.attention_forward(Q, K, V, mask)
    _, dK, dV = bp.attention_backward(np.ones_like(out), cache)
    return not dK[:, 2:].any() and not dV[:, 2:].any()


def mask_as_a_list():
    Q, K, V = qkv(T=2, S=2)
    listed = bp.attention_forward(Q, K, V, mask=[[True, False], [True, True]])[0]
    return np.array_equal(listed, bp.attention_forward(Q, K, V, mask=bp.causal_mask(2))[0])


def grads_in_place():
    attention = layer()
    held = dict(attention.grads)
    attention.forward(np.ones((2, 4, 3)))
    attention.backward(np.ones((2, 4, 3)))
    return all(attention.grads[name] is held[name] for name in held)


def module_float32():
    attention = layer(causal=True, dtype=np.float32)
    out = attention.forward(np.ones((2, 4, 3), dtype=np.float32))
    return out.dtype == attention.backward(out).dtype == np.float32


def module_backward(dout_shape):
    attention = layer()
    attention.forward(np.ones((2, 4, 3)))
    return attention.backward(np.ones(dout_shape))


PROBES = [
    Probe(
        "forward Q 2-D", lambda: bp.attention_forward(np.ones((3, 5)), *qkv()[1:]), Raises(ValueError, "Q must be 3-D")
    ),
    Probe(
        "forward K d mismatch",
        lambda: bp.attention_forward(qkv()[0], np.ones((2, 4, 3)), qkv()[2]),
        Raises(ValueError, "same number d >= 1 of features", "(2, 3, 5)", "(2, 4, 3)"),
    ),
    Probe(
        "forward V keys mismatch",
        lambda: bp.attention_forward(*qkv()[:2], np.ones((2, 3, 2))),
        Raises(ValueError, "same number S >= 1 of keys", "(2, 4, 5)", "(2, 3, 2)"),
    ),
    Probe(
        "forward batch mismatch",
        lambda: bp.attention_forward(qkv(m=1)[0], *qkv()[1:]),
        Raises(ValueError, "same number of examples", "(1, 3, 5)"),
    ),
    Probe("forward no keys", lambda: bp.attention_forward(*qkv(S=0)), Raises(ValueError, "S >= 1", "(2, 0, 5)")),
    Probe("forward d = 0", lambda: bp.attention_forward(*qkv(d=0)), Raises(ValueError, "d >= 1")),
    Probe(
        "forward complex V",
        lambda: bp.attention_forward(*qkv()[:2], qkv()[2] + 1j),
        Raises(TypeError, "V must be a real"),
    ),
    Probe("forward string Q", lambda: bp.attention_forward("Q", *qkv()[1:]), Raises(TypeError, "Q must be a numeric")),
    Probe(
        "forward NaN in Q",
        lambda: bp.attention_forward(*with_nan(0)),
        Raises(FloatingPointError, "Q must be finite for attention, got NaN at index (1, 2, 0)"),
    ),
    Probe(
        "forward inf in K",
        lambda: bp.attention_forward(*with_nan(1, np.inf)),
        Raises(FloatingPointError, "K must be finite", "inf at index (1, 2, 0)"),
    ),
    Probe(
        "forward NaN in V",
        lambda: bp.attention_forward(*with_nan(2)),
        Raises(FloatingPointError, "V must be finite for attention, got NaN at index (1, 2, 0)"),
    ),
    Probe(
        "forward scores overflow",
        lambda: bp.attention_forward(qkv()[0] * 1e160, qkv()[1] * 1e160, qkv()[2]),
        Raises(FloatingPointError, "Q K^T / sqrt(d) overflows float64", "scale the inputs down"),
    ),
    Probe("forward scores near 1e200", huge_but_finite_scores, Returns(lambda ok: ok)),
    Probe("forward one query one key", one_query_one_key, Returns(lambda ok: ok)),
    Probe(
        "forward empty batch",
        lambda: bp.attention_forward(*qkv(m=0))[0],
        Returns(lambda out: out.shape == (0, 3, 2)),
    ),
    Probe(
        "mask int 0/1",
        lambda: bp.attention_forward(*qkv(), mask=np.ones((3, 4), dtype=int)),
        Raises(TypeError, "mask must be a boolean array", "int64", "astype(bool)"),
    ),
    Probe(
        "mask additive float",
        lambda: bp.attention_forward(*qkv(), mask=np.zeros((3, 4))),
        Raises(TypeError, "mask must be a boolean array", "float64"),
    ),
    Probe(
        "mask transposed",
        lambda: bp.attention_forward(*qkv(), mask=np.ones((4, 3), bool)),
        Raises(ValueError, "mask has shape (4, 3), expected (T, S) = (3, 4) or (m, T, S) = (2, 3, 4)"),
    ),
    Probe(
        "mask broadcastable (1, T, S)",
        lambda: bp.attention_forward(*qkv(), mask=np.ones((1, 3, 4), bool)),
        Raises(ValueError, "mask has shape (1, 3, 4)"),
    ),
    Probe(
        "mask row all False",
        lambda: bp.attention_forward(*qkv(), mask=np.array([[True] * 4, [False] * 4, [True] * 4])),
        Raises(ValueError, "query row 1 may attend to no key", "mask[1] is False everywhere"),
    ),
    Probe("mask list of lists", mask_as_a_list, Returns(lambda ok: ok)),
    Probe("masked keys get nothing", masked_keys_get_nothing, Returns(lambda ok: ok)),
    Probe(
        "backward dout broadcast",
        lambda: bp.attention_backward(np.ones((2, 3, 1)), bp.attention_forward(*qkv())[1]),
        Raises(ValueError, "dout has shape (2, 3, 1), expected (2, 3, 2)"),
    ),
    Probe(
        "backward cache None",
        lambda: bp.attention_backward(np.ones((2, 3, 2)), None),
        Raises(TypeError, "cache must be the second value returned by attention_forward"),
    ),
    Probe("causal_mask 0", lambda: bp.causal_mask(0), Raises(ValueError, "T must be a positive integer, got 0")),
    Probe(
        "module d_model 2.5", lambda: bp.SelfAttention(2.5), Raises(ValueError, "d_model must be a positive integer")
    ),
    Probe(
        "module causal 'yes'",
        lambda: bp.SelfAttention(3, causal="yes"),
        Raises(TypeError, "causal must be True or False"),
    ),
    Probe(
        "module rng int", lambda: bp.SelfAttention(3, rng=0), Raises(TypeError, "rng must be a numpy.random.Generator")
    ),
    Probe("module int dtype", lambda: layer(dtype=np.int32), Raises(TypeError, "dtype must be a floating-point dtype")),
    Probe(
        "module X 2-D",
        lambda: layer().forward(np.ones((4, 3))),
        Raises(ValueError, "X must be 3-D (batch m, time steps T, d_model), got shape (4, 3)"),
    ),
    Probe(
        "module wrong d_model",
        lambda: layer().forward(np.ones((2, 4, 5))),
        Raises(ValueError, "X has 5 features", "expects d_model = 3"),
    ),
    Probe(
        "module NaN X",
        lambda: layer().forward(np.full((2, 4, 3), np.nan)),
        Raises(FloatingPointError, "X must be finite for self-attention, got NaN at index (0, 0, 0)"),
    ),
    Probe(
        "module backward first", lambda: layer().backward(np.ones((2, 4, 3))), Raises(RuntimeError, "before forward")
    ),
    Probe(
        "module dout broadcast",
        lambda: module_backward((1, 4, 3)),
        Raises(ValueError, "dout has shape (1, 4, 3), expected (2, 4, 3)"),
    ),
    Probe("module grads in place", grads_in_place, Returns(lambda ok: ok)),
    Probe("module float32", module_float32, Returns(lambda ok: ok)),
    Probe(
        "module one time step causal",
        lambda: (lambda a: a.forward(np.ones((2, 1, 3))))(layer(causal=True)),
        Returns(lambda out: out.shape == (2, 1, 3)),
    ),
    Probe(
        "module reused in a Sequential",
        lambda: (lambda a: bp.Sequential(a, a))(layer()),
        Raises(ValueError, "reuses"),
    ),
]

test_probe = table_test(PROBES)
