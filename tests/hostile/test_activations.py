"""Hostile input to the activations: complex, infinite and NaN logits, empty rows, axes."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp

inf, nan = np.inf, np.nan


def backward_of(forward, backward, Z, dout):
    return backward(dout, forward(Z)[1])


PROBES = [
    # complex input is refused, never cast to real with a warning
    Probe("sigmoid complex", lambda: bp.sigmoid(1 + 1j), Raises(TypeError, "Z must be a real", "complex")),
    Probe("relu complex", lambda: bp.relu_forward(np.array([1j])), Raises(TypeError, "Z must be a real")),
    Probe("tanh complex", lambda: bp.tanh_forward(np.array([1j])), Raises(TypeError, "Z must be a real")),
    Probe("softmax complex", lambda: bp.softmax(np.array([[1j, 0]])), Raises(TypeError, "Z must be a real")),
    Probe("logsumexp complex", lambda: bp.logsumexp(np.array([1j, 0])), Raises(TypeError, "Z must be a real")),
    Probe("sigmoid str", lambda: bp.sigmoid("1"), Raises(TypeError, "Z must be a numeric")),
    Probe("sigmoid object", lambda: bp.sigmoid(np.array([None])), Raises(TypeError, "Z must be a numeric", "object")),
    # extremes have exact finite answers
    Probe("sigmoid -1000", lambda: bp.sigmoid(np.array([-1000.0, 1000.0])), Returns(close_to([0.0, 1.0]))),
    Probe("sigmoid -inf, inf", lambda: bp.sigmoid(np.array([-inf, inf])), Returns(close_to([0.0, 1.0]))),
    Probe(
        "sigmoid float32 -100",
        lambda: bp.sigmoid(np.float32([-100.0])),
        Returns(lambda s: s.dtype == np.float32 and s[0] >= 0),
    ),
    Probe("sigmoid bool", lambda: bp.sigmoid(np.array([True, False])), Returns(close_to([1 / (1 + np.exp(-1)), 0.5]))),
    Probe("tanh 1e300", lambda: bp.tanh_forward(np.array([1e300, -1e300]))[0], Returns(close_to([1.0, -1.0]))),
    Probe("softmax 1e308 and -1e308", lambda: bp.softmax(np.array([[1e308, -1e308]])), Returns(close_to([[1.0, 0.0]]))),
    Probe("softmax large equal", lambda: bp.softmax(np.array([[1e308, 1e308]])), Returns(close_to([[0.5, 0.5]]))),
    Probe("softmax float32 large", lambda: bp.softmax(np.float32([[1e38, 0]])), Returns(close_to([[1.0, 0.0]]))),
    Probe("log_softmax 1000", lambda: bp.log_softmax(np.array([[1000.0, 0.0]])), Returns(close_to([[0.0, -1000.0]]))),
    Probe("logsumexp 1000", lambda: bp.logsumexp(np.array([1000.0, 1000.0])), Returns(close_to(1000 + np.log(2)))),
    # infinite logits: the exact limit, or a clear error; never NaN with a warning
    Probe(
        "softmax +inf",
        lambda: bp.softmax(np.array([[inf, 0.0]])),
        Raises(ValueError, "Z must hold finite logits", "+inf in row 0"),
    ),
    Probe("softmax NaN", lambda: bp.softmax(np.array([[0.0, 1.0], [nan, 0.0]])), Raises(ValueError, "NaN in row 1")),
    Probe(
        "softmax all -inf",
        lambda: bp.softmax(np.array([[-inf, -inf]])),
        Raises(ValueError, "row 0 of Z is -inf everywhere"),
    ),
    Probe(
        "softmax masked -inf", lambda: bp.softmax(np.array([[-inf, 0.0, 0.0]])), Returns(close_to([[0.0, 0.5, 0.5]]))
    ),
    Probe(
        "softmax 3-D row names",
        lambda: bp.softmax(np.zeros((2, 2, 2)) + np.array([[[0, 0], [0, 0]], [[0, 0], [inf, 0]]])),
        Raises(ValueError, "row 1, 1"),
    ),
    Probe("log_softmax +inf", lambda: bp.log_softmax(np.array([[inf, 0.0]])), Raises(ValueError, "+inf in row 0")),
    Probe(
        "log_softmax masked",
        lambda: bp.log_softmax(np.array([[-inf, 0.0]])),
        Returns(lambda v: v[0, 0] == -inf and v[0, 1] == 0, finite=False),
    ),
    Probe(
        "log_softmax 1e308 spread",
        lambda: bp.log_softmax(np.array([[1e308, -1e308]])),
        Returns(lambda v: v[0, 0] == 0 and v[0, 1] == -inf, finite=False),
    ),
    Probe(
        "logsumexp all -inf", lambda: bp.logsumexp(np.array([-inf, -inf])), Returns(lambda v: v == -inf, finite=False)
    ),
    Probe("logsumexp +inf", lambda: bp.logsumexp(np.array([inf, 0.0])), Returns(lambda v: v == inf, finite=False)),
    Probe(
        "logsumexp NaN",
        lambda: bp.logsumexp(np.array([nan, 0.0])),
        Raises(ValueError, "Z must not hold NaN", "index (0,)"),
    ),
    # empty rows and axes
    Probe(
        "softmax zero-width rows",
        lambda: bp.softmax(np.zeros((3, 0))),
        Raises(ValueError, "no entries along axis -1", "(3, 0)"),
    ),
    Probe(
        "logsumexp zero-width", lambda: bp.logsumexp(np.zeros((3, 0))), Raises(ValueError, "no entries along axis -1")
    ),
    Probe(
        "logsumexp axis 2 of 2-D",
        lambda: bp.logsumexp(np.zeros((3, 4)), axis=2),
        Raises(ValueError, "axis 2 is out of range", "(3, 4)"),
    ),
    Probe(
        "logsumexp axis float",
        lambda: bp.logsumexp(np.zeros((3, 4)), axis=1.0),
        Raises(TypeError, "axis must be an integer"),
    ),
    Probe("logsumexp axis 0", lambda: bp.logsumexp(np.zeros((3, 4)), axis=0), Returns(close_to(np.full(4, np.log(3))))),
    Probe("softmax zero rows", lambda: bp.softmax(np.zeros((0, 3))), Returns(lambda S: S.shape == (0, 3))),
    Probe("softmax scalar", lambda: bp.softmax(np.float64(1.0)), Raises(ValueError, "axis -1 is out of range")),
    # backward passes: the cache must be the forward's
    Probe(
        "relu_backward cache tuple",
        lambda: bp.relu_backward(np.ones(2), (np.ones(2),)),
        Raises(TypeError, "cache must be the second value returned by relu_forward"),
    ),
    Probe(
        "sigmoid_backward cache None",
        lambda: bp.sigmoid_backward(np.ones(2), None),
        Raises(TypeError, "sigmoid_forward", "NoneType"),
    ),
    Probe(
        "tanh_backward cache list",
        lambda: bp.tanh_backward(np.ones(2), [1.0, 2.0]),
        Raises(TypeError, "tanh_forward", "list"),
    ),
    Probe(
        "softmax_backward cache None",
        lambda: bp.softmax_backward(np.ones((1, 2)), None),
        Raises(TypeError, "softmax_forward"),
    ),
    Probe(
        "relu_backward dout broadcasts",
        lambda: backward_of(bp.relu_forward, bp.relu_backward, np.ones((2, 3)), np.ones(3)),
        Raises(ValueError, "dout has shape (3,)", "(2, 3)"),
    ),
    Probe(
        "softmax_backward dout transposed",
        lambda: backward_of(bp.softmax_forward, bp.softmax_backward, np.ones((2, 3)), np.ones((3, 2))),
        Raises(ValueError, "dout has shape (3, 2)"),
    ),
    Probe(
        "relu at 0 takes 0",
        lambda: backward_of(bp.relu_forward, bp.relu_backward, np.zeros(2), np.ones(2)),
        Returns(close_to([0.0, 0.0])),
    ),
    Probe(
        "sigmoid_backward extreme",
        lambda: backward_of(bp.sigmoid_forward, bp.sigmoid_backward, np.array([-800.0, 800.0]), np.ones(2)),
        Returns(close_to([0.0, 0.0])),
    ),
    Probe(
        "Sigmoid module round trip",
        lambda: (lambda m: (m.forward(np.zeros((1, 2))), m.backward(np.ones((1, 2))))[1])(bp.Sigmoid()),
        Returns(close_to([[0.25, 0.25]])),
    ),
    Probe(
        "Sigmoid module complex", lambda: bp.Sigmoid().forward(np.array([[1j]])), Raises(TypeError, "Z must be a real")
    ),
    Probe(
        "Softmax module +inf", lambda: bp.Softmax().forward(np.array([[inf, 0.0]])), Raises(ValueError, "+inf in row 0")
    ),
    Probe(
        "Softmax module backward first",
        lambda: bp.Softmax().backward(np.ones((1, 2))),
        Raises(RuntimeError, "Softmax.backward was called before forward"),
    ),
    Probe(
        "softmax_backward masked",
        lambda: backward_of(bp.softmax_forward, bp.softmax_backward, np.array([[-inf, 0.0]]), np.array([[1.0, 0.0]])),
        Returns(close_to([[0.0, 0.0]])),
    ),
]

test_probe = table_test(PROBES)
