"""Chapter 12's experiment: dropout and the memorisation of noisy digit labels.

:func:`noisy_digits` takes a small subset of scikit-learn's 8x8 digits and redraws
a fraction of its labels at random; :func:`digits_net` builds the 64-128-128-10 ReLU
network, with or without dropout after each hidden layer; :func:`train_run` trains it
with ``bp.fit`` and ``bp.Adam`` one epoch at a time and records, after every epoch and
in evaluation mode, what the chapter measures: the training loss on the noisy labels,
the fraction of the changed labels that the network reproduces, and the test accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from ..activations import ReLU
from ..core import Sequential
from ..data import load_digits_split
from ..dense import Dense
from ..dropout import Dropout
from ..losses import softmax_cross_entropy
from ..optim import Adam
from ..train import accuracy, fit


def noisy_digits(n: int = 300, rate: float = 0.3, seed: int = 0) -> SimpleNamespace:
    """``n`` training digits, each label redrawn uniformly from 0-9 with prob. ``rate``.

    The digits are split half/half (``load_digits_split(0.5, seed=0)``); ``n`` training
    images are chosen with ``np.random.default_rng(seed)``, which then draws which
    labels are redrawn and their new values. A redrawn label can equal the true one.
    Returns a namespace with ``X`` (n, 64), ``y`` (the labels trained on), ``y_true``,
    the boolean masks ``redrawn`` and ``changed`` (redrawn to a different class), and
    the test set ``X_test``, ``y_test`` with its true labels.
    """
    digits = load_digits_split(test_fraction=0.5, seed=0)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(digits.X_train), n, replace=False)
    y_true = digits.y_train[chosen]
    redrawn = rng.random(n) < rate
    y = y_true.copy()
    y[redrawn] = rng.integers(0, 10, redrawn.sum())
    return SimpleNamespace(
        X=digits.X_train[chosen],
        y=y,
        y_true=y_true,
        redrawn=redrawn,
        changed=y != y_true,
        X_test=digits.X_test,
        y_test=digits.y_test,
    )


def digits_net(p: float, seed: int) -> Sequential:
    """64-128-128-10 ReLU network, ``Dropout(p)`` after each hidden layer if ``p > 0``.

    Weights and dropout masks are drawn from ``np.random.default_rng(seed)``; the
    output layer uses Xavier initialisation, the hidden layers the default.
    """
    rng = np.random.default_rng(seed)
    layers = []
    for n_in in (64, 128):
        layers += [Dense(n_in, 128, rng=rng), ReLU()]
        if p > 0:
            layers.append(Dropout(p, rng=rng))
    return Sequential(*layers, Dense(128, 10, init="xavier", rng=rng))


@dataclass
class Run:
    """Measurements of one run after each epoch listed in ``epochs`` (counted from 1).

    ``train_loss``: the epoch's loss as ``bp.fit`` reports it (batches weighted by size;
    dropout on, when the network has dropout). ``eval_loss``: the loss on the whole
    noisy training set in evaluation mode. ``memorised``: fraction of the changed
    labels the network predicts (evaluation mode). ``test_accuracy``: on the test set.
    """

    p: float
    seed: int
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    memorised: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def best_epoch(self) -> int:
        """The recorded epoch of the highest test accuracy (the first, if tied)."""
        return self.epochs[int(np.argmax(self.test_accuracy))]

    def at(self, epoch: int) -> dict:
        """The measurements after ``epoch`` (a recorded one), by name."""
        i = self.epochs.index(epoch)
        names = ("train_loss", "eval_loss", "memorised", "test_accuracy")
        return {name: getattr(self, name)[i] for name in names}


def train_run(
    data: SimpleNamespace,
    p: float,
    seed: int,
    epochs: int,
    lr: float = 1e-3,
    batch_size: int = 32,
    record=None,
) -> Run:
    """Train ``digits_net(p, seed)`` on ``data`` (from :func:`noisy_digits`) with Adam.

    The batch order is drawn from ``np.random.default_rng(1000 + seed)``, so the seed
    sets the initial weights, the dropout masks and the batch order; the data are the
    same for every seed. Calling ``bp.fit`` one epoch at a time with the same
    optimiser and generator is the same training as one call with ``epochs``.
    ``record``: the epochs (counted from 1) after which to measure; all if ``None``.
    """
    net, optimizer = digits_net(p, seed), Adam(lr)
    order = np.random.default_rng(1000 + seed)
    run = Run(p, seed)
    for epoch in range(1, epochs + 1):
        history = fit(
            net,
            data.X,
            data.y,
            optimizer=optimizer,
            epochs=1,
            batch_size=batch_size,
            rng=order,
        )
        if record is not None and epoch not in record:
            continue
        run.epochs.append(epoch)
        run.train_loss.append(history.train_loss[0])
        net.eval()
        scores = net.forward(data.X)
        run.eval_loss.append(float(softmax_cross_entropy(scores, data.y)[0]))
        changed = data.changed
        hits = scores.argmax(axis=1)[changed] == data.y[changed]
        run.memorised.append(float(np.mean(hits)))
        run.test_accuracy.append(accuracy(net.forward(data.X_test), data.y_test))
        net.train()
    return run
