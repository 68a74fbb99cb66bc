import numpy as np
import pytest
from hypothesis import given
from strategies import seeds, shapes

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


def test_numerical_gradient_restores_awkward_values_bit_for_bit():
    # x + eps - eps is not x for these values: the function must restore the saved original
    x = np.array([0.1, 1e10, -3e-17, 7.0 / 3.0])
    before = x.copy()
    bp.numerical_gradient(lambda: np.sum(np.sin(x)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_keeps_shape_and_dtype_and_is_exact_on_a_linear_function():
    rng = np.random.default_rng(4)
    C, x = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    grad = bp.numerical_gradient(lambda: np.sum(C * x), x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    assert bp.relative_error(grad, C) < 1e-9


@pytest.mark.parametrize("x", [np.arange(3), np.array([True, False]), [1.0, 2.0]])
def test_numerical_gradient_rejects_what_it_cannot_perturb(x):
    # an integer array would round x + eps back to x and return a zero gradient silently
    with pytest.raises(TypeError, match="floating-point numpy array"):
        bp.numerical_gradient(lambda: 0.0, x)


def test_numerical_gradient_rejects_a_non_positive_eps():
    with pytest.raises(ValueError, match="eps"):
        bp.numerical_gradient(lambda: 0.0, np.ones(2), eps=0.0)


def test_relative_error_rejects_a_shape_mismatch():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        bp.relative_error(np.ones((2, 3)), np.ones((3, 2)))


@given(seed=seeds, shape=shapes())
def test_relative_error_is_symmetric_and_bounded(seed, shape):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    error = bp.relative_error(a, b)
    assert error == bp.relative_error(b, a)
    assert 0.0 <= error <= 1.0  # the triangle inequality
    assert bp.relative_error(a, -a) == pytest.approx(1.0)
    assert bp.relative_error(a, 2 * a) == pytest.approx(1 / 3)


def test_comparison_string_names_the_array_its_shape_and_the_verdict():
    line = str(bp.compare("dgamma", np.ones((3, 5)), np.ones((3, 5)) * (1 + 1e-9)))
    assert line.split()[0] == "dgamma" and "(3, 5)" in line and "relative error < 1e-07" in line
    assert line.endswith("ok")
    loose = bp.compare("dW", np.ones(2), np.ones(2) * 1.001, tol=1e-2)
    assert loose.passed and "relative error < 1e-02" in str(loose)
    failing = str(bp.compare("dW", np.ones(2), np.ones(2) * 1.001))
    assert "relative error 5.0e-04 >= 1e-07" in failing and failing.endswith("MISMATCH")


def test_check_gradients_checks_every_array_and_restores_them():
    rng = np.random.default_rng(5)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    arrays = {"W": W, "b": b}
    saved = {k: v.copy() for k, v in arrays.items()}

    def loss():
        return float(np.sum(np.tanh(X @ W + b)))

    dZ = 1 - np.tanh(X @ W + b) ** 2
    results = bp.check_gradients(loss, arrays, {"W": X.T @ dZ, "b": dZ.sum(axis=0)})
    assert [r.name for r in results] == ["W", "b"] and all(r.passed for r in results)
    for name, value in arrays.items():
        np.testing.assert_array_equal(value, saved[name])
    wrong_axis = bp.check_gradients(loss, arrays, {"W": X.T @ dZ, "b": dZ.sum(axis=1)[:2]})
    assert [r.passed for r in wrong_axis] == [True, False]


def test_check_gradients_needs_the_same_names():
    with pytest.raises(ValueError, match="same keys"):
        bp.check_gradients(lambda: 0.0, {"W": np.ones(2)}, {"w": np.ones(2)})
