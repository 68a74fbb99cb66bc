import numpy as np
import pytest

import bp_lib as bp

PARAMETER_NAMES = ["0.W", "0.b", "2.W", "2.b", "3.gamma", "3.beta", "6.W", "6.b"]
DROPOUT_SEED = 99


def _network(rng, p=0.3, dtype=np.float64):
    return bp.Sequential(
        bp.Dense(4, 6, rng=rng, dtype=dtype),
        bp.Tanh(),
        bp.Dense(6, 5, rng=rng, dtype=dtype),
        bp.BatchNorm(5, dtype=dtype),
        bp.ReLU(),
        bp.Dropout(p, rng=rng),
        bp.Dense(5, 3, rng=rng, dtype=dtype),
    )


def _forward(net, X):
    """Forward pass with the same dropout mask every time: the generator is re-seeded first."""
    net.layers[5].rng = np.random.default_rng(DROPOUT_SEED)
    return net.forward(X)


def test_whole_network_gradient_check_every_parameter():
    rng = np.random.default_rng(2024)
    net = _network(rng)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, size=7)

    def loss():
        return bp.softmax_cross_entropy(_forward(net, X), y)[0]

    out = _forward(net, X)
    relu_input = net.layers[4]._cache
    assert np.abs(relu_input).min() > 1e-4, "choose another seed: an input of ReLU sits on its kink"
    dropped = net.layers[5]._cache == 0
    assert 0 < dropped.sum() < dropped.size, "choose another seed: dropout should drop some units, not all"
    net.backward(bp.softmax_cross_entropy(out, y)[1])
    analytic = {name: grad.copy() for name, grad in net.grads.items()}
    results = {r.name: r for r in bp.check_gradients(loss, net.params, analytic, tol=1e-6, eps=1e-6, atol=1e-8)}
    assert list(results) == PARAMETER_NAMES
    for name, result in results.items():
        if name == "2.b":
            # The bias right before BatchNorm cannot change its output (BN subtracts the batch
            # mean), so its true gradient is exactly 0 and a relative error would only compare
            # two rounding errors: both must be negligible instead.
            assert result.both_negligible, result
        else:
            assert result.error < 1e-6, result
            assert np.abs(analytic[name]).max() > 1e-6, f"{name}: a vanishing gradient checks nothing"


def test_params_and_grads_are_the_layers_own_arrays():
    net = _network(np.random.default_rng(1))
    assert list(net.params) == PARAMETER_NAMES
    assert net.params.keys() == net.grads.keys()
    net.params["0.W"][0, 0] = 42.0
    assert net.layers[0].params["W"][0, 0] == 42.0
    net.params["3.gamma"] *= 2
    np.testing.assert_array_equal(net.layers[3].params["gamma"], 2.0)
    for key, array in net.params.items():
        index, name = key.split(".")
        assert array is net.layers[int(index)].params[name]


def test_backward_overwrites_instead_of_accumulating():
    rng = np.random.default_rng(3)
    net = _network(rng)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    grads = []
    for _ in range(2):
        net.backward(bp.softmax_cross_entropy(_forward(net, X), y)[1])
        grads.append({k: v.copy() for k, v in net.grads.items()})
    for name in PARAMETER_NAMES:
        np.testing.assert_array_equal(grads[1][name], grads[0][name], err_msg=name)
        assert np.any(grads[0][name] != 0) or name == "2.b", name  # not trivially equal


def test_train_and_eval_reach_every_layer():
    net = _network(np.random.default_rng(4))
    assert net.eval() is net
    assert not net.training and not any(layer.training for layer in net.layers)
    assert net.train() is net
    assert net.training and all(layer.training for layer in net.layers)


def test_eval_mode_changes_batchnorm_and_dropout_only():
    rng = np.random.default_rng(5)
    net = _network(rng, p=0.5)
    X = rng.normal(size=(8, 4))
    net.forward(X)  # one training step of running statistics
    net.eval()
    first, second = net.forward(X), net.forward(X)
    np.testing.assert_array_equal(first, second)  # deterministic: no dropout, running statistics
    hidden = X
    for layer in net.layers[:3]:
        hidden = layer.forward(hidden)
    bn = net.layers[3]
    expected = (hidden - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)  # gamma 1, beta 0
    expected = net.layers[6].forward(np.maximum(expected, 0))
    np.testing.assert_allclose(first, expected, rtol=1e-12)


