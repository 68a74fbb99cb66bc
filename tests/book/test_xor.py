import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book.xor import (
    PLATEAUS,
    Runs,
    best_line_mse,
    diagnose,
    learned_within,
    learned_xor,
    predict_by_group,
    run_variants,
    share,
    sign_pattern,
    train_many,
    tutorial_net,
    tutorial_weights,
    zero_net,
)
from bp_lib.data import xor

X, Y = xor()
NAMES = {"W1": "0.W", "b1": "0.b", "W2": "2.W", "b2": "2.b"}


def test_tutorial_weights_are_those_of_tutorial_net():
    stacked = tutorial_weights([0, 5], hidden=4, init_scale=0.5)
    for row, seed in enumerate([0, 5]):
        net = tutorial_net(seed, hidden=4, init_scale=0.5)
        for name, key in NAMES.items():
            np.testing.assert_array_equal(stacked[name][row], net.params[key])


@pytest.mark.parametrize("loss, loss_fn", [("bce", bp.binary_cross_entropy), ("mse", bp.mse_loss)])
def test_train_many_equals_bp_fit_seed_by_seed(loss, loss_fn):
    seeds, lrs = [0, 3, 7], np.array([0.1, 0.5, 1.0])
    runs = train_many(tutorial_weights(seeds, init_scale=1.0), lrs, 300, loss=loss)
    for row, (seed, lr) in enumerate(zip(seeds, lrs)):
        net = tutorial_net(seed, init_scale=1.0)
        history = bp.fit(net, X, Y, optimizer=bp.SGD(lr), loss_fn=loss_fn, epochs=300)
        np.testing.assert_allclose(runs.loss[:, row], history.train_loss, rtol=1e-12)
        for name, key in NAMES.items():
            np.testing.assert_allclose(runs.weights[name][row], net.params[key], rtol=1e-10, atol=1e-14)


def test_train_many_does_not_modify_its_input_and_records_first_learned():
    weights = tutorial_weights([0])
    before = {name: value.copy() for name, value in weights.items()}
    runs = train_many(weights, 0.1, 2000)
    for name in weights:
        np.testing.assert_array_equal(weights[name], before[name])
    first = runs.first_learned[0]
    assert 0 < first < 2000
    net = tutorial_net(0)
    bp.fit(net, X, Y, optimizer=bp.SGD(0.1), loss_fn=bp.binary_cross_entropy, epochs=first)
    assert np.all((net.forward(X) > 0.5) == (Y == 1))


def test_train_many_rejects_an_unknown_loss():
    with pytest.raises(ValueError, match="loss must be one of"):
        train_many(tutorial_weights([0]), 0.1, 1, loss="hinge")


def test_diagnose_a_hand_built_solution_and_a_dead_network():
    # h1 = relu(x1 + x2), h2 = relu(x1 + x2 - 1): out = 10 h1 - 20 h2 - 5 solves XOR
    solved = {
        "W1": np.array([[[1.0, 1.0], [1.0, 1.0]]]),
        "b1": np.array([[0.0, -1.0]]),
        "W2": np.array([[[10.0], [-20.0]]]),
        "b2": np.array([[-5.0]]),
    }
    dead = {name: np.zeros_like(value) for name, value in solved.items()}
    both = {name: np.concatenate([solved[name], dead[name]]) for name in solved}
    d = diagnose(both)
    assert d["learned"].tolist() == [True, False]
    assert d["live"].tolist() == [2, 0]
    assert d["covered"].tolist() == [3, 0]
    assert d["mixed"].tolist() == [False, True]
    assert d["linear"].tolist() == [False, False]
    assert d["grad_norm"][1] == 0.0  # sigma(0) - y sums to zero over XOR
    assert d["loss"][1] == pytest.approx(np.log(2))


def test_diagnose_flags_a_network_that_is_linear_on_the_four_inputs():
    linear = {
        "W1": np.array([[[1.0], [1.0]]]),
        "b1": np.array([[1.0]]),
        "W2": np.array([[[0.5]]]),
        "b2": np.array([[0.0]]),
    }
    d = diagnose(linear)
    assert d["linear"].tolist() == [True] and d["covered"].tolist() == [4]


