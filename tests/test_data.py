import numpy as np

from bp_lib.data import load_digits_split, spirals, standardize, xor


def test_xor_truth_table():
    X, y = xor()
    assert X.shape == (4, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(y.ravel(), np.logical_xor(X[:, 0], X[:, 1]))


def test_spirals_are_deterministic_and_labelled():
    X, y = spirals(50, 3, np.random.default_rng(0))
    X2, _ = spirals(50, 3, np.random.default_rng(0))
    assert X.shape == (150, 2) and np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_array_equal(X, X2)


def test_standardize_uses_training_statistics():
    train, test = np.array([[1.0, 5.0], [3.0, 5.0]]), np.array([[5.0, 6.0]])
    train_s, test_s = standardize(train, test)
    np.testing.assert_allclose(train_s, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(test_s, [[3.0, 1.0]])  # constant column: only centred


def test_digits_split_is_stratified_standardised_and_seeded():
    a, b = load_digits_split(seed=0), load_digits_split(seed=0)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert a.X_train.shape[1] == 64 and len(a.X_test) == len(a.y_test) == len(a.images_test)
    train_share = np.bincount(a.y_train) / len(a.y_train)
    test_share = np.bincount(a.y_test) / len(a.y_test)
    assert np.abs(train_share - test_share).max() < 0.01
    varying = a.X_train.std(axis=0) > 0
    np.testing.assert_allclose(a.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(a.X_train.std(axis=0)[varying], 1)


def test_xor_exact_values():
    X, y = xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    assert X.dtype == y.dtype == np.float64


def test_spirals_labels_arms_and_seeds():
    X, y = spirals(20, 4, np.random.default_rng(1))
    assert X.shape == (80, 2) and y.dtype.kind == "i" and set(y.tolist()) == {0, 1, 2, 3}
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)  # the radius runs from 0 to 1
    other, _ = spirals(20, 4, np.random.default_rng(2))
    assert not np.array_equal(X, other)
    noiseless, _ = spirals(5, 2, np.random.default_rng(3), noise=0.0)
    np.testing.assert_allclose(noiseless[4], [np.sin(4.0), np.cos(4.0)])  # r = 1, t = 4 r on arm 0


def test_standardize_applies_the_training_statistics_to_every_other_set():
    rng = np.random.default_rng(4)
    train = rng.normal(size=(30, 3)) * [2.0, 5.0, 0.5] + [1.0, -4.0, 10.0]
    val, test = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    train_s, val_s, test_s = standardize(train, val, test)
    np.testing.assert_allclose(train_s.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train_s.std(axis=0), 1)
    mean, std = train.mean(axis=0), train.std(axis=0)
    np.testing.assert_allclose(val_s, (val - mean) / std)
    np.testing.assert_allclose(test_s, (test - mean) / std)


def test_digits_split_uses_training_statistics_and_depends_on_the_seed():
    from sklearn.datasets import load_digits

    a, c = load_digits_split(seed=0), load_digits_split(seed=1)
    assert not np.array_equal(a.y_test, c.y_test)
    assert len(a.y_train) + len(a.y_test) == 1797 and len(a.y_test) == 450
    # Recover the raw training statistics from the raw test images and the whole data set
    # (sums over train = sums over all - sums over test), then check the test set was
    # standardised with them and not with its own.
    everything = load_digits().data
    raw_test = a.images_test.reshape(-1, 64)
    n_train = 1797 - len(raw_test)
    mean = (everything.sum(axis=0) - raw_test.sum(axis=0)) / n_train
    second_moment = ((everything**2).sum(axis=0) - (raw_test**2).sum(axis=0)) / n_train
    std = np.sqrt(np.maximum(second_moment - mean**2, 0))
    std = np.where(std < 1e-6, 1.0, std)  # constant in training: only centred (round-off aside)
    np.testing.assert_allclose(a.X_test, (raw_test - mean) / std, atol=1e-9)
    assert np.abs(a.X_test.mean(axis=0)).max() > 1e-3  # not re-centred on its own mean
