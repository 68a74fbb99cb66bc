"""Hostile input to ``fit``, ``train_step`` and ``accuracy``: bad data, bad parts, NaN."""

import warnings

import numpy as np
from probes import Probe, Raises, Returns, table_test

import bp_lib as bp

rng = np.random.default_rng(0)
X = rng.normal(size=(12, 3))
y = rng.integers(0, 2, size=12)


def net(batch_norm=False):
    layers = [bp.Dense(3, 4, rng=np.random.default_rng(1))]
    if batch_norm:
        layers.append(bp.BatchNorm(4))
    layers += [bp.ReLU(), bp.Dense(4, 2, rng=np.random.default_rng(2))]
    return bp.Sequential(*layers)


def fit(**changes):
    options = dict(model=net(), X=X, Y=y, optimizer=bp.SGD(0.1), epochs=1)
    options.update(changes)
    model, data, target = options.pop("model"), options.pop("X"), options.pop("Y")
    return bp.fit(model, data, target, **options)


def with_nan(array, index=(2, 1)):
    array = np.array(array, dtype=float)
    array[index] = np.nan
    return array


def nan_batch_leaves_batch_norm_untouched():
    model = net(batch_norm=True)
    bn = model.layers[1]
    before = bn.running_mean.copy(), bn.running_var.copy()
    try:
        bp.train_step(model, bp.softmax_cross_entropy, bp.SGD(0.1), with_nan(X), y)
    except ValueError:
        pass
    return np.array_equal(before[0], bn.running_mean) and np.array_equal(before[1], bn.running_var)


