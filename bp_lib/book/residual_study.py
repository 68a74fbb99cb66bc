"""Chapter 15's experiments: the gradient through depth; training a deep residual MLP.

Every network here is ``Dense(n_in, width)``, then ``depth`` blocks, then a Xavier
``Dense(width, n_out)``. The blocks (:func:`make_block`):

    "plain MLP"   Dense(width, width) -> ReLU
    "residual"    Residual(Dense(width, width) -> ReLU)            (no normalisation)
    "plain"       LayerNorm -> Dense -> ReLU -> Dense               (pre-norm, no skip)
    "pre-norm"    Residual(LayerNorm -> Dense -> ReLU -> Dense)     (the skip around it)

For the same ``seed``, "plain" and "pre-norm" draw the same weights in the same order:
the two networks differ only by the skips. :func:`input_gradient_norms` measures, at
initialisation, the norm of dL/d(input of block l) for every block; :func:`train_run`
trains one network by SGD with momentum and records how it ended; :func:`sweep`
repeats it over kinds, learning rates and seeds.

A run *trained* when its final loss (softmax cross-entropy on every training example,
after the whole budget) is at most :data:`TRAINED_BELOW`, chapter 11's threshold
(imported from :mod:`.bn_training`, so the two cannot drift apart), fixed before any
run of this study. Chapter 11 has 3 classes (chance log 3 = 1.10), this study 10
(chance log 10 = 2.30): the same number is a stricter bar here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from .._checks import require_positive_int
from ..activations import ReLU
from ..core import Module, Sequential
from ..data import load_digits_split
from ..dense import Dense
from ..layernorm import LayerNorm
from ..losses import softmax_cross_entropy
from ..optim import SGD
from ..residual import Residual
from ..train import accuracy, fit
from .bn_training import TRAINED_BELOW, final_losses
from .diagnostics import trace

KINDS = ("plain MLP", "residual", "plain", "pre-norm")


def make_block(kind: str, width: int, rng: np.random.Generator, init="he") -> Module:
    """One block of ``kind`` (one of :data:`KINDS`), weights drawn from ``rng``."""
    if kind in ("plain MLP", "residual"):
        block = Sequential(Dense(width, width, init=init, rng=rng), ReLU())
        return block if kind == "plain MLP" else Residual(block)
    if kind in ("plain", "pre-norm"):
        block = Sequential(
            LayerNorm(width),
            Dense(width, width, init=init, rng=rng),
            ReLU(),
            Dense(width, width, init=init, rng=rng),
        )
        return block if kind == "plain" else Residual(block)
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def deep_net(
    kind: str,
    depth: int,
    width: int,
    seed: int,
    n_in: int = 64,
    n_out: int = 10,
    init="he",
) -> Sequential:
    """``Dense(n_in, width)``, ``depth`` blocks of ``kind``, ``Dense(width, n_out)``.

    Weights from ``np.random.default_rng(seed)``, in layer order; the output layer
    with Xavier's variance, the others with ``init``.
    """
    depth = require_positive_int("depth", depth)
    width = require_positive_int("width", width)
    rng = np.random.default_rng(seed)
    layers = [Dense(n_in, width, init=init, rng=rng)]
    layers += [make_block(kind, width, rng, init) for _ in range(depth)]
    layers.append(Dense(width, n_out, init="xavier", rng=rng))
    return Sequential(*layers)


def input_gradient_norms(model: Sequential, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Norm of dL/d(input of block l), l = 1..depth, for a :func:`deep_net`.

    L is the mean softmax cross-entropy of ``model`` on ``(X, y)``; the norm is the
    Frobenius norm over the batch, shape (depth,). Overflow is not an error here: a
    residual stack without normalisation is allowed to explode.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        _, dout = softmax_cross_entropy(model.forward(X), y)
        gradients = trace(model, X, dout).output_gradients
    # layer 0 is the input Dense: the gradient reaching its output enters block 1
    return np.array([np.linalg.norm(g) for g in gradients[:-2]])


def row_similarity(A: np.ndarray) -> float:
    """Mean cosine similarity of the rows of ``A`` (m, n), over all pairs i != j."""
    unit = A / np.linalg.norm(A, axis=1, keepdims=True)
    cosines = unit @ unit.T
    m = len(A)
    return float((cosines.sum() - np.trace(cosines)) / (m * (m - 1)))


def digits(n_train: int = 512) -> SimpleNamespace:
    """The first ``n_train`` training digits of ``load_digits_split()``, its test set.

    ``X_train`` (n_train, 64), ``y_train`` (n_train,); ``X_test``, ``y_test``: 450 rows.
    """
    split = load_digits_split()
    return SimpleNamespace(
        X_train=split.X_train[:n_train],
        y_train=split.y_train[:n_train],
        X_test=split.X_test,
        y_test=split.y_test,
    )


@dataclass
class Run:
    """How one training run ended.

    ``outcome`` is ``"finished"`` or ``"diverged"`` (a non-finite loss or gradient);
    ``final_loss`` the loss on every training example after training and
    ``test_accuracy`` the accuracy on the test set (both NaN if it diverged);
    ``losses`` the mean mini-batch loss of each epoch that finished.
    """

    kind: str
    lr: float
    seed: int
    outcome: str
    final_loss: float
    test_accuracy: float
    losses: list[float] = field(repr=False)

    @property
    def trained(self) -> bool:
        """``final_loss <= TRAINED_BELOW`` (False for a diverged run)."""
        return self.outcome == "finished" and self.final_loss <= TRAINED_BELOW


def train_run(
    data: SimpleNamespace,
    kind: str,
    lr: float,
    seed: int,
    *,
    depth: int,
    width: int,
    epochs: int,
    batch_size: int = 32,
    momentum: float = 0.9,
) -> Run:
    """Train ``deep_net(kind, depth, width, seed)`` on ``data``; say how it ended.

    SGD with ``lr`` and ``momentum``, mini-batches of ``batch_size`` shuffled by
    ``np.random.default_rng(seed + 1000)`` (the same order for every kind). A
    ``FloatingPointError``, in training or in the final evaluation, ends the run as
    ``"diverged"``.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        model = deep_net(kind, depth, width, seed, n_in=data.X_train.shape[1])
        options = dict(
            optimizer=SGD(lr, momentum=momentum),
            epochs=1,
            batch_size=batch_size,
            rng=np.random.default_rng(seed + 1000),
        )
        losses: list[float] = []
        try:
            for _ in range(epochs):  # an epoch per call: a divergence keeps the losses
                losses += fit(model, data.X_train, data.y_train, **options).train_loss
            model.eval()
            final = softmax_cross_entropy(model.forward(data.X_train), data.y_train)[0]
            test = accuracy(model.forward(data.X_test), data.y_test)
        except FloatingPointError:
            return Run(kind, lr, seed, "diverged", math.nan, math.nan, losses)
    outcome = "finished" if math.isfinite(final) else "diverged"
    return Run(kind, lr, seed, outcome, float(final), test, losses)


def sweep(data, kinds, lrs, seeds, **options) -> dict[tuple[str, float], list[Run]]:
    """:func:`train_run` for every kind, learning rate and seed.

    Returns ``{(kind, lr): runs}``, one :class:`Run` per seed in the order of
    ``seeds``; ``options`` go to :func:`train_run` (depth, width, epochs, ...).
    """
    return {
        (kind, lr): [train_run(data, kind, lr, seed, **options) for seed in seeds]
        for kind in kinds
        for lr in lrs
    }


def summary(runs: list[Run]) -> str:
    """``"k/n  median"``: how many trained, and the median final loss of all runs.

    A diverged run counts as an infinite loss (the median may then print ``inf``).
    """
    trained = sum(r.trained for r in runs)
    return f"{trained}/{len(runs)}  {np.median(final_losses(runs)):.2f}"
