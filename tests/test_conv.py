import numpy as np
import pytest
from helpers import check_backward
from hypothesis import given
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view
from strategies import seeds, upstream

import bp_lib as bp
from bp_lib.conv import col2im, im2col


@st.composite
def conv_problems(draw):
    """(m, C, H, W_in, F, kh, kw, stride, padding), the kernel fitting the padded input."""
    m, C, F = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, kh - 2 * padding), 7))
    W_in = draw(st.integers(max(1, kw - 2 * padding), 7))
    return m, C, H, W_in, F, kh, kw, stride, padding


def _problem(rng, m, C, H, W_in, F, kh, kw):
    return rng.normal(size=(m, C, H, W_in)), rng.normal(size=(F, C, kh, kw)), rng.normal(size=F)


def reference_correlation(X, W, b, stride, padding):
    """The definition, written with einsum over an explicit list of windows (no im2col)."""
    p = padding
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))
    kh, kw = W.shape[2:]
    rows = range(0, Xp.shape[2] - kh + 1, stride)
    cols = range(0, Xp.shape[3] - kw + 1, stride)
    windows = np.array([[Xp[:, :, y : y + kh, x : x + kw] for x in cols] for y in rows])
    return np.einsum("ijncuv,fcuv->nfij", windows, W) + b[None, :, None, None]


@given(problem=conv_problems(), seed=seeds)
def test_conv2d_backward_matches_numerical_gradient(problem, seed):
    m, C, H, W_in, F, kh, kw, stride, padding = problem
    rng = np.random.default_rng(seed)
    X, W, b = _problem(rng, m, C, H, W_in, F, kh, kw)
    out, _ = bp.conv2d_forward(X, W, b, stride, padding)
    dout = upstream(rng, out.shape)

    def forward(X, W, b):
        return bp.conv2d_forward(X, W, b, stride, padding)

    # entries of X that no window reaches have a zero gradient: the relative error of
    # an all-zero dX is 0 when both are 0, so no draw is degenerate
    check_backward(forward, bp.conv2d_backward, (X, W, b), dout)


@pytest.mark.parametrize(
    "problem",
    [
        (1, 1, 5, 5, 1, 3, 3, 1, 0),  # batch 1, one channel
        (2, 3, 6, 7, 4, 3, 2, 2, 1),  # stride 2, padding 1, non-square kernel
        (1, 2, 6, 6, 2, 3, 3, 2, 0),  # stride 2 leaves the last row and column unread
        (3, 2, 4, 5, 2, 1, 1, 1, 0),  # 1x1 kernel
        (2, 1, 3, 3, 2, 5, 5, 1, 1),  # kernel larger than X, equal to the padded X
    ],
)
def test_conv2d_backward_on_named_cases(problem):
    m, C, H, W_in, F, kh, kw, stride, padding = problem
    rng = np.random.default_rng(sum(problem))
    X, W, b = _problem(rng, m, C, H, W_in, F, kh, kw)
    out, _ = bp.conv2d_forward(X, W, b, stride, padding)

    def forward(X, W, b):
        return bp.conv2d_forward(X, W, b, stride, padding)

    check_backward(forward, bp.conv2d_backward, (X, W, b), upstream(rng, out.shape))

    def forward_loops(X, W, b):
        return bp.conv2d_forward_loops(X, W, b, stride, padding)

    check_backward(forward_loops, bp.conv2d_backward_loops, (X, W, b), upstream(rng, out.shape))


def test_rows_no_window_reaches_get_zero_gradient():
    rng = np.random.default_rng(0)
    X, W, b = _problem(rng, 1, 1, 6, 6, 1, 3, 3)
    out, cache = bp.conv2d_forward(X, W, b, stride=2)
    assert out.shape == (1, 1, 2, 2)  # windows start at rows 0 and 2: row 5 is unread
    dX, _, _ = bp.conv2d_backward(rng.normal(size=out.shape), cache)
    assert not dX[..., 5, :].any() and not dX[..., :, 5].any()
    assert dX[..., :5, :5].any()


