"""Hostile input to convolution, max pooling and flatten: shapes, strides, paddings, caches."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp

X = np.arange(32.0).reshape(1, 2, 4, 4)
W = np.ones((3, 2, 3, 3))
b = np.zeros(3)


def conv(X=X, W=W, b=b, **kwargs):
    return bp.conv2d_forward(X, W, b, **kwargs)


def layer(**kwargs):
    return bp.Conv2d(2, 3, 3, rng=np.random.default_rng(0), **kwargs)


def grads_written_in_place():
    module = layer(padding=1)
    held = module.grads["W"], module.grads["b"]
    out = module.forward(X)
    module.backward(np.ones_like(out))
    expected = bp.conv2d_backward(np.ones_like(out), conv(W=module.params["W"], padding=1)[1])
    return (
        held[0] is module.grads["W"]
        and held[1] is module.grads["b"]
        and np.allclose(module.grads["W"], expected[1])
        and np.allclose(module.grads["b"], 16)
    )


def backward_params_skips_nothing_it_stores():
    module = layer()
    out = module.forward(X)
    module.backward_params(np.ones_like(out))
    return np.allclose(module.grads["b"], 4)


def float32_stays_float32():
    out, cache = conv(X.astype(np.float32), W.astype(np.float32), b.astype(np.float32), padding=1)
    grads = bp.conv2d_backward(np.ones_like(out), cache)
    return out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)


def pooled_and_routed(X4, dout=None, **kwargs):
    out, cache = bp.maxpool2d_forward(X4, **kwargs)
    return bp.maxpool2d_backward(np.ones_like(out) if dout is None else dout, cache)


def pool_module_before_forward():
    return bp.MaxPool2d().backward(np.ones((1, 1, 1, 1)))


def grads_in_another_layout_still_written():
    """grads["W"] replaced by a Fortran-ordered array: its reshape would be a copy."""
    module = layer(padding=1)
    module.grads["W"] = np.asfortranarray(np.zeros_like(module.grads["W"]))
    held = module.grads["W"]
    out = module.forward(X)
    module.backward(np.ones_like(out))
    expected = bp.conv2d_backward(np.ones_like(out), conv(W=module.params["W"], padding=1)[1])[1]
    return held is module.grads["W"] and np.allclose(held, expected) and held.any()


def cnn_on_an_empty_batch():
    """Conv2d, ReLU, MaxPool2d, Flatten, Dense forward and backward on m = 0."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(
        bp.Conv2d(2, 3, 3, padding=1, rng=rng), bp.ReLU(), bp.MaxPool2d(2, 2), bp.Flatten(), bp.Dense(12, 5, rng=rng)
    )
    out = net.forward(np.ones((0, 2, 4, 4)))
    dX = net.backward(np.ones((0, 5)))
    return out.shape == (0, 5) and dX.shape == (0, 2, 4, 4) and not net.grads["0.W"].any()


def flatten_wrong_dout():
    flat = bp.Flatten()
    flat.forward(np.ones((2, 3, 4)))
    return flat.backward(np.ones((2, 11)))


