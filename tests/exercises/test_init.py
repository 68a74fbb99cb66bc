import numpy as np
import pytest
from helpers import assert_feedback, table

import bp_lib as bp
from bp_lib.exercises.init import (
    check_block_backward,
    check_he_normal,
    check_xavier_uniform,
    draw_statistics,
    normal_statistics,
    uniform_statistics,
)


def _normal(std):
    return lambda n, m, r: r.normal(0.0, std(n, m), (n, m))


def _uniform(low, high):
    return lambda n, m, r: r.uniform(low(n, m), high(n, m), (n, m))


HE_MISTAKES = {
    "used as the standard deviation": _normal(lambda n, m: 2 / n),
    "fan-out n_out was used": _normal(lambda n, m: np.sqrt(2 / m)),
    "Xavier's denominator": _normal(lambda n, m: np.sqrt(2 / (n + m))),
    "factor 2 is missing": _normal(lambda n, m: np.sqrt(1 / n)),
    "The draw is uniform": bp.he_uniform,
}

XAVIER_MISTAKES = {
    "The limit is the standard deviation": _uniform(
        lambda n, m: -np.sqrt(2 / (n + m)), lambda n, m: np.sqrt(2 / (n + m))
    ),
    "The square root is missing": _uniform(lambda n, m: -6 / (n + m), lambda n, m: 6 / (n + m)),
    "Only n_in was used": _uniform(lambda n, m: -np.sqrt(6 / n), lambda n, m: np.sqrt(6 / n)),
    "Only n_out was used": _uniform(lambda n, m: -np.sqrt(6 / m), lambda n, m: np.sqrt(6 / m)),
    "The range is [0, a]": _uniform(lambda n, m: 0.0, lambda n, m: np.sqrt(6 / (n + m))),
    "The draw is normal": bp.xavier_normal,
}


def test_he_checker_passes_the_library_and_a_plain_solution():
    assert check_he_normal(bp.he_normal).passed
    assert check_he_normal(_normal(lambda n, m: np.sqrt(2 / n))).passed


@pytest.mark.parametrize("expected", HE_MISTAKES)
def test_he_checker_names_each_mistake(expected):
    feedback = check_he_normal(HE_MISTAKES[expected])
    assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    for other in HE_MISTAKES:  # exactly one diagnosis
        assert other == expected or other not in feedback.message


def test_xavier_checker_passes_the_library_and_a_plain_solution():
    assert check_xavier_uniform(bp.xavier_uniform).passed
    assert check_xavier_uniform(_uniform(lambda n, m: -np.sqrt(6 / (n + m)), lambda n, m: np.sqrt(6 / (n + m)))).passed


@pytest.mark.parametrize("expected", XAVIER_MISTAKES)
def test_xavier_checker_names_each_mistake(expected):
    feedback = check_xavier_uniform(XAVIER_MISTAKES[expected])
    assert not feedback.passed and expected in feedback.message, (expected, feedback.message)
    for other in XAVIER_MISTAKES:
        assert other == expected or other not in feedback.message


def test_unexplained_answers_get_the_hint_and_bad_shapes_are_named():
    far_off = check_he_normal(_normal(lambda n, m: 0.5))
    assert not far_off.passed and "shape (normal or uniform)" in far_off.message
    transposed = check_he_normal(lambda n, m, r: r.normal(0, np.sqrt(2 / n), (m, n)))
    assert not transposed.passed and "shape (100, 400)" in transposed.message
    unwritten = check_xavier_uniform(lambda n, m, r: (_ for _ in ()).throw(NotImplementedError))
    assert not unwritten.passed and "not written yet" in unwritten.message


def test_predicted_statistics_match_large_draws():
    rng = np.random.default_rng(5)
    big_normal = rng.normal(0.0, 0.3, 2_000_000)
    np.testing.assert_allclose(
        [big_normal.mean(), big_normal.std(), np.abs(big_normal).mean()], normal_statistics(0.3)(0), atol=2e-3
    )
    big_uniform = rng.uniform(-0.2, 0.5, 2_000_000)
    np.testing.assert_allclose(
        [big_uniform.mean(), big_uniform.std(), np.abs(big_uniform).mean()], uniform_statistics(-0.2, 0.5)(0), atol=2e-3
    )
    assert draw_statistics(bp.lecun_normal, 0).shape == (3,)


BLOCK_MISTAKES = {
    "mask is missing": lambda dA, X, W: dA @ W.T,
    "mask is taken from dA": lambda dA, X, W: (dA * (dA > 0)) @ W.T,
    "taken from the input X": lambda dA, X, W: (dA @ W.T) * (X > 0),
    "applied to the product": lambda dA, X, W: np.maximum(dA @ W.T, 0),
}


def test_block_checker_passes_the_right_answer():
    assert check_block_backward(lambda dA, X, W: (dA * (X @ W > 0)) @ W.T).passed


@pytest.mark.parametrize("expected", BLOCK_MISTAKES)
def test_block_checker_names_each_mistake(expected):
    feedback = check_block_backward(BLOCK_MISTAKES[expected])
    assert not feedback.passed and expected in feedback.message, (expected, feedback.message)


