import numpy as np
import pytest

import bp_lib as bp


def _network(rng, p=0.3):
    return bp.Sequential(
        bp.Dense(4, 6, rng=rng),
        bp.Tanh(),
        bp.Dense(6, 5, rng=rng),
        bp.BatchNorm(5),
        bp.ReLU(),
        bp.Dropout(p, rng=rng),
        bp.Dense(5, 3, rng=rng),
    )


def test_whole_network_gradient_check_every_parameter():
    rng = np.random.default_rng(2024)
    net = _network(rng)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, size=7)

    def loss():
        net.layers[5].rng = np.random.default_rng(99)  # the same dropout mask on every call
        return bp.softmax_cross_entropy(net.forward(X), y)[0]

    loss()
    relu_input = net.layers[4]._cache
    assert np.abs(relu_input).min() > 1e-4, "choose another seed: an input of ReLU sits on its kink"
    net.backward(bp.softmax_cross_entropy(_forward(net, X), y)[1])
    analytic = {name: grad.copy() for name, grad in net.grads.items()}
    results = {r.name: r for r in bp.check_gradients(loss, net.params, analytic, tol=1e-6, atol=1e-8)}
    assert set(results) == {"0.W", "0.b", "2.W", "2.b", "3.gamma", "3.beta", "6.W", "6.b"}
    for name, result in results.items():
        if name == "2.b":
            # The bias right before BatchNorm cannot change its output (BN subtracts the batch
            # mean), so its true gradient is exactly 0 and a relative error would only compare
            # two rounding errors: both must be negligible instead.
            assert result.both_negligible, result
        else:
            assert result.error < 1e-6, result


def _forward(net, X):
    net.layers[5].rng = np.random.default_rng(99)
    return net.forward(X)


def test_params_and_grads_are_the_layers_own_arrays():
    net = _network(np.random.default_rng(1))
    assert list(net.params) == ["0.W", "0.b", "2.W", "2.b", "3.gamma", "3.beta", "6.W", "6.b"]
    net.params["0.W"][0, 0] = 42.0
    assert net.layers[0].params["W"][0, 0] == 42.0
    assert net.params.keys() == net.grads.keys()


def test_backward_overwrites_instead_of_accumulating():
    rng = np.random.default_rng(3)
    net = _network(rng, p=0.0)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    for _ in range(2):
        net.backward(bp.softmax_cross_entropy(net.forward(X), y)[1])
        if _ == 0:
            first = {k: v.copy() for k, v in net.grads.items()}
    for name, grad in net.grads.items():
        np.testing.assert_allclose(grad, first[name], err_msg=name)


def test_train_and_eval_reach_every_layer():
    net = _network(np.random.default_rng(4))
    assert all(layer.training for layer in net.eval().layers) is False
    assert not any(layer.training for layer in net.layers)
    assert all(layer.training for layer in net.train().layers)


def test_backward_before_forward_is_a_runtime_error_naming_the_layer():
    net = bp.Sequential(bp.Dense(2, 3), bp.ReLU())
    with pytest.raises(RuntimeError, match=r"layer 1 \(ReLU\(\)\)"):
        net.backward(np.ones((1, 3)))


def test_repr_lists_the_layers():
    assert "(0) Dense(4, 6)" in repr(_network(np.random.default_rng(5)))
