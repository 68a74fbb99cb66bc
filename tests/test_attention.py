import copy
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import seeds, upstream

import bp_lib as bp
from bp_lib.scalar import Value

MASKS = ("none", "causal", "padding", "random")


@st.composite
def problems(draw):
    """(Q, K, V, mask, dout): shapes m in [1, 3], T and S in [1, 4], d in [1, 5], dv in [1, 3].

    The mask is none, causal (S = T, lower triangle), padding ((m, T, S): the keys past a
    random length per example are masked for every query) or random ((T, S), a True
    forced into every row).
    """
    m, T, S = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    d, dv, kind = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.sampled_from(MASKS))
    rng = np.random.default_rng(draw(seeds))
    S = T if kind == "causal" else S
    Q, K, V = rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d)), rng.normal(size=(m, S, dv))
    mask = _mask(kind, m, T, S, rng)
    return Q, K, V, mask, upstream(rng, (m, T, dv))


def _mask(kind, m, T, S, rng):
    if kind == "none":
        return None
    if kind == "causal":
        return bp.causal_mask(T)
    if kind == "padding":
        lengths = rng.integers(1, S + 1, size=m)
        return np.broadcast_to(np.arange(S) < lengths[:, None, None], (m, T, S)).copy()
    mask = rng.random((T, S)) < 0.5
    mask[np.arange(T), rng.integers(0, S, size=T)] = True
    return mask


def _numerical_grads(Q, K, V, mask, dout):
    def loss():
        return np.sum(bp.attention_forward(Q, K, V, mask)[0] * dout)

    return [bp.numerical_gradient(loss, x, eps=1e-5) for x in (Q, K, V)]


def _assert_matches(analytic, numeric, tol=1e-7):
    """Relative error below ``tol``; or, where the true gradient is exactly 0, numeric ~0.

    dQ and dK are exactly 0 when every query has one allowed key (its probability is 1
    whatever the scores): a relative error of 0 against round-off is meaningless there.
    """
    for name, a, n in zip(("dQ", "dK", "dV"), analytic, numeric):
        assert a.shape == n.shape, name
        if not a.any():
            assert np.abs(n).max() < 1e-9, name
        else:
            assert bp.relative_error(a, n) < tol, (name, bp.relative_error(a, n))


def _single_allowed_key(mask, T, S):
    """Whether every query has exactly one key it may attend to."""
    allowed = np.ones((T, S), bool) if mask is None else mask
    return bool((allowed.sum(axis=-1) == 1).all())


# --- the pure pair: gradients -------------------------------------------------------


@given(problem=problems())
def test_attention_backward_matches_numerical_gradient(problem):
    Q, K, V, mask, dout = problem
    analytic = bp.attention_backward(dout, bp.attention_forward(Q, K, V, mask)[1])
    _assert_matches(analytic, _numerical_grads(Q, K, V, mask, dout))
    # the exactly-zero branch above is taken only where it must be
    assert analytic[0].any() or _single_allowed_key(mask, Q.shape[1], K.shape[1])


@pytest.mark.parametrize(
    ("m", "T", "S", "d", "dv", "kind"),
    [
        (1, 3, 3, 4, 2, "none"),  # batch 1
        (2, 2, 5, 3, 4, "none"),  # T != S, d != dv
        (2, 5, 2, 2, 3, "random"),  # T > S
        (1, 4, 4, 3, 3, "causal"),
        (3, 3, 4, 2, 2, "padding"),
        (2, 1, 1, 3, 2, "none"),  # one key: dQ = dK = 0 exactly
    ],
)
def test_attention_backward_on_named_shapes(m, T, S, d, dv, kind):
    rng = np.random.default_rng(m * 1000 + T * 100 + S * 10 + d)
    Q, K, V = rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d)), rng.normal(size=(m, S, dv))
    mask, dout = _mask(kind, m, T, S, rng), upstream(rng, (m, T, dv))
    analytic = bp.attention_backward(dout, bp.attention_forward(Q, K, V, mask)[1])
    _assert_matches(analytic, _numerical_grads(Q, K, V, mask, dout))


