import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book.network_bug import (
    TanhDerivativeAtOutput,
    network,
    tanh_backward_at_output,
    train_both,
)


def test_the_slip_takes_tanh_prime_at_the_output():
    rng = np.random.default_rng(0)
    Z, dA = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    A, cache = bp.tanh_forward(Z)
    slipped = tanh_backward_at_output(dA, cache)
    np.testing.assert_allclose(slipped, dA * (1 - np.tanh(A) ** 2))
    assert not np.allclose(slipped, bp.tanh_backward(dA, cache))


def test_the_slipped_layer_has_tanh_s_forward_and_the_slip_s_backward():
    Z = np.random.default_rng(1).normal(size=(5, 2))
    layer = TanhDerivativeAtOutput()
    np.testing.assert_array_equal(layer.forward(Z), np.tanh(Z))
    dZ = layer.backward(np.ones_like(Z))
    np.testing.assert_allclose(dZ, 1 - np.tanh(np.tanh(Z)) ** 2)


def test_both_networks_start_from_the_same_weights():
    right, slipped = network(3), network(3, slip=True)
    assert isinstance(slipped.layers[1], TanhDerivativeAtOutput)
    assert not isinstance(right.layers[1], TanhDerivativeAtOutput)
    for name in right.params:
        np.testing.assert_array_equal(right.params[name], slipped.params[name])


def test_train_both_reports_the_initial_and_both_final_losses():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 3, size=20)
    initial, right, slipped = train_both(4, X, y, lr=0.3, epochs=30)
    net = network(4)
    assert initial == pytest.approx(bp.softmax_cross_entropy(net.forward(X), y)[0])
    bp.fit(net, X, y, optimizer=bp.SGD(0.3), epochs=30)
    assert right == pytest.approx(bp.softmax_cross_entropy(net.forward(X), y)[0])
    assert slipped != right and slipped < initial
