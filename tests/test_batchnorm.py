import numpy as np
import pytest
from helpers import check_backward
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import away_from_zero, seeds, shapes, upstream

import bp_lib as bp


def _inputs(rng, shape):
    """X (m, n), gamma (n,) with |gamma| >= 0.5 (a gamma near 0 makes dX ~0), beta (n,)."""
    m, n = shape
    return rng.normal(size=(m, n)) * 2 + 1, away_from_zero(rng, n, margin=0.5), rng.normal(size=n)


def _part_seen_by_batchnorm(dout, X):
    """The part of each column of ``dout`` orthogonal to the constants and to x_hat.

    BN's input gradient is (gamma / std) times this projection: it sends a shift of the
    upstream gradient and a multiple of x_hat to 0. Computed here from the geometry, not
    from bp_lib, only to recognise draws where the true dX is ~0.
    """
    centred = X - X.mean(axis=0)
    d = dout - dout.mean(axis=0)
    return d - centred * np.sum(d * centred, axis=0) / np.sum(centred * centred, axis=0)


@given(shape=shapes(min_batch=3), seed=seeds)
def test_batchnorm_backward_matches_numerical_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, shape)
    dout = upstream(rng, shape)
    # Degenerate draws, where a relative error means nothing: a feature almost constant over
    # the batch (x_hat then bends sharply, at the scale of sqrt(eps), and the centred
    # difference's truncation error grows), or an upstream gradient that BN maps to ~0
    # (with m = 3 only one direction per feature survives the projection).
    assume(X.std(axis=0).min() > 0.2)
    assume(np.abs(_part_seen_by_batchnorm(dout, X)).max() > 1e-2)
    check_backward(bp.batchnorm_forward, bp.batchnorm_backward, (X, gamma, beta), dout)


@given(shape=shapes(min_batch=2), seed=seeds)
def test_batchnorm_identities(shape, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, shape)
    dout = upstream(rng, shape)
    out, cache = bp.batchnorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = bp.batchnorm_backward(dout, cache)
    np.testing.assert_allclose(dX.sum(axis=0), 0, atol=1e-10)  # a shift of every row changes nothing
    np.testing.assert_allclose(dbeta, dout.sum(axis=0))
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-10)


def test_batchnorm_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(11)
    X, gamma, beta = _inputs(rng, (6, 4))
    dout = rng.normal(size=(6, 4))

    def reference(x, g, b):
        mu = anp.mean(x, axis=0)
        var = anp.mean((x - mu) ** 2, axis=0)
        return anp.sum((g * (x - mu) / anp.sqrt(var + 1e-5) + b) * dout)

    ours = bp.batchnorm_backward(dout, bp.batchnorm_forward(X, gamma, beta)[1])
    for index in range(3):
        np.testing.assert_allclose(ours[index], autograd.grad(reference, index)(X, gamma, beta), atol=1e-12)


def test_batchnorm_module_running_statistics_and_eval_mode():
    rng = np.random.default_rng(12)
    layer = bp.BatchNorm(3, momentum=0.8)
    batches = [rng.normal(size=(5, 3)) * 3 + 2 for _ in range(2)]
    mean, var = np.zeros(3), np.ones(3)
    for X in batches:
        layer.forward(X)
        mean = 0.8 * mean + 0.2 * X.mean(axis=0)
        var = 0.8 * var + 0.2 * X.var(axis=0, ddof=1)  # the running variance is the unbiased one
    np.testing.assert_allclose(layer.running_mean, mean)
    np.testing.assert_allclose(layer.running_var, var)
    layer.params["gamma"][:] = [1.0, 2.0, 0.5]
    X = rng.normal(size=(4, 3))
    out = layer.eval().forward(X)
    np.testing.assert_allclose(out, layer.params["gamma"] * (X - mean) / np.sqrt(var + 1e-5))
    np.testing.assert_allclose(layer.running_mean, mean)  # eval mode leaves the statistics alone


def test_batchnorm_eval_backward_matches_numerical_gradient():
    rng = np.random.default_rng(13)
    layer = bp.BatchNorm(4)
    layer.forward(rng.normal(size=(8, 4)))
    layer.eval()
    X, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer.forward(X)
    dX = layer.backward(dout)
    numeric = bp.numerical_gradient(lambda: np.sum(layer.forward(X) * dout), X)
    assert bp.relative_error(dX, numeric) < 1e-7
    for name in ("gamma", "beta"):
        param = layer.params[name]
        analytic = layer.grads[name].copy()
        numeric = bp.numerical_gradient(lambda: np.sum(layer.forward(X) * dout), param)
        assert bp.relative_error(analytic, numeric) < 1e-7


