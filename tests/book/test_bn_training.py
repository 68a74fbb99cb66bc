import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bp_lib as bp  # noqa: E402
from bp_lib.book import bn_training as bt  # noqa: E402
from bp_lib.data import spirals  # noqa: E402


def _data():
    return spirals(20, 3, np.random.default_rng(7), noise=0.15)


def test_deep_relu_net_has_the_requested_blocks():
    plain = bt.deep_relu_net(False, "he", depth=3, width=5, seed=0)
    normed = bt.deep_relu_net(True, "he", depth=3, width=5, seed=0)
    assert [type(layer).__name__ for layer in plain.layers] == ["Dense", "ReLU"] * 3 + ["Dense"]
    assert [type(layer).__name__ for layer in normed.layers].count("BatchNorm") == 3
    assert plain.forward(np.ones((4, 2))).shape == (4, 3)
    # same seed, same weights with and without batch norm
    np.testing.assert_array_equal(plain.layers[0].params["W"], normed.layers[0].params["W"])


def test_dead_units_counts_units_zero_on_every_row_and_leaves_the_model_alone():
    net = bp.Sequential(bp.Dense(2, 3, rng=np.random.default_rng(0)), bp.ReLU())
    net.layers[0].params["W"][:] = [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]
    net.layers[0].params["b"][:] = [0.0, 0.0, -1.0]
    X = np.array([[1.0, 0.0], [2.0, 5.0]])  # unit 0 positive, unit 1 negative, unit 2 -1
    np.testing.assert_array_equal(bt.dead_units(net, X), [2 / 3])

    normed = bt.deep_relu_net(True, "lecun", depth=2, width=4, seed=0)
    before = normed.layers[1].running_mean.copy()
    assert not bt.dead_units(normed, np.random.default_rng(1).normal(size=(16, 2))).any()
    np.testing.assert_array_equal(normed.layers[1].running_mean, before)


def test_train_run_is_deterministic_and_records_the_losses():
    X, y = _data()
    kwargs = dict(batch_norm=False, init="he", effective_step=0.1, momentum=0.9, seed=0, epochs=3)
    first, second = bt.train_run(X, y, **kwargs), bt.train_run(X, y, **kwargs)
    assert first.outcome == "finished" and len(first.losses) == 3
    assert first.final_loss == second.final_loss
    assert first.epoch_loss == pytest.approx(np.mean(first.losses))
    assert math.isfinite(first.final_loss) and first.final_loss > 0
    assert first.dead_before.shape == first.dead_after.shape == (8,)


def test_train_run_catches_a_divergence():
    X, y = _data()
    run = bt.train_run(
        X,
        y,
        batch_norm=False,
        init="he",
        effective_step=1e6,
        momentum=0.0,
        seed=0,
        epochs=3,
    )
    assert run.outcome == "diverged" and math.isnan(run.final_loss) and run.dead_after is None
    assert bt.final_losses([run])[0] == math.inf


def test_sweep_and_summary():
    X, y = _data()
    results = bt.sweep(X, y, {"He": (False, "he")}, [0.1], momentum=0.9, seeds=range(2), epochs=2)
    assert list(results) == [("He", 0.1)] and len(results["He", 0.1]) == 2
    losses = bt.final_losses(results["He", 0.1])
    assert bt.summary(results["He", 0.1], trained_below=10) == (
        f"{np.median(losses):.2f} [{losses.min():.2f}, {losses.max():.2f}]"
    )
    assert bt.summary(results["He", 0.1], trained_below=0.0) == "0/0/2/0"


def test_plot_sweep_draws_one_line_per_label():
    X, y = _data()
    results = bt.sweep(X, y, {"He": (False, "he")}, [0.1, 1e6], momentum=0.0, seeds=range(2), epochs=1)
    fig, ax = plt.subplots()
    bt.plot_sweep(ax, results, ["He"], [0.1, 1e6], styles={"He": {"label": "without"}})
    labels = ax.get_legend_handles_labels()[1]
    assert "without" in labels and "chance, log 3" in labels
    plt.close(fig)


def _run(outcome, final):
    return bt.Run(outcome, final, final, [], np.zeros(1), None)


def test_verdict_sorts_runs_with_one_threshold():
    assert bt.verdict(_run("diverged", math.nan)) == "diverged"
    assert bt.verdict(_run("finished", math.inf)) == "diverged"
    assert bt.verdict(_run("finished", math.log(3) + 0.01)) == "at chance"
    assert bt.verdict(_run("finished", 0.9)) == "above threshold"
    assert bt.verdict(_run("finished", 0.2)) == "trained"
    assert bt.verdict(_run("finished", 0.2), trained_below=0.1) == "above threshold"
    runs = [_run("diverged", math.nan), _run("finished", 1.1), _run("finished", 0.1)]
    assert bt.counts(runs) == {
        "diverged": 1,
        "at chance": 1,
        "above threshold": 0,
        "trained": 1,
    }
    assert bt.summary(runs) == "1/1/0/1"


def test_final_loss_is_the_eval_mode_loss_on_the_whole_set():
    X, y = _data()
    kwargs = dict(init="lecun", effective_step=0.1, momentum=0.9, seed=0, epochs=2)
    run = bt.train_run(X, y, batch_norm=True, **kwargs)
    # replay the same training and score the network in evaluation mode by hand
    model = bt.deep_relu_net(True, "lecun", seed=0)
    rng = np.random.default_rng(1000)
    optimizer = bp.SGD(0.1 * (1 - 0.9), momentum=0.9)
    for _ in range(2):
        bp.fit(model, X, y, optimizer=optimizer, epochs=1, batch_size=32, rng=rng)
    expected = bp.softmax_cross_entropy(model.eval().forward(X), y)[0]
    assert run.final_loss == pytest.approx(expected, rel=1e-12)
    assert run.epoch_loss == pytest.approx(np.mean(run.losses[-5:]))


def test_train_run_nudge_zero_is_the_default_and_a_nudge_changes_the_weights_only_slightly():
    X, y = spirals(20, 3, np.random.default_rng(0), noise=0.1)
    kwargs = dict(batch_norm=True, init="he", effective_step=0.1, momentum=0.9, seed=0, epochs=2)
    plain, zero = bt.train_run(X, y, **kwargs), bt.train_run(X, y, nudge=0.0, **kwargs)
    assert plain.losses == zero.losses
    nudged = bt.train_run(X, y, nudge=1e-12, **kwargs)
    assert nudged.losses != plain.losses
    assert np.allclose(nudged.losses, plain.losses, rtol=1e-6)
