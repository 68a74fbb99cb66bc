import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book import depth_probe as dp


def _batch(seed, m=256, n=64):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), rng.normal(size=(m, n))


def test_probe_keeps_each_blocks_arrays_and_matches_the_model():
    X, dout = _batch(0, m=7, n=5)
    model = dp.relu_stack(3, 5, "he", np.random.default_rng(1))
    p = dp.probe(model, X, dout)
    assert len(p.z) == len(p.a) == len(p.dz) == 3
    np.testing.assert_array_equal(p.a[-1], model.forward(X))
    np.testing.assert_array_equal(p.a[0], np.maximum(p.z[0], 0))
    np.testing.assert_array_equal(p.dz[-1], dout * (p.z[-1] > 0))
    W3 = model.layers[4].params["W"]
    np.testing.assert_allclose(p.dz[1], (p.dz[2] @ W3.T) * (p.z[1] > 0))
    assert p.activation_std().shape == p.preactivation_std().shape == p.gradient_std().shape == (3,)


def test_probe_rejects_a_model_that_does_not_alternate():
    model = bp.Sequential(bp.Dense(4, 4, rng=np.random.default_rng(0)), bp.Dense(4, 4, rng=np.random.default_rng(1)))
    with pytest.raises(ValueError, match="alternate Dense and activation.*got Dense, Dense"):
        dp.probe(model, *_batch(0, m=3, n=4))


def test_scaled_normal_has_the_requested_std():
    W = dp.scaled_normal(0.01)(300, 200, np.random.default_rng(2))
    assert W.shape == (300, 200)
    assert W.std() == pytest.approx(0.01, rel=0.02)
    with pytest.raises(ValueError, match="scale"):
        dp.scaled_normal(-1.0)


def test_relu_moments_match_a_large_sample():
    z = np.random.default_rng(3).normal(0.0, 1.7, 2_000_000)
    a = np.maximum(z, 0)
    mean, second, std = dp.relu_moments(1.7**2)
    assert a.mean() == pytest.approx(mean, rel=0.01)
    assert np.mean(a**2) == pytest.approx(second, rel=0.01)
    assert a.std() == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize(("init", "var_w"), [("he", 2 / 64), ("lecun", 1 / 64), (dp.scaled_normal(0.2), 0.04)])
def test_predictions_follow_the_measured_variances(init, var_w):
    X, dout = _batch(4)
    p = dp.probe(dp.relu_stack(6, 64, init, np.random.default_rng(5)), X, dout)
    forward = dp.predicted_forward_variance(6, 64, var_w, np.mean(X**2))
    backward = dp.predicted_backward_variance(6, 64, var_w, dout.var())
    np.testing.assert_allclose(p.preactivation_std() ** 2, forward, rtol=0.5)
    np.testing.assert_allclose(p.gradient_std() ** 2, backward, rtol=0.5)


def test_gain_is_one_exactly_for_he():
    assert dp.relu_gain(256, 2 / 256) == pytest.approx(1.0)
    np.testing.assert_allclose(dp.predicted_forward_variance(4, 10, 0.1, 3.0), 3.0 * 0.5 ** np.arange(4))
    np.testing.assert_allclose(dp.predicted_backward_variance(3, 10, 0.4, 2.0), [4.0, 2.0, 1.0])
