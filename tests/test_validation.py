"""Bad input gets a clear error: the type, and a message naming the argument and what was wrong.

One table of cases over the public API; each case is (id, call, exception, message regex).
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bp_lib as bp
from bp_lib.scalar import Value

rng = np.random.default_rng(0)
X35 = rng.normal(size=(3, 5))
W52 = rng.normal(size=(5, 2))
b2 = np.zeros(2)
Z34 = rng.normal(size=(3, 4))


def _cache_of(forward, *args):
    return forward(*args)[1]


def _used_backward_first(module):
    return lambda: module.backward(np.ones((3, 2)))


CASES = [
    # dense
    (
        "dense X 1-D",
        lambda: bp.dense_forward(np.ones(5), W52, b2),
        ValueError,
        r"X must be 2-D .*shape \(5,\)",
    ),
    ("dense features", lambda: bp.dense_forward(X35, np.ones((4, 2)), b2), ValueError, r"X has 5 features"),
    ("dense W 1-D", lambda: bp.dense_forward(X35, np.ones(5), b2), ValueError, r"W must be 2-D"),
    (
        "dense b (2,1)",
        lambda: bp.dense_forward(X35, W52, np.zeros((2, 1))),
        ValueError,
        r"b has shape \(2, 1\)",
    ),
    ("dense b wrong", lambda: bp.dense_forward(X35, W52, np.zeros(3)), ValueError, r"expected \(2,\)"),
    ("dense X str", lambda: bp.dense_forward(np.array([["a"]]), W52, b2), TypeError, r"X must be a numeric"),
    (
        "dense dZ transposed",
        lambda: bp.dense_backward(np.ones((2, 3)), _cache_of(bp.dense_forward, X35, W52, b2)),
        ValueError,
        r"dZ has shape \(2, 3\), expected \(3, 2\)",
    ),
    ("Dense n_in 0", lambda: bp.Dense(0, 3), ValueError, r"n_in must be a positive integer, got 0"),
    ("Dense n_out float", lambda: bp.Dense(3, 2.5), ValueError, r"n_out must be a positive integer, got 2.5"),
    ("Dense init name", lambda: bp.Dense(3, 2, init="glorot"), ValueError, r"init must be one of .*'glorot'"),
    ("Dense rng", lambda: bp.Dense(3, 2, rng=42), TypeError, r"rng must be a numpy.random.Generator"),
    (
        "Dense backward first",
        _used_backward_first(bp.Dense(3, 2)),
        RuntimeError,
        r"Dense.backward .* before forward",
    ),
    # activations
    (
        "relu dout shape",
        lambda: bp.relu_backward(np.ones((4, 3)), _cache_of(bp.relu_forward, Z34)),
        ValueError,
        r"dout has shape \(4, 3\) but the forward output has shape \(3, 4\)",
    ),
    (
        "sigmoid dout (m,1) vs (m,)",
        lambda: bp.sigmoid_backward(np.ones((3, 1)), _cache_of(bp.sigmoid_forward, np.zeros(3))),
        ValueError,
        r"dout has shape \(3, 1\)",
    ),
    (
        "tanh dout shape",
        lambda: bp.tanh_backward(np.ones(4), _cache_of(bp.tanh_forward, Z34)),
        ValueError,
        r"must match exactly",
    ),
    (
        "softmax dout shape",
        lambda: bp.softmax_backward(np.ones((3, 1)), _cache_of(bp.softmax_forward, Z34)),
        ValueError,
        r"dout has shape \(3, 1\)",
    ),
    ("relu str", lambda: bp.relu_forward("x"), TypeError, r"Z must be a numeric array"),
    (
        "ReLU backward first",
        _used_backward_first(bp.ReLU()),
        RuntimeError,
        r"ReLU.backward .* before forward",
    ),
    ("Sigmoid backward first", _used_backward_first(bp.Sigmoid()), RuntimeError, r"Sigmoid.backward"),
    ("Tanh backward first", _used_backward_first(bp.Tanh()), RuntimeError, r"Tanh.backward"),
    ("Softmax backward first", _used_backward_first(bp.Softmax()), RuntimeError, r"Softmax.backward"),
    # losses
    (
        "mse (m,1) vs (m,)",
        lambda: bp.mse_loss(np.ones((3, 1)), np.ones(3)),
        ValueError,
        r"Y_hat has shape \(3, 1\)",
    ),
    ("mse empty", lambda: bp.mse_loss(np.ones((0, 2)), np.ones((0, 2))), ValueError, r"Y_hat is empty"),
    (
        "bce P > 1",
        lambda: bp.binary_cross_entropy(np.array([0.5, 1.5]), np.ones(2)),
        ValueError,
        r"P .* \[0, 1\]",
    ),
    (
        "bce P < 0",
        lambda: bp.binary_cross_entropy(np.array([-0.1, 0.5]), np.ones(2)),
        ValueError,
        r"from -0.1",
    ),
    (
        "bce P NaN",
        lambda: bp.binary_cross_entropy(np.array([np.nan, 0.5]), np.ones(2)),
        ValueError,
        r"\[0, 1\]",
    ),
    (
        "bce Y = 2",
        lambda: bp.binary_cross_entropy(np.full(2, 0.5), np.array([0, 2])),
        ValueError,
        r"Y \(targets\)",
    ),
    (
        "bce shape",
        lambda: bp.binary_cross_entropy(np.full((2, 1), 0.5), np.ones(2)),
        ValueError,
        r"P has shape",
    ),
    ("bce logits Y", lambda: bp.bce_with_logits(np.zeros(2), np.array([0, 3])), ValueError, r"Y \(targets\)"),
    (
        "bce logits shape",
        lambda: bp.bce_with_logits(np.zeros((2, 1)), np.zeros((1, 2))),
        ValueError,
        r"Z has shape",
    ),
    (
        "ce label too big",
        lambda: bp.softmax_cross_entropy(Z34, np.array([0, 1, 4])),
        ValueError,
        r"\[0, 3\] for 4",
    ),
    (
        "ce label negative",
        lambda: bp.softmax_cross_entropy(Z34, np.array([0, -1, 2])),
        ValueError,
        r"from -1",
    ),
    ("ce float labels", lambda: bp.softmax_cross_entropy(Z34, np.array([0.0, 1, 2])), ValueError, r"integer"),
    (
        "ce label count",
        lambda: bp.softmax_cross_entropy(Z34, np.array([0, 1])),
        ValueError,
        r"2 labels but Z has 3",
    ),
    (
        "ce one-hot shape",
        lambda: bp.softmax_cross_entropy(Z34, np.ones((3, 3))),
        ValueError,
        r"y \(one-hot\)",
    ),
    ("ce Z 1-D", lambda: bp.softmax_cross_entropy(np.ones(4), np.array([1])), ValueError, r"Z must be 2-D"),
    ("one_hot 2-D", lambda: bp.one_hot(np.ones((2, 2), dtype=int), 3), ValueError, r"1-D integer"),
    # batch norm
    (
        "bn batch of one",
        lambda: bp.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3)),
        ValueError,
        r"at least 2",
    ),
    (
        "bn gamma",
        lambda: bp.batchnorm_forward(X35, np.ones(4), np.zeros(5)),
        ValueError,
        r"gamma has shape \(4,\)",
    ),
    (
        "bn beta",
        lambda: bp.batchnorm_forward(X35, np.ones(5), np.zeros((5, 1))),
        ValueError,
        r"beta has shape",
    ),
    (
        "bn eps 0",
        lambda: bp.batchnorm_forward(X35, np.ones(5), np.zeros(5), eps=0),
        ValueError,
        r"eps must be in",
    ),
    (
        "bn X 1-D",
        lambda: bp.batchnorm_forward(np.ones(5), np.ones(5), np.zeros(5)),
        ValueError,
        r"X must be 2-D",
    ),
    (
        "bn dout",
        lambda: bp.batchnorm_backward(np.ones((5, 3)), _cache_of(bp.batchnorm_forward, X35, np.ones(5), np.zeros(5))),
        ValueError,
        r"dout has shape \(5, 3\), expected \(3, 5\)",
    ),
    ("BatchNorm n", lambda: bp.BatchNorm(0), ValueError, r"n must be a positive integer"),
    (
        "BatchNorm momentum",
        lambda: bp.BatchNorm(3, momentum=1.5),
        ValueError,
        r"momentum must be in \[0, 1\]",
    ),
    (
        "BatchNorm batch of one",
        lambda: bp.BatchNorm(3).forward(np.ones((1, 3))),
        ValueError,
        r"at least 2 rows",
    ),
    ("BatchNorm eval features", lambda: bp.BatchNorm(3).eval().forward(X35), ValueError, r"gamma has shape"),
    ("BatchNorm backward first", _used_backward_first(bp.BatchNorm(2)), RuntimeError, r"BatchNorm.backward"),
    # dropout
    (
        "dropout p = 1",
        lambda: bp.dropout_forward(X35, 1.0, rng),
        ValueError,
        r"p must be in \[0, 1\), got 1.0",
    ),
    ("dropout p < 0", lambda: bp.dropout_forward(X35, -0.2, rng), ValueError, r"p must be in"),
    ("dropout p str", lambda: bp.dropout_forward(X35, "0.5", rng), TypeError, r"p must be a real number"),
    (
        "dropout rng",
        lambda: bp.dropout_forward(X35, 0.5, 0),
        TypeError,
        r"rng must be a numpy.random.Generator",
    ),
    (
        "dropout dout",
        lambda: bp.dropout_backward(np.ones((5, 3)), _cache_of(bp.dropout_forward, X35, 0.5, rng)),
        ValueError,
        r"dout has shape \(5, 3\)",
    ),
    ("Dropout p", lambda: bp.Dropout(1.5), ValueError, r"p must be in \[0, 1\)"),
    ("Dropout backward first", _used_backward_first(bp.Dropout(0.5)), RuntimeError, r"Dropout.backward"),
    # initialisers
    ("he n_in", lambda: bp.he_normal(0, 3, rng), ValueError, r"n_in must be a positive integer"),
    ("xavier n_out", lambda: bp.xavier_uniform(3, -1, rng), ValueError, r"n_out must be a positive integer"),
    ("lecun rng", lambda: bp.lecun_normal(3, 2, None), TypeError, r"rng must be a numpy.random.Generator"),
    # optimisers and clipping
    ("SGD lr 0", lambda: bp.SGD(lr=0), ValueError, r"lr must be in \(0, inf\)"),
    ("SGD lr neg", lambda: bp.SGD(lr=-0.1), ValueError, r"lr must be in"),
    ("SGD momentum 1", lambda: bp.SGD(momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    ("Adam beta1", lambda: bp.Adam(beta1=1.0), ValueError, r"beta1 must be in"),
    ("Adam eps", lambda: bp.Adam(eps=0.0), ValueError, r"eps must be in"),
    ("Adam lr nan", lambda: bp.Adam(lr=float("nan")), ValueError, r"lr must be a finite number in"),
    (
        "step keys",
        lambda: bp.SGD().step({"W": np.ones(2)}, {"b": np.ones(2)}),
        ValueError,
        r"same keys, got \['W'\] and \['b'\]",
    ),
    (
        "step shapes",
        lambda: bp.Adam().step({"W": np.ones((2, 3))}, {"W": np.ones((3, 2))}),
        ValueError,
        r"grads\['W'\] has shape \(3, 2\), expected \(2, 3\)",
    ),
    (
        "clip max_norm 0",
        lambda: bp.clip_grad_norm([np.ones(3)], 0.0),
        ValueError,
        r"max_norm must be in \(0, inf\)",
    ),
    (
        "clip max_norm str",
        lambda: bp.clip_grad_norm([np.ones(3)], "1"),
        TypeError,
        r"max_norm must be a real number",
    ),
    # gradient checking
    ("numgrad int", lambda: bp.numerical_gradient(lambda: 0.0, np.arange(3)), TypeError, r"rounded away"),
    ("numgrad list", lambda: bp.numerical_gradient(lambda: 0.0, [1.0, 2.0]), TypeError, r"got list"),
    (
        "numgrad eps",
        lambda: bp.numerical_gradient(lambda: 0.0, np.ones(2), eps=0),
        ValueError,
        r"eps must be in",
    ),
    (
        "relative_error shape",
        lambda: bp.relative_error(np.ones(3), np.ones((3, 1))),
        ValueError,
        r"must match",
    ),
    (
        "check_gradients keys",
        lambda: bp.check_gradients(lambda: 0.0, {"W": np.ones(2)}, {}),
        ValueError,
        r"same keys",
    ),
    # Sequential and training
    (
        "Sequential non-module",
        lambda: bp.Sequential(bp.ReLU(), "relu"),
        TypeError,
        r"layer 1 must be a bp_lib Module",
    ),
    (
        "Sequential features",
        lambda: bp.Sequential(bp.Dense(4, 3), bp.ReLU(), bp.Dense(2, 1)).forward(np.ones((5, 4))),
        ValueError,
        r"layer 2 \(Dense\(2, 1\)\): X has 3 features",
    ),
    (
        "Sequential input",
        lambda: bp.Sequential(bp.Dense(4, 3)).forward(np.ones((5, 6))),
        ValueError,
        r"layer 0 \(Dense\(4, 3\)\): X has 6 features",
    ),
    (
        "Sequential backward first",
        lambda: bp.Sequential(bp.Dense(2, 2), bp.Tanh()).backward(np.ones((1, 2))),
        RuntimeError,
        r"layer 1 \(Tanh\(\)\): Tanh.backward was called before forward",
    ),
    (
        "fit rows",
        lambda: bp.fit(bp.Sequential(bp.Dense(5, 2)), X35, np.array([0, 1]), optimizer=bp.SGD()),
        ValueError,
        r"X has 3 rows but Y has 2",
    ),
    (
        "fit rng",
        lambda: bp.fit(bp.Sequential(bp.Dense(5, 2)), X35, np.array([0, 1, 1]), optimizer=bp.SGD(), batch_size=2),
        TypeError,
        r"rng \(needed to shuffle mini-batches\)",
    ),
    (
        "fit epochs",
        lambda: bp.fit(bp.Sequential(bp.Dense(5, 2)), X35, np.array([0, 1, 1]), optimizer=bp.SGD(), epochs=0),
        ValueError,
        r"epochs must be a positive integer",
    ),
    ("accuracy y shape", lambda: bp.accuracy(Z34, np.zeros((3, 1), dtype=int)), ValueError, r"y \(m,\)"),
    (
        "accuracy scores 1-D",
        lambda: bp.accuracy(np.ones(3), np.zeros(3, dtype=int)),
        ValueError,
        r"scores \(3,\)",
    ),
    # scalar engine
    ("Value log 0", lambda: Value(0.0).log(), ValueError, r"log needs a positive value, got 0.0"),
    ("Value pow Value", lambda: Value(2.0) ** Value(3.0), TypeError, r"exponent must be an int or a float"),
    # saving
    (
        "save non-Sequential",
        lambda: bp.save(bp.Dense(2, 2), "unused.npz"),
        TypeError,
        r"must be a bp_lib.Sequential",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_there_are_many_cases():
    assert len(CASES) >= 60
    assert len({case[0] for case in CASES}) == len(CASES), "case ids must be unique"


@given(
    m=st.integers(1, 6),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 6),
    wrong=st.integers(1, 6),
)
def test_random_wrong_feature_counts_always_raise_value_error(m, n_in, n_out, wrong):
    if wrong == n_in:
        wrong += 1
    with pytest.raises(ValueError, match=f"X has {wrong} features"):
        bp.dense_forward(np.ones((m, wrong)), np.ones((n_in, n_out)), np.zeros(n_out))


@given(
    shape=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    other=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    loss=st.sampled_from([bp.mse_loss, bp.bce_with_logits]),
)
def test_losses_never_broadcast_mismatched_shapes(shape, other, loss):
    if shape == other:
        other = (other[0], other[1] + 1)
    with pytest.raises(ValueError, match="must match exactly"):
        loss(np.full(shape, 0.5), np.full(other, 0.5))