def test_one_key_gives_exactly_zero_dq_and_dk():
    rng = np.random.default_rng(1)
    Q, K, V = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 1, 4)), rng.normal(size=(2, 1, 2))
    out, cache = bp.attention_forward(Q, K, V)
    np.testing.assert_array_equal(out, np.broadcast_to(V, out.shape))  # P = 1: out is V's row
    dout = upstream(rng, out.shape)
    dQ, dK, dV = bp.attention_backward(dout, cache)
    np.testing.assert_array_equal(dQ, 0)
    np.testing.assert_array_equal(dK, 0)
    np.testing.assert_allclose(dV, dout.sum(axis=1, keepdims=True), rtol=1e-12)


@pytest.mark.parametrize("d", [4, 9, 16])
def test_the_scale_one_over_sqrt_d_is_in_the_backward_pass(d):
    """Without 1/sqrt(d), dQ and dK are sqrt(d) times too large: the check catches it."""
    rng = np.random.default_rng(d)
    Q, K, V = rng.normal(size=(2, 3, d)), rng.normal(size=(2, 4, d)), rng.normal(size=(2, 4, 2))
    dout = upstream(rng, (2, 3, 2))
    dQ, dK, dV = bp.attention_backward(dout, bp.attention_forward(Q, K, V)[1])
    nQ, nK, _ = _numerical_grads(Q, K, V, None, dout)
    assert bp.relative_error(dQ, nQ) < 1e-7 and bp.relative_error(dK, nK) < 1e-7
    unscaled = (dQ * math.sqrt(d), dK * math.sqrt(d))  # what a backward without the scale gives
    assert bp.relative_error(unscaled[0], nQ) > 0.2 and bp.relative_error(unscaled[1], nK) > 0.2


# --- independent references ---------------------------------------------------------


def _reference_forward(Q, K, V, mask):
    """Per example, per query: the scores, a softmax over the allowed keys, a weighted sum."""
    m, T, _ = Q.shape
    S = K.shape[1]
    out = np.zeros((m, T, V.shape[2]))
    for n in range(m):
        for t in range(T):
            allowed = [s for s in range(S) if mask is None or (mask[n, t, s] if mask.ndim == 3 else mask[t, s])]
            scores = {s: float(np.dot(Q[n, t], K[n, s])) / math.sqrt(Q.shape[2]) for s in allowed}
            top = max(scores.values())
            weights = {s: math.exp(z - top) for s, z in scores.items()}
            total = sum(weights.values())
            for s, w in weights.items():
                out[n, t] += (w / total) * V[n, s]
    return out


@given(problem=problems())
def test_forward_equals_a_per_query_loop(problem):
    Q, K, V, mask, _ = problem
    out, _ = bp.attention_forward(Q, K, V, mask)
    np.testing.assert_allclose(out, _reference_forward(Q, K, V, mask), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", MASKS)
def test_against_autograd(kind):
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(MASKS.index(kind))
    m, T, S, d, dv = 2, 4, 4, 3, 2
    Q, K, V = rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d)), rng.normal(size=(m, S, dv))
    mask, dout = _mask(kind, m, T, S, rng), rng.normal(size=(m, T, dv))
    allowed = np.ones((T, S), bool) if mask is None else mask

    def reference(q, k, v):
        Z = anp.einsum("ntd,nsd->nts", q, k) / anp.sqrt(d)
        E = anp.exp(Z - anp.max(Z, axis=-1, keepdims=True)) * allowed
        P = E / anp.sum(E, axis=-1, keepdims=True)
        return anp.sum(anp.einsum("nts,nsv->ntv", P, v) * dout)

    ours = bp.attention_backward(dout, bp.attention_forward(Q, K, V, mask)[1])
    for index in range(3):
        np.testing.assert_allclose(ours[index], autograd.grad(reference, index)(Q, K, V), rtol=1e-10, atol=1e-12)