@given(problem=conv_problems(), seed=seeds)
def test_loops_and_im2col_agree(problem, seed):
    m, C, H, W_in, F, kh, kw, stride, padding = problem
    rng = np.random.default_rng(seed)
    X, W, b = _problem(rng, m, C, H, W_in, F, kh, kw)
    fast, fast_cache = bp.conv2d_forward(X, W, b, stride, padding)
    slow, slow_cache = bp.conv2d_forward_loops(X, W, b, stride, padding)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)
    dout = upstream(rng, fast.shape)
    for a, c in zip(bp.conv2d_backward(dout, fast_cache), bp.conv2d_backward_loops(dout, slow_cache)):
        assert a.shape == c.shape
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


@given(problem=conv_problems(), seed=seeds)
def test_output_size_is_pytorchs_formula(problem, seed):
    m, C, H, W_in, F, kh, kw, stride, padding = problem
    X, W, b = _problem(np.random.default_rng(seed), m, C, H, W_in, F, kh, kw)
    out, _ = bp.conv2d_forward(X, W, b, stride, padding)
    expected = ((H + 2 * padding - kh) // stride + 1, (W_in + 2 * padding - kw) // stride + 1)
    assert out.shape == (m, F, *expected)


@given(problem=conv_problems(), seed=seeds)
def test_forward_equals_the_definition(problem, seed):
    m, C, H, W_in, F, kh, kw, stride, padding = problem
    X, W, b = _problem(np.random.default_rng(seed), m, C, H, W_in, F, kh, kw)
    out, _ = bp.conv2d_forward(X, W, b, stride, padding)
    np.testing.assert_allclose(out, reference_correlation(X, W, b, stride, padding), rtol=1e-12, atol=1e-12)


IM2COL_SHAPES = [  # (m, C, Hp, Wp, kh, kw, stride): Xp is the already padded input
    (1, 1, 5, 5, 3, 3, 1),  # batch 1, one channel
    (2, 3, 8, 9, 3, 2, 2),  # stride 2, non-square kernel
    (1, 2, 7, 7, 2, 4, 3),  # stride 3 leaves the last row and column unread
    (3, 2, 4, 5, 1, 1, 1),  # 1x1 kernel: the rows are the pixels
    (0, 2, 5, 5, 3, 3, 1),  # an empty batch
]


@pytest.mark.parametrize("shape", IM2COL_SHAPES)
def test_im2col_rows_are_the_windows_in_c_order(shape):
    """Row (n, i, j) is window (i, j) of image n flattened as (c, u, v): a copy, so bit for bit."""
    m, C, Hp, Wp, kh, kw, stride = shape
    Xp = np.random.default_rng(sum(shape)).normal(size=(m, C, Hp, Wp))
    windows = sliding_window_view(Xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    H_out, W_out = windows.shape[2:4]
    expected = windows.transpose(0, 2, 3, 1, 4, 5).reshape(m * H_out * W_out, C * kh * kw)
    cols = im2col(Xp, kh, kw, stride)
    np.testing.assert_array_equal(cols, expected)
    assert cols.shape == expected.shape and cols.T.flags.c_contiguous, "stored column by column"


@given(problem=conv_problems(), seed=seeds)
def test_col2im_is_the_adjoint_of_im2col_in_either_storage(problem, seed):
    """<im2col(A), B> = <A, col2im(B)>, and col2im adds the same numbers however B is stored."""
    m, C, H, W_in, _, kh, kw, stride, padding = problem
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, C, H + 2 * padding, W_in + 2 * padding))
    cols = im2col(A, kh, kw, stride)
    B = rng.normal(size=cols.shape)  # C-contiguous, rows stored one after the other
    by_rows = col2im(B, A.shape, kh, kw, stride)
    by_columns = col2im(np.asfortranarray(B), A.shape, kh, kw, stride)
    np.testing.assert_array_equal(by_rows, by_columns)
    assert np.isclose(np.sum(cols * B), np.sum(A * by_rows), rtol=1e-12, atol=1e-12)


def test_conv2d_forward_output_is_c_contiguous_and_db_sums_every_position():
    """The output is laid out as (m, F, H_out, W_out), not a transposed view of the rows."""
    rng = np.random.default_rng(2)
    X, W, b = _problem(rng, 3, 2, 6, 7, 4, 3, 2)
    out, cache = bp.conv2d_forward(X, W, b, stride=2, padding=1)
    assert out.shape == (3, 4, 3, 4) and out.flags.c_contiguous
    dout = rng.normal(size=out.shape)
    np.testing.assert_allclose(bp.conv2d_backward(dout, cache)[2], dout.sum(axis=(0, 2, 3)), rtol=1e-13)


