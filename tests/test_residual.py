import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import seeds, upstream

import bp_lib as bp


def _block(n, rng):
    """LayerNorm -> Dense -> Tanh -> Dense, gamma and beta away from their defaults."""
    norm = bp.LayerNorm(n)
    norm.params["gamma"][:] = rng.normal(size=n) + 1
    norm.params["beta"][:] = rng.normal(size=n)
    return bp.Sequential(norm, bp.Dense(n, n + 1, rng=rng), bp.Tanh(), bp.Dense(n + 1, n, rng=rng))


def _numerical(model, X, dout, target):
    return bp.numerical_gradient(lambda: np.sum(model.forward(X) * dout), target, eps=1e-5)


@given(m=st.integers(1, 6), n=st.integers(2, 5), seed=seeds)
def test_residual_backward_matches_numerical_gradient(m, n, seed):
    rng = np.random.default_rng(seed)
    model = bp.Residual(_block(n, rng))
    X = rng.normal(size=(m, n)) * 2
    dout = upstream(rng, (m, n))
    model.forward(X)
    dX = model.backward(dout)
    analytic = {name: g.copy() for name, g in model.grads.items()}
    assert bp.relative_error(dX, _numerical(model, X, dout, X)) < 1e-7
    for name, param in model.params.items():
        assert bp.relative_error(analytic[name], _numerical(model, X, dout, param)) < 1e-7, name


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 1, 3), (1, 5)])
def test_residual_over_leading_shapes_matches_numerical_gradient(shape):
    rng = np.random.default_rng(sum(shape))
    norm = bp.LayerNorm(shape[-1])
    norm.params["gamma"][:] = rng.normal(size=shape[-1]) + 1
    model = bp.Residual(bp.Sequential(norm, bp.Tanh()))
    X, dout = rng.normal(size=shape) * 2, upstream(rng, shape)
    model.forward(X)
    dX = model.backward(dout)
    dgamma = model.grads["0.gamma"].copy()
    assert dX.shape == shape
    assert bp.relative_error(dX, _numerical(model, X, dout, X)) < 1e-7
    assert bp.relative_error(dgamma, _numerical(model, X, dout, model.params["0.gamma"])) < 1e-7


def test_backward_is_the_upstream_gradient_plus_the_blocks():
    """dX = dout + block's dX, against a copy of the block run on its own."""
    rng = np.random.default_rng(31)
    block = _block(4, rng)
    alone = copy.deepcopy(block)
    X, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    model = bp.Residual(block)
    out = model.forward(X)
    np.testing.assert_array_equal(out, X + alone.forward(X))
    np.testing.assert_array_equal(model.backward(dout), dout + alone.backward(dout))
    for name in alone.grads:
        np.testing.assert_array_equal(model.grads[name], alone.grads[name])


def test_a_zero_block_passes_the_gradient_unchanged():
    rng = np.random.default_rng(32)
    dense = bp.Dense(3, 3, rng=rng)
    dense.params["W"][:] = 0
    X, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    model = bp.Residual(dense)
    np.testing.assert_array_equal(model.forward(X), X)
    np.testing.assert_array_equal(model.backward(dout), dout)


def test_params_and_grads_are_the_blocks_own():
    rng = np.random.default_rng(33)
    block = _block(3, rng)
    model = bp.Residual(block)
    assert model.params.keys() == block.params.keys() == model.grads.keys()
    for name in block.params:
        assert model.params[name] is block.params[name]
        assert model.grads[name] is block.grads[name]
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    before = block.params["1.W"].copy()
    _, dout = bp.softmax_cross_entropy(model.forward(X), y)
    model.backward(dout)
    bp.SGD(0.1).step(model.params, model.grads)  # updates through the Residual reach the block
    assert not np.array_equal(block.params["1.W"], before)


def test_keys_nest_inside_a_sequential():
    rng = np.random.default_rng(34)
    model = bp.Sequential(bp.Dense(2, 3, rng=rng), bp.Residual(_block(3, rng)))
    assert {"0.W", "0.b", "1.0.gamma", "1.1.W", "1.3.b"} <= set(model.params)


def test_train_and_eval_reach_the_block():
    dropout = bp.Dropout(0.5, rng=np.random.default_rng(35))
    model = bp.Residual(bp.Sequential(bp.Dense(3, 3, rng=np.random.default_rng(0)), dropout))
    assert model.eval() is model and not model.training and not dropout.training
    X = np.ones((4, 3))
    np.testing.assert_array_equal(model.forward(X), model.forward(X))  # no dropout in eval
    assert model.train() is model and model.training and dropout.training
    outer = bp.Sequential(model)
    outer.eval()
    assert not dropout.training


def test_backward_params_stores_the_same_gradients_and_returns_none():
    rng = np.random.default_rng(36)
    model = bp.Residual(_block(3, rng))
    X, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    model.forward(X)
    model.backward(dout)
    full = {name: g.copy() for name, g in model.grads.items()}
    model.forward(X)
    assert model.backward_params(dout) is None
    for name in full:
        np.testing.assert_array_equal(model.grads[name], full[name])


def test_a_deep_residual_stack_trains_with_fit():
    rng = np.random.default_rng(37)
    X = rng.normal(size=(40, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    blocks = [bp.Residual(bp.Sequential(bp.LayerNorm(8), bp.Dense(8, 8, rng=rng), bp.ReLU())) for _ in range(6)]
    model = bp.Sequential(bp.Dense(4, 8, rng=rng), *blocks, bp.Dense(8, 2, init="xavier", rng=rng))
    history = bp.fit(model, X, y, optimizer=bp.SGD(0.05, momentum=0.9), epochs=30)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]


# --- errors ---


def test_a_block_that_changes_the_shape_is_refused():
    model = bp.Residual(bp.Dense(3, 2, rng=np.random.default_rng(0)))
    with pytest.raises(ValueError) as raised:
        model.forward(np.ones((4, 3)))
    message = str(raised.value)
    assert "(4, 3)" in message and "(4, 2)" in message and "X + block(X)" in message


def test_other_errors():
    with pytest.raises(TypeError, match="block must be a bp_lib Module, got function"):
        bp.Residual(lambda X: X)
    model = bp.Residual(bp.Tanh())
    with pytest.raises(RuntimeError, match="before forward"):
        model.backward(np.ones((2, 3)))
    model.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(3, 2\), expected \(2, 3\)"):
        model.backward(np.ones((3, 2)))
    with pytest.raises(TypeError, match="X"):
        model.forward(np.array([["a"]]))


def test_repr_shows_the_block():
    text = repr(bp.Residual(bp.Sequential(bp.LayerNorm(3), bp.ReLU())))
    assert text.startswith("Residual(") and "LayerNorm(3" in text and "ReLU()" in text
