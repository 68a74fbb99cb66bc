import copy

import numpy as np
import pytest
from helpers import check_backward
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import away_from_zero, seeds, upstream

import bp_lib as bp

leading_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)


def _inputs(rng, shape):
    """X (..., n) with rows of spread-out values, gamma with |gamma| >= 0.5, beta."""
    n = shape[-1]
    X = rng.normal(size=shape) * 2 + 1
    return X, away_from_zero(rng, n, margin=0.5), rng.normal(size=n)


def _part_seen_by_layernorm(dout, X):
    """Each row of ``dout`` with its mean and its component along the centred row removed.

    LN's input gradient is (gamma-weighted) this projection, row by row: a draw where it
    is ~0 makes the true dX ~0 and its relative error meaningless. Computed from the
    geometry, not from bp_lib.
    """
    centred = X - X.mean(axis=-1, keepdims=True)
    d = dout - dout.mean(axis=-1, keepdims=True)
    along = np.sum(d * centred, axis=-1, keepdims=True) / np.sum(centred * centred, axis=-1, keepdims=True)
    return d - centred * along


def _reference_row(x, gamma, beta, eps=1e-5):
    """Layer norm of one row, written out with Python's statistics of a list."""
    values = [float(v) for v in x]
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return np.array([g * (v - mean) / (var + eps) ** 0.5 + b for v, g, b in zip(values, gamma, beta)])


@given(lead=leading_shapes, n=st.integers(2, 6), seed=seeds)
def test_layernorm_backward_matches_numerical_gradient(lead, n, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, (*lead, n))
    dout = upstream(rng, X.shape)
    # degenerate draws: a row almost constant (x_hat bends at the scale of sqrt(eps)), or
    # an upstream gradient that layer norm maps to ~0 (with n = 2 one direction survives)
    assume(X.std(axis=-1).min() > 0.2)
    assume(np.abs(_part_seen_by_layernorm(dout * gamma, X)).max() > 1e-2)
    check_backward(bp.layernorm_forward, bp.layernorm_backward, (X, gamma, beta), dout)


@pytest.mark.parametrize("shape", [(1, 4), (2, 3, 5), (1, 1, 3), (6,)])
def test_layernorm_backward_on_batch_one_and_leading_shapes(shape):
    rng = np.random.default_rng(sum(shape))
    X, gamma, beta = _inputs(rng, shape)
    check_backward(bp.layernorm_forward, bp.layernorm_backward, (X, gamma, beta), upstream(rng, shape))


@given(lead=leading_shapes, n=st.integers(1, 6), seed=seeds)
def test_layernorm_forward_equals_a_per_row_loop(lead, n, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, (*lead, n))
    out, _ = bp.layernorm_forward(X, gamma, beta)
    rows = X.reshape(-1, n)
    expected = np.array([_reference_row(row, gamma, beta) for row in rows]).reshape(X.shape)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)


@given(lead=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), n=st.integers(2, 6), seed=seeds)
def test_leading_axes_are_rows_of_the_two_dimensional_form(lead, n, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, (*lead, n))
    dout = upstream(rng, X.shape)
    out, cache = bp.layernorm_forward(X, gamma, beta)
    flat_out, flat_cache = bp.layernorm_forward(X.reshape(-1, n), gamma, beta)
    np.testing.assert_allclose(out, flat_out.reshape(X.shape), rtol=1e-12, atol=1e-14)
    grads = bp.layernorm_backward(dout, cache)
    flat = bp.layernorm_backward(dout.reshape(-1, n), flat_cache)
    np.testing.assert_allclose(grads[0], flat[0].reshape(X.shape), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grads[1], flat[1], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grads[2], flat[2], rtol=1e-10, atol=1e-13)


