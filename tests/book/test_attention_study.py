from types import SimpleNamespace

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
    # saturation starves the scores' gradient; scaled, it stays about the same size
    assert result.grad_scores_unscaled[-1] < 0.5 * result.grad_scores_unscaled[0]
    assert np.ptp(result.grad_scores_scaled) < 0.2 * result.grad_scores_scaled.mean()


def test_score_variance_gradients_are_the_chain_rule_through_the_library():
    rng = np.random.default_rng(1)
    result = at.score_variance([1, 9], rng, n=10, keys=4, rows=3)
    # d = 1: scaling by sqrt(1) changes nothing, so both versions agree exactly
    assert result.grad_scores_unscaled[0] == result.grad_scores_scaled[0]
    assert result.grad_query_unscaled[0] == result.grad_query_scaled[0]
    # d = 9, redone by hand: unscaled scores q . k, dq = dZ K, by centred differences
    rng = np.random.default_rng(1)
    for size in (1, 9):
        rng.standard_normal((2, 10, size))
        Q, K = rng.standard_normal((3, 1, size)), rng.standard_normal((3, 4, size))
        V, dout = rng.standard_normal((3, 4, 8)), rng.standard_normal((3, 1, 8))

    def query_gradient_norm(q, K, V, dout):
        q = q.copy()  # perturbed in place by numerical_gradient, read by loss

        def loss():
            return np.sum(bp.softmax(q @ K.T) @ V * dout)

        return np.linalg.norm(bp.numerical_gradient(loss, q))

    norms = [query_gradient_norm(Q[i], K[i], V[i], dout[i]) for i in range(3)]
    assert result.grad_query_unscaled[1] == pytest.approx(np.median(norms), rel=1e-6)


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


def test_sequence_data_draws_a_validation_set_apart_from_the_others():
    data = at.sequence_data(40, 20, T=3, V=5, seed=2, task="sort", n_val=30)
    assert data.X_val.shape == (30, 3, 8) and data.y_val.shape == (30, 3)
    np.testing.assert_array_equal(data.y_val, np.sort(data.tokens_val, axis=1))
    sets = [{tuple(r) for r in t} for t in (data.tokens_train, data.tokens_test, data.tokens_val)]
    assert [len(x) for x in sets] == [40, 20, 30]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert at.sequence_data(40, 20, T=3, V=5, seed=2).X_val is None
    with pytest.raises(ValueError, match="n_val must be an integer >= 0"):
        at.sequence_data(40, 20, T=3, V=5, seed=2, n_val=-1)
    with pytest.raises(ValueError, match="only V\\*\\*T = 125 exist"):
        at.sequence_data(40, 20, T=3, V=5, seed=2, n_val=70)


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
    runs = at.train_runs("transformer", [0, 1], 4, 1e-2, data, size=8, batch_size=16, test_every=2)
    assert runs.curves.shape == (2, 4)
    assert np.all(runs.curves[:, -1] < runs.curves[:, 0])
    fields = ("token_accuracy", "sequence_accuracy", "train_accuracy", "val_accuracy", "seconds")
    assert all(getattr(runs, name).shape == (2,) for name in fields)
    assert np.all(runs.sequence_accuracy <= runs.token_accuracy)
    assert np.all(np.isnan(runs.val_accuracy))  # no validation set drawn
    np.testing.assert_array_equal(runs.test_epochs, [2, 4])
    np.testing.assert_array_equal(runs.test_curves[:, -1], runs.token_accuracy)
    again = at.train_runs("transformer", [0], 4, 1e-2, data, size=8, batch_size=16)
    np.testing.assert_array_equal(again.curves[0], runs.curves[0])
    assert again.test_curves.shape == (1, 4)


def test_train_runs_trains_as_one_call_of_fit_and_measures_what_it_says():
    data = at.sequence_data(48, 16, T=3, V=5, seed=1, task="sort", n_val=16)
    runs = at.train_runs("mlp", [3], 5, 1e-2, data, size=6, batch_size=16)
    model = at.build("mlp", 6, 5, 3, 3)
    history = bp.fit(
        model,
        data.X_train,
        data.y_train,
        optimizer=bp.Adam(1e-2),
        loss_fn=at.sequence_cross_entropy,
        epochs=5,
        batch_size=16,
        rng=np.random.default_rng(1003),
    )
    np.testing.assert_allclose(runs.curves[0], history.train_loss, rtol=1e-12)
    model.eval()
    for X, y, measured in [
        (data.X_train, data.y_train, runs.train_accuracy),
        (data.X_test, data.y_test, runs.token_accuracy),
        (data.X_val, data.y_val, runs.val_accuracy),
    ]:
        assert measured[0] == at.token_accuracy(model.forward(X), y)


def test_choose_lr_takes_the_highest_median_validation_accuracy():
    data = at.sequence_data(32, 8, T=3, V=5, seed=0, n_val=40)
    best, scores = at.choose_lr("mlp", [1e-4, 1e-2], [0, 1, 2], 3, data, size=6, batch_size=8)
    assert set(scores) == {1e-4, 1e-2}
    runs = at.train_runs("mlp", [0, 1, 2], 3, 1e-2, data, size=6, batch_size=8)
    assert scores[1e-2] == (np.median(runs.val_accuracy), np.median(runs.curves[:, -1]))
    assert best == max(scores, key=lambda lr: (scores[lr][0], -scores[lr][1]))


def test_choose_lr_breaks_ties_by_the_training_loss_and_needs_a_validation_set(monkeypatch):
    data = at.sequence_data(32, 8, T=3, V=5, seed=0, n_val=8)

    def fake(kind, seeds, epochs, lr, data, **options):
        return SimpleNamespace(val_accuracy=np.array([0.5]), curves=np.array([[lr]]))

    monkeypatch.setattr(at, "train_runs", fake)
    assert at.choose_lr("mlp", [0.3, 0.1, 0.2], [0], 1, data, size=2)[0] == 0.1
    with pytest.raises(ValueError, match="needs a validation set"):
        at.choose_lr("mlp", [0.1], [0], 1, at.sequence_data(8, 4, T=3, V=5, seed=0), size=2)


def test_choose_lr_scores_a_diverging_rate_as_infinite(monkeypatch):
    def diverge(*args, **kwargs):
        raise FloatingPointError("step 3: the loss is nan")

    monkeypatch.setattr(at, "train_runs", diverge)
    data = SimpleNamespace(X_val=np.zeros((1, 1, 1)))
    best, scores = at.choose_lr("mlp", [1.0], [0], 1, data, size=2)
    assert best == 1.0 and scores == {1.0: (-float("inf"), float("inf"))}
