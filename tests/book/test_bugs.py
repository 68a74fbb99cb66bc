import numpy as np

import bp_lib as bp
from bp_lib.book.bugs import mse_reporting_bce_gradient


def test_the_mismatched_loss_reports_mse_but_returns_the_bce_gradient():
    rng = np.random.default_rng(0)
    A, Y = rng.uniform(0.1, 0.9, size=(4, 1)), rng.integers(0, 2, size=(4, 1)).astype(float)
    loss, grad = mse_reporting_bce_gradient(A, Y)
    assert loss == bp.mse_loss(A, Y)[0]
    np.testing.assert_allclose(grad, bp.binary_cross_entropy(A, Y)[1])
    numeric = bp.numerical_gradient(lambda: mse_reporting_bce_gradient(A, Y)[0], A)
    assert not bp.compare("dA", grad, numeric).passed  # inconsistent: a gradient check exposes it


def test_through_the_sigmoid_it_is_a_minus_y():
    Z = np.array([[-1.0], [0.5], [2.0]])
    Y = np.array([[0.0], [1.0], [1.0]])
    A, cache = bp.sigmoid_forward(Z)
    dZ = bp.sigmoid_backward(mse_reporting_bce_gradient(A, Y)[1], cache)
    np.testing.assert_allclose(dZ, (A - Y) / A.size)


def test_checker_perturbing_gradients_flags_a_correct_backward_pass():
    from bp_lib.book.bugs import gradient_check_perturbing_gradients

    rng = np.random.default_rng(1)
    net = bp.Sequential(bp.Dense(3, 2, rng=rng))
    X, y = rng.normal(size=(4, 3)), rng.integers(0, 2, size=4)
    net.backward(bp.softmax_cross_entropy(net.forward(X), y)[1])
    errors = gradient_check_perturbing_gradients(
        lambda: bp.softmax_cross_entropy(net.forward(X), y)[0], net.params, net.grads
    )
    assert all(error == 1.0 for error in errors.values())  # "wrong" although the gradients are right


def test_checker_of_raw_output_passes_whatever_the_loss_gradient():
    from bp_lib.book.bugs import gradient_check_of_raw_output

    rng = np.random.default_rng(2)
    net = bp.Sequential(bp.Dense(3, 4, rng=rng), bp.Tanh(), bp.Dense(4, 2, rng=rng))
    errors = gradient_check_of_raw_output(net, rng.normal(size=(5, 3)))
    assert all(error < 1e-7 for error in errors.values())


def test_batchnorm_double_division_is_caught_by_a_gradient_check():
    from bp_lib.book.bugs import batchnorm_backward_double_division

    rng = np.random.default_rng(3)
    X, gamma, beta = rng.normal(size=(6, 4)) * 3 + 1, rng.normal(size=4), rng.normal(size=4)
    dout = rng.normal(size=(6, 4))
    _, cache = bp.batchnorm_forward(X, gamma, beta)
    numeric = bp.numerical_gradient(lambda: np.sum(bp.batchnorm_forward(X, gamma, beta)[0] * dout), X)
    assert bp.compare("dX", bp.batchnorm_backward(dout, cache)[0], numeric).passed
    assert not bp.compare("dX", batchnorm_backward_double_division(dout, cache)[0], numeric).passed


def test_layernorm_over_the_batch_axis_is_batch_norm_and_passes_a_gradient_check():
    from bp_lib.book.bugs import layernorm_over_the_batch_axis

    rng = np.random.default_rng(8)
    X, gamma, beta = rng.normal(size=(6, 4)) * 2 + 1, rng.normal(size=4) + 1, rng.normal(size=4)
    dout = rng.normal(size=X.shape)
    out, cache = layernorm_over_the_batch_axis(X, gamma, beta)
    np.testing.assert_allclose(out, bp.batchnorm_forward(X, gamma, beta)[0], rtol=1e-12)
    assert not np.allclose(out, bp.layernorm_forward(X, gamma, beta)[0])
    dX = bp.batchnorm_backward(dout, cache)[0]
    numeric = bp.numerical_gradient(lambda: np.sum(layernorm_over_the_batch_axis(X, gamma, beta)[0] * dout), X)
    assert bp.relative_error(dX, numeric) < 1e-7  # consistent: a gradient check cannot see it
    other = X.copy()
    other[1:] = rng.normal(size=(5, 4))  # same first example, other batch-mates
    assert not np.allclose(layernorm_over_the_batch_axis(other, gamma, beta)[0][0], out[0])
    np.testing.assert_array_equal(
        bp.layernorm_forward(other, gamma, beta)[0][0], bp.layernorm_forward(X, gamma, beta)[0][0]
    )


def test_conv_input_gradient_without_flip_is_wrong_unless_the_kernel_is_symmetric():
    from bp_lib.book.bugs import conv2d_input_gradient_without_flip

    rng = np.random.default_rng(4)
    X, b = rng.normal(size=(2, 2, 6, 6)), rng.normal(size=3)
    W = rng.normal(size=(3, 2, 3, 3))
    dout = rng.normal(size=(2, 3, 3, 3))  # stride 2, padding 1
    _, cache = bp.conv2d_forward(X, W, b, stride=2, padding=1)
    right = bp.conv2d_backward(dout, cache)[0]
    assert not bp.compare("dX", conv2d_input_gradient_without_flip(dout, W, X.shape, 2, 1), right).passed
    symmetric = W + W[:, :, ::-1, ::-1]  # unchanged by a half turn: the flip does nothing
    _, cache = bp.conv2d_forward(X, symmetric, b, stride=2, padding=1)
    np.testing.assert_allclose(
        conv2d_input_gradient_without_flip(dout, symmetric, X.shape, 2, 1),
        bp.conv2d_backward(dout, cache)[0],
        rtol=1e-12,
        atol=1e-12,
    )


def test_attention_backward_without_scale_is_off_by_sqrt_d_in_dq_and_dk_only():
    from bp_lib.book.bugs import attention_backward_without_scale

    rng = np.random.default_rng(5)
    Q, K, V = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 2))
    dout = rng.normal(size=(2, 3, 2))
    _, cache = bp.attention_forward(Q, K, V)
    right, wrong = bp.attention_backward(dout, cache), attention_backward_without_scale(dout, cache)
    np.testing.assert_allclose(wrong[0], 2 * right[0], rtol=1e-12)  # sqrt(4) = 2
    np.testing.assert_allclose(wrong[1], 2 * right[1], rtol=1e-12)
    np.testing.assert_array_equal(wrong[2], right[2])
    numeric = bp.numerical_gradient(lambda: np.sum(bp.attention_forward(Q, K, V)[0] * dout), Q)
    assert bp.compare("dQ", right[0], numeric).passed and not bp.compare("dQ", wrong[0], numeric).passed