def test_conv2d_float32_pair_matches_float64_on_a_batch_of_images():
    """The im2col pair in float32 against float64, on the benchmark's layer at a smaller batch."""
    rng = np.random.default_rng(12)
    X, W, b = _problem(rng, 4, 8, 28, 28, 16, 3, 3)
    dout = rng.normal(size=(4, 16, 28, 28))
    exact, cache = bp.conv2d_forward(X, W, b, padding=1)
    single, cache32 = bp.conv2d_forward(*(a.astype(np.float32) for a in (X, W, b)), padding=1)
    gradients = bp.conv2d_backward(dout.astype(np.float32), cache32)
    pairs = [(single, exact), *zip(gradients, bp.conv2d_backward(dout, cache))]
    for ours, reference in pairs:
        assert ours.dtype == np.float32
        scale = np.abs(reference).max()
        np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-5 * scale)


def test_forward_against_scipy_correlate2d():
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(1)
    X, W, b = _problem(rng, 2, 3, 6, 5, 2, 3, 2)
    out, _ = bp.conv2d_forward(X, W, b, padding=1)
    for n in range(2):
        for f in range(2):
            Xp = np.pad(X[n], ((0, 0), (1, 1), (1, 1)))
            expected = b[f] + sum(signal.correlate2d(Xp[c], W[f, c], mode="valid") for c in range(3))
            np.testing.assert_allclose(out[n, f], expected, rtol=1e-12, atol=1e-12)
            # and a true convolution is the correlation with the flipped kernel
            flipped = sum(signal.convolve2d(Xp[c], W[f, c, ::-1, ::-1], mode="valid") for c in range(3))
            np.testing.assert_allclose(out[n, f], b[f] + flipped, rtol=1e-12, atol=1e-12)


def test_conv2d_gradients_against_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    rng = np.random.default_rng(2)
    X, W, b = _problem(rng, 2, 2, 5, 6, 3, 3, 2)
    stride, padding = 2, 1
    out, cache = bp.conv2d_forward(X, W, b, stride, padding)
    dout = rng.normal(size=out.shape)

    def loss(X, W, b):
        Xp = anp.pad(X, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="constant")
        total = 0.0
        for i in range(out.shape[2]):
            for j in range(out.shape[3]):
                window = Xp[:, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 2]
                z = anp.einsum("ncuv,fcuv->nf", window, W) + b
                total = total + anp.sum(z * dout[:, :, i, j])
        return total

    ours = bp.conv2d_backward(dout, cache)
    for index in range(3):
        np.testing.assert_allclose(ours[index], autograd.grad(loss, index)(X, W, b), rtol=1e-10, atol=1e-12)


def test_conv2d_float32_stays_float32():
    rng = np.random.default_rng(3)
    X, W, b = (a.astype(np.float32) for a in _problem(rng, 2, 2, 5, 5, 2, 3, 3))
    out, cache = bp.conv2d_forward(X, W, b, padding=1)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in bp.conv2d_backward(np.ones_like(out), cache))


# --- the module ---


def test_conv2d_module_stores_its_gradients_in_place_and_matches_the_pair():
    rng = np.random.default_rng(4)
    layer = bp.Conv2d(2, 3, 3, stride=2, padding=1, rng=rng)
    X = rng.normal(size=(2, 2, 5, 6))
    out = layer.forward(X)
    dout = rng.normal(size=out.shape)
    held = dict(layer.grads)
    dX = layer.backward(dout)
    first = {k: v.copy() for k, v in layer.grads.items()}
    layer.forward(X)
    layer.backward(dout)  # a second backward overwrites: it does not accumulate
    expected = bp.conv2d_backward(dout, bp.conv2d_forward(X, layer.params["W"], layer.params["b"], 2, 1)[1])
    np.testing.assert_allclose(dX, expected[0], rtol=1e-12, atol=1e-12)
    for name, value in zip(("W", "b"), expected[1:]):
        assert layer.grads[name] is held[name], "the gradients are written into the same arrays"
        np.testing.assert_array_equal(layer.grads[name], first[name])
        np.testing.assert_allclose(layer.grads[name], value, rtol=1e-12, atol=1e-12)
    layer.grads["W"][...] = 0
    assert layer.backward_params(dout) is None
    np.testing.assert_array_equal(layer.grads["W"], first["W"])