def test_against_the_scalar_engine():
    """One example, T = 2 queries, S = 3 keys (the last masked for query 0), d = dv = 2."""
    rng = np.random.default_rng(2)
    Q, K, V = rng.normal(size=(1, 2, 2)), rng.normal(size=(1, 3, 2)), rng.normal(size=(1, 3, 2))
    mask = np.array([[True, True, False], [True, True, True]])
    dout = rng.normal(size=(1, 2, 2))
    q, k, v = ([[Value(float(x)) for x in row] for row in A[0]] for A in (Q, K, V))
    loss = Value(0.0)
    for t in range(2):
        allowed = [s for s in range(3) if mask[t, s]]
        E = {s: ((q[t][0] * k[s][0] + q[t][1] * k[s][1]) / math.sqrt(2)).exp() for s in allowed}
        total = sum(E.values())
        for j in range(2):
            loss = loss + sum(E[s] / total * v[s][j] for s in allowed) * float(dout[0, t, j])
    loss.backward()
    out, cache = bp.attention_forward(Q, K, V, mask)
    assert math.isclose(loss.data, float(np.sum(out * dout)), rel_tol=1e-12)
    for ours, values in zip(bp.attention_backward(dout, cache), (q, k, v)):
        np.testing.assert_allclose(ours[0], [[x.grad for x in row] for row in values], rtol=1e-10, atol=1e-14)


# --- identities and masking ---------------------------------------------------------


@given(problem=problems())
def test_identities(problem):
    Q, K, V, mask, dout = problem
    out, cache = bp.attention_forward(Q, K, V, mask)
    P = cache[3]
    np.testing.assert_allclose(P.sum(axis=-1), 1, rtol=1e-12)
    if mask is not None:
        assert np.all(P[..., ~mask] == 0) if mask.ndim == 2 else np.all(P[~mask] == 0)
    dQ, dK, dV = bp.attention_backward(dout, cache)
    # moving every key by the same vector adds a constant to each row of scores: out unchanged
    np.testing.assert_allclose(dK.sum(axis=1), 0, atol=1e-12)
    # constant values: every output is that constant, whatever the weights
    const = np.broadcast_to(V[:, :1], V.shape)
    np.testing.assert_allclose(bp.attention_forward(Q, K, const, mask)[0], np.broadcast_to(V[:, :1], out.shape))


def test_a_padding_mask_is_the_same_as_deleting_the_masked_keys():
    rng = np.random.default_rng(3)
    m, T, S, d, dv = 3, 4, 5, 3, 2
    lengths = [5, 2, 1]
    Q, K, V = rng.normal(size=(m, T, d)), rng.normal(size=(m, S, d)), rng.normal(size=(m, S, dv))
    mask = np.stack([np.broadcast_to(np.arange(S) < L, (T, S)) for L in lengths])
    dout = upstream(rng, (m, T, dv))
    out, cache = bp.attention_forward(Q, K, V, mask)
    dQ, dK, dV = bp.attention_backward(dout, cache)
    for n, L in enumerate(lengths):
        alone_out, alone_cache = bp.attention_forward(Q[n : n + 1], K[n : n + 1, :L], V[n : n + 1, :L])
        aQ, aK, aV = bp.attention_backward(dout[n : n + 1], alone_cache)
        np.testing.assert_allclose(out[n], alone_out[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(dQ[n], aQ[0], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dK[n, :L], aK[0], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dV[n, :L], aV[0], rtol=1e-10, atol=1e-14)
        # the masked keys: exactly no gradient
        np.testing.assert_array_equal(dK[n, L:], 0)
        np.testing.assert_array_equal(dV[n, L:], 0)


def test_masked_keys_get_zero_weight_and_their_values_do_not_matter():
    rng = np.random.default_rng(4)
    Q, K, V = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 3))
    mask = np.ones((3, 5), bool)
    mask[:, 3:] = False  # keys 3 and 4 masked for every query
    mask[0, 1] = False  # and key 1 for query 0 only
    out, cache = bp.attention_forward(Q, K, V, mask)
    assert np.all(cache[3][:, :, 3:] == 0) and np.all(cache[3][:, 0, 1] == 0)
    garbage_K, garbage_V = K.copy(), V.copy()
    garbage_K[:, 3:] = 1e3 * rng.normal(size=(2, 2, 4))
    garbage_V[:, 3:] = 1e3 * rng.normal(size=(2, 2, 3))
    np.testing.assert_array_equal(bp.attention_forward(Q, garbage_K, garbage_V, mask)[0], out)
    dout = upstream(rng, out.shape)
    dQ, dK, dV = bp.attention_backward(dout, cache)
    np.testing.assert_array_equal(dK[:, 3:], 0)
    np.testing.assert_array_equal(dV[:, 3:], 0)
    # key 1 receives from queries 1 and 2 only: dV[:, 1] = sum over those of P * dout
    P = cache[3]
    expected = P[:, 1:, 1, None] * dout[:, 1:]
    np.testing.assert_allclose(dV[:, 1], expected.sum(axis=1), rtol=1e-12)


