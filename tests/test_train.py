import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import seeds

import bp_lib as bp
from bp_lib.data import spirals, xor


def test_a_2_4_1_network_learns_xor_on_logits_with_adam():
    rng = np.random.default_rng(0)
    X, y = xor()
    net = bp.Sequential(bp.Dense(2, 4, init="xavier", rng=rng), bp.Tanh(), bp.Dense(4, 1, init="xavier", rng=rng))
    history = bp.fit(net, X, y, optimizer=bp.Adam(lr=0.05), loss_fn=bp.bce_with_logits, epochs=500)
    probabilities = bp.sigmoid(net.forward(X))
    assert np.all((probabilities > 0.5) == (y == 1)), probabilities.ravel()
    assert len(history.train_loss) == 500 and history.train_loss[-1] < 0.05


def test_a_2_4_1_network_learns_xor_with_a_sigmoid_output_and_sgd():
    rng = np.random.default_rng(1)
    X, y = xor()
    net = bp.Sequential(
        bp.Dense(2, 4, init="xavier", rng=rng), bp.Tanh(), bp.Dense(4, 1, init="xavier", rng=rng), bp.Sigmoid()
    )
    history = bp.fit(net, X, y, optimizer=bp.SGD(0.5, momentum=0.9), loss_fn=bp.binary_cross_entropy, epochs=300)
    probabilities = net.forward(X)
    assert np.all((probabilities > 0.5) == (y == 1)), probabilities.ravel()
    assert len(history.train_loss) == 300
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]


def test_fit_records_validation_loss_and_accuracy():
    rng = np.random.default_rng(1)
    X, y = spirals(30, 3, rng)
    net = bp.Sequential(bp.Dense(2, 16, rng=rng), bp.ReLU(), bp.Dense(16, 3, rng=rng))
    history = bp.fit(
        net, X, y, optimizer=bp.SGD(0.5, momentum=0.9), epochs=5, batch_size=16, rng=rng, validation=(X, y)
    )
    assert len(history.train_loss) == len(history.val_loss) == len(history.val_accuracy) == 5
    assert all(0 <= a <= 1 for a in history.val_accuracy)


def test_minibatches_cover_every_index_once():
    batches = list(bp.train.minibatches(23, 5, np.random.default_rng(2)))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate(batches)) == list(range(23))


def test_train_step_stops_on_a_nan_loss_naming_the_step():
    net = bp.Sequential(bp.Dense(2, 1, rng=np.random.default_rng(3)))
    X = np.array([[0.5, 1.0]])

    def nan_loss(out, Y):
        return float("nan"), np.zeros_like(out)

    with pytest.raises(FloatingPointError, match="step 7: the loss is nan"):
        bp.train_step(net, nan_loss, bp.SGD(0.1), X, np.zeros((1, 1)), step=7)


def test_train_step_blames_the_data_not_the_training_for_a_nan_in_x():
    net = bp.Sequential(bp.Dense(2, 1, rng=np.random.default_rng(3)))
    X = np.array([[0.5, 1.0], [np.nan, 1.0]])
    with pytest.raises(ValueError, match=r"X \(the data, not the training\) must be finite, got NaN at index \(1, 0\)"):
        bp.train_step(net, bp.mse_loss, bp.SGD(0.1), X, np.zeros((2, 1)), step=7)


