import numpy as np

import bp_lib as bp
from bp_lib.book.dropout_study import digits_net, noisy_digits, train_run


def test_noisy_digits_redraws_and_marks_the_changed_labels():
    data = noisy_digits(n=120, rate=0.5, seed=3)
    assert data.X.shape == (120, 64) and data.y.shape == data.y_true.shape == (120,)
    np.testing.assert_array_equal(data.y[~data.redrawn], data.y_true[~data.redrawn])
    np.testing.assert_array_equal(data.changed, data.y != data.y_true)
    assert not (data.changed & ~data.redrawn).any()
    assert 0 < data.changed.sum() < data.redrawn.sum()
    assert len(data.X_test) == len(data.y_test) > 800


def test_noisy_digits_is_deterministic_and_rate_zero_is_clean():
    a, b = noisy_digits(seed=1), noisy_digits(seed=1)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    clean = noisy_digits(rate=0.0)
    assert not clean.redrawn.any() and not clean.changed.any()


def test_digits_net_has_dropout_only_when_asked():
    def kinds(net):
        return [type(layer).__name__ for layer in net.layers]

    assert kinds(digits_net(0.0, 0)).count("Dropout") == 0
    assert kinds(digits_net(0.5, 0)).count("Dropout") == 2
    assert digits_net(0.5, 0).forward(np.zeros((2, 64))).shape == (2, 10)


def test_train_run_equals_one_fit_call_and_measures_in_eval_mode():
    data = noisy_digits(n=64, seed=2)
    run = train_run(data, 0.5, seed=4, epochs=3, lr=1e-2, batch_size=16)
    net = digits_net(0.5, 4)
    history = bp.fit(
        net,
        data.X,
        data.y,
        optimizer=bp.Adam(1e-2),
        epochs=3,
        batch_size=16,
        rng=np.random.default_rng(1004),
    )
    np.testing.assert_allclose(run.train_loss, history.train_loss, rtol=1e-12)
    net.eval()
    scores = net.forward(data.X)
    assert run.eval_loss[-1] == bp.softmax_cross_entropy(scores, data.y)[0]
    hits = scores.argmax(axis=1)[data.changed] == data.y[data.changed]
    assert run.memorised[-1] == np.mean(hits)
    assert run.test_accuracy[-1] == bp.accuracy(net.forward(data.X_test), data.y_test)
    assert run.epochs == [1, 2, 3] and run.at(3)["eval_loss"] == run.eval_loss[-1]


def test_train_run_records_only_the_asked_epochs():
    data = noisy_digits(n=64, seed=2)
    full = train_run(data, 0.0, seed=1, epochs=4, batch_size=32)
    some = train_run(data, 0.0, seed=1, epochs=4, batch_size=32, record={2, 4})
    assert some.epochs == [2, 4]
    assert some.test_accuracy == [full.test_accuracy[1], full.test_accuracy[3]]
    assert full.best_epoch() == full.epochs[int(np.argmax(full.test_accuracy))]