def test_causal_output_at_t_does_not_depend_on_later_positions():
    rng = np.random.default_rng(5)
    Q, K, V = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 2))
    mask = bp.causal_mask(5)
    out = bp.attention_forward(Q, K, V, mask)[0]
    for t in range(4):
        later_K, later_V = K.copy(), V.copy()
        later_K[:, t + 1 :] = rng.normal(size=later_K[:, t + 1 :].shape)
        later_V[:, t + 1 :] = rng.normal(size=later_V[:, t + 1 :].shape)
        changed = bp.attention_forward(Q, later_K, later_V, mask)[0]
        np.testing.assert_allclose(changed[:, : t + 1], out[:, : t + 1], rtol=1e-13, atol=1e-15)
        assert not np.allclose(changed[:, t + 1 :], out[:, t + 1 :])
        unmasked = bp.attention_forward(Q, later_K, later_V)[0]  # the control: without the mask
        assert not np.allclose(unmasked[:, 0], bp.attention_forward(Q, K, V)[0][:, 0])


def test_causal_mask():
    np.testing.assert_array_equal(bp.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert bp.causal_mask(4).dtype == bool


def test_a_two_dimensional_mask_is_the_same_for_every_example():
    rng = np.random.default_rng(6)
    Q, K, V = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 4, 3))
    mask = _mask("random", 3, 4, 4, rng)
    out2, cache2 = bp.attention_forward(Q, K, V, mask)
    out3, cache3 = bp.attention_forward(Q, K, V, np.broadcast_to(mask, (3, 4, 4)))
    np.testing.assert_array_equal(out2, out3)
    dout = upstream(rng, out2.shape)
    for a, b in zip(bp.attention_backward(dout, cache2), bp.attention_backward(dout, cache3)):
        np.testing.assert_array_equal(a, b)


