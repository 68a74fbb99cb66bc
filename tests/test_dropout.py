import numpy as np
import pytest
from helpers import check_backward
from hypothesis import given
from hypothesis import strategies as st
from strategies import seeds, shapes, upstream

import bp_lib as bp


@given(shape=shapes(), p=st.floats(0.0, 0.9), seed=seeds)
def test_dropout_backward_matches_numerical_gradient_with_a_fixed_mask(shape, p, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=shape)

    def forward(X):  # the same mask on every call: a fresh generator with the same seed
        return bp.dropout_forward(X, p, np.random.default_rng(seed))

    check_backward(forward, bp.dropout_backward, (X,), upstream(rng, shape))


def test_backward_uses_the_forward_mask():
    rng = np.random.default_rng(15)
    X = rng.normal(size=(20, 30))
    out, mask = bp.dropout_forward(X, 0.4, rng)
    dout = rng.normal(size=X.shape)
    dX = bp.dropout_backward(dout, mask)
    dropped = out == 0
    assert 0.3 < dropped.mean() < 0.5
    assert np.all(dX[dropped] == 0)
    np.testing.assert_allclose(dX[~dropped], dout[~dropped] / 0.6)


def test_inverted_dropout_keeps_the_expectation():
    rng = np.random.default_rng(16)
    X = np.full((400, 500), 2.0)  # 200,000 units
    p = 0.3
    out, _ = bp.dropout_forward(X, p, rng)
    # each unit is 2/(1-p) with probability 1-p, else 0: std 2*sqrt(p/(1-p)); 5 standard errors
    standard_error = 2 * np.sqrt(p / (1 - p)) / np.sqrt(X.size)
    assert abs(out.mean() - 2.0) < 5 * standard_error


def test_dropout_module_is_the_identity_in_eval_mode():
    layer = bp.Dropout(0.5, rng=np.random.default_rng(17))
    X = np.random.default_rng(18).normal(size=(3, 4))
    np.testing.assert_array_equal(layer.eval().forward(X), X)
    np.testing.assert_array_equal(layer.backward(X), X)
    assert not np.array_equal(layer.train().forward(X), X)


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_dropout_keeps_float32(p):
    X = np.ones((3, 4), dtype=np.float32)
    out, mask = bp.dropout_forward(X, p, np.random.default_rng(0))
    assert out.dtype == np.float32 and bp.dropout_backward(X, mask).dtype == np.float32


def test_dropout_module_backward_reuses_the_mask_of_its_forward():
    layer = bp.Dropout(0.5, rng=np.random.default_rng(19))
    X = np.random.default_rng(20).normal(size=(6, 5))
    out = layer.forward(X)
    dout = np.random.default_rng(21).normal(size=(6, 5))
    dX = layer.backward(dout)
    kept = out != 0
    assert 0 < kept.sum() < kept.size  # the mask is neither empty nor full
    np.testing.assert_array_equal(dX[~kept], 0)
    np.testing.assert_allclose(dX[kept], 2 * dout[kept])


def test_same_generator_seed_same_mask_and_p_zero_keeps_everything():
    X = np.random.default_rng(22).normal(size=(4, 3))
    a, _ = bp.dropout_forward(X, 0.4, np.random.default_rng(5))
    b, _ = bp.dropout_forward(X, 0.4, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(bp.dropout_forward(X, 0.0, np.random.default_rng(5))[0], X)


def test_dropout_module_keeps_float32():
    layer = bp.Dropout(0.3, rng=np.random.default_rng(23))
    X = np.ones((3, 4), dtype=np.float32)
    assert layer.forward(X).dtype == np.float32 and layer.backward(X).dtype == np.float32