def diverging_fit_is_quiet():
    big = bp.Sequential(bp.Dense(3, 1, init=lambda n, m, r: np.full((n, m), 1e150)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            bp.fit(big, X * 1e150, np.ones((12, 1)), optimizer=bp.SGD(1.0), loss_fn=bp.mse_loss, epochs=5)
        except FloatingPointError as error:
            return "step 0" in str(error) and "overflows" in str(error)
    return False


def epoch_loss_weighted():
    model = bp.Sequential(bp.Dense(1, 1, init=lambda n, m, r: np.ones((n, m))))
    X5, Y5 = np.arange(5.0).reshape(5, 1), np.zeros((5, 1))
    history = bp.fit(
        model,
        X5,
        Y5,
        optimizer=bp.SGD(1e-12),
        loss_fn=bp.mse_loss,
        epochs=1,
        batch_size=4,
        rng=np.random.default_rng(0),
    )
    return history.train_loss[0]


def bare_module_gradient_error():
    layer = bp.Dense(1, 1, init=lambda n, m, r: np.ones((n, m)))

    def infinite_gradient(out, target):
        return 0.0, np.full_like(out, np.inf)

    return bp.train_step(layer, infinite_gradient, bp.SGD(0.1), np.ones((2, 1)), np.zeros((2, 1)))


PROBES = [
    Probe("fit model None", lambda: fit(model=None), Raises(TypeError, "model must be a bp_lib Module", "NoneType")),
    Probe(
        "fit optimizer None",
        lambda: fit(optimizer=None),
        Raises(TypeError, "optimizer must be a bp_lib optimiser", "NoneType"),
    ),
    Probe(
        "fit optimizer class",
        lambda: fit(optimizer=bp.SGD),
        Raises(TypeError, "optimizer must be an instance, got the class SGD"),
    ),
    Probe("fit loss_fn None", lambda: fit(loss_fn=None), Raises(TypeError, "loss_fn must be a callable")),
    Probe("fit X list", lambda: fit(X=X.tolist()).train_loss, Returns(lambda losses: len(losses) == 1)),
    Probe("fit X str", lambda: fit(X="data"), Raises(TypeError, "X must be a numeric")),
    Probe("fit X complex", lambda: fit(X=X + 0j), Raises(TypeError, "X must be a real")),
    Probe("fit X NaN", lambda: fit(X=with_nan(X)), Raises(ValueError, "X must be finite", "NaN at index (2, 1)")),
    Probe(
        "fit Y NaN (one-hot)", lambda: fit(Y=with_nan(bp.one_hot(y, 2))), Raises(ValueError, "Y must be finite", "NaN")
    ),
    Probe("fit rows mismatch", lambda: fit(Y=y[:5]), Raises(ValueError, "X has 12 rows but Y has 5")),
    Probe("fit empty", lambda: fit(X=X[:0], Y=y[:0]), Raises(ValueError, "X has no rows")),
    Probe("fit scalar X", lambda: fit(X=1.0, Y=1), Raises(ValueError, "batch axis")),
    Probe("fit epochs 0", lambda: fit(epochs=0), Raises(ValueError, "epochs must be a positive integer, got 0")),
    Probe(
        "fit batch_size 2.5",
        lambda: fit(batch_size=2.5, rng=rng),
        Raises(ValueError, "batch_size must be a positive integer"),
    ),
    Probe(
        "fit batch without rng", lambda: fit(batch_size=4), Raises(TypeError, "rng (needed to shuffle mini-batches)")
    ),
    Probe(
        "fit validation not a pair",
        lambda: fit(validation=X),
        Raises(TypeError, "validation must be a pair (X_val, y_val)", "ndarray"),
    ),
    Probe(
        "fit validation triple",
        lambda: fit(validation=(X, y, y)),
        Raises(TypeError, "validation must be a pair", "length 3"),
    ),
    Probe(
        "fit validation NaN",
        lambda: fit(validation=(with_nan(X), y)),
        Raises(ValueError, "X_val must be finite", "NaN"),
    ),
    Probe(
        "fit validation rows",
        lambda: fit(validation=(X, y[:3])),
        Raises(ValueError, "X_val has 12 rows but y_val has 3"),
    ),
    Probe(
        "fit validation wrong features",
        lambda: fit(validation=(X[:, :2], y)),
        Raises(ValueError, "layer 0", "X has 2 features"),
    ),
    Probe(
        "fit validation records",
        lambda: fit(validation=(X, y)).val_accuracy,
        Returns(lambda acc: len(acc) == 1 and 0 <= acc[0] <= 1),
    ),
    Probe(
        "fit epoch loss weighted by batch",
        epoch_loss_weighted,
        Returns(lambda loss: abs(loss - (0 + 1 + 4 + 9 + 16) / 5) < 1e-6),
    ),
    Probe("fit diverging is quiet", diverging_fit_is_quiet, Returns(lambda ok: ok)),
    Probe("train_step NaN batch spares batch norm", nan_batch_leaves_batch_norm_untouched, Returns(lambda ok: ok)),
    Probe(
        "train_step NaN data blamed on data",
        lambda: bp.train_step(net(), bp.softmax_cross_entropy, bp.SGD(0.1), with_nan(X), y),
        Raises(ValueError, "X (the data, not the training) must be finite"),
    ),
    Probe(
        "train_step bare module gradient",
        bare_module_gradient_error,
        Raises(FloatingPointError, "step 0: the gradient of parameter 'W' is not finite"),
    ),
    Probe(
        "History starts empty",
        lambda: bp.History(),
        Returns(lambda h: h.train_loss == [] and h.val_loss == [] and h.val_accuracy == []),
    ),
    Probe(
        "History lists not shared",
        lambda: bp.History().train_loss is not bp.History().train_loss,
        Returns(lambda ok: ok),
    ),
    Probe(
        "accuracy empty",
        lambda: bp.accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        Raises(ValueError, "scores has no rows"),
    ),
    Probe(
        "accuracy NaN scores",
        lambda: bp.accuracy(np.array([[np.nan, 0.0]]), np.array([0])),
        Raises(ValueError, "scores must be finite", "NaN"),
    ),
    Probe(
        "accuracy 1-D scores",
        lambda: bp.accuracy(np.zeros(3), np.zeros(3, dtype=int)),
        Raises(ValueError, "scores must be (m, K)"),
    ),
    Probe(
        "accuracy labels column",
        lambda: bp.accuracy(np.zeros((3, 2)), np.zeros((3, 1), dtype=int)),
        Raises(ValueError, "y (m,) integer labels", "(3, 1)"),
    ),
    Probe(
        "accuracy complex",
        lambda: bp.accuracy(np.zeros((1, 2)) + 1j, np.array([0])),
        Raises(TypeError, "scores must be a real"),
    ),
    Probe(
        "accuracy right",
        lambda: bp.accuracy(np.array([[0.0, 1.0], [2.0, 1.0]]), np.array([1, 1])),
        Returns(lambda a: a == 0.5),
    ),
]

test_probe = table_test(PROBES)
