import numpy as np
import pytest

import bp_lib as bp
from bp_lib.data import spirals, xor


def test_a_2_4_1_network_learns_xor():
    rng = np.random.default_rng(0)
    X, y = xor()
    net = bp.Sequential(bp.Dense(2, 4, init="xavier", rng=rng), bp.Tanh(), bp.Dense(4, 1, init="xavier", rng=rng))
    history = bp.fit(net, X, y, optimizer=bp.Adam(lr=0.05), loss_fn=bp.bce_with_logits, epochs=500)
    probabilities = bp.sigmoid(net.forward(X))
    assert np.all((probabilities > 0.5) == (y == 1)), probabilities.ravel()
    assert len(history.train_loss) == 500 and history.train_loss[-1] < 0.05


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
    X = np.array([[np.nan, 1.0]])
    with pytest.raises(FloatingPointError, match="step 7: the loss is nan"):
        bp.train_step(net, bp.mse_loss, bp.SGD(0.1), X, np.zeros((1, 1)), step=7)


def test_train_step_names_the_layer_and_parameter_of_a_non_finite_gradient():
    class InfiniteGradient(bp.Module):
        """A layer whose parameter gradient is infinite while its output and loss stay finite."""

        def __init__(self):
            super().__init__()
            self.params = {"scale": np.ones(1)}
            self.grads = {"scale": np.zeros(1)}

        def forward(self, X):
            self._cache = X
            return X

        def backward(self, dout):
            self.grads["scale"] = np.array([np.inf])
            return dout

    net = bp.Sequential(bp.Dense(2, 1, rng=np.random.default_rng(4)), InfiniteGradient())
    with pytest.raises(FloatingPointError, match=r"step 3: the gradient of parameter 'scale' of layer 1"):
        bp.train_step(net, bp.mse_loss, bp.SGD(0.1), np.ones((2, 2)), np.zeros((2, 1)), step=3)


def test_accuracy():
    assert bp.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