def test_conv2d_module_initialisation_is_he_with_the_fan_in_of_a_window():
    layer = bp.Conv2d(4, 64, 5, rng=np.random.default_rng(5))
    W = layer.params["W"]
    assert W.shape == (64, 4, 5, 5) and W.flags.c_contiguous and not layer.params["b"].any()
    # 6400 draws of variance 2 / 100: the sample variance is within 10 % of it
    assert abs(W.var() / (2 / (4 * 5 * 5)) - 1) < 0.1
    again = bp.Conv2d(4, 64, 5, rng=np.random.default_rng(5)).params["W"]
    np.testing.assert_array_equal(W, again)


def test_a_small_cnn_passes_an_end_to_end_gradient_check():
    rng = np.random.default_rng(6)
    net = bp.Sequential(
        bp.Conv2d(1, 3, 3, padding=1, rng=rng),
        bp.Tanh(),
        bp.MaxPool2d(2, 2),
        bp.Flatten(),
        bp.Dense(3 * 3 * 3, 4, rng=rng),
    )
    X, y = rng.normal(size=(3, 1, 6, 6)), np.array([0, 3, 1])
    net.backward(bp.softmax_cross_entropy(net.forward(X), y)[1])
    analytic = {name: grad.copy() for name, grad in net.grads.items()}
    results = bp.check_gradients(lambda: bp.softmax_cross_entropy(net.forward(X), y)[0], net.params, analytic)
    assert len(results) == 4 and all(r.passed for r in results), results


# --- max pooling ---


@st.composite
def pool_problems(draw):
    size, stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (
        draw(st.integers(1, 3)),
        draw(st.integers(1, 3)),
        draw(st.integers(size, 7)),
        draw(st.integers(size, 7)),
        size,
        stride,
    )


def _distinct(rng, shape):
    """Entries at least 0.1 apart (a random permutation of a spaced grid): no ties."""
    values = np.arange(int(np.prod(shape)), dtype=float) * 0.1
    return rng.permutation(values).reshape(shape) - values.mean()


@given(problem=pool_problems(), seed=seeds)
def test_maxpool_backward_matches_numerical_gradient(problem, seed):
    m, C, H, W_in, size, stride = problem
    rng = np.random.default_rng(seed)
    X = _distinct(rng, (m, C, H, W_in))
    out, _ = bp.maxpool2d_forward(X, size, stride)
    dout = upstream(rng, out.shape)

    def forward(X):
        return bp.maxpool2d_forward(X, size, stride)

    check_backward(forward, bp.maxpool2d_backward, (X,), dout)


@given(problem=pool_problems(), seed=seeds)
def test_maxpool_forward_and_routing_equal_a_loop(problem, seed):
    m, C, H, W_in, size, stride = problem
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(m, C, H, W_in)).astype(float)  # many ties
    out, cache = bp.maxpool2d_forward(X, size, stride)
    H_out, W_out = (H - size) // stride + 1, (W_in - size) // stride + 1
    assert out.shape == (m, C, H_out, W_out)
    dout = upstream(rng, out.shape)
    expected_out, expected_dX = np.zeros(out.shape), np.zeros(X.shape)
    for n in range(m):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = X[n, c, i * stride : i * stride + size, j * stride : j * stride + size]
                    expected_out[n, c, i, j] = window.max()
                    first = next(
                        (u, v) for u in range(size) for v in range(size) if window[u, v] == window.max()
                    )  # the first maximal entry in row-major order
                    expected_dX[n, c, i * stride + first[0], j * stride + first[1]] += dout[n, c, i, j]
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_allclose(bp.maxpool2d_backward(dout, cache), expected_dX, rtol=1e-12, atol=1e-15)