def test_block_checker_reports_a_missing_transpose_and_a_wrong_shape():
    no_transpose = check_block_backward(lambda dA, X, W: (dA * (X @ W > 0)) @ W)
    assert not no_transpose.passed and "not transposed" in no_transpose.message
    dW_instead = check_block_backward(lambda dA, X, W: X.T @ (dA * (X @ W > 0)))
    assert not dW_instead.passed and "This is dW" in dW_instead.message


# --- one table per checker: (answer, passes?, words its message must contain) ---


COMMON_ROWS = [
    (
        "draws from np.random",
        lambda n, m, r: np.random.normal(size=(n, m)),
        False,
        ["rng passed in"],
    ),
    ("a string", lambda n, m, r: "W", False, ["string"]),
    ("None", lambda n, m, r: None, False, ["None"]),
    ("a dict", lambda n, m, r: {"W": 0}, False, ["dict"]),
    ("complex", lambda n, m, r: r.normal(size=(n, m)) + 0j, False, ["complex"]),
    ("ragged", lambda n, m, r: [[1.0], [1.0, 2.0]], False, ["ragged"]),
]

HE_ROWS = COMMON_ROWS + [
    ("bp.he_normal", bp.he_normal, True, ["matches"]),
    ("n_in hard-coded", _normal(lambda n, m: np.sqrt(2 / 400)), False, ["n_in seems"]),
    ("standard normal", _normal(lambda n, m: 1.0), False, ["standard normal"]),
    ("sqrt(2) / n", _normal(lambda n, m: np.sqrt(2) / n), False, ["square root"]),
    ("transposed", lambda n, m, r: r.normal(0, np.sqrt(2 / n), (m, n)), False, ["shape"]),
    ("std 1.5 % too large", _normal(lambda n, m: 1.015 * np.sqrt(2 / n)), False, ["too large"]),
    ("std 1 % too small", _normal(lambda n, m: 0.99 * np.sqrt(2 / n)), False, ["too small"]),
    ("std 0.2 % too large", _normal(lambda n, m: 1.002 * np.sqrt(2 / n)), True, ["matches"]),
    ("other stream", lambda n, m, r: np.sqrt(2 / n) * r.standard_normal((m, n)).T, True, ["matches"]),
    (
        "uniform, right std, other stream",
        lambda n, m, r: r.uniform(-1, 1, (n, m)) * np.sqrt(6 / n),
        False,
        ["He uniform"],
    ),
]


def _triangular(n, m, r):
    """Triangular on [-c, c], c = a sqrt(2): the variance of U(-a, a), another shape."""
    c = np.sqrt(6 / (n + m)) * np.sqrt(2)
    return r.triangular(-c, 0.0, c, (n, m))


XAVIER_ROWS = COMMON_ROWS + [
    ("bp.xavier_uniform", bp.xavier_uniform, True, ["matches"]),
    (
        "n_out hard-coded",
        _uniform(lambda n, m: -np.sqrt(6 / (n + 100)), lambda n, m: np.sqrt(6 / (n + 100))),
        False,
        ["n_out seems"],
    ),
    ("U(-1, 1)", _uniform(lambda n, m: -1.0, lambda n, m: 1.0), False, ["unscaled"]),
    (
        "LeCun uniform",
        _uniform(lambda n, m: -np.sqrt(3 / n), lambda n, m: np.sqrt(3 / n)),
        False,
        ["LeCun uniform", "only n_in"],
    ),
    ("triangular, right std", _triangular, False, ["not uniform on [-a, a]", "looks triangular"]),
    (
        "n_in and n_out hard-coded",
        _uniform(lambda n, m: -np.sqrt(6 / (400 + 100)), lambda n, m: np.sqrt(6 / (400 + 100))),
        False,
        ["n_in and n_out seem hard-coded", "n_in = 400, n_out = 100"],
    ),
    ("Xavier normal", bp.xavier_normal, False, ["normal with the right variance"]),
    (
        "uniform limit 2 % large",
        _uniform(lambda n, m: -1.02 * np.sqrt(6 / (n + m)), lambda n, m: 1.02 * np.sqrt(6 / (n + m))),
        False,
        ["2.0% too large"],
    ),
]


def _block_in_place(dA, X, W):
    dA *= X @ W > 0  # right, but masks the caller's dA in place
    return dA @ W.T


def _block_overwrites(dA, X, W):
    dA[...] = 0
    return np.zeros_like(X)


BLOCK_ROWS = [
    pytest.param(lambda dA, X, W: (dA * (X @ W > 0)) @ W.T, True, ["matches"], id="right"),
    pytest.param(_block_in_place, True, ["matches", "dA in place"], id="in place"),
    pytest.param(_block_overwrites, False, ["differs"], id="overwrites dA"),
    pytest.param(lambda dA, X, W: "dX", False, ["string"], id="a string"),
]


@pytest.mark.parametrize(("answer", "passed", "words"), table(HE_ROWS))
def test_he_normal_table(answer, passed, words):
    assert_feedback(check_he_normal(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), table(XAVIER_ROWS))
def test_xavier_uniform_table(answer, passed, words):
    assert_feedback(check_xavier_uniform(answer), passed, words)


@pytest.mark.parametrize(("answer", "passed", "words"), BLOCK_ROWS)
def test_block_backward_table(answer, passed, words):
    assert_feedback(check_block_backward(answer), passed, words, chain_rule_allowed=True)
