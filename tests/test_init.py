import numpy as np
import pytest

import bp_lib as bp

N_IN, N_OUT = 1000, 1000
VARIANCES = {
    "he_normal": 2 / N_IN,
    "he_uniform": 2 / N_IN,
    "xavier_normal": 2 / (N_IN + N_OUT),
    "xavier_uniform": 2 / (N_IN + N_OUT),
    "lecun_normal": 1 / N_IN,
    "lecun_uniform": 1 / N_IN,
}


@pytest.mark.parametrize("name", VARIANCES)
def test_sample_variance_matches_the_formula(name):
    W = getattr(bp, name)(N_IN, N_OUT, np.random.default_rng(0))
    assert W.shape == (N_IN, N_OUT)
    assert abs(W.var() / VARIANCES[name] - 1) < 0.05
    # the mean of 10**6 draws has standard error std / 1000; allow 5 standard errors
    assert abs(W.mean()) < 5 * np.sqrt(VARIANCES[name]) / 1000


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("he_uniform", np.sqrt(6 / 300)),
        ("xavier_uniform", np.sqrt(6 / 500)),
        ("lecun_uniform", np.sqrt(3 / 300)),
    ],
)
def test_uniform_initialisers_stay_within_their_limit(name, limit):
    W = getattr(bp, name)(300, 200, np.random.default_rng(1))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit  # and actually reach it


def test_he_normal_std_is_sqrt_of_two_over_n_not_two_over_n():
    W = bp.he_normal(500, 400, np.random.default_rng(2))
    assert W.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)


@pytest.mark.parametrize("name", VARIANCES)
def test_same_seed_same_draw_other_seed_other_draw(name):
    initializer = getattr(bp, name)
    a = initializer(5, 3, np.random.default_rng(3))
    np.testing.assert_array_equal(a, initializer(5, 3, np.random.default_rng(3)))
    assert not np.array_equal(a, initializer(5, 3, np.random.default_rng(4)))
    assert a.shape == (5, 3) and a.dtype == np.float64


@pytest.mark.parametrize("name", VARIANCES)
def test_initialisers_need_a_generator(name):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        getattr(bp, name)(5, 3, 0)


def test_unknown_initialiser_lists_the_options():
    with pytest.raises(ValueError, match=r"one of \['he', .*'zeros'\]"):
        bp.Dense(2, 2, init="kaiming")
