"""Chapter 11's training experiment: a deep ReLU network with and without batch norm.

The network is ``depth`` blocks ``Dense(width) [-> BatchNorm] -> ReLU`` and a Xavier
output layer. :func:`train_run` trains one such network with SGD (optionally with
momentum) and records how the run ended, catching a non-finite loss or gradient instead
of raising: ``"diverged"`` if training stopped on a ``FloatingPointError``, else
``"finished"``. A finished run is scored after training on the whole training set, in
evaluation mode (batch norm with its running statistics): the same quantity with and
without batch norm, unlike the mean of the mini-batch losses during an epoch, which for
a batch-norm net uses the statistics of each batch of 32 and for every net averages over
weights that move. :func:`verdict` sorts a run into ``"diverged"``, ``"at chance"``,
``"above threshold"`` or ``"trained"``; :func:`sweep` repeats the run over networks,
step sizes and seeds, and :func:`summary` turns a cell of the sweep into
``"median [min, max]"`` of the final losses when every run trained, or into counts of
the verdicts.

SGD with momentum ``mu`` and learning rate ``lr`` moves, under a gradient that changes
slowly, ``lr / (1 - mu)`` times the gradient per step (the velocity sums
``1 / (1 - mu)`` past gradients), so :func:`train_run` takes that *effective step* and
the momentum, and sets ``lr = effective_step * (1 - mu)``.

:func:`dead_units` measures, for each ReLU layer, the fraction of its units whose
output is 0 on every training example.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._checks import require_positive_int
from ..activations import ReLU
from ..batchnorm import BatchNorm
from ..core import Sequential
from ..dense import Dense
from ..losses import softmax_cross_entropy
from ..optim import SGD
from ..train import fit
from .diagnostics import dead_units

#: A final loss at or below this counts as trained (one threshold for the chapter).
TRAINED_BELOW = 0.5
#: A final loss within this distance of log 3 (three balanced classes) is at chance.
CHANCE_WITHIN = 0.05


def deep_relu_net(
    batch_norm: bool,
    init: str = "lecun",
    depth: int = 8,
    width: int = 64,
    seed: int = 1,
) -> Sequential:
    """``depth`` blocks ``Dense(init) [-> BatchNorm] -> ReLU``, then a 3-unit Dense.

    Inputs have 2 features (the spirals), the output 3 scores; weights drawn from
    ``np.random.default_rng(seed)``, the output layer with Xavier's variance.
    """
    depth = require_positive_int("depth", depth)
    width = require_positive_int("width", width)
    rng = np.random.default_rng(seed)
    layers, n_in = [], 2
    for _ in range(depth):
        layers.append(Dense(n_in, width, init=init, rng=rng))
        if batch_norm:
            layers.append(BatchNorm(width))
        layers.append(ReLU())
        n_in = width
    layers.append(Dense(n_in, 3, init="xavier", rng=rng))
    return Sequential(*layers)


@dataclass
class Run:
    """How one training run ended.

    ``losses``: the mean mini-batch loss of each epoch that finished; ``epoch_loss``:
    the mean of the last ``last`` of them; ``final_loss``: the loss on the whole
    training set after training, in evaluation mode (both NaN if the run diverged);
    ``outcome``: ``"finished"`` or ``"diverged"``; ``dead_before`` and ``dead_after``:
    :func:`dead_units` of the network before and after training (``dead_after`` is None
    if it diverged).
    """

    outcome: str
    final_loss: float
    epoch_loss: float
    losses: list[float] = field(repr=False)
    dead_before: np.ndarray = field(repr=False)
    dead_after: np.ndarray | None = field(repr=False)


def train_run(
    X: np.ndarray,
    y: np.ndarray,
    *,
    batch_norm: bool,
    init: str,
    effective_step: float,
    momentum: float,
    seed: int,
    epochs: int,
    batch_size: int = 32,
    last: int = 5,
    nudge: float = 0.0,
) -> Run:
    """Train ``deep_relu_net(batch_norm, init, seed=seed)``; say how the run ended.

    SGD with ``lr = effective_step * (1 - momentum)``; the mini-batches are shuffled by
    ``np.random.default_rng(seed + 1000)``. A ``FloatingPointError`` (non-finite loss or
    gradient) ends the run as ``"diverged"``; otherwise it is ``"finished"`` and its
    ``final_loss`` is the softmax cross-entropy of the trained network, in evaluation
    mode, on all of ``X``. Overflow warnings on the way are silenced: the divergence is
    the recorded outcome. ``nudge`` multiplies each initial weight by
    ``1 +- nudge`` (random signs), to test how sensitive a run is to rounding.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        model = deep_relu_net(batch_norm, init, seed=seed)
        signs = np.random.default_rng(seed + 2000)  # nudge: a rounding-sized change
        for p in model.params.values():
            p *= 1 + nudge * signs.choice([-1.0, 1.0], size=p.shape)
        before = dead_units(model, X)
        optimizer = SGD(effective_step * (1 - momentum), momentum=momentum)
        rng = np.random.default_rng(seed + 1000)
        options = dict(optimizer=optimizer, epochs=1, batch_size=batch_size, rng=rng)
        losses: list[float] = []
        try:
            for _ in range(epochs):  # an epoch per call: a divergence keeps the losses
                losses += fit(model, X, y, **options).train_loss
        except FloatingPointError:
            return Run("diverged", math.nan, math.nan, losses, before, None)
        scores = model.eval().forward(X)
        model.train()
        # logits that overflowed in evaluation mode have no loss: counted as diverged
        finite = np.isfinite(scores).all()
        final = softmax_cross_entropy(scores, y)[0] if finite else math.inf
        epoch_loss = float(np.mean(losses[-last:]))
        after = dead_units(model, X)
        return Run("finished", float(final), epoch_loss, losses, before, after)


