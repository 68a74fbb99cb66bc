import numpy as np
import pytest
from helpers import check_loss_gradient
from hypothesis import given
from hypothesis import strategies as st
from strategies import seeds, shapes

import bp_lib as bp


@given(shape=shapes(), seed=seeds)
def test_mse_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    check_loss_gradient(bp.mse_loss, rng.normal(size=shape), rng.normal(size=shape))


@given(shape=shapes(), seed=seeds)
def test_binary_cross_entropy_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    P = rng.uniform(0.05, 0.95, size=shape)
    check_loss_gradient(bp.binary_cross_entropy, P, rng.integers(0, 2, size=shape).astype(float))


@given(shape=shapes(), seed=seeds)
def test_bce_with_logits_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    check_loss_gradient(bp.bce_with_logits, rng.normal(size=shape) * 3, rng.uniform(0, 1, size=shape))


@given(shape=shapes(), classes=st.integers(2, 6), seed=seeds, one_hot=st.booleans())
def test_softmax_cross_entropy_gradient(shape, classes, seed, one_hot):
    rng = np.random.default_rng(seed)
    m = shape[0]
    Z = rng.normal(size=(m, classes)) * 2
    y = rng.integers(0, classes, size=m)
    check_loss_gradient(bp.softmax_cross_entropy, Z, bp.one_hot(y, classes) if one_hot else y)


@given(shape=shapes(), classes=st.integers(2, 6), seed=seeds)
def test_softmax_cross_entropy_gradient_is_softmax_minus_targets_over_m(shape, classes, seed):
    rng = np.random.default_rng(seed)
    m = shape[0]
    Z, y = rng.normal(size=(m, classes)), rng.integers(0, classes, size=m)
    loss, dZ = bp.softmax_cross_entropy(Z, y)
    np.testing.assert_allclose(dZ, (bp.softmax(Z) - bp.one_hot(y, classes)) / m, atol=1e-15)
    assert loss == pytest.approx(-np.mean(np.log(bp.softmax(Z)[np.arange(m), y])))


@given(shape=shapes(), seed=seeds)
def test_bce_with_logits_equals_bce_of_the_sigmoid(shape, seed):
    rng = np.random.default_rng(seed)
    Z, Y = rng.normal(size=shape) * 4, rng.integers(0, 2, size=shape).astype(float)
    P = bp.sigmoid(Z)
    loss_logits, dZ = bp.bce_with_logits(Z, Y)
    loss_probs, dP = bp.binary_cross_entropy(P, Y)
    assert loss_logits == pytest.approx(loss_probs, rel=1e-9)
    np.testing.assert_allclose(dZ, dP * P * (1 - P), rtol=1e-7, atol=1e-15)  # chain rule through the sigmoid


def test_mse_is_a_mean_over_all_elements_with_gradient_2_over_size():
    Y_hat, Y = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])
    loss, grad = bp.mse_loss(Y_hat, Y)
    assert loss == pytest.approx((0 + 1 + 4 + 16) / 4)
    np.testing.assert_allclose(grad, 2 * (Y_hat - Y) / 4)


def test_cross_entropy_gradient_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(10)
    Z, y = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    Y = bp.one_hot(y, 3)

    def reference(z):
        shifted = z - anp.max(z, axis=1, keepdims=True)
        log_probs = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
        return -anp.sum(Y * log_probs) / z.shape[0]

    np.testing.assert_allclose(bp.softmax_cross_entropy(Z, y)[1], autograd.grad(reference)(Z), atol=1e-14)


@pytest.mark.parametrize(
    "loss",
    [bp.mse_loss, bp.binary_cross_entropy, bp.bce_with_logits],
)
def test_losses_keep_float32(loss):
    P = np.full((3, 2), 0.3, dtype=np.float32)
    value, grad = loss(P, np.ones((3, 2), dtype=np.float32))
    assert isinstance(value, float) and grad.dtype == np.float32
    value, grad = bp.softmax_cross_entropy(P, np.array([0, 1, 1]))
    assert isinstance(value, float) and grad.dtype == np.float32
