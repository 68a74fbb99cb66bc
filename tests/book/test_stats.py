import numpy as np
import pytest

from bp_lib.book.stats import (
    exact_sign_test,
    fisher_exact_p,
    holm,
    mean_interval,
    median_interval,
    paired_counts,
    wilson_interval,
)


def test_wilson_interval():
    low, high = wilson_interval(81, 200)
    assert low == pytest.approx(0.3394, abs=1e-4) and high == pytest.approx(0.4742, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(0, 10)[1] == pytest.approx(1.96**2 / (10 + 1.96**2))
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_paired_counts_and_exact_sign_test():
    a = [True, True, False, False, True]
    b = [True, False, True, False, False]
    assert paired_counts(a, b) == (1, 2, 1, 1)
    assert exact_sign_test(0, 0) == 1.0
    assert exact_sign_test(18, 20) == pytest.approx(2 * 211 / 2**20)
    assert exact_sign_test(2, 20) == exact_sign_test(18, 20)
    assert exact_sign_test(10, 20) == 1.0
    with pytest.raises(ValueError):
        exact_sign_test(3, 2)


def test_fisher_exact_p_and_holm():

    assert fisher_exact_p(5, 10, 5, 10) == pytest.approx(1.0)
    # a hand-computable case: 2/2 against 0/2, two-sided p = 2 * (1/6)
    assert fisher_exact_p(2, 2, 0, 2) == pytest.approx(1 / 3)
    assert fisher_exact_p(81, 200, 181, 200) < 1e-20
    with pytest.raises(ValueError):
        fisher_exact_p(3, 2, 0, 2)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.001]) == pytest.approx([0.5, 0.002])
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])


def test_median_interval():
    mid, low, high = median_interval(np.arange(20, 0, -1))
    assert (mid, low, high) == (10.5, 6.0, 15.0)
    with pytest.raises(ValueError):
        median_interval([1.0, 2.0, 3.0])


def test_mean_interval_matches_the_t_formula():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    mean, half = mean_interval(values)
    assert mean == 2.5
    # t_{0.975, 3} = 3.1824..., std(ddof=1) = 1.2910, sqrt(4) = 2
    assert half == pytest.approx(3.182446 * 1.290994 / 2, rel=1e-5)
    with pytest.raises(ValueError, match="at least 2"):
        mean_interval([1.0])


def test_wilson_interval_at_the_extremes():
    low, high = wilson_interval(5, 5)
    assert high == 1.0 and low == pytest.approx(5 / (5 + 1.96**2))
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0 < high < 0.35
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(1 - high) and 0.39 < low < 0.41
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