PROBES = [
    # the pure pair: arguments
    Probe("conv forward 3-D X", lambda: conv(X=np.ones((2, 4, 4))), Raises(ValueError, "X must be 4-D", "(2, 4, 4)")),
    Probe("conv forward 2-D W", lambda: conv(W=np.ones((3, 3))), Raises(ValueError, "W must be 4-D", "(3, 3)")),
    Probe(
        "conv forward channel mismatch",
        lambda: conv(W=np.ones((3, 1, 3, 3))),
        Raises(ValueError, "X has 2 channels", "W expects 1", "(3, 1, 3, 3)"),
    ),
    Probe(
        "conv forward b wrong shape",
        lambda: conv(b=np.zeros(2)),
        Raises(ValueError, "b has shape (2,)", "expected (3,)"),
    ),
    Probe(
        "conv forward b 2-D",
        lambda: conv(b=np.zeros((3, 1))),
        Raises(ValueError, "b has shape (3, 1)", "expected (3,)"),
    ),
    Probe(
        "conv forward kernel too large",
        lambda: conv(W=np.ones((3, 2, 5, 5))),
        Raises(ValueError, "5x5 is larger than the padded input 4x4", "padding 0"),
    ),
    Probe(
        "conv forward kernel fits with padding",
        lambda: conv(W=np.ones((3, 2, 5, 5)), padding=1)[0].shape,
        Returns(lambda s: s == (1, 3, 2, 2)),
    ),
    Probe(
        "conv forward kernel too wide only",
        lambda: conv(W=np.ones((3, 2, 1, 6))),
        Raises(ValueError, "1x6 is larger", "4x4"),
    ),
    Probe(
        "conv forward empty kernel",
        lambda: conv(W=np.ones((3, 2, 0, 3))),
        Raises(ValueError, "W has shape (3, 2, 0, 3)", "at least 1"),
    ),
    Probe(
        "conv forward stride 0", lambda: conv(stride=0), Raises(ValueError, "stride must be a positive integer, got 0")
    ),
    Probe("conv forward stride -1", lambda: conv(stride=-1), Raises(ValueError, "stride", "-1")),
    Probe(
        "conv forward stride float",
        lambda: conv(stride=2.0),
        Raises(ValueError, "stride must be a positive integer, got 2.0"),
    ),
    Probe("conv forward stride True", lambda: conv(stride=True), Raises(ValueError, "stride", "True")),
    Probe(
        "conv forward stride numpy int", lambda: conv(stride=np.int64(2))[0].shape, Returns(lambda s: s == (1, 3, 1, 1))
    ),
    Probe(
        "conv forward padding float",
        lambda: conv(padding=1.5),
        Raises(ValueError, "padding must be an integer >= 0, got 1.5"),
    ),
    Probe("conv forward padding negative", lambda: conv(padding=-1), Raises(ValueError, "padding", "-1")),
    Probe("conv forward padding tuple", lambda: conv(padding=(1, 1)), Raises(ValueError, "padding", "(1, 1)")),
    Probe("conv forward padding None", lambda: conv(padding=None), Raises(ValueError, "padding", "None")),
    Probe("conv forward complex X", lambda: conv(X=X + 1j), Raises(TypeError, "X must be a real", "complex")),
    Probe("conv forward str W", lambda: conv(W=np.full((3, 2, 3, 3), "w")), Raises(TypeError, "W must be a numeric")),
    Probe(
        "conv forward int X",
        lambda: conv(X=np.ones((1, 2, 4, 4), dtype=int))[0],
        Returns(close_to(np.full((1, 3, 2, 2), 18.0))),
    ),
    Probe("conv forward list X", lambda: conv(X=X.tolist())[0], Returns(close_to(conv()[0]))),
    Probe(
        "conv forward empty batch", lambda: conv(X=np.ones((0, 2, 4, 4)))[0], Returns(lambda Z: Z.shape == (0, 3, 2, 2))
    ),
    Probe("conv forward stride past the end", lambda: conv(stride=5)[0].shape, Returns(lambda s: s == (1, 3, 1, 1))),
    Probe(
        "conv loops channel mismatch",
        lambda: bp.conv2d_forward_loops(X, np.ones((3, 1, 3, 3)), b),
        Raises(ValueError, "X has 2 channels", "W expects 1"),
    ),
    Probe(
        "conv loops padding float",
        lambda: bp.conv2d_forward_loops(X, W, b, padding=0.5),
        Raises(ValueError, "padding", "0.5"),
    ),
    Probe("conv float32", float32_stays_float32, Returns(lambda ok: ok)),
    # the pure pair: caches and upstream gradients
    Probe(
        "conv backward cache None",
        lambda: bp.conv2d_backward(np.ones((1, 3, 2, 2)), None),
        Raises(TypeError, "cache must be the second value returned by conv2d_forward", "NoneType"),
    ),
    Probe(
        "conv backward loops cache",
        lambda: bp.conv2d_backward(np.ones((1, 3, 2, 2)), bp.conv2d_forward_loops(X, W, b)[1]),
        Raises(TypeError, "conv2d_forward", "a tuple of 5"),
    ),
    Probe(
        "conv loops backward im2col cache",
        lambda: bp.conv2d_backward_loops(np.ones((1, 3, 2, 2)), conv()[1]),
        Raises(TypeError, "conv2d_forward_loops", "a tuple of 4"),
    ),
    Probe(
        "conv backward dout wrong shape",
        lambda: bp.conv2d_backward(np.ones((1, 3, 3, 3)), conv()[1]),
        Raises(ValueError, "dout has shape (1, 3, 3, 3)", "expected (1, 3, 2, 2)"),
    ),
    Probe(
        "conv backward dout broadcastable",
        lambda: bp.conv2d_backward(np.ones((1, 3, 1, 1)), conv()[1]),
        Raises(ValueError, "dout has shape (1, 3, 1, 1)", "(1, 3, 2, 2)"),
    ),
    Probe(
        "conv backward dout complex",
        lambda: bp.conv2d_backward(np.ones((1, 3, 2, 2)) * 1j, conv()[1]),
        Raises(TypeError, "dout must be a real"),
    ),
    Probe(
        "conv backward dX of ones",
        lambda: bp.conv2d_backward(np.ones((1, 3, 2, 2)), conv()[1])[0][0, 0],
        Returns(close_to(3 * np.array([[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1.0]]))),
    ),
    Probe(
        "conv loops backward dout wrong shape",
        lambda: bp.conv2d_backward_loops(np.ones((1, 3, 3, 3)), bp.conv2d_forward_loops(X, W, b)[1]),
        Raises(ValueError, "dout has shape (1, 3, 3, 3)", "expected (1, 3, 2, 2)"),
    ),
    # the module
    Probe("Conv2d C 0", lambda: bp.Conv2d(0, 3, 3), Raises(ValueError, "C must be a positive integer, got 0")),
    Probe("Conv2d F float", lambda: bp.Conv2d(2, 3.0, 3), Raises(ValueError, "F must be a positive integer, got 3.0")),
    Probe(
        "Conv2d k tuple",
        lambda: bp.Conv2d(2, 3, (3, 3)),
        Raises(ValueError, "k must be a positive integer, got (3, 3)"),
    ),
    Probe("Conv2d stride 0", lambda: layer(stride=0), Raises(ValueError, "stride must be a positive integer, got 0")),
    Probe(
        "Conv2d padding -1", lambda: layer(padding=-1), Raises(ValueError, "padding must be an integer >= 0, got -1")
    ),
    Probe("Conv2d padding str", lambda: layer(padding="same"), Raises(ValueError, "padding", "'same'")),
    Probe(
        "Conv2d rng int", lambda: bp.Conv2d(2, 3, 3, rng=0), Raises(TypeError, "rng must be a numpy.random.Generator")
    ),
    Probe(
        "Conv2d dtype int", lambda: layer(dtype=np.int64), Raises(TypeError, "dtype must be a floating-point", "int64")
    ),
    Probe(
        "Conv2d float32 params",
        lambda: layer(dtype=np.float32).params["W"].dtype,
        Returns(lambda d: d == np.float32, finite=False),
    ),
    Probe(
        "Conv2d channel mismatch",
        lambda: layer().forward(np.ones((1, 3, 4, 4))),
        Raises(ValueError, "X has 3 channels", "W expects 2"),
    ),
    Probe(
        "Conv2d input too small",
        lambda: layer().forward(np.ones((1, 2, 2, 2))),
        Raises(ValueError, "3x3 is larger than the padded input 2x2"),
    ),
    Probe(
        "Conv2d backward before forward",
        lambda: layer().backward(np.ones((1, 3, 2, 2))),
        Raises(RuntimeError, "backward was called before forward"),
    ),
    Probe(
        "Conv2d backward wrong dout",
        lambda: (lambda m: (m.forward(X), m.backward(np.ones((1, 3, 4, 4)))))(layer()),
        Raises(ValueError, "dout has shape (1, 3, 4, 4)", "expected (1, 3, 2, 2)"),
    ),
    Probe("Conv2d grads in place", grads_written_in_place, Returns(lambda ok: ok)),
    Probe("Conv2d backward_params", backward_params_skips_nothing_it_stores, Returns(lambda ok: ok)),
    Probe(
        "Conv2d grads replaced by a non-contiguous array", grads_in_another_layout_still_written, Returns(lambda ok: ok)
    ),
    Probe(
        "Conv2d in Sequential names the layer",
        lambda: bp.Sequential(bp.ReLU(), layer()).forward(np.ones((1, 1, 4, 4))),
        Raises(ValueError, "layer 1 (Conv2d(2, 3, 3, stride=1, padding=0))", "1 channels"),
    ),
    # max pooling
    Probe(
        "maxpool 3-D X",
        lambda: bp.maxpool2d_forward(np.ones((1, 4, 4))),
        Raises(ValueError, "X must be 4-D", "(1, 4, 4)"),
    ),
    Probe(
        "maxpool window too large",
        lambda: bp.maxpool2d_forward(np.ones((1, 1, 3, 3)), size=4),
        Raises(ValueError, "pooling window 4x4 is larger than the padded input 3x3"),
    ),
    Probe(
        "maxpool size 0",
        lambda: bp.maxpool2d_forward(X, size=0),
        Raises(ValueError, "size must be a positive integer, got 0"),
    ),
    Probe(
        "maxpool stride 0",
        lambda: bp.maxpool2d_forward(X, stride=0),
        Raises(ValueError, "stride must be a positive integer, got 0"),
    ),
    Probe("maxpool stride float", lambda: bp.maxpool2d_forward(X, stride=1.5), Raises(ValueError, "stride", "1.5")),
    Probe("maxpool complex X", lambda: bp.maxpool2d_forward(X * 1j), Raises(TypeError, "X must be a real")),
    Probe(
        "maxpool forward values",
        lambda: bp.maxpool2d_forward(X)[0][0, 0],
        Returns(close_to([[5.0, 7.0], [13.0, 15.0]])),
    ),
    Probe(
        "maxpool odd size drops the last row",
        lambda: bp.maxpool2d_forward(np.ones((1, 1, 5, 5)))[0].shape,
        Returns(lambda s: s == (1, 1, 2, 2)),
    ),
    Probe(
        "maxpool all tied",
        lambda: pooled_and_routed(np.zeros((1, 1, 2, 2)))[0, 0],
        Returns(close_to([[1.0, 0.0], [0.0, 0.0]])),
    ),
    Probe(
        "maxpool tie on the second row",
        lambda: pooled_and_routed(np.array([[[[0.0, 1.0], [1.0, 0.0]]]]))[0, 0],
        Returns(close_to([[0.0, 1.0], [0.0, 0.0]])),
    ),
    Probe(
        "maxpool -inf everywhere but one",
        lambda: pooled_and_routed(np.array([[[[-np.inf, -np.inf], [-np.inf, 2.0]]]]))[0, 0],
        Returns(close_to([[0.0, 0.0], [0.0, 1.0]])),
    ),
    Probe(
        "maxpool overlapping windows add",
        lambda: pooled_and_routed(np.pad(np.ones((1, 1, 1, 1)), ((0, 0), (0, 0), (1, 1), (1, 1))), size=2, stride=1)[
            0, 0, 1, 1
        ],
        Returns(lambda v: v == 4.0),
    ),
    Probe(
        "maxpool backward cache None",
        lambda: bp.maxpool2d_backward(np.ones((1, 2, 2, 2)), None),
        Raises(TypeError, "cache must be the second value returned by maxpool2d_forward"),
    ),
    Probe(
        "maxpool backward dout wrong shape",
        lambda: pooled_and_routed(X, dout=np.ones((1, 2, 4, 4))),
        Raises(ValueError, "dout has shape (1, 2, 4, 4)", "expected (1, 2, 2, 2)"),
    ),
    Probe(
        "MaxPool2d size tuple",
        lambda: bp.MaxPool2d((2, 2)),
        Raises(ValueError, "size must be a positive integer", "(2, 2)"),
    ),
    Probe(
        "MaxPool2d backward before forward",
        pool_module_before_forward,
        Raises(RuntimeError, "backward was called before forward"),
    ),
    # flatten
    Probe(
        "Flatten 1-D X",
        lambda: bp.Flatten().forward(np.ones(3)),
        Raises(ValueError, "X must have at least 2 dimensions", "(3,)"),
    ),
    Probe("Flatten C order", lambda: bp.Flatten().forward(X)[0, 17], Returns(lambda v: v == X[0, 1, 0, 1])),
    Probe(
        "Flatten 2-D is the identity", lambda: bp.Flatten().forward(np.ones((2, 3))), Returns(close_to(np.ones((2, 3))))
    ),
    Probe(
        "Flatten empty batch",
        lambda: bp.Flatten().forward(np.zeros((0, 3, 2, 2))),
        Returns(lambda v: v.shape == (0, 12)),
    ),
    Probe("CNN forward and backward on an empty batch", cnn_on_an_empty_batch, Returns(lambda ok: ok)),
    Probe(
        "Flatten backward wrong dout",
        flatten_wrong_dout,
        Raises(ValueError, "dout has shape (2, 11)", "expected (2, 12)"),
    ),
    Probe(
        "Flatten backward before forward",
        lambda: bp.Flatten().backward(np.ones((2, 3))),
        Raises(RuntimeError, "backward was called before forward"),
    ),
]

test_probe = table_test(PROBES)