def test_layernorm_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(21)
    X, gamma, beta = _inputs(rng, (2, 3, 5))
    dout = rng.normal(size=X.shape)

    def reference(x, g, b):
        mu = anp.mean(x, axis=-1, keepdims=True)
        var = anp.mean((x - mu) ** 2, axis=-1, keepdims=True)
        return anp.sum((g * (x - mu) / anp.sqrt(var + 1e-5) + b) * dout)

    ours = bp.layernorm_backward(dout, bp.layernorm_forward(X, gamma, beta)[1])
    for index in range(3):
        np.testing.assert_allclose(ours[index], autograd.grad(reference, index)(X, gamma, beta), atol=1e-12)


@given(m=st.integers(2, 8), n=st.integers(2, 6), seed=seeds)
def test_layernorm_is_batchnorm_of_the_transpose(m, n, seed):
    """With gamma = 1, beta = 0: LN(X) = BN(X.T).T; LN's dX = BN's dX^T fed dout * gamma."""
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, (m, n))
    dout = upstream(rng, (m, n))
    ln_plain, _ = bp.layernorm_forward(X, np.ones(n), np.zeros(n))
    bn_plain, bn_cache = bp.batchnorm_forward(X.T, np.ones(m), np.zeros(m))
    np.testing.assert_allclose(ln_plain, bn_plain.T, rtol=1e-12, atol=1e-14)
    out, cache = bp.layernorm_forward(X, gamma, beta)
    np.testing.assert_allclose(out, gamma * bn_plain.T + beta, rtol=1e-12, atol=1e-12)
    dX, dgamma, dbeta = bp.layernorm_backward(dout, cache)
    bn_dX = bp.batchnorm_backward((dout * gamma).T, bn_cache)[0]
    np.testing.assert_allclose(dX, bn_dX.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, np.sum(dout * bn_plain.T, axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dbeta, dout.sum(axis=0))


@given(lead=leading_shapes, n=st.integers(1, 6), seed=seeds)
def test_layernorm_identities(lead, n, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, (*lead, n))
    dout = upstream(rng, X.shape)
    out, cache = bp.layernorm_forward(X, np.ones(n), np.zeros(n))
    dX, dgamma, dbeta = bp.layernorm_backward(dout, cache)
    np.testing.assert_allclose(out.mean(axis=-1), 0, atol=1e-10)
    var = X.var(axis=-1)  # eps inside the root: var(out) = var / (var + eps), per row
    np.testing.assert_allclose(out.var(axis=-1), var / (var + 1e-5), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dX.sum(axis=-1), 0, atol=1e-9)  # a shift of a row changes nothing
    np.testing.assert_allclose(dbeta, dout.reshape(-1, n).sum(axis=0))


def test_a_row_of_one_feature_normalises_to_beta_with_zero_gradient():
    X = np.array([[3.0], [-7.0]])
    out, cache = bp.layernorm_forward(X, np.array([2.0]), np.array([0.5]))
    np.testing.assert_array_equal(out, [[0.5], [0.5]])
    dX, dgamma, dbeta = bp.layernorm_backward(np.array([[1.0], [2.0]]), cache)
    np.testing.assert_array_equal(dX, 0)
    np.testing.assert_array_equal(dgamma, 0)
    np.testing.assert_array_equal(dbeta, [3.0])


def test_one_row_changed_changes_no_other_row():
    rng = np.random.default_rng(22)
    X, gamma, beta = _inputs(rng, (5, 4))
    dout = upstream(rng, X.shape)
    other = X.copy()
    other[2] = rng.normal(size=4) * 10
    outs, grads = [], []
    for batch in (X, other):
        out, cache = bp.layernorm_forward(batch, gamma, beta)
        outs.append(out)
        grads.append(bp.layernorm_backward(dout, cache)[0])
    rest = [0, 1, 3, 4]
    np.testing.assert_array_equal(outs[0][rest], outs[1][rest])
    np.testing.assert_array_equal(grads[0][rest], grads[1][rest])
    assert not np.allclose(outs[0][2], outs[1][2])


# --- the module ---


def test_module_is_the_pure_pair_and_writes_gradients_in_place():
    rng = np.random.default_rng(23)
    layer = bp.LayerNorm(4)
    layer.params["gamma"][:] = rng.normal(size=4)
    layer.params["beta"][:] = rng.normal(size=4)
    arrays = {name: layer.grads[name] for name in ("gamma", "beta")}
    for shape in [(5, 4), (2, 3, 4)]:
        X, dout = rng.normal(size=shape), rng.normal(size=shape)
        out, cache = bp.layernorm_forward(X, layer.params["gamma"], layer.params["beta"])
        np.testing.assert_array_equal(layer.forward(X), out)
        dX, dgamma, dbeta = bp.layernorm_backward(dout, cache)
        np.testing.assert_array_equal(layer.backward(dout), dX)
        np.testing.assert_array_equal(layer.grads["gamma"], dgamma)
        np.testing.assert_array_equal(layer.grads["beta"], dbeta)
        assert all(layer.grads[name] is arrays[name] for name in arrays)


def test_module_parameter_gradients_match_numerical_gradients():
    rng = np.random.default_rng(24)
    layer = bp.LayerNorm(3)
    layer.params["gamma"][:] = [1.5, -0.7, 2.0]
    X, dout = rng.normal(size=(2, 4, 3)) * 3, rng.normal(size=(2, 4, 3))
    layer.forward(X)
    layer.backward(dout)
    for name in ("gamma", "beta"):
        analytic = layer.grads[name].copy()
        numeric = bp.numerical_gradient(lambda: np.sum(layer.forward(X) * dout), layer.params[name], eps=1e-5)
        assert bp.relative_error(analytic, numeric) < 1e-7


def test_training_and_evaluation_compute_the_same_and_keep_no_statistics():
    rng = np.random.default_rng(25)
    layer = bp.LayerNorm(4)
    layer.params["gamma"][:] = rng.normal(size=4)
    X, dout = rng.normal(size=(6, 4)) * 3 + 1, rng.normal(size=(6, 4))
    before = copy.deepcopy(layer.__dict__)
    train_out, train_dX = layer.train().forward(X), layer.backward(dout)
    train_grads = {k: v.copy() for k, v in layer.grads.items()}
    eval_out, eval_dX = layer.eval().forward(X), layer.backward(dout)
    np.testing.assert_array_equal(train_out, eval_out)
    np.testing.assert_array_equal(train_dX, eval_dX)
    for name in train_grads:
        np.testing.assert_array_equal(train_grads[name], layer.grads[name])
    # nothing but the cache, the mode and the gradients changed: no running statistics
    changed = {k for k in layer.__dict__ if k not in before or not _same(before[k], layer.__dict__[k])}
    assert changed <= {"_cache", "training", "grads"}
    np.testing.assert_array_equal(layer.eval().forward(X[:1]), train_out[:1])  # one example


def _same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    return a is b or a == b


def test_module_in_a_sequential_gradient_checks():
    rng = np.random.default_rng(26)
    model = bp.Sequential(bp.Dense(3, 4, rng=rng), bp.LayerNorm(4), bp.Tanh(), bp.Dense(4, 2, rng=rng))
    model.layers[1].params["gamma"][:] = rng.normal(size=4) + 1
    model.layers[1].params["beta"][:] = rng.normal(size=4)
    X, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    model.forward(X)
    dX = model.backward(dout)
    analytic = {name: g.copy() for name, g in model.grads.items()} | {"X": dX}

    def loss():
        return np.sum(model.forward(X) * dout)

    for name, target in [*model.params.items(), ("X", X)]:
        assert bp.relative_error(analytic[name], bp.numerical_gradient(loss, target, eps=1e-5)) < 1e-7, name


def test_float32_stays_float32():
    layer = bp.LayerNorm(3, dtype=np.float32)
    X = np.random.default_rng(27).normal(size=(4, 3)).astype(np.float32)
    out = layer.forward(X)
    dX = layer.backward(np.ones_like(out))
    assert out.dtype == dX.dtype == layer.grads["gamma"].dtype == layer.grads["beta"].dtype == np.float32


def test_repr_and_interface():
    layer = bp.LayerNorm(5, eps=1e-6)
    assert repr(layer) == "LayerNorm(5, eps=1e-06)"
    assert set(layer.params) == set(layer.grads) == {"gamma", "beta"}
    np.testing.assert_array_equal(layer.params["gamma"], np.ones(5))
    np.testing.assert_array_equal(layer.params["beta"], np.zeros(5))


# --- errors ---

GOOD = (np.ones((2, 3)), np.ones(3), np.zeros(3))


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((np.ones((2, 3)), np.ones(4), np.zeros(3)), ValueError, ["gamma", "(4,)", "(3,)", "(2, 3)"]),
        ((np.ones((2, 3)), np.ones(3), np.zeros((1, 3))), ValueError, ["beta", "(1, 3)", "(3,)"]),
        ((np.ones((2, 3)), np.ones((3, 1)), np.zeros(3)), ValueError, ["gamma", "(3, 1)"]),
        ((np.float64(2.0), np.ones(1), np.zeros(1)), ValueError, ["at least 1 dimension", "()"]),
        ((np.array([["a", "b"]]), np.ones(2), np.zeros(2)), TypeError, ["X", "numeric"]),
        ((*GOOD, 0.0), ValueError, ["eps"]),
        ((*GOOD, -1e-5), ValueError, ["eps"]),
        ((*GOOD, float("nan")), ValueError, ["eps"]),
        ((np.ones((4, 0)), np.ones(0), np.zeros(0)), ValueError, ["at least 1 feature", "(4, 0)"]),
        ((np.ones(0), np.ones(0), np.zeros(0)), ValueError, ["at least 1 feature", "(0,)"]),
    ],
)
def test_forward_errors_name_the_argument_and_shapes(args, error, words):
    with pytest.raises(error) as raised:
        bp.layernorm_forward(*args)
    for word in words:
        assert word in str(raised.value), str(raised.value)


