import numpy as np

import bp_lib as bp
from bp_lib.diagnostics import trace


def test_trace_records_every_output_and_the_gradient_reaching_it():
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Dense(3, 4, rng=rng), bp.Tanh(), bp.Dense(4, 2, rng=rng))
    X, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    t = trace(net, X, dout)
    np.testing.assert_array_equal(t.outputs[-1], net.forward(X))
    np.testing.assert_array_equal(t.output_gradients[-1], dout)
    A1 = t.outputs[1]
    np.testing.assert_allclose(t.output_gradients[1], dout @ net.layers[2].params["W"].T)
    np.testing.assert_allclose(t.output_gradients[0], t.output_gradients[1] * (1 - A1**2))
    assert t.std_of_outputs(bp.Tanh).shape == (1,) and t.std_of_gradients(bp.Dense).shape == (2,)
