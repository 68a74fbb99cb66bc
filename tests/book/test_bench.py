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


def test_matmul_step_makes_the_products_of_a_training_step(monkeypatch):
    model = bench.mlp((6, 4, 3), np.random.default_rng(3))
    X, _ = bench.classification_batch(5, 6, 3, np.random.default_rng(4))
    calls = _products_of(bench.matmul_step(model, X, np.random.default_rng(5)), monkeypatch)
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


def test_layer_problem_builds_a_size_keeping_conv2d_and_its_batch():
    layer, X, Y = bench.layer_problem("conv2d", (3, 2, 6, 5, 4, 3), np.random.default_rng(10), dtype=np.float32)
    assert repr(layer) == "Conv2d(2, 4, 3, stride=1, padding=1)"
    assert X.shape == (3, 2, 6, 5) and Y.shape == layer.forward(X).shape == (3, 4, 6, 5)
    assert {a.dtype for a in (X, Y, *layer.params.values())} == {np.dtype(np.float32)}


def test_layer_problem_builds_self_attention_and_its_batch():
    layer, X, Y = bench.layer_problem("attention", (3, 5, 4), np.random.default_rng(11))
    assert repr(layer) == "SelfAttention(4, causal=False)"
    assert X.shape == Y.shape == layer.forward(X).shape == (3, 5, 4)
    again = bench.layer_problem("attention", (3, 5, 4), np.random.default_rng(11))
    np.testing.assert_array_equal(again[0].params["Wq"], layer.params["Wq"])
    np.testing.assert_array_equal(again[1], X)


@pytest.mark.parametrize(
    "kind, shape, message",
    [
        ("conv2d", (2, 1, 4, 4, 2, 2), "must be odd, got 2"),
        ("attention", (2, 0, 4), "shape"),
        ("dense", (2, 3), "kind must be 'conv2d' or 'attention', got 'dense'"),
    ],
)
def test_layer_problem_rejects_what_it_cannot_build(kind, shape, message):
    with pytest.raises(ValueError, match=message):
        bench.layer_problem(kind, shape, np.random.default_rng(0))


@pytest.mark.parametrize("kind, shape", [("conv2d", (2, 2, 5, 5, 3, 3)), ("attention", (2, 4, 6))])
def test_sgd_step_trains_a_layer_under_the_mean_squared_error(kind, shape):
    layer, X, Y = bench.layer_problem(kind, shape, np.random.default_rng(12))
    twin = bench.layer_problem(kind, shape, np.random.default_rng(12))[0]
    before = {name: p.copy() for name, p in layer.params.items()}
    loss = bench.sgd_step(layer, X, Y, lr=0.05, loss_fn=bp.mse_loss)()
    assert np.isfinite(loss) and loss == bp.train_step(twin, bp.mse_loss, bp.SGD(0.05), X, Y)
    for name, p in layer.params.items():
        assert not np.array_equal(p, before[name]), name
        np.testing.assert_array_equal(p, twin.params[name])


def _products_of(step, monkeypatch, keep=lambda left, right, out: (left.shape, right.shape)):
    """What ``keep`` takes of every np.matmul ``step()`` makes (the operands' shapes)."""
    calls, original = [], np.matmul

    def recording(left, right, out):
        calls.append(keep(left, right, out))
        return original(left, right, out=out)

    monkeypatch.setattr(np, "matmul", recording)
    step()
    monkeypatch.undo()
    return calls


def test_conv_products_are_the_forward_and_the_weight_gradient_of_im2col(monkeypatch):
    layer, X, _ = bench.layer_problem("conv2d", (2, 3, 5, 4, 6, 3), np.random.default_rng(13))
    rows, width = 2 * 5 * 4, 3 * 3 * 3  # one row per window, one column per (c, u, v)
    calls = _products_of(bench.conv_products(layer, X, np.random.default_rng(14)), monkeypatch)
    assert calls == [((6, width), (width, rows)), ((6, rows), (rows, width))]


def test_conv_products_compute_the_forward_of_the_layer(monkeypatch):
    layer, X, _ = bench.layer_problem("conv2d", (2, 3, 5, 4, 6, 3), np.random.default_rng(15))
    step = bench.conv_products(layer, X, np.random.default_rng(16))
    outputs = _products_of(step, monkeypatch, keep=lambda left, right, out: out)
    expected = layer.forward(X) - layer.params["b"][:, None, None]  # the product, before the bias
    np.testing.assert_allclose(outputs[0].reshape(6, 2, 5, 4).transpose(1, 0, 2, 3), expected, rtol=1e-12)


def test_attention_products_are_the_fifteen_of_a_self_attention_step(monkeypatch):
    m, T, d = 2, 5, 4
    layer, X, _ = bench.layer_problem("attention", (m, T, d), np.random.default_rng(17))
    calls = _products_of(bench.attention_products(layer, X, np.random.default_rng(18)), monkeypatch)
    rows = (m * T, d)
    forward = [((m, T, d), (d, d))] * 3 + [((m, T, d), (m, d, T)), ((m, T, T), (m, T, d)), ((m, T, d), (d, d))]
    backward = [
        ((d, m * T), rows),  # dWo = A^T dout
        ((m, T, d), (d, d)),  # dA = dout Wo^T
        ((m, T, T), (m, T, d)),  # dV = P^T dA
        ((m, T, d), (m, d, T)),  # dP = dA V^T
        ((m, T, T), (m, T, d)),  # dQ = dZ K
        ((m, T, T), (m, T, d)),  # dK = dZ^T Q
    ] + [((d, m * T), rows)] * 3  # dWq, dWk, dWv
    assert calls == forward + backward


def test_conv_pair_step_gives_the_same_gradients_by_loops_and_by_im2col():
    layer, X, dout = bench.layer_problem("conv2d", (2, 2, 4, 5, 3, 3), np.random.default_rng(19))
    W, b = layer.params["W"], layer.params["b"]
    loops = bench.conv_pair_step(bp.conv2d_forward_loops, bp.conv2d_backward_loops, X, W, b, 1, dout)()
    im2col = bench.conv_pair_step(bp.conv2d_forward, bp.conv2d_backward, X, W, b, 1, dout)()
    assert [a.shape for a in loops] == [(2, 3, 4, 5), X.shape, W.shape, b.shape]
    for ours, theirs in zip(loops, im2col):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_pass_times_takes_the_loss_it_is_given():
    layer, X, Y = bench.layer_problem("attention", (2, 3, 4), np.random.default_rng(20))
    forward, backward = bench.pass_times(layer, X, Y, steps=2, warmup=0, loss_fn=bp.mse_loss)
    assert len(forward) == len(backward) == 2 and min(forward + backward) >= 0
    with pytest.raises(ValueError):  # the default loss wants labels, not a (2, 3, 4) target
        bench.pass_times(layer, X, Y, steps=1, warmup=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_preallocated_step_is_train_step_bit_for_bit(dtype):
    models = [bench.mlp((12, 9, 7, 4), np.random.default_rng(20), dtype=dtype) for _ in range(2)]
    X, y = bench.classification_batch(6, 12, 4, np.random.default_rng(21), dtype)
    by_hand, library = bench.preallocated_step(models[0], X, y), bench.sgd_step(models[1], X, y)
    for _ in range(3):
        assert by_hand() == library()
    for name, p in models[0].params.items():
        np.testing.assert_array_equal(p, models[1].params[name], err_msg=name)
    assert any(
        not np.array_equal(p, q)
        for p, q in zip(
            models[0].params.values(), bench.mlp((12, 9, 7, 4), np.random.default_rng(20), dtype=dtype).params.values()
        )
    )  # it did train