def test_backward_before_forward_is_a_runtime_error_naming_the_layer():
    net = bp.Sequential(bp.Dense(2, 3), bp.ReLU())
    with pytest.raises(RuntimeError, match=r"layer 1 \(ReLU\(\)\).*before forward"):
        net.backward(np.ones((1, 3)))


def test_an_error_inside_a_layer_names_the_layer_index():
    net = bp.Sequential(bp.Dense(4, 3, rng=np.random.default_rng(6)), bp.Tanh(), bp.Dense(2, 1))
    with pytest.raises(ValueError, match=r"^layer 2 \(Dense\(2, 1\)\): X has 3 features"):
        net.forward(np.ones((5, 4)))
    good = bp.Sequential(bp.Dense(4, 3, rng=np.random.default_rng(6)), bp.Tanh())
    good.forward(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"^layer 1 \(Tanh\(\)\): dout has shape \(5, 2\)"):
        good.backward(np.ones((5, 2)))


def test_sequential_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="layer 1 must be a bp_lib Module"):
        bp.Sequential(bp.ReLU(), np.tanh)


def test_backward_returns_the_input_gradient_of_the_whole_network():
    rng = np.random.default_rng(7)
    net = bp.Sequential(bp.Dense(4, 3, rng=rng), bp.Sigmoid(), bp.Dense(3, 2, rng=rng), bp.Softmax())
    X, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    net.forward(X)
    dX = net.backward(dout)
    numeric = bp.numerical_gradient(lambda: np.sum(net.forward(X) * dout), X, eps=1e-5)
    assert bp.relative_error(dX, numeric) < 1e-7


def test_float32_network_keeps_float32_everywhere():
    rng = np.random.default_rng(8)
    net = _network(rng, dtype=np.float32)
    X = rng.normal(size=(6, 4)).astype(np.float32)
    out = net.forward(X)
    dX = net.backward(rng.normal(size=out.shape).astype(np.float32))
    assert out.dtype == dX.dtype == np.float32
    assert {name: g.dtype for name, g in net.grads.items()} == dict.fromkeys(PARAMETER_NAMES, np.float32)


def test_repr_lists_the_layers():
    text = repr(_network(np.random.default_rng(5)))
    assert "(0) Dense(4, 6)" in text and "(3) BatchNorm(5" in text and "(5) Dropout(p=0.3)" in text


def test_backward_params_gives_the_gradients_of_backward_without_the_input_gradient():
    def network():
        rng = np.random.default_rng(8)
        return bp.Sequential(bp.Dense(5, 4, rng=rng), bp.Tanh(), bp.BatchNorm(4), bp.Dense(4, 3, rng=rng))

    rng = np.random.default_rng(9)
    X, dout = rng.normal(size=(6, 5)), rng.normal(size=(6, 3))
    full, skipping = network(), network()
    full.forward(X)
    skipping.forward(X)
    assert full.backward(dout).shape == X.shape
    assert skipping.backward_params(dout) is None
    for name, g in full.grads.items():
        np.testing.assert_array_equal(skipping.grads[name], g, err_msg=name)


def test_backward_params_of_a_parameter_free_first_layer_still_needs_a_forward_pass():
    with pytest.raises(RuntimeError, match="before forward"):
        bp.Sequential(bp.ReLU(), bp.Dense(3, 2, rng=np.random.default_rng(0))).backward_params(np.ones((1, 2)))


def test_a_module_with_only_backward_gets_backward_params_for_free():
    class Scale(bp.Module):
        def forward(self, X):
            self._cache = X
            return 2 * X

        def backward(self, dout):
            self.calls = getattr(self, "calls", 0) + 1
            return 2 * dout

    first = Scale()
    net = bp.Sequential(first, bp.Dense(3, 2, rng=np.random.default_rng(0)))
    net.forward(np.ones((4, 3)))
    net.backward_params(np.ones((4, 2)))
    assert first.calls == 1


def test_repr_indents_a_nested_block_under_its_layer():
    rng = np.random.default_rng(8)
    net = bp.Sequential(bp.Dense(2, 3, rng=rng), bp.Residual(bp.Sequential(bp.LayerNorm(3), bp.ReLU())))
    assert repr(net).splitlines() == [
        "Sequential(",
        "  (0) Dense(2, 3),",
        "  (1) Residual(",
        "    Sequential(",
        "      (0) LayerNorm(3, eps=1e-05),",
        "      (1) ReLU()",
        "    )",
        "  )",
        ")",
    ]
