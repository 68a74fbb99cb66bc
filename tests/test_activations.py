import numpy as np
import pytest
from helpers import check_backward
from hypothesis import given
from strategies import away_from_zero, seeds, shapes, spread_upstream, upstream

import bp_lib as bp

PAIRS = {
    "relu": (bp.relu_forward, bp.relu_backward),
    "sigmoid": (bp.sigmoid_forward, bp.sigmoid_backward),
    "tanh": (bp.tanh_forward, bp.tanh_backward),
    "softmax": (bp.softmax_forward, bp.softmax_backward),
}


@pytest.mark.parametrize("name", PAIRS)
@given(shape=shapes(), seed=seeds)
def test_activation_backward_matches_numerical_gradient(name, shape, seed):
    rng = np.random.default_rng(seed)
    Z = away_from_zero(rng, shape)  # ReLU's kink at 0 is never within eps of an input
    assert np.abs(Z).min() >= 0.1
    # softmax annihilates a constant row of upstream gradient: keep the rows spread out
    dout = spread_upstream(rng, shape) if name == "softmax" else upstream(rng, shape)
    check_backward(*PAIRS[name], (Z,), dout)


def test_relu_derivative_is_zero_at_zero():
    Z = np.array([[-1.0, 0.0, 2.0]])
    _, cache = bp.relu_forward(Z)
    np.testing.assert_array_equal(bp.relu_backward(np.array([[5.0, 5.0, 5.0]]), cache), [[0.0, 0.0, 5.0]])


def test_sigmoid_derivative_is_taken_at_z_not_at_the_activation():
    Z = np.array([[-2.0, 0.5, 3.0]])
    A, cache = bp.sigmoid_forward(Z)
    dZ = bp.sigmoid_backward(np.ones_like(Z), cache)
    np.testing.assert_allclose(dZ, A * (1 - A))
    wrong = bp.sigmoid(A) * (1 - bp.sigmoid(A))  # the classic bug: sigma' evaluated at a
    assert not np.allclose(dZ, wrong)
    assert dZ.max() <= 0.25


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(5)
    z, ds = rng.normal(size=4), rng.normal(size=4)
    s, cache = bp.softmax_forward(z[None, :])
    jacobian = np.diag(s[0]) - np.outer(s[0], s[0])
    np.testing.assert_allclose(bp.softmax_backward(ds[None, :], cache)[0], jacobian.T @ ds)


def test_activation_gradients_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(6)
    Z, dA = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    references = {
        "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
        "tanh": anp.tanh,
        "softmax": lambda z: anp.exp(z) / anp.sum(anp.exp(z), axis=1, keepdims=True),
    }
    for name, f in references.items():
        forward, backward = PAIRS[name]
        ours = backward(dA, forward(Z)[1])
        theirs = autograd.grad(lambda z, f=f: anp.sum(f(z) * dA))(Z)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", PAIRS)
def test_activations_keep_float32(name):
    forward, backward = PAIRS[name]
    Z = np.random.default_rng(7).normal(size=(3, 4)).astype(np.float32)
    A, cache = forward(Z)
    assert A.dtype == np.float32
    assert backward(np.ones_like(A), cache).dtype == np.float32


@pytest.mark.parametrize("module", [bp.ReLU, bp.Sigmoid, bp.Tanh, bp.Softmax])
def test_modules_call_their_pairs(module):
    Z = np.random.default_rng(8).normal(size=(3, 4))
    layer = module()
    forward, backward = PAIRS[module.__name__.lower()]
    np.testing.assert_array_equal(layer.forward(Z), forward(Z)[0])
    np.testing.assert_array_equal(layer.backward(Z), backward(Z, forward(Z)[1]))
    assert layer.params == {} and layer.grads == {}


def test_log_softmax_and_logsumexp_agree_with_the_definitions():
    Z = np.random.default_rng(9).normal(size=(3, 4))
    np.testing.assert_allclose(bp.logsumexp(Z), np.log(np.exp(Z).sum(axis=1)))
    np.testing.assert_allclose(bp.log_softmax(Z), np.log(bp.softmax(Z)))


def test_relu_mask_comes_from_the_input_not_the_upstream_gradient():
    Z = np.array([[-1.5, 0.5, 2.0, -0.2]])
    dA = np.array([[3.0, -4.0, 5.0, 6.0]])  # signs unrelated to those of Z
    _, cache = bp.relu_forward(Z)
    np.testing.assert_array_equal(bp.relu_backward(dA, cache), [[0.0, -4.0, 5.0, 0.0]])


def test_tanh_derivative_is_one_minus_the_output_squared():
    Z = np.array([[-1.2, 0.3, 2.5]])
    A, cache = bp.tanh_forward(Z)
    np.testing.assert_allclose(bp.tanh_backward(np.ones_like(Z), cache), 1 / np.cosh(Z) ** 2, rtol=1e-12)


def test_softmax_backward_kills_a_constant_upstream_gradient():
    # softmax is invariant to adding c to every logit of a row, so J^T 1 = 0 row by row
    rng = np.random.default_rng(10)
    _, cache = bp.softmax_forward(rng.normal(size=(3, 5)))
    np.testing.assert_allclose(bp.softmax_backward(np.full((3, 5), 2.5), cache), 0, atol=1e-15)


def test_softmax_parts_give_softmax_and_log_softmax():
    rng = np.random.default_rng(21)
    Z = rng.normal(size=(4, 6)) * 30  # large logits: exp(Z) itself would overflow for some rows
    Z[0] += 800
    shifted, E, total = bp.activations.softmax_parts(Z)
    assert shifted.max(axis=-1).tolist() == [0.0] * 4 and np.all((1 <= total) & (total <= 6))
    np.testing.assert_array_equal(E / total, bp.softmax(Z))
    np.testing.assert_allclose(shifted - np.log(total), bp.log_softmax(Z), rtol=1e-13, atol=1e-12)