def test_float32_stays_float32_and_large_finite_scores_are_fine():
    rng = np.random.default_rng(7)
    Q, K, V = (rng.normal(size=shape).astype(np.float32) for shape in [(2, 3, 4), (2, 3, 4), (2, 3, 2)])
    out, cache = bp.attention_forward(Q, K, V, bp.causal_mask(3))
    grads = bp.attention_backward(np.ones_like(out), cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    big = bp.attention_forward(Q.astype(np.float64) * 1e100, K.astype(np.float64) * 1e100, V)[0]
    assert np.isfinite(big).all()  # scores near 1e200: the softmax picks the largest key


# --- the module ---------------------------------------------------------------------


def _module_numerical(model, X, dout, target):
    return bp.numerical_gradient(lambda: np.sum(model.forward(X) * dout), target, eps=1e-5)


@given(m=st.integers(1, 3), T=st.integers(2, 4), d=st.integers(1, 4), causal=st.booleans(), seed=seeds)
def test_module_gradients_match_numerical_gradients(m, T, d, causal, seed):
    rng = np.random.default_rng(seed)
    layer = bp.SelfAttention(d, rng=rng, causal=causal)
    X, dout = rng.normal(size=(m, T, d)), upstream(rng, (m, T, d))
    layer.forward(X)
    dX = layer.backward(dout)
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    _assert_close(dX, _module_numerical(layer, X, dout, X), "X")
    for name in ("Wq", "Wk", "Wv", "Wo"):
        _assert_close(analytic[name], _module_numerical(layer, X, dout, layer.params[name]), name)


def _assert_close(analytic, numeric, name):
    """Relative error < 1e-7; a gradient below 1e-3 everywhere is compared absolutely (1e-10).

    Centred differences carry an absolute round-off of ~1e-11 here: against a true gradient
    of ~1e-5 (a draw whose query row is nearly 0, d = 1), that is a relative error of 1e-7
    with nothing wrong.
    """
    if np.abs(analytic).max() < 1e-3:
        np.testing.assert_allclose(analytic, numeric, rtol=0, atol=1e-10, err_msg=name)
    else:
        assert bp.relative_error(analytic, numeric) < 1e-7, (name, bp.relative_error(analytic, numeric))


def test_module_is_the_pure_pair_and_writes_gradients_in_place():
    rng = np.random.default_rng(8)
    layer = bp.SelfAttention(4, rng=rng, causal=True)
    Wq, Wk, Wv, Wo = (layer.params[name] for name in ("Wq", "Wk", "Wv", "Wo"))
    arrays = dict(layer.grads)
    for shape in [(2, 3, 4), (1, 5, 4)]:
        X, dout = rng.normal(size=shape), rng.normal(size=shape)
        A, cache = bp.attention_forward(X @ Wq, X @ Wk, X @ Wv, bp.causal_mask(shape[1]))
        np.testing.assert_allclose(layer.forward(X), A @ Wo, rtol=1e-13)
        dA = dout @ Wo.T
        dQ, dK, dV = bp.attention_backward(dA, cache)
        dX = layer.backward(dout)
        np.testing.assert_allclose(dX, dQ @ Wq.T + dK @ Wk.T + dV @ Wv.T, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.grads["Wo"], np.einsum("ntd,nte->de", A, dout), rtol=1e-12, atol=1e-14)
        for name, grad in (("Wq", dQ), ("Wk", dK), ("Wv", dV)):
            np.testing.assert_allclose(layer.grads[name], np.einsum("ntd,nte->de", X, grad), rtol=1e-12, atol=1e-14)
        assert all(layer.grads[name] is arrays[name] for name in arrays)


def test_module_causal_output_at_t_does_not_depend_on_later_inputs():
    rng = np.random.default_rng(9)
    causal, full = (
        bp.SelfAttention(3, rng=np.random.default_rng(0), causal=True),
        bp.SelfAttention(3, rng=np.random.default_rng(0)),
    )
    X = rng.normal(size=(2, 5, 3))
    out, out_full = causal.forward(X), full.forward(X)
    for t in range(4):
        later = X.copy()
        later[:, t + 1 :] = rng.normal(size=later[:, t + 1 :].shape)
        np.testing.assert_allclose(causal.forward(later)[:, : t + 1], out[:, : t + 1], rtol=1e-12, atol=1e-14)
        assert not np.allclose(full.forward(later)[:, : t + 1], out_full[:, : t + 1])  # the control


def test_module_init_is_xavier_uniform_and_seeded():
    layer = bp.SelfAttention(64, rng=np.random.default_rng(10))
    limit = math.sqrt(6 / (64 + 64))
    for name, W in layer.params.items():
        assert W.shape == (64, 64) and W.dtype == np.float64, name
        assert np.abs(W).max() <= limit and np.abs(W).max() > 0.95 * limit, name
        assert abs(W.var() - limit**2 / 3) < 0.1 * limit**2 / 3, name
    assert not np.array_equal(layer.params["Wq"], layer.params["Wk"])  # four separate draws
    again = bp.SelfAttention(64, rng=np.random.default_rng(10))
    assert all(np.array_equal(layer.params[n], again.params[n]) for n in layer.params)


def test_backward_params_stores_the_same_gradients_and_returns_none():
    rng = np.random.default_rng(11)
    layer = bp.SelfAttention(3, rng=rng)
    X, dout = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 3))
    layer.forward(X)
    layer.backward(dout)
    full = copy.deepcopy(layer.grads)
    layer.forward(X)
    assert layer.backward_params(dout) is None
    for name in full:
        np.testing.assert_array_equal(layer.grads[name], full[name])


