"""bp_lib.book.bench: what it builds and counts is checked; the times it measures are never judged."""

import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book import bench


def test_mlp_alternates_dense_and_relu_in_the_requested_dtype():
    model = bench.mlp((7, 5, 4, 3), np.random.default_rng(0), dtype=np.float32)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "ReLU", "Dense", "ReLU", "Dense"]
    assert [(layer.n_in, layer.n_out) for layer in model.layers[::2]] == [(7, 5), (5, 4), (4, 3)]
    assert all(p.dtype == np.float32 for p in model.params.values())


def test_mlp_needs_two_widths():
    with pytest.raises(ValueError, match="input and an output"):
        bench.mlp((7,), np.random.default_rng(0))


def test_digit_classifier_is_chapter_13s_network():
    model = bench.digit_classifier(seed=0)
    assert [repr(layer) for layer in model.layers] == ["Dense(64, 128)", "ReLU()", "Dropout(p=0.2)", "Dense(128, 10)"]
    same = bench.digit_classifier(seed=0)
    np.testing.assert_array_equal(model.params["0.W"], same.params["0.W"])


def test_sgd_step_is_one_train_step_with_sgd():
    rng = np.random.default_rng(1)
    model, twin = bench.mlp((6, 4, 3), np.random.default_rng(2)), bench.mlp((6, 4, 3), np.random.default_rng(2))
    X, y = bench.classification_batch(5, 6, 3, rng)
    loss = bench.sgd_step(model, X, y, lr=0.05)()
    assert loss == bp.train_step(twin, bp.softmax_cross_entropy, bp.SGD(0.05), X, y)
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, twin.params[name])


def test_matmul_step_makes_the_products_of_a_training_step():
    model = bench.mlp((6, 4, 3), np.random.default_rng(3))
    X, _ = bench.classification_batch(5, 6, 3, np.random.default_rng(4))
    calls = []
    original = np.matmul

    def counting(left, right, out):
        calls.append((left.shape, right.shape))
        return original(left, right, out=out)

    step = bench.matmul_step(model, X, np.random.default_rng(5))
    np.matmul = counting
    try:
        step()
    finally:
        np.matmul = original
    # forward X @ W1, dW1 = X.T @ dZ1 (no dX for the data), then A1 @ W2, dW2, dA1 = dZ2 @ W2.T
    assert calls == [((5, 6), (6, 4)), ((6, 5), (5, 4)), ((5, 4), (4, 3)), ((4, 5), (5, 3)), ((5, 3), (3, 4))]


def test_pass_times_times_each_pass_of_each_step():
    model = bench.mlp((6, 4, 3), np.random.default_rng(6))
    X, y = bench.classification_batch(5, 6, 3, np.random.default_rng(7))
    forward, backward = bench.pass_times(model, X, y, steps=3, warmup=1)
    assert len(forward) == len(backward) == 3 and min(forward + backward) >= 0


def test_step_peak_memory_sees_the_cached_activations():
    model = bench.mlp((300, 200, 10), np.random.default_rng(8))
    X, y = bench.classification_batch(64, 300, 10, np.random.default_rng(9))
    memory = bench.step_peak_memory(model, bench.sgd_step(model, X, y))
    assert memory["parameters"] == 8 * (300 * 200 + 200 + 200 * 10 + 10)
    assert memory["cached"] == 8 * 64 * (300 + 200 + 200)  # X, Z1 (ReLU's cache), A1
    new_activations = 8 * 64 * (200 + 200)  # Z1 and A1 are allocated by the step; X is not
    assert new_activations <= memory["peak"] < memory["reference"]
