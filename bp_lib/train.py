"""A mini-batch training loop that stops on a non-finite loss or gradient.

One step: ``out = model.forward(X)``; ``loss, dout = loss_fn(out, Y)``;
``model.backward_params(dout)`` (backward without dL/dX of the data); optional
clipping; ``optimizer.step(model.params, model.grads)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import require_generator, require_positive_int
from .losses import softmax_cross_entropy
from .optim import clip_grad_norm


@dataclass
class History:
    """Per-epoch mean training loss, and validation loss/accuracy when asked for."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def _first_non_finite(grads: dict) -> str | None:
    """The first key whose array holds a NaN or an infinity, else ``None``.

    The squared norm ``g . g`` (one BLAS call, no temporary) is finite when every
    entry is; only a non-finite norm (a NaN or an infinity, or huge finite entries
    whose squares overflow) is confirmed entry by entry.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        for name, g in grads.items():
            flat = g.reshape(-1)
            if not math.isfinite(np.dot(flat, flat)) and not np.all(np.isfinite(g)):
                return name
    return None


def train_step(
    model, loss_fn, optimizer, X, Y, step: int = 0, max_norm: float | None = None
) -> float:
    """One forward/backward/update on the batch ``(X, Y)``; returns the loss.

    Raises ``FloatingPointError`` naming the step (and the parameter, as
    ``"<layer>.<name>"``) when the loss or a gradient is NaN or infinite.
    """
    loss, dout = loss_fn(model.forward(X), Y)
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"step {step}: the loss is {loss}; lower the learning rate?"
        )
    # as backward, without dL/dX of the data, which nothing uses
    model.backward_params(dout)
    grads = model.grads
    bad = _first_non_finite(grads)
    if bad is not None:
        layer, _, name = bad.rpartition(".")
        raise FloatingPointError(
            f"step {step}: the gradient of parameter {name!r} of layer {layer} "
            "is not finite"
        )
    if max_norm is not None:
        clip_grad_norm(grads, max_norm)
    optimizer.step(model.params, grads)
    return loss


def minibatches(n: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays that split ``range(n)`` into shuffled batches.

    The last batch may be short.
    """
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max of ``scores`` (m, K) is the label ``y`` (m,)."""
    scores, y = np.asarray(scores), np.asarray(y)
    if scores.ndim != 2 or y.shape != (scores.shape[0],):
        raise ValueError(
            "scores must be (m, K) and y (m,) integer labels, "
            f"got scores {scores.shape} and y {y.shape}"
        )
    return float(np.mean(np.argmax(scores, axis=1) == y))


def fit(
    model,
    X,
    Y,
    *,
    optimizer,
    loss_fn=softmax_cross_entropy,
    epochs: int = 10,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    validation: tuple | None = None,
    max_norm: float | None = None,
) -> History:
    """Train ``model`` on ``(X, Y)`` for ``epochs`` passes; returns a :class:`History`.

    ``batch_size=None`` means full-batch; otherwise batches are reshuffled every
    epoch with ``rng`` (required then). ``validation=(X_val, y_val)`` (integer
    labels) records the validation loss and accuracy after each epoch, in eval mode.
    """
    epochs = require_positive_int("epochs", epochs)
    n = len(X)
    if len(Y) != n:
        raise ValueError(f"X has {n} rows but Y has {len(Y)}; they must match")
    if batch_size is not None:
        batch_size = require_positive_int("batch_size", batch_size)
        rng = require_generator("rng (needed to shuffle mini-batches)", rng)
    history = History()
    step = 0
    for _ in range(epochs):
        model.train()
        batches = (
            [np.arange(n)] if batch_size is None else minibatches(n, batch_size, rng)
        )
        losses = []
        for index in batches:
            loss = train_step(
                model, loss_fn, optimizer, X[index], Y[index], step, max_norm
            )
            losses.append(loss)
            step += 1
        history.train_loss.append(float(np.mean(losses)))
        if validation is not None:
            model.eval()
            scores = model.forward(validation[0])
            history.val_loss.append(loss_fn(scores, validation[1])[0])
            history.val_accuracy.append(accuracy(scores, validation[1]))
    model.train()
    return history
