import numpy as np
import pytest

import bp_lib as bp
from bp_lib.book import attention_study as at


def test_score_variance_is_about_d_unscaled_and_1_scaled():
    result = at.score_variance([2, 16, 64], np.random.default_rng(0), n=20000)
    np.testing.assert_array_equal(result.d, [2, 16, 64])
    np.testing.assert_allclose(result.var_unscaled, [2, 16, 64], rtol=0.1)
    np.testing.assert_allclose(result.var_scaled, 1, rtol=0.1)
    # unscaled scores saturate the softmax more as d grows; scaled ones do not
    assert np.all(np.diff(result.max_prob_unscaled) > 0)
    assert np.all(result.max_prob_unscaled > result.max_prob_scaled)
    assert np.ptp(result.max_prob_scaled) < 0.05


def test_score_variance_is_seeded():
    a = at.score_variance([4], np.random.default_rng(5), n=100)
    b = at.score_variance([4], np.random.default_rng(5), n=100)
    assert a.var_unscaled == b.var_unscaled and a.max_prob_scaled == b.max_prob_scaled


def test_encode_puts_one_token_and_one_position_per_step():
    tokens = np.array([[2, 0, 1], [1, 1, 0]])
    X = at.encode(tokens, V=3)
    assert X.shape == (2, 3, 6)
    np.testing.assert_array_equal(X.sum(axis=-1), 2)
    np.testing.assert_array_equal(X[..., :3].argmax(-1), tokens)
    np.testing.assert_array_equal(X[..., 3:].argmax(-1), [[0, 1, 2], [0, 1, 2]])


@pytest.mark.parametrize("task", at.TASKS)
def test_sequence_data_is_the_task_seeded_and_held_out(task):
    data = at.sequence_data(50, 20, T=4, V=5, seed=3, task=task)
    assert data.X_train.shape == (50, 4, 9) and data.X_test.shape == (20, 4, 9)
    assert data.y_train.shape == (50, 4) and data.y_train.dtype.kind == "i"
    np.testing.assert_array_equal(data.X_train, at.encode(data.tokens_train, 5))
    for tokens, y in ((data.tokens_train, data.y_train), (data.tokens_test, data.y_test)):
        for row, target in zip(tokens, y):
            expected = row[::-1] if task == "reverse" else sorted(row)
            assert list(target) == list(expected)
    train = {tuple(row) for row in data.tokens_train}
    assert len(train) == 50 and not train & {tuple(row) for row in data.tokens_test}
    again = at.sequence_data(50, 20, T=4, V=5, seed=3, task=task)
    np.testing.assert_array_equal(again.tokens_train, data.tokens_train)
    other = at.sequence_data(50, 20, T=4, V=5, seed=4, task=task)
    assert not np.array_equal(other.tokens_train, data.tokens_train)


def test_sequence_data_refuses_impossible_requests():
    with pytest.raises(ValueError, match="only V\\*\\*T = 8 exist"):
        at.sequence_data(6, 3, T=3, V=2, seed=0)
    with pytest.raises(ValueError, match="task must be one of"):
        at.sequence_data(6, 3, T=3, V=4, seed=0, task="shuffle")


def test_models_map_sequences_to_logits_per_position():
    X = at.sequence_data(5, 2, T=6, V=8, seed=0).X_train
    for kind, size in (("transformer", 32), ("mlp", 100)):
        assert at.build(kind, size, 8, 6, seed=0).forward(X).shape == (5, 6, 8)
    counts = [at.parameter_count(at.build(k, s, 8, 6, 0)) for k, s in (("transformer", 32), ("mlp", 100))]
    assert counts == [13384, 13348]  # the defaults the chapter compares: within 1%
    with pytest.raises(ValueError, match="kind must be one of"):
        at.build("rnn", 4, 8, 6, 0)


def test_transformer_is_the_pre_norm_block():
    layers = at.transformer(4, 3, 2, np.random.default_rng(0)).layers
    assert [type(layer).__name__ for layer in layers] == ["Dense", "Residual", "Residual", "LayerNorm", "Dense"]
    assert [type(layer).__name__ for layer in layers[1].block.layers] == ["LayerNorm", "SelfAttention"]
    assert [type(layer).__name__ for layer in layers[2].block.layers] == ["LayerNorm", "Dense", "ReLU", "Dense"]


