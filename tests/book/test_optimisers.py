import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book.optimisers import (
    dead_units,
    heavy_ball_diverges,
    initial_weights,
    spiral_net,
    sweep,
    train_many,
)
from bp_lib.data import spirals

X, y = spirals(20, 3, np.random.default_rng(7), noise=0.15)  # 60 points


@pytest.mark.parametrize(
    "kind, make, lr",
    [
        ("sgd", lambda: bp.SGD(0.5), 0.5),
        ("momentum", lambda: bp.SGD(0.05, momentum=0.9), 0.05),
        ("adam", lambda: bp.Adam(0.03), 0.03),
    ],
)
def test_train_many_equals_bp_fit_seed_by_seed(kind, make, lr):
    seeds = [0, 4]
    losses = train_many(initial_weights(seeds), X, y, kind, lr, [100 + s for s in seeds], 8)
    for row, seed in enumerate(seeds):
        history = bp.fit(
            spiral_net(seed),
            X,
            y,
            optimizer=make(),
            epochs=8,
            batch_size=32,
            rng=np.random.default_rng(100 + seed),
        )
        np.testing.assert_allclose(losses[row], history.train_loss, rtol=1e-10)


def test_train_many_freezes_a_diverged_run_and_keeps_its_input():
    w = initial_weights([0, 1])
    before = {k: v.copy() for k, v in w.items()}
    losses = train_many(w, X, y, "sgd", [1e300, 0.1], [0, 1], epochs=5)
    assert np.isnan(losses[0, -1]) and np.all(np.isfinite(losses[1]))
    for k in w:
        np.testing.assert_array_equal(w[k], before[k])
    with pytest.raises(ValueError, match="kind must be one of"):
        train_many(w, X, y, "rmsprop", 0.1, [0, 1])


def test_sweep_groups_settings_as_separate_calls_would():
    grids = {"SGD": ("sgd", [0.1, 0.3]), "Adam": ("adam", [0.01])}
    out = sweep(grids, X, y, [2, 3], epochs=3)
    assert list(out) == [("SGD", 0.1), ("SGD", 0.3), ("Adam", 0.01)]
    alone = train_many(initial_weights([2, 3]), X, y, "sgd", 0.3, [102, 103], 3)
    np.testing.assert_allclose(out["SGD", 0.3], alone[:, -1], rtol=1e-12)


def test_initial_weights_perturbation_is_tiny_and_relative():
    plain, nudged = initial_weights([5]), initial_weights([5], perturb=1e-12)
    np.testing.assert_array_equal(plain["0.W"][0], spiral_net(5).params["0.W"])
    change = np.abs(nudged["0.W"] - plain["0.W"]) / np.abs(plain["0.W"])
    assert 0 < change.max() < 1e-10


def test_heavy_ball_stability_limits():
    # plain: stable iff eta h < 2; momentum: iff eta h < 2 (1 + mu)
    assert not heavy_ball_diverges(1.0, 1.9) and heavy_ball_diverges(1.0, 2.1)
    assert not heavy_ball_diverges(0.1, 37.0, mu=0.9)
    assert heavy_ball_diverges(0.1, 39.0, mu=0.9)
    assert heavy_ball_diverges(1.0, 1e3)  # no overflow, still True


def test_dead_units():
    net = spiral_net(0)
    net.params["0.W"][:, :3] = 0.0
    net.params["0.b"][:3] = -1.0
    assert dead_units(net, X) >= 3
    net.params["0.b"][:] = 100.0
    assert dead_units(net, X) == 0
