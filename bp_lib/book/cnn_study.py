"""Chapter 16's code: the backward pass written as convolutions, and the CNN study.

The chapter derives dW and dX of a convolution as two more correlations:

- ``weight_gradient_as_correlation``: dW is the correlation of the padded input with
  the upstream gradient dilated by the stride, summed over the batch;
- ``input_gradient_as_full_convolution``: dX is the full convolution of the dilated
  upstream gradient with the kernel (a correlation with the flipped kernel after
  padding by k - 1), cropped by the forward's padding.

Both call :func:`bp_lib.conv2d_forward` with the roles of the arrays exchanged; the
chapter checks them against :func:`bp_lib.conv2d_backward`. ``small_cnn`` is the
chapter's network for the 8x8 digits, and ``seed_accuracies`` trains a network per
seed with chapter 13's schedule (``bp_lib.book.digits.width_scan``).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..activations import ReLU
from ..conv import Conv2d, Flatten, MaxPool2d, conv2d_forward, output_size
from ..core import Sequential
from ..dense import Dense
from .digits import width_scan


def dilate(dout: np.ndarray, stride: int) -> np.ndarray:
    """``stride - 1`` zeros between neighbouring entries of the last two axes.

    dout (m, F, H_out, W_out) -> (m, F, s (H_out - 1) + 1, s (W_out - 1) + 1), with
    ``result[:, :, s i, s j] = dout[:, :, i, j]`` and zeros elsewhere.
    """
    m, F, H_out, W_out = dout.shape
    result = np.zeros((m, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    result[:, :, ::stride, ::stride] = dout
    return result


def _pad(X: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return np.pad(X, ((0, 0), (0, 0), (rows, rows), (cols, cols)))


def weight_gradient_as_correlation(X, dout, kernel_shape, stride=1, padding=0):
    """``dW[f, c] = sum_n correlate(Xp[n, c], dilate(dout)[n, f])``, first kh x kw.

    The batch plays the role of the channels: the input is Xp with axes 0 and 1
    swapped (C, m, Hp, Wp), the "kernel" is the dilated dout (F, m, Hd, Wd), and the
    correlation's output (C, F, Hp - Hd + 1, Wp - Wd + 1) holds dW^T in its first
    kh x kw entries (the rest exist when the stride does not divide Hp - kh).
    X (m, C, H, W_in), dout (m, F, H_out, W_out) -> dW (F, C, kh, kw).
    """
    kh, kw = kernel_shape
    Xp = _pad(X, padding, padding)
    D = dilate(dout, stride)
    swapped, _ = conv2d_forward(
        Xp.transpose(1, 0, 2, 3), D.transpose(1, 0, 2, 3), np.zeros(D.shape[1])
    )
    return swapped.transpose(1, 0, 2, 3)[:, :, :kh, :kw]


def input_gradient_as_full_convolution(dout, W, input_shape, stride=1, padding=0):
    """dX: the full convolution of the dilated dout with W, then cropped.

    The full convolution is computed as a correlation of the dilated dout, padded by
    kh - 1 rows and kw - 1 columns, with the kernel flipped in both spatial axes and
    its axes 0 and 1 swapped (C, F, kh, kw): each input channel c sums over the
    filters f. The result covers the rows 0 .. s (H_out - 1) + kh - 1 of the padded
    input; rows beyond (no window reached them) get 0. Then ``padding`` rows and
    columns are cropped from every side.
    dout (m, F, H_out, W_out), W (F, C, kh, kw) -> dX (m, C, H, W_in) = ``input_shape``.
    """
    kh, kw = W.shape[2:]
    D = _pad(dilate(dout, stride), kh - 1, kw - 1)
    flipped = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    full, _ = conv2d_forward(D, flipped, np.zeros(W.shape[1]))
    m, C, H, W_in = input_shape
    dXp = np.zeros((m, C, H + 2 * padding, W_in + 2 * padding))
    dXp[:, :, : full.shape[2], : full.shape[3]] = full
    return dXp[:, :, padding : padding + H, padding : padding + W_in]


def as_images(data: SimpleNamespace) -> SimpleNamespace:
    """``data`` with ``X_train``, ``X_test`` reshaped from (m, 64) to (m, 1, 8, 8)."""
    images = SimpleNamespace(**vars(data))
    images.X_train = data.X_train.reshape(-1, 1, 8, 8)
    images.X_test = data.X_test.reshape(-1, 1, 8, 8)
    return images


def small_cnn(seed: int, filters: int = 8) -> Sequential:
    """``Conv2d(1, filters, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Flatten -> Dense``.

    For (m, 1, 8, 8) images: the convolution keeps 8x8 (padding 1), the pooling halves
    it to 4x4, and the dense layer maps filters * 16 features to 10 logits (He for the
    convolution, Xavier for the output layer, as chapter 13's network).
    """
    rng = np.random.default_rng(seed)
    side = output_size(8, 3, 1, 1) // 2
    return Sequential(
        Conv2d(1, filters, 3, padding=1, rng=rng),
        ReLU(),
        MaxPool2d(2, 2),
        Flatten(),
        Dense(filters * side * side, 10, init="xavier", rng=rng),
    )


def seed_accuracies(build, data, seeds, *, epochs: int) -> np.ndarray:
    """Test accuracy of ``build(seed)`` per seed, trained with chapter 13's schedule.

    Adam at 1e-3, mini-batches of 32 shuffled by ``default_rng(1000 + seed)``, for
    ``epochs`` epochs (:func:`bp_lib.book.digits.width_scan` with one width).
    Returns (len(seeds),).
    """
    return width_scan(
        lambda _, seed: build(seed), [None], list(seeds), data, epochs=epochs
    )[0]
