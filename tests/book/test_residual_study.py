import math
from types import SimpleNamespace

import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book import residual_study as rs


def _tiny_data(seed=0, n_in=6, m=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n_in))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    return SimpleNamespace(X_train=X, y_train=y, X_test=X[:10], y_test=y[:10])


@pytest.mark.parametrize(
    ("kind", "inner"),
    [
        ("plain MLP", ["Dense", "ReLU"]),
        ("residual", ["Dense", "ReLU"]),
        ("plain", ["LayerNorm", "Dense", "ReLU", "Dense"]),
        ("pre-norm", ["LayerNorm", "Dense", "ReLU", "Dense"]),
    ],
)
def test_blocks_have_the_documented_layers(kind, inner):
    block = rs.make_block(kind, 4, np.random.default_rng(0))
    skip = isinstance(block, bp.Residual)
    assert skip == (kind in ("residual", "pre-norm"))
    layers = (block.block if skip else block).layers
    assert [type(layer).__name__ for layer in layers] == inner


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        rs.make_block("resnet", 4, np.random.default_rng(0))


def test_plain_and_pre_norm_share_their_weights_and_differ_only_by_the_skip():
    plain = rs.deep_net("plain", 3, 5, seed=2, n_in=4, n_out=3)
    skip = rs.deep_net("pre-norm", 3, 5, seed=2, n_in=4, n_out=3)
    assert plain.params.keys() == skip.params.keys()
    for name in plain.params:
        np.testing.assert_array_equal(plain.params[name], skip.params[name])
    X = np.random.default_rng(3).normal(size=(6, 4))
    # by hand: x <- x + block(x) with the plain net's own blocks
    x = plain.layers[0].forward(X)
    for block in plain.layers[1:-1]:
        x = x + block.forward(x)
    np.testing.assert_allclose(skip.forward(X), plain.layers[-1].forward(x), rtol=1e-12)


def test_input_gradient_norms_are_the_norms_of_the_gradient_entering_each_block():
    rng = np.random.default_rng(4)
    model = rs.deep_net("pre-norm", 4, 5, seed=1, n_in=3, n_out=2)
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, size=7)
    norms = rs.input_gradient_norms(model, X, y)
    assert norms.shape == (4,)
    # block 1's input is X after the first Dense: perturb it there and differentiate
    H = model.layers[0].forward(X)
    rest = bp.Sequential(*model.layers[1:])

    def loss():
        return bp.softmax_cross_entropy(rest.forward(H), y)[0]

    numeric = bp.numerical_gradient(loss, H, eps=1e-5)
    assert norms[0] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)


def test_the_skip_keeps_the_gradient_from_vanishing_at_initialisation():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(32, 8)), rng.integers(0, 3, size=32)
    norms = {
        kind: rs.input_gradient_norms(rs.deep_net(kind, 30, 16, seed=0, n_in=8, n_out=3, init="lecun"), X, y)
        for kind in ("plain MLP", "pre-norm")
    }
    # LeCun's variance halves the signal per ReLU layer: 30 layers shrink it ~2**-15
    assert norms["plain MLP"][0] < 1e-3 * norms["plain MLP"][-1]
    assert norms["pre-norm"][0] > norms["pre-norm"][-1]


def test_row_similarity():
    assert rs.row_similarity(np.array([[1.0, 0.0], [2.0, 0.0]])) == pytest.approx(1.0)
    assert rs.row_similarity(np.array([[1.0, 0.0], [0.0, 3.0]])) == pytest.approx(0.0)
    assert rs.row_similarity(np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])) == pytest.approx(-1 / 3)


def test_digits_subset_shapes():
    data = rs.digits(100)
    assert data.X_train.shape == (100, 64) and data.y_train.shape == (100,)
    assert data.X_test.shape == (450, 64)


def test_train_run_is_deterministic_and_records_the_outcome():
    data = _tiny_data()
    options = dict(depth=3, width=8, epochs=3, batch_size=16)
    first = rs.train_run(data, "pre-norm", 0.01, 0, **options)
    second = rs.train_run(data, "pre-norm", 0.01, 0, **options)
    assert first.outcome == "finished" and len(first.losses) == 3
    assert first.final_loss == second.final_loss and first.losses == second.losses
    assert 0 <= first.test_accuracy <= 1
    assert first.trained == (first.final_loss <= rs.TRAINED_BELOW)


def test_train_run_records_a_divergence():
    run = rs.train_run(_tiny_data(), "residual", 1e3, 0, depth=6, width=8, epochs=3)
    assert run.outcome == "diverged" and math.isnan(run.final_loss) and not run.trained


def test_a_floating_point_error_in_the_final_evaluation_is_a_divergence(monkeypatch):
    def overflowing(*args):
        raise FloatingPointError("the variance of row (0,) of X overflows float64")

    monkeypatch.setattr(rs, "accuracy", overflowing)
    run = rs.train_run(_tiny_data(), "pre-norm", 0.01, 0, depth=2, width=4, epochs=1)
    assert run.outcome == "diverged" and math.isnan(run.final_loss) and len(run.losses) == 1


def test_the_threshold_is_chapter_11s():
    from bp_lib.book import bn_training

    assert rs.TRAINED_BELOW is bn_training.TRAINED_BELOW == 0.5


def test_a_short_residual_run_trains_on_the_tiny_problem():
    run = rs.train_run(_tiny_data(), "pre-norm", 0.01, 0, depth=3, width=16, epochs=40, batch_size=8)
    assert run.trained, run.final_loss


def test_sweep_and_summary():
    data = _tiny_data()
    runs = rs.sweep(data, ["plain", "pre-norm"], [0.01], range(2), depth=2, width=4, epochs=1)
    assert set(runs) == {("plain", 0.01), ("pre-norm", 0.01)}
    assert [r.seed for r in runs["plain", 0.01]] == [0, 1]
    made = [
        rs.Run("plain", 0.1, 0, "finished", 0.2, 0.9, []),
        rs.Run("plain", 0.1, 1, "finished", 0.7, 0.6, []),
        rs.Run("plain", 0.1, 2, "diverged", math.nan, math.nan, []),
    ]
    assert rs.summary(made) == "1/3  0.70"
