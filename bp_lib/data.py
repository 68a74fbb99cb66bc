"""Small data sets, all generated or bundled (nothing is downloaded)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ._checks import (
    as_float_array,
    require_finite,
    require_generator,
    require_ndim,
    require_number,
    require_positive_int,
)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: ``X`` (4, 2) and targets ``y`` (4, 1), both float64.

    y = 1 exactly when one input is 1 and the other 0: (0,1) and (1,0).
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y


def spirals(
    n_per_class: int, n_classes: int, rng: np.random.Generator, noise: float = 0.2
):
    """Interleaved spiral arms in 2-D: points ``X`` and int labels ``y``.

    ``X`` has shape (n_per_class * n_classes, 2). Arm k is ``r (sin t, cos t)``
    with ``r`` in [0, 1] and ``t = 4 r + 2 pi k / K`` plus Gaussian noise of
    standard deviation ``noise`` on ``t``.
    """
    n_per_class = require_positive_int("n_per_class", n_per_class)
    n_classes = require_positive_int("n_classes", n_classes)
    rng = require_generator("rng", rng)
    noise = require_number("noise", noise, low=0)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    labels = np.repeat(np.arange(n_classes), n_per_class)
    angle_noise = rng.normal(0, noise, radius.shape)
    theta = 4 * radius + 2 * np.pi * labels / n_classes + angle_noise
    X = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    return X, labels


def standardize(X_train: np.ndarray, *others: np.ndarray, eps: float = 1e-8):
    """Centre and scale each column by the *training* mean and standard deviation.

    Returns the transformed ``X_train`` followed by each of ``others``; columns
    that are constant in the training set are only centred.
    """
    X_train = _checked_table("X_train", X_train)
    others = [_checked_table(f"others[{i}]", X) for i, X in enumerate(others)]
    for index, X in enumerate(others):
        if X.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"others[{index}] has {X.shape[1]} columns but X_train has "
                f"{X_train.shape[1]}; they must match"
            )
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < eps, 1.0, std)
    return tuple((X - mean) / std for X in (X_train, *others))


def _checked_table(name: str, X) -> np.ndarray:
    """``X`` as a finite 2-D float array with at least one row."""
    X = require_finite(name, as_float_array(name, X))
    require_ndim(name, X, 2, "(rows, columns)")
    if X.shape[0] == 0:
        raise ValueError(f"{name} has no rows (shape {X.shape})")
    return X


def load_digits_split(test_fraction: float = 0.25, seed: int = 0) -> SimpleNamespace:
    """scikit-learn's bundled 8x8 digits, split stratified with a fixed seed.

    Returns a namespace with ``X_train``, ``X_test`` (float64, (m, 64), standardised
    with training statistics), ``y_train``, ``y_test`` (int labels 0-9), and
    ``images_test`` (the raw (m, 8, 8) test images, for plotting).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_fraction = require_number(
        "test_fraction", test_fraction, low=0, high=1, low_open=True, high_open=True
    )
    digits = load_digits()
    index = np.arange(len(digits.target))
    train_index, test_index = train_test_split(
        index, test_size=test_fraction, stratify=digits.target, random_state=seed
    )
    X_train, X_test = standardize(digits.data[train_index], digits.data[test_index])
    return SimpleNamespace(
        X_train=X_train,
        X_test=X_test,
        y_train=digits.target[train_index],
        y_test=digits.target[test_index],
        images_test=digits.images[test_index],
    )
