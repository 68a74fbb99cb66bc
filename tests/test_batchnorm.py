import numpy as np
import pytest
from helpers import check_backward
from hypothesis import given
from strategies import seeds, shapes, upstream

import bp_lib as bp


def _inputs(rng, shape):
    m, n = shape
    return rng.normal(size=(m, n)) * 2 + 1, rng.normal(size=n), rng.normal(size=n)


@given(shape=shapes(min_batch=3), seed=seeds)
def test_batchnorm_backward_matches_numerical_gradient(shape, seed):
    # batch >= 3: with two rows the normalised output is +-1 whatever X is, and dX is ~0
    rng = np.random.default_rng(seed)
    check_backward(bp.batchnorm_forward, bp.batchnorm_backward, _inputs(rng, shape), upstream(rng, shape))


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
