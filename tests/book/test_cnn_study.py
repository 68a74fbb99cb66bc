from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import seeds

import bp_lib as bp
from bp_lib.book import cnn_study as cs


def test_dilate_puts_stride_minus_one_zeros_between_entries():
    dout = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    D = cs.dilate(dout, 2)
    assert D.shape == (1, 1, 3, 5)
    np.testing.assert_array_equal(D[0, 0], [[1, 0, 2, 0, 3], [0, 0, 0, 0, 0], [4, 0, 5, 0, 6]])
    np.testing.assert_array_equal(cs.dilate(dout, 1), dout)


@given(
    m=st.integers(1, 2),
    C=st.integers(1, 3),
    F=st.integers(1, 3),
    H=st.integers(3, 7),
    W_in=st.integers(3, 7),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    seed=seeds,
)
def test_gradients_as_convolutions_equal_the_library_backward(m, C, F, H, W_in, kh, kw, stride, padding, seed):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(m, C, H, W_in)), rng.normal(size=(F, C, kh, kw)), rng.normal(size=F)
    out, cache = bp.conv2d_forward(X, W, b, stride, padding)
    dout = rng.normal(size=out.shape)
    dX, dW, _ = bp.conv2d_backward(dout, cache)
    np.testing.assert_allclose(
        cs.weight_gradient_as_correlation(X, dout, (kh, kw), stride, padding), dW, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        cs.input_gradient_as_full_convolution(dout, W, X.shape, stride, padding), dX, rtol=1e-10, atol=1e-12
    )


def test_input_gradient_needs_the_flip():
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(1, 1, 5, 5)), rng.normal(size=(1, 1, 3, 3))
    out, cache = bp.conv2d_forward(X, W, np.zeros(1))
    dout = rng.normal(size=out.shape)
    unflipped = cs.input_gradient_as_full_convolution(dout, W[:, :, ::-1, ::-1], X.shape)
    assert not np.allclose(unflipped, bp.conv2d_backward(dout, cache)[0])


def test_as_images_reshapes_without_touching_the_labels():
    data = SimpleNamespace(
        X_train=np.arange(128.0).reshape(2, 64), X_test=np.zeros((1, 64)), y_train=[1, 2], y_test=[3]
    )
    images = cs.as_images(data)
    assert images.X_train.shape == (2, 1, 8, 8) and images.X_test.shape == (1, 1, 8, 8)
    assert images.X_train[1, 0, 2, 3] == 64 + 2 * 8 + 3  # row-major, as the 8x8 image
    assert images.y_train is data.y_train and data.X_train.shape == (2, 64)


def test_small_cnn_shapes_and_seeding():
    net = cs.small_cnn(seed=3)
    out = net.forward(np.zeros((5, 1, 8, 8)))
    assert out.shape == (5, 10)
    assert [type(layer).__name__ for layer in net.layers] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dense"]
    assert net.params["4.W"].shape == (8 * 4 * 4, 10)
    np.testing.assert_array_equal(net.params["0.W"], cs.small_cnn(seed=3).params["0.W"])


def test_seed_accuracies_trains_one_network_per_seed_with_the_chapter_13_schedule():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    X = rng.normal(size=(60, 1, 8, 8)) * 0.1 + y[:, None, None, None]  # separable by brightness
    data = SimpleNamespace(X_train=X[:40], y_train=y[:40], X_test=X[40:], y_test=y[40:])
    accuracies = cs.seed_accuracies(cs.small_cnn, data, [0, 1], epochs=25)
    assert accuracies.shape == (2,) and np.all(accuracies >= 0.9)
    again = cs.seed_accuracies(cs.small_cnn, data, [0, 1], epochs=25)
    np.testing.assert_array_equal(accuracies, again)