def test_non_finite_input_is_named_not_normalised_to_nan():
    X = np.ones((2, 3, 4))
    X[1, 2, 0] = np.inf
    with pytest.raises(FloatingPointError, match=r"inf at index \(1, 2, 0\)"):
        bp.layernorm_forward(X, np.ones(4), np.zeros(4))
    huge = np.array([[1e200, -1e200, 0.0], [1.0, 2.0, 3.0]])
    with pytest.raises(FloatingPointError, match=r"row \(0,\) of X overflows float64"):
        bp.layernorm_forward(huge, np.ones(3), np.zeros(3))


def test_backward_errors():
    _, cache = bp.layernorm_forward(*GOOD)
    with pytest.raises(ValueError, match=r"dout has shape \(3, 2\), expected \(2, 3\)"):
        bp.layernorm_backward(np.ones((3, 2)), cache)
    with pytest.raises(TypeError, match="layernorm_forward"):
        bp.layernorm_backward(np.ones((2, 3)), cache[:2])
    batchnorm_cache = bp.batchnorm_forward(np.arange(6.0).reshape(2, 3), *GOOD[1:])[1]
    with pytest.raises(ValueError, match="cache must be the second value returned by layernorm_forward"):
        bp.layernorm_backward(np.ones((2, 3)), batchnorm_cache)
    with pytest.raises(RuntimeError, match="before forward"):
        bp.LayerNorm(3).backward(np.ones((2, 3)))


def test_module_errors():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        bp.LayerNorm(0)
    with pytest.raises(ValueError, match="eps"):
        bp.LayerNorm(3, eps=0)
    with pytest.raises(TypeError, match="dtype"):
        bp.LayerNorm(3, dtype=np.int64)
    with pytest.raises(ValueError, match=r"gamma has shape \(3,\), expected \(4,\)"):
        bp.LayerNorm(3).forward(np.ones((2, 4)))
