import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book.cost import Flops, cached_bytes, call_times, dense_flops, median_time, network_flops, parameter_bytes


def test_dense_flops_backward_is_twice_the_products():
    f = dense_flops(32, 64, 10)
    assert f == Flops(forward=2 * 32 * 64 * 10 + 32 * 10, backward=4 * 32 * 64 * 10 + 32 * 10)
    assert dense_flops(32, 64, 10, input_gradient=False).backward == 2 * 32 * 64 * 10 + 32 * 10


def test_network_flops_sums_the_dense_layers():
    net = bp.Sequential(bp.Dense(4, 5), bp.ReLU(), bp.Dense(5, 3))
    assert network_flops(net, 7) == Flops(
        dense_flops(7, 4, 5).forward + dense_flops(7, 5, 3).forward,
        dense_flops(7, 4, 5).backward + dense_flops(7, 5, 3).backward,
    )
    with pytest.raises(ValueError, match="m must be a positive integer"):
        dense_flops(0, 4, 5)


def test_cached_bytes_counts_what_backward_needs():
    net = bp.Sequential(bp.Dense(4, 5, rng=np.random.default_rng(0)), bp.ReLU(), bp.Dense(5, 3))
    X = np.ones((7, 4))
    net.forward(X)
    # Dense caches X (7, 4) and a reference to W (not counted); ReLU caches Z (7, 5); Dense caches A (7, 5)
    assert cached_bytes(net) == 8 * (7 * 4 + 7 * 5 + 7 * 5)
    assert parameter_bytes(net) == 8 * (4 * 5 + 5 + 5 * 3 + 3)


def test_median_time_calls_the_function_and_returns_seconds():
    calls = []
    assert median_time(lambda: calls.append(1), repeats=3, warmup=2) >= 0
    assert len(calls) == 5


def test_call_times_returns_one_time_per_timed_call():
    calls = []
    times = call_times(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6 and len(times) == 4 and min(times) >= 0