def test_ties_send_the_whole_gradient_to_the_first_maximum_in_row_major_order():
    X = np.array([[[[1.0, 3.0], [3.0, 3.0]]]])  # three tied maxima
    out, cache = bp.maxpool2d_forward(X)
    dX = bp.maxpool2d_backward(np.array([[[[5.0]]]]), cache)
    np.testing.assert_array_equal(dX, [[[[0.0, 5.0], [0.0, 0.0]]]])
    assert out.item() == 3.0
    # at a tie, max is not differentiable: a centred difference moves one tied entry
    # up (the max follows it) and down (another tied entry holds the max), and so
    # gives every tied entry half of the upstream gradient
    numeric = bp.numerical_gradient(lambda: np.sum(bp.maxpool2d_forward(X)[0] * 5.0), X, eps=1e-5)
    np.testing.assert_allclose(numeric, [[[[0.0, 2.5], [2.5, 2.5]]]], rtol=1e-9)


def test_overlapping_windows_add_their_gradients():
    X = np.zeros((1, 1, 3, 3))
    X[0, 0, 1, 1] = 1.0  # the maximum of all four 2x2 windows with stride 1
    out, cache = bp.maxpool2d_forward(X, size=2, stride=1)
    dX = bp.maxpool2d_backward(np.arange(1.0, 5.0).reshape(1, 1, 2, 2), cache)
    assert dX[0, 0, 1, 1] == 10.0 and dX.sum() == 10.0


def test_maxpool_module_and_flatten():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(2, 3, 4, 6))
    pool = bp.MaxPool2d(2, 2)
    out = pool.forward(X)
    assert out.shape == (2, 3, 2, 3)
    dout = rng.normal(size=out.shape)
    np.testing.assert_array_equal(pool.backward(dout), bp.maxpool2d_backward(dout, bp.maxpool2d_forward(X)[1]))
    flat = bp.Flatten()
    Z = flat.forward(X)
    np.testing.assert_array_equal(Z, X.reshape(2, -1))
    assert Z[1, 6 * 4 + 5] == X[1, 1, 0, 5]  # C order, as torch.flatten(x, 1)
    np.testing.assert_array_equal(flat.backward(Z * 2), X * 2)
    assert flat.params == {} and pool.params == {}


def test_modules_in_a_sequential_train_without_dx_of_the_first_layer():
    rng = np.random.default_rng(8)
    first = bp.Conv2d(1, 2, 3, rng=rng)
    net = bp.Sequential(first, bp.ReLU(), bp.Flatten(), bp.Dense(8, 2, rng=rng))
    X, y = rng.normal(size=(4, 1, 4, 4)), np.array([0, 1, 1, 0])
    calls = []
    for method in ("backward", "backward_params"):
        original = getattr(first, method)
        setattr(first, method, lambda dout, original=original, method=method: calls.append(method) or original(dout))
    before = net.params["0.W"].copy()
    bp.train_step(net, bp.softmax_cross_entropy, bp.SGD(lr=0.1), X, y, 0)
    assert calls == ["backward_params"], "the first layer stores its gradients without computing dX"
    assert not np.array_equal(before, net.params["0.W"])


def test_conv2d_module_writes_a_weight_gradient_held_in_another_layout():
    """A grads["W"] that is not C-contiguous (its reshape is a copy) still gets dW."""
    rng = np.random.default_rng(9)
    layer = bp.Conv2d(2, 3, 3, padding=1, rng=rng)
    held = layer.grads["W"] = np.asfortranarray(np.zeros_like(layer.grads["W"]))
    X = rng.normal(size=(2, 2, 5, 5))
    dout = rng.normal(size=layer.forward(X).shape)
    layer.backward(dout)
    expected = bp.conv2d_backward(dout, bp.conv2d_forward(X, layer.params["W"], layer.params["b"], 1, 1)[1])[1]
    assert layer.grads["W"] is held
    np.testing.assert_allclose(held, expected, rtol=1e-12, atol=1e-12)


def test_flatten_and_a_cnn_accept_an_empty_batch():
    rng = np.random.default_rng(10)
    assert bp.Flatten().forward(np.zeros((0, 3, 2, 2))).shape == (0, 12)
    net = bp.Sequential(bp.Conv2d(1, 2, 3, padding=1, rng=rng), bp.MaxPool2d(), bp.Flatten(), bp.Dense(8, 2, rng=rng))
    assert net.forward(np.zeros((0, 1, 4, 4))).shape == (0, 2)
    assert net.backward(np.zeros((0, 2))).shape == (0, 1, 4, 4)


# errors: tests/hostile/test_conv.py
