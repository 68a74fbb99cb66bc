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
