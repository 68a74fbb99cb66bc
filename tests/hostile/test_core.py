"""Hostile input to ``Module`` and ``Sequential``: reuse, non-modules, non-arrays."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp


def dense(seed=0, n_in=3, n_out=3):
    return bp.Dense(n_in, n_out, rng=np.random.default_rng(seed))


def reuse_same_dense():
    d = dense()
    return bp.Sequential(d, bp.Tanh(), d)


def reuse_same_relu():
    relu = bp.ReLU()
    return bp.Sequential(dense(0), relu, dense(1), relu)


def reuse_inside_nested():
    d = dense()
    return bp.Sequential(bp.Sequential(d, bp.Tanh()), d)


def reuse_whole_sequential():
    inner = bp.Sequential(dense(), bp.Tanh())
    return bp.Sequential(inner, inner)


def two_modules_distinct():
    net = bp.Sequential(dense(0), bp.Tanh(), dense(1))
    return len(net.params)


def forward_list():
    net = bp.Sequential(dense(0, 2, 1))
    return net.forward([[1.0, 2.0]])


def empty_forward_list():
    return bp.Sequential().forward([[1.0, 2.0]])


def layer_error():
    net = bp.Sequential(dense(0, 3, 2), bp.ReLU(), dense(1, 4, 1))
    return net.forward(np.ones((2, 3)))


def numpy_error_keeps_type():
    class Broken(bp.Module):
        def forward(self, X):
            return np.sum(X, axis=5)  # numpy's AxisError, not ValueError's plain message

    return bp.Sequential(Broken()).forward(np.ones((2, 2)))


def backward_before_forward():
    return bp.Sequential(dense()).backward(np.ones((2, 3)))


def error_keeps_original_traceback():
    net = bp.Sequential(dense(0, 3, 2), dense(1, 4, 1))
    try:
        net.forward(np.ones((2, 3)))
    except ValueError as error:
        return error.__traceback__ is not None and "layer 1" in str(error) and "X has 2 features" in str(error)
    return False


def eval_propagates():
    net = bp.Sequential(bp.Sequential(bp.Dropout(0.5, rng=np.random.default_rng(0))))
    net.eval()
    return net.layers[0].layers[0].training


PROBES = [
    Probe("same Dense twice", reuse_same_dense, Raises(ValueError, "layer 2 reuses", "layer 0", "create a second")),
    Probe("same ReLU twice", reuse_same_relu, Raises(ValueError, "layer 3 reuses ReLU()", "layer 1")),
    Probe("Dense reused across nesting", reuse_inside_nested, Raises(ValueError, "layer 1 reuses", "layer 0")),
    Probe("Sequential reused", reuse_whole_sequential, Raises(ValueError, "layer 1 reuses")),
    Probe("distinct modules fine", two_modules_distinct, Returns(lambda n: n == 4)),
    Probe(
        "layer not a module", lambda: bp.Sequential(dense(), np.tanh), Raises(TypeError, "layer 1", "Module", "ufunc")
    ),
    Probe("layer None", lambda: bp.Sequential(None), Raises(TypeError, "layer 0", "NoneType")),
    Probe("layer class not instance", lambda: bp.Sequential(bp.ReLU), Raises(TypeError, "layer 0", "type")),
    Probe("forward of a list", forward_list, Returns(lambda Z: isinstance(Z, np.ndarray) and Z.shape == (1, 1))),
    Probe("empty Sequential forward list", empty_forward_list, Returns(lambda Z: isinstance(Z, np.ndarray))),
    Probe(
        "empty Sequential forward str", lambda: bp.Sequential().forward("abc"), Raises(TypeError, "X must be a numeric")
    ),
    Probe(
        "forward complex",
        lambda: bp.Sequential(dense()).forward(np.ones((1, 3)) + 1j),
        Raises(TypeError, "X must be a real"),
    ),
    Probe("layer error names the layer", layer_error, Raises(ValueError, "layer 2", "X has 2 features")),
    Probe("numpy error type kept", numpy_error_keeps_type, Raises(np.exceptions.AxisError, "axis 5")),
    Probe("backward before forward", backward_before_forward, Raises(RuntimeError, "layer 0", "before forward")),
    Probe("error traceback kept", error_keeps_original_traceback, Returns(lambda ok: ok is True)),
    Probe("eval reaches nested layers", eval_propagates, Returns(lambda training: training is False)),
    Probe(
        "Sequential of Sequentials params",
        lambda: sorted(bp.Sequential(bp.Sequential(dense(0)), dense(1)).params),
        Returns(lambda keys: keys == ["0.0.W", "0.0.b", "1.W", "1.b"]),
    ),
    Probe(
        "ReLU module forward then backward",
        lambda: (lambda r: (r.forward(np.array([[-1.0, 2.0]])), r.backward(np.ones((1, 2))))[1])(bp.ReLU()),
        Returns(close_to([[0.0, 1.0]])),
    ),
    Probe(
        "ReLU backward wrong shape",
        lambda: (lambda r: (r.forward(np.ones((2, 2))), r.backward(np.ones((2, 1)))))(bp.ReLU()),
        Raises(ValueError, "dout has shape (2, 1)", "(2, 2)"),
    ),
]

test_probe = table_test(PROBES)
