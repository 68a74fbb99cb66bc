"""bp_lib.book.pass_parts: the parts of a backward pass, run alone."""

import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book import pass_parts


def _net(rng):
    return bp.Sequential(
        bp.Dense(6, 5, rng=rng), bp.ReLU(), bp.Dense(5, 4, rng=rng), bp.ReLU(),
        bp.Dense(4, 3, rng=rng),
    )  # fmt: skip


def test_backward_parts_compute_what_the_backward_pass_computes():
    rng = np.random.default_rng(0)
    net, X = _net(rng), rng.normal(size=(2, 6))
    parts = pass_parts.backward_parts(net, X, np.random.default_rng(1))
    assert list(parts) == [
        "forward products",
        "dW products",
        "dX products",
        "ReLU masks",
        "bias sums",
    ]
    for fn in parts.values():
        fn()
    # the dW products wrote X.T @ dZ for the first layer, with the drawn dZ
    dZ = np.random.default_rng(1).standard_normal((2, 5))
    closure = parts["dW products"].__closure__
    grads = next(c.cell_contents for c in closure if isinstance(c.cell_contents, list))
    np.testing.assert_allclose(grads[0], X.T @ dZ)


def test_part_times_are_positive_medians():
    rng = np.random.default_rng(0)
    parts = pass_parts.backward_parts(_net(rng), rng.normal(size=(1, 6)), rng)
    times = pass_parts.part_times(parts, repeats=3, warmup=1)
    assert set(times) == set(parts) and all(t > 0 for t in times.values())


def test_backward_parts_rejects_a_network_that_does_not_alternate():
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Dense(3, 2, rng=rng), bp.Tanh(), bp.Dense(2, 2, rng=rng))
    with pytest.raises(ValueError, match="alternate"):
        pass_parts.backward_parts(net, rng.normal(size=(1, 3)), rng)