def test_train_step_stops_on_a_diverged_output_without_a_warning():
    net = bp.Sequential(bp.Dense(1, 1, init=lambda n, m, r: np.full((n, m), 1e300)))
    X = np.array([[1e10]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="step 2: the model's output is not finite"):
            bp.train_step(net, bp.mse_loss, bp.SGD(0.1), X, np.zeros((1, 1)), step=2)


def test_history_weights_each_batch_by_its_size():
    # 5 points, batches of 4 and 1: the epoch's loss is the mean over the 5 examples
    X = np.arange(5.0).reshape(5, 1)
    Y = np.zeros((5, 1))
    net = bp.Sequential(bp.Dense(1, 1, init=lambda n, m, r: np.ones((n, m))))
    seen = []

    def recording_loss(out, target):
        loss, grad = bp.mse_loss(out, target)
        seen.append((loss, len(out)))
        return loss, grad

    history = bp.fit(
        net,
        X,
        Y,
        optimizer=bp.SGD(1e-9),
        loss_fn=recording_loss,
        epochs=1,
        batch_size=4,
        rng=np.random.default_rng(0),
    )
    weighted = sum(loss * size for loss, size in seen) / 5
    unweighted = np.mean([loss for loss, _ in seen])
    assert history.train_loss[0] == pytest.approx(weighted, rel=1e-12)
    assert abs(weighted - unweighted) > 0.1  # the test can tell the two apart


class _PlainSGD:
    """An optimiser bp_lib does not know: a ``step`` method only, no checks of its own."""

    def step(self, params, grads):
        for name, p in params.items():
            p -= 0.1 * grads[name]


@pytest.mark.parametrize(
    "optimizer, max_norm",
    [(bp.SGD(0.1), None), (bp.Adam(0.1), 1.0), (_PlainSGD(), None), (_PlainSGD(), 1.0)],
    ids=["SGD", "Adam clipped", "plain object", "plain object clipped"],
)
def test_train_step_names_the_layer_and_parameter_of_a_non_finite_gradient(optimizer, max_norm):
    # Real layers, finite loss, infinite gradient: the first layer maps both rows to exactly 0
    # (the two inputs cancel), so the huge weight of the second layer leaves the loss at 1,
    # but it scales the error sent back to 2e300, and dW of layer 0 = X.T @ dZ overflows.
    net = bp.Sequential(bp.Dense(2, 1, rng=np.random.default_rng(4)), bp.Dense(1, 1, rng=np.random.default_rng(5)))
    net.params["0.W"][:] = 1.0
    net.params["1.W"][:] = 1e300
    X = np.array([[1e10, -1e10], [3e9, -3e9]])
    assert bp.mse_loss(net.forward(X), np.ones((2, 1)))[0] == 1.0
    before = {k: v.copy() for k, v in net.params.items()}
    with (
        np.errstate(over="ignore"),
        pytest.raises(FloatingPointError, match=r"step 3: the gradient of parameter 'W' of layer 0 is not finite"),
    ):
        bp.train_step(net, bp.mse_loss, optimizer, X, np.ones((2, 1)), step=3, max_norm=max_norm)
    for name, value in net.params.items():  # nothing was updated with the bad gradient
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def test_accuracy():
    assert bp.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), seed=seeds)