def sweep(
    X: np.ndarray,
    y: np.ndarray,
    networks: dict[str, tuple[bool, str]],
    steps,
    *,
    momentum: float,
    seeds,
    epochs: int,
) -> dict[tuple[str, float], list[Run]]:
    """:func:`train_run` for every network, effective step and seed.

    ``networks`` maps a label to ``(batch_norm, init)``; returns
    ``{(label, step): runs}`` with one :class:`Run` per seed, in the order of ``seeds``.
    """
    return {
        (label, step): [
            train_run(
                X,
                y,
                batch_norm=bn,
                init=init,
                effective_step=step,
                momentum=momentum,
                seed=seed,
                epochs=epochs,
            )
            for seed in seeds
        ]
        for label, (bn, init) in networks.items()
        for step in steps
    }


def final_losses(runs: list[Run]) -> np.ndarray:
    """The runs' final losses (len(runs),), a diverged run counting as ``+inf``."""
    return np.array(
        [math.inf if r.outcome == "diverged" else r.final_loss for r in runs]
    )


def verdict(run: Run, trained_below: float = TRAINED_BELOW) -> str:
    """How a run ended: one of :data:`VERDICTS`.

    *Diverged*: a non-finite loss or gradient during training (or a non-finite final
    loss). *At chance*: a final loss within :data:`CHANCE_WITHIN` of ``log 3``, what a
    constant output scores on three balanced classes. *Above threshold*: any other
    final loss above ``trained_below``. *Trained*: a final loss at most
    ``trained_below``.
    """
    if run.outcome == "diverged" or not math.isfinite(run.final_loss):
        return "diverged"
    if abs(run.final_loss - math.log(3)) <= CHANCE_WITHIN:
        return "at chance"
    return "above threshold" if run.final_loss > trained_below else "trained"


VERDICTS = ("diverged", "at chance", "above threshold", "trained")


def counts(runs: list[Run], trained_below: float = TRAINED_BELOW) -> dict[str, int]:
    """How many of ``runs`` ended with each :func:`verdict` (ordered as VERDICTS)."""
    verdicts = [verdict(run, trained_below) for run in runs]
    return {name: verdicts.count(name) for name in VERDICTS}


def summary(runs: list[Run], trained_below: float = TRAINED_BELOW) -> str:
    """``"median [min, max]"`` of the final losses if every run trained, else counts.

    The counts read ``"d/c/a/t"``: diverged, at chance, above the threshold, trained
    (:func:`verdict`). Where some run did not train, only the counts are printed: a
    median over runs that ended in different ways says little, and at large steps
    where each run stops changes with the rounding of the arithmetic.
    """
    tally = counts(runs, trained_below)
    if tally["trained"] < len(runs):
        return "/".join(str(n) for n in tally.values())
    losses = final_losses(runs)
    return f"{np.median(losses):.2f} [{losses.min():.2f}, {losses.max():.2f}]"


def plot_sweep(
    ax, results: dict, labels, steps, *, top: float = 1.3, styles=None, lines=True
) -> None:
    """Draw the final losses of :func:`sweep` against the effective step on ``ax``.

    One line per label of ``labels``: the median over seeds (markers) with a bar from
    the smallest to the largest final loss; a loss above ``top`` or a divergence is
    drawn at ``top``. ``styles`` maps a label to keyword arguments of ``ax.errorbar``
    (``label`` among them, to rename it in the legend). With ``lines``, dotted and
    dashed lines mark ``top`` and the chance level ``log 3``. The x axis is logarithmic,
    ticked at ``steps``.
    """
    styles = styles or {}
    for label in labels:
        losses = [np.minimum(final_losses(results[label, step]), top) for step in steps]
        median = np.array([np.median(values) for values in losses])
        low = median - np.array([values.min() for values in losses])
        high = np.array([values.max() for values in losses]) - median
        ax.errorbar(
            steps,
            median,
            yerr=[low, high],
            capsize=3,
            **{"label": label, **styles.get(label, {})},
        )
    if lines:
        ax.axhline(
            top,
            color="0.5",
            linestyle=":",
            linewidth=1,
            label=f"diverged, or above {top:g}",
        )
        ax.axhline(
            math.log(3), color="0.5", linestyle="--", linewidth=1, label="chance, log 3"
        )
    ax.set_xscale("log")
    ax.set_xticks(steps, [f"{step:g}" for step in steps])
    ax.minorticks_off()
    ax.set_ylim(0, top * 1.05)
