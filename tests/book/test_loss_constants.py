import numpy as np

import bp_lib as bp
from bp_lib.book.loss_constants import (
    mse_loss_divided_twice,
    scaled_loss,
    trained_parameters,
)


def test_scaled_loss_scales_the_loss_and_its_gradient():
    rng = np.random.default_rng(0)
    Y_hat, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    loss, grad = bp.mse_loss(Y_hat, Y)
    half_loss, half_grad = scaled_loss(bp.mse_loss, 0.5)(Y_hat, Y)
    assert half_loss == 0.5 * loss
    np.testing.assert_array_equal(half_grad, 0.5 * grad)


def test_mse_loss_divided_twice_is_the_mse_gradient_over_the_batch_size():
    rng = np.random.default_rng(1)
    Y_hat, Y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    loss, grad = mse_loss_divided_twice(Y_hat, Y)
    assert loss == bp.mse_loss(Y_hat, Y)[0]
    np.testing.assert_allclose(grad, 2 * (Y_hat - Y) / Y.size / 4, rtol=1e-15)


def test_the_seed_gradient_at_lr_equals_the_true_gradient_at_lr_over_m():
    X = np.random.default_rng(2).normal(size=(4, 2))
    Y = np.random.default_rng(3).normal(size=(4, 1))

    def make():
        rng = np.random.default_rng(4)
        layers = [bp.Dense(2, 3, rng=rng), bp.Tanh(), bp.Dense(3, 1, rng=rng)]
        return bp.Sequential(*layers)

    seed = trained_parameters(make, bp.SGD(0.1), mse_loss_divided_twice, X, Y, 5)
    slow = trained_parameters(make, bp.SGD(0.1 / 4), bp.mse_loss, X, Y, 5)
    fast = trained_parameters(make, bp.SGD(0.1), bp.mse_loss, X, Y, 5)
    np.testing.assert_array_equal(seed, slow)  # m = 4: dividing by it is exact
    assert not np.allclose(seed, fast)


def test_trained_parameters_with_zero_steps_is_the_initial_model():
    def make():
        return bp.Sequential(bp.Dense(2, 3, rng=np.random.default_rng(5)))

    X, Y = np.ones((2, 2)), np.ones((2, 3))
    start = trained_parameters(make, bp.SGD(0.1), bp.mse_loss, X, Y, 0)
    initial = np.concatenate([p.ravel() for p in make().params.values()])
    np.testing.assert_array_equal(start, initial)
