"""The statistics the chapters' experiments report, in one place.

wilson_interval   a 95% interval for a success rate (k of n runs)
median_interval   the median of per-seed values with an order-statistic interval
mean_interval     the mean of per-seed values with a t-interval
paired_counts     outcomes of two variants on the same seeds (both / only a / ...)
exact_sign_test   two-sided exact sign (McNemar) test on discordant pairs
fisher_exact_p    two-sided Fisher exact test on two success counts
holm              Holm's correction of several p-values
"""

from __future__ import annotations

import math

import numpy as np


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a success probability (95% for z = 1.96).

    ``(p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` with p = successes/n.
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes} of {n}")
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = (centre - half) / (1 + z * z / n)
    high = (centre + half) / (1 + z * z / n)
    return float(max(low, 0.0)), float(min(high, 1.0))


def median_interval(values) -> tuple[float, float, float]:
    """The median of ``values`` and a distribution-free 95% interval for it.

    The interval runs between the order statistics ``x_(k)`` and ``x_(n+1-k)`` with the
    largest ``k`` whose binomial coverage ``1 - 2 P(Bin(n, 1/2) < k)`` is at least
    0.95 (for n = 20: the 6th and 15th smallest, coverage 0.959).
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    cdf = np.cumsum([math.comb(n, i) / 2**n for i in range(n + 1)])
    k = max((k for k in range(1, n // 2 + 1) if 1 - 2 * cdf[k - 1] >= 0.95), default=0)
    if k == 0:
        raise ValueError(f"too few values ({n}) for a 95% interval of the median")
    return float(np.median(x)), float(x[k - 1]), float(x[n - k])


def mean_interval(values, confidence: float = 0.95) -> tuple[float, float]:
    """Mean of ``values`` (n,) and the half-width of its Student-t interval.

    The interval is ``mean +- t_{(1+c)/2, n-1} * std(ddof=1) / sqrt(n)`` for the
    ``confidence`` c; it describes the spread over the seeds given, not the sampling
    error of a fixed test set.
    """
    from scipy.stats import t

    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(
            f"values must be 1-D with at least 2 entries, got shape {values.shape}"
        )
    half = (
        t.ppf((1 + confidence) / 2, len(values) - 1)
        * values.std(ddof=1)
        / np.sqrt(len(values))
    )
    return float(values.mean()), float(half)


def paired_counts(a, b) -> tuple[int, int, int, int]:
    """Seed by seed, two bool outcomes: ``(both, only a, only b, neither)``."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    return (
        int(np.sum(a & b)),
        int(np.sum(a & ~b)),
        int(np.sum(~a & b)),
        int(np.sum(~a & ~b)),
    )


def exact_sign_test(k: int, n: int) -> float:
    """Two-sided p-value of ``k`` heads in ``n`` fair coin flips (exact binomial).

    Used for paired comparisons: McNemar's exact test is this test on the ``n`` seeds
    where two variants disagree, ``k`` of them in favour of one. 1.0 when ``n = 0``.
    """
    if n == 0:
        return 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    probabilities = [math.comb(n, i) / 2**n for i in range(n + 1)]
    tail = min(sum(probabilities[: k + 1]), sum(probabilities[k:]))
    return float(min(1.0, 2 * tail))


def fisher_exact_p(k_a: int, n_a: int, k_b: int, n_b: int) -> float:
    """Two-sided p of Fisher's exact test: ``k_a`` of ``n_a`` vs ``k_b`` of ``n_b``.

    For two independent samples of runs (no pairing of seeds), via
    ``scipy.stats.fisher_exact`` on the 2x2 table of successes and failures.
    """
    from scipy.stats import fisher_exact

    if not (0 <= k_a <= n_a and 0 <= k_b <= n_b):
        raise ValueError(f"need 0 <= k <= n, got {k_a}/{n_a} and {k_b}/{n_b}")
    table = [[k_a, n_a - k_a], [k_b, n_b - k_b]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of ``p_values`` for multiple comparisons.

    The i-th smallest of m p-values is multiplied by ``m - i`` (i counted from 0),
    made non-decreasing in that order and capped at 1; rejecting where the adjusted
    value is below alpha controls the family-wise error rate at alpha.
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    scaled = np.minimum(1.0, p[order] * (m - np.arange(m)))
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted
