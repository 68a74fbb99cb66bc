"""Chapter 7's XOR experiments: the tutorial's 2-H-1 network, trained for many seeds.

The tutorial network of seed 000 is a 2-H-1 network (ReLU hidden layer, sigmoid output),
weights drawn from N(0, 1) times a small scale, zero biases, full-batch gradient descent
on the four XOR points. :func:`tutorial_net` builds it as a ``bp.Sequential``;
:func:`tutorial_weights` draws the same weights for many seeds, stacked, and
:func:`train_many` trains all of them at once with numpy: the same arithmetic as
``bp.fit`` with ``bp.SGD``, batched over a leading "run" axis (a test checks the two
agree). :func:`diagnose` measures what a trained run has become (loss, gradient norm,
live hidden units, what each unit computes); :func:`share` prints a success count with
its 95% interval (:func:`bp_lib.book.stats.wilson_interval`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import ReLU, Sigmoid, sigmoid
from ..core import Sequential
from ..data import xor
from ..dense import Dense
from .stats import wilson_interval

#: The two losses :func:`train_many` can descend, by name.
LOSSES = ("bce", "mse")


def tutorial_net(seed: int, hidden: int = 3, init_scale: float = 0.01) -> Sequential:
    """The tutorial's 2-``hidden``-1 network: Dense, ReLU, Dense, Sigmoid.

    Weights ``N(0, 1) * init_scale`` drawn from ``np.random.default_rng(seed)`` (first
    layer, then second), biases zero.
    """
    rng = np.random.default_rng(seed)

    def init(n_in, n_out, rng):
        return rng.normal(size=(n_in, n_out)) * init_scale

    return Sequential(
        Dense(2, hidden, init=init, rng=rng),
        ReLU(),
        Dense(hidden, 1, init=init, rng=rng),
        Sigmoid(),
    )


def tutorial_weights(seeds, hidden: int = 3, init_scale: float = 0.01) -> dict:
    """The weights of :func:`tutorial_net` for every seed, stacked along a first axis.

    Returns ``{"W1": (S, 2, H), "b1": (S, H), "W2": (S, H, 1), "b2": (S, 1)}`` for the
    ``S`` seeds: entry ``s`` equals ``tutorial_net(seeds[s], hidden, init_scale)``'s.
    """
    W1, W2 = [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        W1.append(rng.normal(size=(2, hidden)) * init_scale)
        W2.append(rng.normal(size=(hidden, 1)) * init_scale)
    S = len(W1)
    return {
        "W1": np.array(W1),
        "b1": np.zeros((S, hidden)),
        "W2": np.array(W2),
        "b2": np.zeros((S, 1)),
    }


def _forward(w: dict, X: np.ndarray):
    """Batched forward pass: ``Z1 (S, 4, H)``, ``A1``, output ``A2 (S, 4, 1)``."""
    Z1 = X @ w["W1"] + w["b1"][:, None, :]
    A1 = np.maximum(Z1, 0)
    A2 = sigmoid(A1 @ w["W2"] + w["b2"][:, None, :])
    return Z1, A1, A2


def _loss_and_output_error(A2: np.ndarray, Y: np.ndarray, loss: str):
    """Per-run loss (S,) and dL/dZ2 (S, 4, 1).

    As ``bp.binary_cross_entropy`` or ``bp.mse_loss``, then the sigmoid's backward.
    """
    n = Y.size
    if loss == "bce":
        tiny = np.finfo(A2.dtype).eps
        P = np.clip(A2, tiny, 1 - tiny)
        value = -np.mean(Y * np.log(P) + (1 - Y) * np.log1p(-P), axis=(1, 2))
        dA = (P - Y) / (P * (1 - P)) / n
    elif loss == "mse":
        diff = A2 - Y
        value = np.mean(diff * diff, axis=(1, 2))
        dA = 2 * diff / n
    else:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    return value, dA * A2 * (1 - A2)


def _gradients(w: dict, X: np.ndarray, Z1, A1, dZ2) -> dict:
    """Batched backward pass: the gradient of every parameter, shaped like ``w``."""
    dZ1 = (dZ2 @ np.swapaxes(w["W2"], 1, 2)) * (Z1 > 0)
    return {
        "W1": X.T @ dZ1,
        "b1": dZ1.sum(axis=1),
        "W2": np.swapaxes(A1, 1, 2) @ dZ2,
        "b2": dZ2.sum(axis=1),
    }


@dataclass
class Runs:
    """The result of :func:`train_many`.

    ``weights``: the trained weights (stacked as :func:`tutorial_weights`);
    ``loss``: (epochs, S), the loss at the start of each epoch (before its update),
    as ``bp.fit``'s ``History.train_loss``; ``first_learned``: (S,), the first epoch
    at whose start all four outputs are on the right side of 1/2 (-1 if none).
    """

    weights: dict
    loss: np.ndarray
    first_learned: np.ndarray


def train_many(weights: dict, lr, epochs: int, loss: str = "bce") -> Runs:
    """Full-batch gradient descent on XOR for every run at once; returns :class:`Runs`.

    ``weights`` as from :func:`tutorial_weights` (not modified); ``lr`` a number or one
    learning rate per run (S,); ``loss`` "bce" (the gradient ``(a - y)/N`` at the logit,
    which is also the tutorial's) or "mse". Each epoch: forward, loss, backward,
    ``p -= lr * grad``, as ``bp.fit(net, X, Y, optimizer=bp.SGD(lr), loss_fn=...)``.
    """
    X, Y = xor()
    w = {name: value.copy() for name, value in weights.items()}
    S = len(w["W1"])
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (S,))
    scale = {
        name: lr.reshape((S,) + (1,) * (value.ndim - 1)) for name, value in w.items()
    }
    history = np.empty((epochs, S))
    first = np.full(S, -1)
    for epoch in range(epochs):
        Z1, A1, A2 = _forward(w, X)
        history[epoch], dZ2 = _loss_and_output_error(A2, Y, loss)
        right = np.all((A2 > 0.5) == (Y == 1), axis=(1, 2))
        first[(first < 0) & right] = epoch
        for name, grad in _gradients(w, X, Z1, A1, dZ2).items():
            w[name] -= scale[name] * grad
    return Runs(weights=w, loss=history, first_learned=first)


def run_variants(variants: dict, seeds, epochs: int) -> dict:
    """Train every variant of the tutorial set-up from every seed; ``{name: Runs}``.

    ``variants`` maps a name to ``dict(hidden=..., init_scale=..., lr=..., loss=...)``.
    Variants that share ``hidden`` and ``loss`` are trained together in one call of
    :func:`train_many` (one learning rate per run), then split back: the result is the
    same as training each variant on its own.
    """
    seeds = list(seeds)
    groups: dict = {}
    for name, v in variants.items():
        groups.setdefault((v["hidden"], v["loss"]), []).append(name)
    out = {}
    for (hidden, loss), names in groups.items():
        parts = [
            tutorial_weights(seeds, hidden, variants[n]["init_scale"]) for n in names
        ]
        weights = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
        lr = np.repeat([variants[n]["lr"] for n in names], len(seeds))
        runs = train_many(weights, lr, epochs, loss=loss)
        for i, name in enumerate(names):
            rows = slice(i * len(seeds), (i + 1) * len(seeds))
            out[name] = Runs(
                weights={k: value[rows] for k, value in runs.weights.items()},
                loss=runs.loss[:, rows],
                first_learned=runs.first_learned[rows],
            )
    return {name: out[name] for name in variants}


def diagnose(weights: dict, loss: str = "bce", tol: float = 1e-3) -> dict:
    """What each run computes at ``weights``; a dict of per-run arrays (S,).

    - ``loss``, ``grad_norm`` (the norm of the gradient of all parameters together),
      ``learned`` (all four outputs on the right side of 1/2);
    - ``live``: hidden units whose ReLU is active (pre-activation > 0) on at least one
      of the four inputs, so that a gradient reaches them, and whose outgoing weight has
      ``|w| > tol``;
    - ``patterns``: the number of distinct on/off patterns over the four inputs among
      the live units (two units active on the same inputs compute the same piece of
      the function: a ReLU network with one pattern is one unit, however many it has);
    - ``covered``: the number of the four inputs on which at least one live unit is
      active (an input no live unit is active on sees only the output bias);
    - ``mixed``: the inputs no live unit covers include both targets (0 and 1), which
      the output bias alone cannot fit; ``linear``: every live unit is active on all
      four inputs, so that the network is an affine function of them (one line);
    - ``outputs``: (S, 4), the network's outputs.
    """
    X, Y = xor()
    Z1, A1, A2 = _forward(weights, X)
    value, dZ2 = _loss_and_output_error(A2, Y, loss)
    grads = _gradients(weights, X, Z1, A1, dZ2)
    S = len(value)
    grad_norm = np.sqrt(
        sum((g.reshape(S, -1) ** 2).sum(axis=1) for g in grads.values())
    )
    active = Z1 > 0  # (S, 4, H)
    live = active.any(axis=1) & (np.abs(weights["W2"][:, :, 0]) > tol)  # (S, H)
    patterns = np.array(
        [
            len({tuple(active[s, :, u]) for u in range(live.shape[1]) if live[s, u]})
            for s in range(S)
        ]
    )
    covered_inputs = (active & live[:, None, :]).any(axis=2)  # (S, 4)
    targets = Y[:, 0] == 1
    mixed = (~covered_inputs & targets).any(axis=1) & (~covered_inputs & ~targets).any(
        axis=1
    )
    linear = live.any(axis=1) & np.all(active | ~live[:, None, :], axis=(1, 2))
    return {
        "loss": value,
        "grad_norm": grad_norm,
        "learned": np.all((A2 > 0.5) == (Y == 1), axis=(1, 2)),
        "live": live.sum(axis=1),
        "patterns": patterns,
        "covered": covered_inputs.sum(axis=1),
        "mixed": mixed,
        "linear": linear,
        "outputs": A2[:, :, 0],
    }


#: The losses (cross-entropy) at which a failed run of the tutorial network settles, and
#: what its outputs are there: an input no live unit covers can only get the mean target
#: of the uncovered inputs, through the output bias.
PLATEAUS = {
    "all four at 1/2 (no input fitted)": np.log(2),
    "one input fitted, three at 1/3 or 2/3": (np.log(3) + 2 * np.log(1.5)) / 4,
    "two inputs fitted, two at 1/2": np.log(2) / 2,
}


def best_line_mse(angles, norms, biases) -> np.ndarray:
    """The lowest squared error on XOR of one sigmoid unit, over the bias, per weight.

    For each angle ``t`` (radians) and norm ``r`` the unit is
    ``sigmoid(r cos(t) x1 + r sin(t) x2 + b)``; returns the (len(angles), len(norms))
    array of ``min over b in biases of mean((a - y)^2)`` on the four XOR points.
    """
    X, Y = xor()
    angles, norms, biases = (
        np.asarray(a, dtype=float) for a in (angles, norms, biases)
    )
    direction = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (T, 2)
    logits = (direction @ X.T)[:, None, None, :] * norms[None, :, None, None]
    logits = logits + biases[None, None, :, None]  # (T, R, B, 4)
    mse = np.mean((sigmoid(logits) - Y[:, 0]) ** 2, axis=-1)
    return mse.min(axis=2)


def learned_xor(net, X: np.ndarray, Y: np.ndarray) -> bool:
    """All four outputs of ``net`` on the right side of 1/2 (``Y`` the 0/1 targets)."""
    return bool(np.all((net.forward(X) > 0.5) == (Y == 1)))


def learned_within(runs: Runs, budget: int) -> np.ndarray:
    """Per run (S,): XOR first right at the start of an epoch before ``budget``."""
    return (runs.first_learned >= 0) & (runs.first_learned < budget)


def share(successes: int, n: int) -> str:
    """``"k of n: share [low, high]"`` with the 95% :func:`wilson_interval`."""
    low, high = wilson_interval(successes, n)
    return f"{successes:3d} of {n}: {successes / n:.2f} [{low:.2f}, {high:.2f}]"


def zero_net(activation, hidden: int = 3) -> Sequential:
    """The 2-``hidden``-1 network with every weight and bias zero (``init="zeros"``)."""
    return Sequential(
        Dense(2, hidden, init="zeros"),
        activation,
        Dense(hidden, 1, init="zeros"),
        Sigmoid(),
    )


def sign_pattern(weights: dict) -> list[tuple]:
    """Each run's sign pattern at initialisation, up to the order of the hidden units.

    Hidden unit ``u`` gets the code ``[w_1u > 0] + 2 [w_2u > 0] + 4 [v_u > 0]`` from
    its two incoming weights and its outgoing weight ``v_u`` (the biases start at
    zero); a run's pattern is the sorted tuple of its units' codes, since the hidden
    units of a network are interchangeable.
    """
    positive = np.concatenate(
        [weights["W1"] > 0, np.swapaxes(weights["W2"], 1, 2) > 0], axis=1
    )  # (S, 3, H)
    codes = (positive * np.array([1, 2, 4])[:, None]).sum(axis=1)
    return [tuple(sorted(int(c) for c in row)) for row in codes]


def predict_by_group(train_keys, train_outcomes, test_keys):
    """Predict each test run's outcome from the training runs with the same key.

    Returns ``(seen, prediction)``, two bool arrays over the test runs: ``seen`` where
    at least one training run has the key; ``prediction`` True where more than half of
    those training runs succeeded (a tie predicts failure), False where not seen.
    """
    groups: dict = {}
    for key, outcome in zip(train_keys, train_outcomes):
        groups.setdefault(key, []).append(bool(outcome))
    seen = np.array([key in groups for key in test_keys])
    prediction = np.array(
        [key in groups and np.mean(groups[key]) > 0.5 for key in test_keys]
    )
    return seen, prediction
