"""A mini-batch training loop that stops on a non-finite loss or gradient.

One step: ``out = model.forward(X)``; ``loss, dout = loss_fn(out, Y)``;
``model.backward_params(dout)`` (backward without dL/dX of the data); optional
clipping; ``optimizer.step(model.params, model.grads)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import (
    all_finite,
    as_float_array,
    first_non_finite,
    require_finite,
    require_generator,
    require_positive_int,
)
from .losses import softmax_cross_entropy
from .optim import Optimizer, clip_grad_norm


@dataclass
class History:
    """Per-epoch training loss, and validation loss/accuracy when asked for.

    ``train_loss`` is the mean over the epoch's examples of the loss each batch had
    when it was used: every batch's mean loss weighted by its size, so a short last
    batch counts for its few examples, not as much as a full one.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def _first_non_finite(grads: dict) -> str | None:
    """The first key whose array holds a NaN or an infinity, else ``None``."""
    return next((name for name, g in grads.items() if not all_finite(g)), None)


def train_step(
    model, loss_fn, optimizer, X, Y, step: int = 0, max_norm: float | None = None
) -> float:
    """One forward/backward/update on the batch ``(X, Y)``; returns the loss.

    Raises ``FloatingPointError`` naming the step (and the parameter, as
    ``"<layer>.<name>"``) when the output, the loss or a gradient is NaN or
    infinite; numpy's overflow warnings on the way are silenced, as the error
    says what happened. A NaN in ``X`` itself is a ``ValueError``.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = _checked_forward(model, X, step)
        loss, dout = _checked_loss(loss_fn, out, Y, step)
        # as backward, without dL/dX of the data, which nothing uses
        model.backward_params(dout)
        _update(model, optimizer, step, max_norm)
    return loss


def _update(model, optimizer, step: int, max_norm: float | None) -> None:
    """Clip the gradients (if ``max_norm``) and take the optimiser's step.

    A non-finite gradient raises ``FloatingPointError`` naming the step and the
    parameter, before any parameter changes. ``Optimizer.step`` (and
    ``clip_grad_norm``) check the gradients themselves before changing anything,
    so they are not scanned a second time here; any other ``step`` method (another
    object's, or a subclass's own) gets them checked first.
    """
    grads = model.grads
    if type(optimizer).step is not Optimizer.step:  # not known to check them itself
        _require_finite_gradients(grads, step)
    try:
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        optimizer.step(model.params, grads)
    except FloatingPointError as error:
        bad = _first_non_finite(grads)
        if bad is None:
            raise
        raise _non_finite_gradient(bad, step) from error


def _blame_the_data(X) -> None:
    """``ValueError`` if the batch itself holds a NaN or an infinity."""
    require_finite("X (the data, not the training)", as_float_array("X", X))


def _checked_forward(model, X, step: int) -> np.ndarray:
    """``model.forward(X)``, finite, else an error that blames data or training."""
    try:
        out = model.forward(X)
    except FloatingPointError:  # e.g. batch norm of a non-finite batch
        _blame_the_data(X)
        raise
    where = first_non_finite(out)
    if where is not None:
        _blame_the_data(X)
        raise FloatingPointError(
            f"step {step}: the model's output is not finite ({where}); "
            "lower the learning rate?"
        )
    return out


def _checked_loss(loss_fn, out: np.ndarray, Y, step: int):
    """``loss_fn(out, Y)`` with a finite loss, else ``FloatingPointError``."""
    try:
        loss, dout = loss_fn(out, Y)
    except FloatingPointError as error:  # e.g. a squared error that overflows
        raise FloatingPointError(
            f"step {step}: {error}; lower the learning rate?"
        ) from error
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"step {step}: the loss is {loss}; lower the learning rate?"
        )
    return loss, dout


def _require_finite_gradients(grads: dict, step: int) -> None:
    """Every gradient is finite, else ``FloatingPointError`` naming the parameter."""
    bad = _first_non_finite(grads)
    if bad is not None:
        raise _non_finite_gradient(bad, step)


def _non_finite_gradient(key: str, step: int) -> FloatingPointError:
    """The error for the gradient ``grads[key]`` (``"<layer>.<name>"``) not finite."""
    layer, _, name = key.rpartition(".")
    owner = f" of layer {layer}" if layer else ""
    return FloatingPointError(
        f"step {step}: the gradient of parameter {name!r}{owner} is not finite"
    )


def minibatches(n: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays that split ``range(n)`` into shuffled batches.

    The last batch may be short.
    """
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max of ``scores`` (m, K) is the label ``y`` (m,)."""
    scores = as_float_array("scores", scores)
    y = np.asarray(y)
    if scores.ndim != 2 or y.shape != (scores.shape[0],):
        raise ValueError(
            "scores must be (m, K) and y (m,) integer labels, "
            f"got scores {scores.shape} and y {y.shape}"
        )
    if scores.shape[0] == 0:
        raise ValueError("scores has no rows (shape (0, K)); accuracy needs a batch")
    require_finite("scores", scores)
    return float(np.mean(np.argmax(scores, axis=1) == y))


def _require_trainable(model, optimizer, loss_fn) -> None:
    """``TypeError`` unless the three have what ``fit`` calls on them."""
    for name, value in (("model", model), ("optimizer", optimizer)):
        if isinstance(value, type):
            raise TypeError(
                f"{name} must be an instance, got the class {value.__name__}: "
                f"create one, e.g. {value.__name__}(...)"
            )
    for name, value, kind, needs in (
        ("model", model, "Module", ("forward", "backward_params", "params", "grads")),
        ("optimizer", optimizer, "optimiser", ("step",)),
    ):
        missing = [attribute for attribute in needs if not hasattr(value, attribute)]
        if missing:
            raise TypeError(
                f"{name} must be a bp_lib {kind} (it needs {', '.join(missing)}), "
                f"got {type(value).__name__}"
            )
    if not callable(loss_fn):
        raise TypeError(
            "loss_fn must be a callable (prediction, target) -> (loss, grad), "
            f"got {type(loss_fn).__name__}"
        )


def _checked_data(name: str, X, target: str, Y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``Y`` as arrays of matching length, finite, with at least one row."""
    X = require_finite(name, as_float_array(name, X))
    Y = np.asarray(Y)
    if X.ndim == 0 or Y.ndim == 0:
        raise ValueError(f"{name} and {target} must be arrays with a batch axis")
    if len(X) != len(Y):
        raise ValueError(
            f"{name} has {len(X)} rows but {target} has {len(Y)}; they must match"
        )
    if len(X) == 0:
        raise ValueError(f"{name} has no rows (shape {X.shape}); nothing to fit")
    if Y.dtype.kind in "fc":
        require_finite(target, as_float_array(target, Y))
    return X, Y


def _checked_validation(validation) -> tuple[np.ndarray, np.ndarray]:
    """``validation`` as a pair ``(X_val, y_val)``, checked like the training data."""
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError(
            "validation must be a pair (X_val, y_val), "
            f"got {type(validation).__name__}"
            + (
                f" of length {len(validation)}"
                if hasattr(validation, "__len__")
                else ""
            )
        )
    return _checked_data("X_val", validation[0], "y_val", validation[1])


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
    _require_trainable(model, optimizer, loss_fn)
    epochs = require_positive_int("epochs", epochs)
    X, Y = _checked_data("X", X, "Y", Y)
    if validation is not None:
        validation = _checked_validation(validation)
    n = len(X)
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
        total = 0.0
        for index in batches:
            loss = train_step(
                model, loss_fn, optimizer, X[index], Y[index], step, max_norm
            )
            total += loss * len(index)  # each batch's mean, weighted by its size
            step += 1
        history.train_loss.append(total / n)
        if validation is not None:
            model.eval()
            scores = model.forward(validation[0])
            history.val_loss.append(loss_fn(scores, validation[1])[0])
            history.val_accuracy.append(accuracy(scores, validation[1]))
    model.train()
    return history