def test_plateaus_are_the_cross_entropy_of_their_outputs():
    def bce(outputs):
        return bp.binary_cross_entropy(np.array(outputs)[:, None], Y)[0]

    values = list(PLATEAUS.values())
    assert values[0] == pytest.approx(bce([0.5, 0.5, 0.5, 0.5]))
    assert values[1] == pytest.approx(bce([1 / 3, 1 - 1e-12, 1 / 3, 1 / 3]), abs=1e-9)
    assert values[2] == pytest.approx(bce([0.5, 1 - 1e-12, 0.5, 1e-12]), abs=1e-9)


def test_best_line_mse_never_beats_a_quarter():
    best = best_line_mse(np.linspace(0, 2 * np.pi, 37), [0.0, 5.0, 20.0], [-30, -2, 0, 30])
    assert best.shape == (37, 3)
    assert np.all(best >= 0.25 - 1e-12)
    np.testing.assert_allclose(best[:, 0], 0.25)


def test_run_variants_equals_training_each_variant_alone():
    variants = {
        "a": dict(hidden=3, init_scale=1.0, lr=0.1, loss="bce"),
        "b": dict(hidden=2, init_scale=0.5, lr=0.3, loss="mse"),
        "c": dict(hidden=3, init_scale=0.5, lr=1.0, loss="bce"),
    }
    runs = run_variants(variants, [1, 2], 50)
    assert list(runs) == ["a", "b", "c"]
    for name, v in variants.items():
        alone = train_many(
            tutorial_weights([1, 2], v["hidden"], v["init_scale"]),
            v["lr"],
            50,
            v["loss"],
        )
        np.testing.assert_allclose(runs[name].loss, alone.loss, rtol=1e-12)
        np.testing.assert_array_equal(runs[name].first_learned, alone.first_learned)


@pytest.mark.parametrize("seed", [0, 6])
def test_first_learned_at_the_books_setting_matches_bp_fit_on_both_sides(seed):
    # init x 0.01, lr 0.1, the ReLU kinks of the book's runs; seed 0 learns at 1350
    first = train_many(tutorial_weights([seed]), 0.1, 2000).first_learned[0]
    assert 0 < first < 2000
    for epochs, expected in [(first, True), (first - 1, False)]:
        net = tutorial_net(seed)
        bp.fit(
            net,
            X,
            Y,
            optimizer=bp.SGD(0.1),
            loss_fn=bp.binary_cross_entropy,
            epochs=epochs,
        )
        assert learned_xor(net, X, Y) is expected


def test_learned_within_and_share():
    runs = Runs(weights={}, loss=np.zeros((1, 3)), first_learned=np.array([5, -1, 0]))
    assert learned_within(runs, 5).tolist() == [False, False, True]
    assert learned_within(runs, 6).tolist() == [True, False, True]
    assert share(81, 200) == " 81 of 200: 0.41 [0.34, 0.47]"


def test_zero_net_is_all_zero():
    net = zero_net(bp.ReLU())
    assert all(np.all(p == 0) for p in net.params.values())
    np.testing.assert_array_equal(net.forward(X), 0.5)


def test_sign_pattern_ignores_the_order_of_units():
    w = tutorial_weights([3])
    swapped = {k: v.copy() for k, v in w.items()}
    swapped["W1"] = w["W1"][:, :, ::-1].copy()
    swapped["W2"] = w["W2"][:, ::-1, :].copy()
    assert sign_pattern(w) == sign_pattern(swapped)
    flipped = {k: v.copy() for k, v in w.items()}
    flipped["W2"] = -w["W2"]
    assert sign_pattern(flipped) != sign_pattern(w)
    one = {"W1": np.array([[[1.0], [-1.0]]]), "W2": np.array([[[2.0]]])}
    assert sign_pattern(one) == [(1 + 4,)]


def test_predict_by_group():
    seen, prediction = predict_by_group(["a", "a", "a", "b", "b"], [1, 1, 0, 1, 0], ["a", "b", "c"])
    assert seen.tolist() == [True, True, False]
    assert prediction.tolist() == [True, False, False]  # a tie predicts failure