def test_minibatches_partition_the_indices_for_any_sizes(n, batch_size, seed):
    batches = list(bp.train.minibatches(n, batch_size, np.random.default_rng(seed)))
    assert len(batches) == -(-n // batch_size)
    assert all(len(b) == batch_size for b in batches[:-1]) and 1 <= len(batches[-1]) <= batch_size
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


class _Recorder(bp.Module):
    """An identity layer that records the rows it sees, to watch what ``fit`` feeds the model."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, X):
        self.seen.append(X[:, 0].copy())
        self._cache = X
        return X

    def backward(self, dout):
        return dout


def test_fit_shows_every_example_once_per_epoch_and_reshuffles():
    rng = np.random.default_rng(6)
    X = np.column_stack([np.arange(11.0), rng.normal(size=11)])  # column 0 identifies the row
    y = rng.integers(0, 2, size=11)
    recorder = _Recorder()
    net = bp.Sequential(recorder, bp.Dense(2, 2, rng=rng))
    history = bp.fit(net, X, y, optimizer=bp.SGD(0.01), epochs=3, batch_size=4, rng=rng)
    assert len(history.train_loss) == 3 and len(recorder.seen) == 3 * 3
    epochs = [np.concatenate(recorder.seen[i : i + 3]) for i in (0, 3, 6)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(11.0))
    assert not all(np.array_equal(epochs[0], order) for order in epochs[1:])


def test_fit_full_batch_needs_no_generator_and_mini_batches_do():
    X, y = xor()
    net = bp.Sequential(bp.Dense(2, 1, rng=np.random.default_rng(7)))
    assert len(bp.fit(net, X, y, optimizer=bp.SGD(0.1), loss_fn=bp.mse_loss, epochs=2).train_loss) == 2
    with pytest.raises(TypeError, match="rng"):
        bp.fit(net, X, y, optimizer=bp.SGD(0.1), loss_fn=bp.mse_loss, epochs=2, batch_size=2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_finiteness_check_confirms_an_overflowing_norm_before_reporting(dtype):
    from bp_lib.train import _first_non_finite

    huge = np.finfo(dtype).max / 4  # finite, but its square overflows
    grads = {"0.W": np.full((3, 5), huge, dtype=dtype), "0.b": np.ones(5, dtype=dtype)}
    assert _first_non_finite(grads) is None
    for bad in (np.nan, np.inf, -np.inf):
        grads["0.b"][2] = bad
        assert _first_non_finite(grads) == "0.b"


def _step_network(seed: int, dtype):
    rng = np.random.default_rng(seed)
    return bp.Sequential(
        bp.Dense(7, 16, rng=rng, dtype=dtype), bp.ReLU(), bp.Dense(16, 16, rng=rng, dtype=dtype), bp.ReLU(),
        bp.Dense(16, 4, rng=rng, dtype=dtype),
    )  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_train_step_gives_bit_for_bit_the_step_written_with_the_pure_pairs(dtype):
    fast, pure = _step_network(0, dtype), _step_network(0, dtype)
    optimizer, pure_optimizer = bp.SGD(0.1, momentum=0.9), bp.SGD(0.1, momentum=0.9)
    rng = np.random.default_rng(1)
    for _ in range(4):
        X, y = rng.standard_normal((9, 7)).astype(dtype), rng.integers(0, 4, 9)
        loss = bp.train_step(fast, bp.softmax_cross_entropy, optimizer, X, y)
        caches, A = [], X
        for index in (0, 2, 4):
            W, b = (pure.layers[index].params[k] for k in "Wb")
            Z, cache = bp.dense_forward(A, W, b)
            caches.append(cache)
            if index < 4:
                A, relu_cache = bp.relu_forward(Z)
                caches.append(relu_cache)
        expected_loss, dZ = bp.softmax_cross_entropy(Z, y)
        grads = {}
        for index in (4, 2, 0):
            dA, grads[f"{index}.W"], grads[f"{index}.b"] = bp.dense_backward(dZ, caches.pop())
            if index > 0:
                dZ = bp.relu_backward(dA, caches.pop())
        pure_optimizer.step(pure.params, grads)
        assert loss == expected_loss
        for name, p in fast.params.items():
            assert np.array_equal(p, pure.params[name]), name


def test_an_optimiser_subclass_with_its_own_step_gets_the_gradients_checked():
    class UncheckedSGD(bp.SGD):
        def step(self, params, grads):
            for name, p in params.items():
                p -= self.lr * grads[name]

    net = bp.Sequential(bp.Dense(2, 1, rng=np.random.default_rng(4)), bp.Dense(1, 1, rng=np.random.default_rng(5)))
    net.params["0.W"][:] = 1.0
    net.params["1.W"][:] = 1e300
    X = np.array([[1e10, -1e10], [3e9, -3e9]])  # as in the test above: dW of layer 0 overflows
    before = {k: v.copy() for k, v in net.params.items()}
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="'W' of layer 0 is not finite"):
        bp.train_step(net, bp.mse_loss, UncheckedSGD(0.1), X, np.ones((2, 1)))
    for name, value in net.params.items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def test_a_duck_typed_model_without_a_dict_still_trains():
    class Slotted:
        __slots__ = ("layer",)

        def __init__(self):
            self.layer = bp.Dense(3, 2, rng=np.random.default_rng(8))

        def forward(self, X):
            return self.layer.forward(X)

        def backward_params(self, dout):
            self.layer.backward_params(dout)

        @property
        def params(self):
            return self.layer.params

        @property
        def grads(self):
            return self.layer.grads

    loss = bp.train_step(Slotted(), bp.mse_loss, bp.SGD(0.1), np.ones((4, 3)), np.zeros((4, 2)))
    assert np.isfinite(loss)


def test_a_float32_batch_through_a_float64_model_is_the_pure_step_bit_for_bit():
    fast, pure = _step_network(9, np.float64), _step_network(9, np.float64)
    X, y = np.random.default_rng(10).standard_normal((9, 7)).astype(np.float32), np.arange(9) % 4
    for _ in range(2):
        bp.train_step(fast, bp.softmax_cross_entropy, bp.SGD(0.1), X, y)
        out = pure.forward(X)
        pure.backward_params(bp.softmax_cross_entropy(out, y)[1])
        bp.SGD(0.1).step(pure.params, pure.grads)
    for name, p in fast.params.items():
        np.testing.assert_array_equal(p, pure.params[name], err_msg=name)