@pytest.mark.parametrize(("kind", "size"), [("transformer", 4), ("mlp", 5)])
def test_model_gradients_match_centred_differences(kind, size):
    data = at.sequence_data(3, 1, T=3, V=3, seed=1, task="sort")
    model = at.build(kind, size, 3, 3, seed=2)
    for p in model.params.values():  # non-zero biases and gains: every path in use
        p += np.random.default_rng(3).normal(scale=0.3, size=p.shape)
    _, dout = at.sequence_cross_entropy(model.forward(data.X_train), data.y_train)
    model.backward(dout)
    analytic = {name: g.copy() for name, g in model.grads.items()}

    def loss():
        return at.sequence_cross_entropy(model.forward(data.X_train), data.y_train)[0]

    for result in bp.check_gradients(loss, model.params, analytic, tol=1e-6):
        assert result.passed, str(result)


def test_sequence_cross_entropy_is_the_mean_over_positions():
    rng = np.random.default_rng(0)
    Z, y = rng.normal(size=(4, 3, 5)), rng.integers(0, 5, size=(4, 3))
    loss, dZ = at.sequence_cross_entropy(Z, y)
    by_position = [bp.softmax_cross_entropy(Z[:, t], y[:, t])[0] for t in range(3)]
    assert loss == pytest.approx(np.mean(by_position), rel=1e-12)
    assert dZ.shape == Z.shape
    np.testing.assert_allclose(
        dZ, bp.numerical_gradient(lambda: at.sequence_cross_entropy(Z, y)[0], Z), rtol=1e-6, atol=1e-10
    )
    with pytest.raises(ValueError, match="y \\(m, T\\) labels"):
        at.sequence_cross_entropy(Z, y[:, :2])


def test_accuracies_count_positions_and_whole_sequences():
    y = np.array([[0, 1], [1, 1]])
    Z = np.eye(2)[np.array([[0, 1], [1, 0]])]  # the second sequence has one error
    assert at.token_accuracy(Z, y) == 0.75
    assert at.sequence_accuracy(Z, y) == 0.5


def test_unflatten_round_trips():
    layer = at.Unflatten((2, 3))
    X = np.arange(12.0).reshape(2, 6)
    np.testing.assert_array_equal(layer.forward(X), X.reshape(2, 2, 3))
    np.testing.assert_array_equal(layer.backward(layer.forward(X)), X)


def test_a_short_training_run_lowers_the_loss_and_reports_per_seed():
    data = at.sequence_data(64, 16, T=3, V=5, seed=0)
    runs = at.train_runs("transformer", [0, 1], 4, 1e-2, data, size=8, batch_size=16)
    assert runs.curves.shape == (2, 4)
    assert np.all(runs.curves[:, -1] < runs.curves[:, 0])
    assert runs.token_accuracy.shape == runs.sequence_accuracy.shape == runs.seconds.shape == (2,)
    assert np.all(runs.sequence_accuracy <= runs.token_accuracy)
    again = at.train_runs("transformer", [0], 4, 1e-2, data, size=8, batch_size=16)
    np.testing.assert_array_equal(again.curves[0], runs.curves[0])


def test_choose_lr_takes_the_lowest_median_final_loss():
    data = at.sequence_data(32, 8, T=3, V=5, seed=0)
    best, finals = at.choose_lr("mlp", [1e-4, 1e-2], [0, 1, 2], 3, data, size=6, batch_size=8)
    assert set(finals) == {1e-4, 1e-2} and best == min(finals, key=finals.get)
    assert finals[1e-2] < finals[1e-4]


def test_choose_lr_scores_a_diverging_rate_as_infinite(monkeypatch):
    def diverge(*args, **kwargs):
        raise FloatingPointError("step 3: the loss is nan")

    monkeypatch.setattr(at, "train_runs", diverge)
    best, finals = at.choose_lr("mlp", [1.0], [0], 1, None, size=2)
    assert best == 1.0 and finals == {1.0: float("inf")}
