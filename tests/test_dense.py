import numpy as np
import pytest
from helpers import check_backward
from hypothesis import given
from strategies import away_from_zero, features, seeds, shapes, upstream

import bp_lib as bp


@given(shape=shapes(), n_out=features, seed=seeds)
def test_dense_backward_matches_numerical_gradient(shape, n_out, seed):
    rng = np.random.default_rng(seed)
    m, n_in = shape
    # X and W away from 0: with one entry each, x ~ 0 would make dW = x * dZ ~0 and its
    # relative error a comparison of the round-off of b * dZ
    X, W, b = away_from_zero(rng, (m, n_in)), away_from_zero(rng, (n_in, n_out)), rng.normal(size=n_out)
    check_backward(bp.dense_forward, bp.dense_backward, (X, W, b), upstream(rng, (m, n_out)))


def test_dense_gradients_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(1)
    X, W, b, dZ = (
        rng.normal(size=(3, 5)),
        rng.normal(size=(5, 4)),
        rng.normal(size=4),
        rng.normal(size=(3, 4)),
    )
    dX, dW, db = bp.dense_backward(dZ, bp.dense_forward(X, W, b)[1])
    for index, ours in enumerate((dX, dW, db)):
        theirs = autograd.grad(lambda *a: anp.sum((anp.dot(a[0], a[1]) + a[2]) * dZ), index)(X, W, b)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_dense_gradient_is_a_sum_of_outer_products_over_the_batch():
    rng = np.random.default_rng(2)
    X, W, dZ = rng.normal(size=(3, 5)), rng.normal(size=(5, 2)), rng.normal(size=(3, 2))
    _, dW, db = bp.dense_backward(dZ, bp.dense_forward(X, W, np.zeros(2))[1])
    np.testing.assert_allclose(dW, sum(np.outer(x, d) for x, d in zip(X, dZ)))
    np.testing.assert_allclose(db, dZ.sum(axis=0))


def test_dense_module_stores_and_overwrites_its_gradients():
    rng = np.random.default_rng(3)
    layer = bp.Dense(5, 2, rng=rng)
    X, dZ = rng.normal(size=(3, 5)), rng.normal(size=(3, 2))
    layer.forward(X)
    dX = layer.backward(dZ)
    arrays = dict(layer.grads)
    first = {k: v.copy() for k, v in layer.grads.items()}
    layer.forward(X)
    layer.backward(dZ)  # a second backward overwrites: it does not accumulate
    for name in ("W", "b"):
        np.testing.assert_array_equal(layer.grads[name], first[name])
        assert layer.grads[name] is arrays[name], "the gradients are written into the same arrays"
    expected = bp.dense_backward(dZ, bp.dense_forward(X, layer.params["W"], layer.params["b"])[1])
    np.testing.assert_array_equal(dX, expected[0])


@pytest.mark.parametrize("init", ["he", "xavier", "lecun", "zeros"])
def test_dense_init_by_name(init):
    layer = bp.Dense(7, 3, init=init, rng=np.random.default_rng(0))
    assert layer.params["W"].shape == (7, 3) and not layer.params["b"].any()
    assert (init == "zeros") == (not layer.params["W"].any())


def test_dense_init_by_callable_and_wrong_shape():
    layer = bp.Dense(2, 3, init=lambda n_in, n_out, rng: np.full((n_in, n_out), 0.5))
    assert np.all(layer.params["W"] == 0.5)
    with pytest.raises(ValueError, match="initialiser's output"):
        bp.Dense(2, 3, init=lambda n_in, n_out, rng: np.ones((3, 2)))


def test_dense_float32_stays_float32():
    rng = np.random.default_rng(4)
    layer = bp.Dense(5, 2, rng=rng, dtype=np.float32)
    X = rng.normal(size=(3, 5)).astype(np.float32)
    out = layer.forward(X)
    dX = layer.backward(np.ones_like(out))
    assert out.dtype == dX.dtype == layer.grads["W"].dtype == layer.grads["b"].dtype == np.float32


def test_dense_pair_keeps_float32():
    rng = np.random.default_rng(5)
    X, W, b = (a.astype(np.float32) for a in (rng.normal(size=(3, 5)), rng.normal(size=(5, 2)), rng.normal(size=2)))
    Z, cache = bp.dense_forward(X, W, b)
    grads = bp.dense_backward(rng.normal(size=(3, 2)).astype(np.float32), cache)
    assert Z.dtype == np.float32
    assert [g.dtype for g in grads] == [np.float32] * 3


@pytest.mark.parametrize(
    ("init", "initializer"),
    [
        ("he", bp.he_normal),
        ("he_uniform", bp.he_uniform),
        ("xavier", bp.xavier_uniform),
        ("xavier_normal", bp.xavier_normal),
        ("lecun", bp.lecun_normal),
        ("lecun_uniform", bp.lecun_uniform),
    ],
)
def test_dense_init_draws_exactly_what_the_initialiser_draws(init, initializer):
    layer = bp.Dense(7, 3, init=init, rng=np.random.default_rng(6))
    np.testing.assert_array_equal(layer.params["W"], initializer(7, 3, np.random.default_rng(6)))
    assert layer.params["W"].dtype == np.float64


def test_dense_module_gradients_match_numerical_ones():
    rng = np.random.default_rng(7)
    layer = bp.Dense(5, 2, rng=rng)
    X, dZ = rng.normal(size=(3, 5)), rng.normal(size=(3, 2))
    layer.forward(X)
    dX = layer.backward(dZ)

    def loss():
        return float(np.sum(layer.forward(X) * dZ))

    arrays = {"X": X, **layer.params}
    analytic = {"X": dX, **{name: grad.copy() for name, grad in layer.grads.items()}}
    for result in bp.check_gradients(loss, arrays, analytic, eps=1e-5):
        assert result.error < 1e-7, result


@given(shape=shapes(), n_out=features, seed=seeds)
def test_dense_module_computes_exactly_what_its_pair_computes(shape, n_out, seed):
    rng = np.random.default_rng(seed)
    m, n_in = shape
    layer = bp.Dense(n_in, n_out, rng=rng)
    layer.params["b"][:] = rng.normal(size=n_out)
    X, dZ = rng.normal(size=(m, n_in)), upstream(rng, (m, n_out))
    Z, cache = bp.dense_forward(X, layer.params["W"], layer.params["b"])
    dX, dW, db = bp.dense_backward(dZ, cache)
    np.testing.assert_allclose(layer.forward(X), Z, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(layer.backward(dZ), dX, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(layer.grads["W"], dW, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(layer.grads["b"], db, rtol=1e-13, atol=1e-13)


def test_dense_backward_params_stores_the_same_gradients_and_skips_dx():
    rng = np.random.default_rng(4)
    full, skipping = bp.Dense(5, 3, rng=np.random.default_rng(0)), bp.Dense(5, 3, rng=np.random.default_rng(0))
    X, dZ = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
    full.forward(X)
    skipping.forward(X)
    full.backward(dZ)
    assert skipping.backward_params(dZ) is None
    for name in ("W", "b"):
        np.testing.assert_array_equal(skipping.grads[name], full.grads[name])


def test_dense_module_keeps_float32_in_float32():
    rng = np.random.default_rng(5)
    layer = bp.Dense(5, 3, rng=rng, dtype=np.float32)
    Z = layer.forward(rng.normal(size=(4, 5)).astype(np.float32))
    dX = layer.backward(rng.normal(size=(4, 3)).astype(np.float32))
    assert Z.dtype == dX.dtype == layer.grads["W"].dtype == layer.grads["b"].dtype == np.float32