def test_module_float32_stays_float32():
    layer = bp.SelfAttention(3, rng=np.random.default_rng(12), causal=True, dtype=np.float32)
    X = np.random.default_rng(13).normal(size=(2, 4, 3)).astype(np.float32)
    out = layer.forward(X)
    dX = layer.backward(np.ones_like(out))
    assert out.dtype == dX.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())


def test_repr_and_interface():
    layer = bp.SelfAttention(5, rng=np.random.default_rng(0), causal=True)
    assert repr(layer) == "SelfAttention(5, causal=True)"
    assert set(layer.params) == set(layer.grads) == {"Wq", "Wk", "Wv", "Wo"}
    assert repr(bp.SelfAttention(2, rng=np.random.default_rng(0))) == "SelfAttention(2, causal=False)"


# --- in a transformer block ---------------------------------------------------------


def _check_model(model, X, dout):
    model.forward(X)
    dX = model.backward(dout)
    analytic = {name: g.copy() for name, g in model.grads.items()}
    assert bp.relative_error(dX, _module_numerical(model, X, dout, X)) < 1e-7
    for name, param in model.params.items():
        assert bp.relative_error(analytic[name], _module_numerical(model, X, dout, param)) < 1e-7, name
    return analytic


@pytest.mark.parametrize("causal", [False, True])
def test_residual_layernorm_self_attention_gradient_checks(causal):
    rng = np.random.default_rng(14)
    d = 4
    norm = bp.LayerNorm(d)
    norm.params["gamma"][:] = rng.normal(size=d) + 1
    norm.params["beta"][:] = rng.normal(size=d)
    model = bp.Residual(bp.Sequential(norm, bp.SelfAttention(d, rng=rng, causal=causal)))
    X, dout = rng.normal(size=(2, 5, d)) * 2, upstream(rng, (2, 5, d))
    out = model.forward(X)
    assert out.shape == X.shape
    analytic = _check_model(model, X, dout)
    assert set(analytic) == {"0.gamma", "0.beta", "1.Wq", "1.Wk", "1.Wv", "1.Wo"}


def test_a_pre_norm_transformer_block_gradient_checks_and_trains():
    """Residual(LN, SelfAttention) then Residual(LN, Dense, ReLU, Dense), then a readout."""
    rng = np.random.default_rng(15)
    d, T = 4, 3
    model = bp.Sequential(
        bp.Residual(bp.Sequential(bp.LayerNorm(d), bp.SelfAttention(d, rng=rng, causal=True))),
        bp.Residual(bp.Sequential(bp.LayerNorm(d), bp.Dense(d, 8, rng=rng), bp.ReLU(), bp.Dense(8, d, rng=rng))),
        bp.Dense(d, 3, init="xavier", rng=rng),
    )
    X = rng.normal(size=(2, T, d))
    _check_model(model, X, upstream(rng, (2, T, 3)))
    # a few steps of SGD on a fixed batch lower the loss: the gradients point downhill
    X, y = rng.normal(size=(16, T, d)), rng.integers(0, 3, size=16 * T)
    optimizer = bp.SGD(0.1)
    losses = []
    for _ in range(30):
        loss, dZ = bp.softmax_cross_entropy(model.forward(X).reshape(-1, 3), y)
        model.backward(dZ.reshape(16, T, 3))
        optimizer.step(model.params, model.grads)
        losses.append(loss)
    assert losses[-1] < 0.8 * losses[0], losses


# --- errors -------------------------------------------------------------------------

