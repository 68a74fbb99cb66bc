import numpy as np
import pytest

import bp_lib as bp
from bp_lib.gradcheck import error_band


def test_numerical_gradient_of_a_quadratic_and_x_is_restored():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    x = rng.normal(size=3)
    before = x.copy()
    grad = bp.numerical_gradient(lambda: x @ A @ x, x)
    np.testing.assert_allclose(grad, (A + A.T) @ x, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_relative_error_properties():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    assert bp.relative_error(a, b) == bp.relative_error(b, a) == pytest.approx(0.5 / (np.sqrt(5) + np.sqrt(7.25)))
    assert bp.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert bp.relative_error(a, a) == 0.0


@pytest.mark.parametrize(("error", "band"), [(1e-9, "excellent"), (1e-6, "good"), (1e-4, "suspicious"), (0.1, "a bug")])
def test_error_bands(error, band):
    assert error_band(error) == band


def test_compare_prints_a_verdict_not_the_noise():
    ok = bp.compare("dW", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    assert ok.passed and "relative error < 1e-07" in str(ok) and "ok" in str(ok)
    exact = bp.compare("db", np.ones(2), np.ones(2))
    assert exact.exact and "exact match" in str(exact)
    bad = bp.compare("dX", np.array([1.0, 2.0]), np.array([2.0, 1.0]))
    assert not bad.passed and "MISMATCH" in str(bad)
    tiny = bp.compare("b", np.array([1e-17]), np.array([-3e-11]), atol=1e-8)
    assert tiny.passed and tiny.both_negligible and not bp.compare("b", [1e-17], [-3e-11]).passed


def test_check_gradients_catches_a_wrong_gradient():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(3, 2))
    X = rng.normal(size=(4, 3))

    def loss():
        return float(np.sum((X @ W) ** 2))

    right = 2 * X.T @ (X @ W)
    results = bp.check_gradients(loss, {"W": W}, {"W": right})
    assert results[0].passed
    wrong = bp.check_gradients(loss, {"W": W}, {"W": 0.5 * right})
    assert not wrong[0].passed


def test_spot_check_samples_coordinates_and_catches_a_wrong_gradient():
    from bp_lib.gradcheck import spot_check

    rng = np.random.default_rng(3)
    W = rng.normal(size=(30, 20))
    X = rng.normal(size=(5, 30))

    def loss():
        return float(np.sum(np.tanh(X @ W)))

    right = X.T @ (1 - np.tanh(X @ W) ** 2)
    before = W.copy()
    ok = spot_check(loss, W, right, n=50, rng=rng, name="W")
    assert ok.passed and ok.shape == (50,) and "W[50 entries]" in str(ok)
    np.testing.assert_array_equal(W, before)
    assert not spot_check(loss, W, 2 * right, n=50, rng=rng).passed