def test_batchnorm_float32():
    layer = bp.BatchNorm(3, dtype=np.float32)
    X = np.random.default_rng(14).normal(size=(4, 3)).astype(np.float32)
    out = layer.forward(X)
    dX = layer.backward(np.ones_like(out))
    assert out.dtype == dX.dtype == layer.grads["gamma"].dtype == layer.grads["beta"].dtype == np.float32
    dX, dgamma, dbeta = bp.batchnorm_backward(X, bp.batchnorm_forward(X, X[0], X[1])[1])
    assert dX.dtype == dgamma.dtype == dbeta.dtype == np.float32


@given(shape=shapes(min_batch=3), seed=seeds)
def test_graph_backward_equals_the_compact_one(shape, seed):
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, shape)
    dout = upstream(rng, shape)
    _, cache = bp.batchnorm_forward(X, gamma, beta)
    for compact, staged in zip(bp.batchnorm_backward(dout, cache), bp.batchnorm_backward_graph(dout, cache)):
        np.testing.assert_allclose(staged, compact, rtol=1e-9, atol=1e-12)


@given(n=st.integers(1, 6), seed=seeds)
def test_batchnorm_backward_with_a_batch_of_two(n, seed):
    # With two rows, x_hat = +-d / sqrt(d**2 + eps) (d half the difference of the rows) is
    # almost independent of X, so dX is O(eps / d**3): below 1e-3 here, often ~1e-7, and its
    # relative error can compare two rounding errors. dgamma and dbeta are O(1) and keep the
    # strict check; dX must match to 1e-7 relative or to the round-off floor of the centred
    # differences (~1e-11 here; 1e-8 allowed), either of which a wrong formula misses.
    rng = np.random.default_rng(seed)
    X, gamma, beta = _inputs(rng, (2, n))
    X[1] = X[0] + away_from_zero(rng, n, margin=0.5)  # rows at least 0.5 apart in every feature
    dout = upstream(rng, (2, n))
    dX, dgamma, dbeta = bp.batchnorm_backward(dout, bp.batchnorm_forward(X, gamma, beta)[1])

    def f():
        return np.sum(bp.batchnorm_forward(X, gamma, beta)[0] * dout)

    assert bp.relative_error(dgamma, bp.numerical_gradient(f, gamma, eps=1e-5)) < 1e-7
    assert bp.relative_error(dbeta, bp.numerical_gradient(f, beta, eps=1e-5)) < 1e-7
    numeric = bp.numerical_gradient(f, X, eps=1e-5)
    assert bp.relative_error(dX, numeric) < 1e-7 or np.abs(dX - numeric).max() < 1e-8
    np.testing.assert_allclose(dX.sum(axis=0), 0, atol=1e-10)


def test_batchnorm_module_in_training_mode_is_the_pure_pair():
    rng = np.random.default_rng(15)
    layer = bp.BatchNorm(4)
    layer.params["gamma"][:] = rng.normal(size=4)
    layer.params["beta"][:] = rng.normal(size=4)
    X, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    out, cache = bp.batchnorm_forward(X, layer.params["gamma"], layer.params["beta"])
    np.testing.assert_array_equal(layer.forward(X), out)
    dX, dgamma, dbeta = bp.batchnorm_backward(dout, cache)
    np.testing.assert_array_equal(layer.backward(dout), dX)
    np.testing.assert_array_equal(layer.grads["gamma"], dgamma)
    np.testing.assert_array_equal(layer.grads["beta"], dbeta)


def test_batchnorm_normalises_each_feature_to_mean_zero_and_variance_nearly_one():
    rng = np.random.default_rng(16)
    X = rng.normal(size=(50, 3)) * [1.0, 10.0, 0.1] + [5.0, -3.0, 0.0]
    out, _ = bp.batchnorm_forward(X, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    # eps sits inside the square root: var(out) = var / (var + eps), visibly below 1 when var ~ eps
    np.testing.assert_allclose(out.var(axis=0), X.var(axis=0) / (X.var(axis=0) + 1e-5), rtol=1e-10)


def test_batchnorm_running_statistics_after_one_batch_by_hand():
    layer = bp.BatchNorm(2, momentum=0.9)
    X = np.array([[1.0, 0.0], [3.0, 2.0], [8.0, 4.0]])
    layer.forward(X)
    # mean (4, 2); unbiased variance ((9 + 1 + 16) / 2, (4 + 0 + 4) / 2) = (13, 4)
    np.testing.assert_allclose(layer.running_mean, [0.1 * 4.0, 0.1 * 2.0])
    np.testing.assert_allclose(layer.running_var, [0.9 + 0.1 * 13.0, 0.9 + 0.1 * 4.0])
