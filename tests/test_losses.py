import numpy as np
import pytest
from helpers import check_loss_gradient
from hypothesis import assume, given
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
    Z, Y = rng.normal(size=shape) * 3, rng.uniform(0, 1, size=shape)  # soft targets are allowed
    assume(np.abs(bp.sigmoid(Z) - Y).max() > 1e-3)  # a target equal to every prediction: gradient ~0
    check_loss_gradient(bp.bce_with_logits, Z, Y)


@given(shape=shapes(), classes=st.integers(2, 6), seed=seeds, one_hot=st.booleans())
def test_softmax_cross_entropy_gradient(shape, classes, seed, one_hot):
    rng = np.random.default_rng(seed)
    m = shape[0]
    Z = rng.normal(size=(m, classes)) * 2
    y = rng.integers(0, classes, size=m)
    # If every label already has probability ~1, dZ = (S - Y) / m is ~0 and smaller than the
    # round-off of log-sum-exp (~1e-16 |Z| / eps): the relative error would measure noise.
    assume(bp.softmax(Z)[np.arange(m), y].min() < 0.99)
    check_loss_gradient(bp.softmax_cross_entropy, Z, bp.one_hot(y, classes) if one_hot else y)


@given(shape=shapes(), classes=st.integers(2, 6), seed=seeds, one_hot=st.booleans())
def test_softmax_cross_entropy_gradient_is_softmax_minus_targets_over_m(shape, classes, seed, one_hot):
    rng = np.random.default_rng(seed)
    m = shape[0]
    Z, y = rng.normal(size=(m, classes)), rng.integers(0, classes, size=m)
    loss, dZ = bp.softmax_cross_entropy(Z, bp.one_hot(y, classes) if one_hot else y)
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


def test_int_labels_and_one_hot_targets_give_the_same_loss_and_gradient():
    rng = np.random.default_rng(11)
    Z, y = rng.normal(size=(5, 3)), np.array([2, 0, 1, 2, 2])
    loss_int, grad_int = bp.softmax_cross_entropy(Z, y)
    loss_hot, grad_hot = bp.softmax_cross_entropy(Z, bp.one_hot(y, 3))
    # the label path computes log softmax as (Z - max) - log(sum), the one-hot path as Z - logsumexp(Z)
    assert loss_int == pytest.approx(loss_hot, rel=1e-14)
    np.testing.assert_array_equal(grad_int, grad_hot)  # both are (softmax(Z) - Y) / m, bit for bit


def test_softmax_cross_entropy_one_hot_keeps_float32():
    Z = np.random.default_rng(12).normal(size=(3, 4)).astype(np.float32)
    value, grad = bp.softmax_cross_entropy(Z, bp.one_hot(np.array([0, 3, 1]), 4, dtype=np.float32))
    assert isinstance(value, float) and grad.dtype == np.float32


def test_mse_has_no_one_half_and_divides_by_every_element():
    # common tutorials write 1/2 * sum or divide by the batch only; this mean over all m*k
    # elements has gradient 2 (Y_hat - Y) / (m k)
    rng = np.random.default_rng(13)
    Y_hat, Y = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    loss, grad = bp.mse_loss(Y_hat, Y)
    assert loss == pytest.approx(np.sum((Y_hat - Y) ** 2) / 15)
    np.testing.assert_allclose(grad, 2 * (Y_hat - Y) / 15)
    assert not np.allclose(grad, (Y_hat - Y) / 3)


def test_binary_losses_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(14)
    Z, Y = rng.normal(size=(4, 3)) * 2, rng.uniform(0, 1, size=(4, 3))

    def bce_of_sigmoid(z):
        p = 1 / (1 + anp.exp(-z))
        return -anp.mean(Y * anp.log(p) + (1 - Y) * anp.log(1 - p))

    loss, dZ = bp.bce_with_logits(Z, Y)
    assert loss == pytest.approx(float(bce_of_sigmoid(Z)), rel=1e-12)
    np.testing.assert_allclose(dZ, autograd.grad(bce_of_sigmoid)(Z), rtol=1e-10, atol=1e-15)
    P = bp.sigmoid(Z)
    np.testing.assert_allclose(
        bp.binary_cross_entropy(P, Y)[1],
        autograd.grad(lambda p: -anp.mean(Y * anp.log(p) + (1 - Y) * anp.log(1 - p)))(P),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        bp.mse_loss(Z, Y)[1], autograd.grad(lambda z: anp.mean((z - Y) ** 2))(Z), rtol=1e-12, atol=1e-15
    )