Q3, K4, V4 = np.ones((2, 3, 5)), np.ones((2, 4, 5)), np.ones((2, 4, 2))


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((np.ones((3, 5)), K4, V4), ValueError, ["Q must be 3-D", "(3, 5)"]),
        ((Q3, np.ones((4, 5)), V4), ValueError, ["K must be 3-D", "(4, 5)"]),
        ((Q3, K4, np.ones((2, 4, 2, 1))), ValueError, ["V must be 3-D", "(2, 4, 2, 1)"]),
        ((Q3, np.ones((1, 4, 5)), V4), ValueError, ["same number of examples", "(2, 3, 5)", "(1, 4, 5)"]),
        ((Q3, np.ones((2, 4, 3)), V4), ValueError, ["same number d >= 1 of features", "(2, 3, 5)", "(2, 4, 3)"]),
        ((np.ones((2, 3, 0)), np.ones((2, 4, 0)), V4), ValueError, ["d >= 1"]),
        ((Q3, K4, np.ones((2, 3, 2))), ValueError, ["same number S >= 1 of keys", "(2, 4, 5)", "(2, 3, 2)"]),
        ((Q3, np.ones((2, 0, 5)), np.ones((2, 0, 2))), ValueError, ["S >= 1"]),
        ((Q3 + 1j, K4, V4), TypeError, ["Q must be a real"]),
        ((Q3, K4, V4, np.ones((3, 4))), TypeError, ["mask must be a boolean", "float64", "astype(bool)"]),
        ((Q3, K4, V4, np.ones((4, 3), bool)), ValueError, ["mask has shape (4, 3)", "(3, 4)", "(2, 3, 4)"]),
        ((Q3, K4, V4, np.ones((1, 3, 4), bool)), ValueError, ["mask has shape (1, 3, 4)"]),
    ],
)
def test_forward_errors_name_the_argument_and_shapes(args, error, words):
    with pytest.raises(error) as raised:
        bp.attention_forward(*args)
    for word in words:
        assert word in str(raised.value), str(raised.value)


def test_a_query_with_no_allowed_key_is_named():
    mask = np.ones((3, 4), bool)
    mask[1] = False
    with pytest.raises(ValueError, match=r"query row 1 may attend to no key: mask\[1\] is False everywhere"):
        bp.attention_forward(Q3, K4, V4, mask)
    mask3 = np.ones((2, 3, 4), bool)
    mask3[1, 2] = False
    with pytest.raises(ValueError, match=r"query row 2 of example 1 may attend to no key: mask\[1, 2\]"):
        bp.attention_forward(Q3, K4, V4, mask3)


def test_non_finite_input_is_named_not_returned_as_nan():
    for name, index in (("Q", 0), ("K", 1), ("V", 2)):
        args = [Q3.copy(), K4.copy(), V4.copy()]
        args[index][1, 2, 0] = np.nan
        with pytest.raises(
            FloatingPointError, match=rf"{name} must be finite for attention, got NaN at index \(1, 2, 0\)"
        ):
            bp.attention_forward(*args)
    with pytest.raises(FloatingPointError, match=r"Q K\^T / sqrt\(d\) overflows float64"):
        bp.attention_forward(Q3 * 1e160, K4 * 1e160, V4)


def test_backward_errors():
    _, cache = bp.attention_forward(Q3, K4, V4)
    with pytest.raises(ValueError, match=r"dout has shape \(2, 3, 5\), expected \(2, 3, 2\)"):
        bp.attention_backward(np.ones((2, 3, 5)), cache)
    with pytest.raises(TypeError, match="attention_forward"):
        bp.attention_backward(np.ones((2, 3, 2)), cache[:3])


def test_module_errors():
    with pytest.raises(ValueError, match="d_model must be a positive integer"):
        bp.SelfAttention(0)
    with pytest.raises(TypeError, match="causal must be True or False"):
        bp.SelfAttention(3, causal="yes")
    with pytest.raises(TypeError, match="dtype"):
        bp.SelfAttention(3, dtype=np.int64)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        bp.SelfAttention(3, rng=0)
    layer = bp.SelfAttention(3, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match=r"X must be 3-D.*\(4, 3\)"):
        layer.forward(np.ones((4, 3)))
    with pytest.raises(
        ValueError, match=r"X has 5 features \(shape \(2, 4, 5\)\) but SelfAttention expects d_model = 3"
    ):
        layer.forward(np.ones((2, 4, 5)))
    X = np.ones((2, 4, 3))
    X[0, 1, 2] = np.inf
    with pytest.raises(FloatingPointError, match=r"X must be finite for self-attention, got inf at index \(0, 1, 2\)"):
        layer.forward(X)
    layer.forward(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(2, 4\), expected \(2, 4, 3\)"):
        layer.backward(np.ones((2, 4)))
