import numpy as np

import bp_lib as bp
from bp_lib.book.diagnostics import trace


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


def test_difference_errors_have_the_taylor_orders_and_a_round_off_floor():
    from bp_lib.book.diagnostics import difference_errors

    f, df = np.exp, np.exp
    steps = np.array([1e-2, 1e-3])
    forward = difference_errors(f, df, 0.3, steps, "forward")
    centred = difference_errors(f, df, 0.3, steps, "centred")
    # a tenth of the step: a tenth of the forward error (O(h)), a hundredth of the centred one (O(h^2))
    np.testing.assert_allclose(forward[0] / forward[1], 10, rtol=0.01)
    np.testing.assert_allclose(centred[0] / centred[1], 100, rtol=0.01)
    np.testing.assert_allclose(forward[1], 1e-3 / 2, rtol=0.01)  # h f''/(2 f') with f = exp
    # float32 round-off: a tiny step is far worse than in float64
    tiny = np.array([1e-6])
    assert difference_errors(f, df, 0.3, tiny, dtype=np.float32)[0] > 1e-3 > difference_errors(f, df, 0.3, tiny)[0]
    assert np.isnan(difference_errors(f, df, 0.3, np.array([1e-20]), dtype=np.float32)[0])


def test_difference_errors_rejects_a_bad_kind_and_a_zero_derivative():
    import pytest

    from bp_lib.book.diagnostics import difference_errors

    with pytest.raises(ValueError, match="kind"):
        difference_errors(np.exp, np.exp, 0.0, [1e-3], kind="backward")
    with pytest.raises(ValueError, match="x0"):
        difference_errors(np.cos, lambda x: -np.sin(x), 0.0, [1e-3])
