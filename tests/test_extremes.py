"""Extreme inputs stay finite and raise no numpy warning (pytest turns warnings into errors)."""

import numpy as np
import pytest

import bp_lib as bp

HUGE = np.array([[-1e4, -1000.0, 0.0, 1000.0, 1e4]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_and_tanh_saturate_without_overflow(dtype):
    Z = HUGE.astype(dtype)
    for forward, backward in [(bp.sigmoid_forward, bp.sigmoid_backward), (bp.tanh_forward, bp.tanh_backward)]:
        A, cache = forward(Z)
        dZ = backward(np.ones_like(Z), cache)
        assert A.dtype == dtype and dZ.dtype == dtype
        assert np.all(np.isfinite(A)) and np.all(np.isfinite(dZ))
    assert bp.sigmoid(Z)[0, 0] == 0.0 and bp.sigmoid(Z)[0, -1] == 1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_and_cross_entropy_on_huge_logits(dtype):
    Z = np.vstack([HUGE, -HUGE, np.full((1, 5), 1e4)]).astype(dtype)
    S, cache = bp.softmax_forward(Z)
    assert np.all(np.isfinite(S)) and np.allclose(S.sum(axis=1), 1)
    assert np.all(np.isfinite(bp.softmax_backward(np.ones_like(Z), cache)))
    loss, dZ = bp.softmax_cross_entropy(Z, np.array([4, 0, 2]))
    # rows 1-2 are right with certainty, row 3 is uniform; float32 keeps ~3 digits next to 1e4
    assert loss == pytest.approx(np.log(5) / 3, rel=1e-3 if dtype == np.float32 else 1e-9)
    assert dZ.dtype == dtype and np.all(np.isfinite(dZ))
    wrong_loss, _ = bp.softmax_cross_entropy(Z, np.array([0, 4, 2]))
    assert np.isfinite(wrong_loss) and wrong_loss > 1e4  # certain and wrong: a huge but finite loss


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits_is_exact_for_huge_logits(dtype):
    Z = HUGE.ravel().astype(dtype)
    Y = np.array([0, 0, 1, 1, 1], dtype=dtype)
    loss, dZ = bp.bce_with_logits(Z, Y)
    assert np.isfinite(loss) and np.all(np.isfinite(dZ)) and dZ.dtype == dtype
    assert loss == pytest.approx(np.log(2) / 5, rel=1e-5)  # only z = 0 costs anything: log 2


def test_binary_cross_entropy_at_exactly_zero_and_one():
    P = np.array([0.0, 1.0, 0.0, 1.0])
    loss, dP = bp.binary_cross_entropy(P, np.array([0, 1, 0, 1]))
    assert loss == pytest.approx(0.0, abs=1e-12) and np.all(np.isfinite(dP))
    wrong_loss, wrong_dP = bp.binary_cross_entropy(P, np.array([1, 0, 1, 0]))
    assert np.isfinite(wrong_loss) and wrong_loss > 30 and np.all(np.isfinite(wrong_dP))


def test_integer_inputs_to_losses_are_converted():
    loss, grad = bp.mse_loss(np.array([1, 2, 3]), np.array([1, 2, 5]))
    assert loss == pytest.approx(4 / 3) and grad.dtype == np.float64
    loss, _ = bp.bce_with_logits(np.array([0, 0]), np.array([0, 1]))
    assert loss == pytest.approx(np.log(2))


def test_logsumexp_of_huge_values():
    assert bp.logsumexp(np.array([1e4, 1e4])) == pytest.approx(1e4 + np.log(2))
    assert bp.logsumexp(np.array([-1e4, -1e4])) == pytest.approx(-1e4 + np.log(2))


def test_training_stops_with_a_named_step_when_the_loss_explodes():
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Dense(2, 8, rng=rng), bp.ReLU(), bp.Dense(8, 1, rng=rng))
    X, Y = rng.normal(size=(32, 2)) * 100, rng.normal(size=(32, 1)) * 100
    with pytest.raises(FloatingPointError, match=r"step \d+: "):
        with np.errstate(over="ignore", invalid="ignore"):  # the divergence itself is the point
            bp.fit(net, X, Y, optimizer=bp.SGD(lr=10.0), loss_fn=bp.mse_loss, epochs=200)
