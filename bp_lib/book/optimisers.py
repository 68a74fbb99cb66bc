"""Chapter 7's optimiser comparison: many seeds and learning rates, trained at once.

:func:`spiral_net` is the chapter's 2-32-3 ReLU network. :func:`train_many` trains
many copies of it (one per run: its own initial weights, shuffling seed, optimiser and
learning rate) with mini-batch SGD, momentum or Adam, batched over a leading "run"
axis: the same arithmetic as ``bp.fit`` with ``bp.SGD`` or ``bp.Adam`` (a test checks
the two agree), fast enough for hundreds of runs. A run whose loss stops being finite
is marked diverged (where ``bp.fit`` would raise) and frozen. :func:`sweep` runs a grid
of (optimiser, learning rate) over seeds. :func:`heavy_ball_diverges` iterates gradient
descent with momentum on a one-dimensional quadratic, for the stability argument.
"""

from __future__ import annotations

import numpy as np

from ..activations import ReLU
from ..core import Sequential
from ..dense import Dense
from .diagnostics import dead_units as layer_dead_fractions

#: The optimisers :func:`train_many` knows, by name.
KINDS = ("sgd", "momentum", "adam")


def spiral_net(seed: int = 1) -> Sequential:
    """The 2-32-3 network: Dense (He), ReLU, Dense (Xavier), from ``default_rng(seed)``.

    Chapter 7 trains it on its three-class spirals.
    """
    rng = np.random.default_rng(seed)
    return Sequential(
        Dense(2, 32, rng=rng), ReLU(), Dense(32, 3, init="xavier", rng=rng)
    )


def initial_weights(seeds, perturb: float = 0.0, perturb_seed: int = 0) -> dict:
    """:func:`spiral_net`'s weights for every seed, stacked along a first axis.

    ``perturb`` multiplies every weight by ``1 + perturb * n`` with ``n`` standard
    normal (from ``default_rng(perturb_seed)``): a tiny relative change of the starting
    point, to test whether a result survives it.
    """
    nets = [spiral_net(seed).params for seed in seeds]
    w = {key: np.array([p[key] for p in nets]) for key in ("0.W", "0.b", "2.W", "2.b")}
    if perturb:
        rng = np.random.default_rng(perturb_seed)
        w = {k: v * (1 + perturb * rng.normal(size=v.shape)) for k, v in w.items()}
    return w


def train_many(
    weights: dict,
    X: np.ndarray,
    y: np.ndarray,
    kind: str,
    lr,
    shuffle_seeds,
    epochs: int = 100,
    batch_size: int = 32,
    momentum: float = 0.9,
) -> np.ndarray:
    """Train every run at once; returns the (runs, epochs) loss of each epoch.

    An epoch's loss is its batches' mean losses weighted by batch size, as ``bp.fit``.

    ``weights`` as from :func:`initial_weights` (not modified); ``kind`` one of
    :data:`KINDS` (Adam with its default betas and eps); ``lr`` a number or one per run;
    run ``r`` shuffles with ``default_rng(shuffle_seeds[r])`` as ``bp.fit`` does.
    Softmax cross-entropy on integer labels ``y``. After a non-finite loss a run is
    frozen and its later epochs are NaN.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    w = {k: v.copy() for k, v in weights.items()}
    R, n = len(w["0.W"]), len(X)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (R,))
    rngs = [np.random.default_rng(s) for s in shuffle_seeds]
    state = {k: [np.zeros_like(v), np.zeros_like(v)] for k, v in w.items()}
    alive = np.ones(R, dtype=bool)
    history = np.full((R, epochs), np.nan)
    t = 0
    for epoch in range(epochs):
        orders = np.array([rng.permutation(n) for rng in rngs])  # (R, n)
        total = np.zeros(R)
        for start in range(0, n, batch_size):
            index = orders[:, start : start + batch_size]  # (R, B)
            Xb, yb = X[index], y[index]
            m = index.shape[1]
            with np.errstate(all="ignore"):
                Z1 = Xb @ w["0.W"] + w["0.b"][:, None, :]
                A1 = np.maximum(Z1, 0)
                Z2 = A1 @ w["2.W"] + w["2.b"][:, None, :]
                shifted = Z2 - Z2.max(axis=2, keepdims=True)
                E = np.exp(shifted)
                sums = E.sum(axis=2, keepdims=True)
                picked = np.take_along_axis(shifted, yb[:, :, None], axis=2)[:, :, 0]
                loss = -np.sum(picked - np.log(sums[:, :, 0]), axis=1) / m
            alive &= np.isfinite(loss)
            total += loss * m  # weighted by the batch size, as bp.fit
            S = E / sums
            np.put_along_axis(
                S, yb[:, :, None], np.take_along_axis(S, yb[:, :, None], 2) - 1, 2
            )
            dZ2 = S / m
            with np.errstate(all="ignore"):
                grads = {
                    "2.W": np.swapaxes(A1, 1, 2) @ dZ2,
                    "2.b": dZ2.sum(axis=1),
                }
                dZ1 = (dZ2 @ np.swapaxes(w["2.W"], 1, 2)) * (Z1 > 0)
                grads["0.W"] = np.swapaxes(Xb, 1, 2) @ dZ1
                grads["0.b"] = dZ1.sum(axis=1)
            t += 1
            for key, g in grads.items():
                shape = (R,) + (1,) * (g.ndim - 1)
                rate, keep = lr.reshape(shape), alive.reshape(shape)
                g = np.where(keep, g, 0.0)
                if kind == "sgd":
                    w[key] -= g * rate
                elif kind == "momentum":
                    v = state[key][0]
                    v *= momentum
                    v -= g * rate
                    w[key] += np.where(keep, v, 0.0)
                else:
                    m1, s = state[key]
                    m1 *= 0.9
                    m1 += (1 - 0.9) * g
                    s *= 0.999
                    s += (1 - 0.999) * g * g
                    m_hat = m1 / (1 - 0.9**t)
                    s_hat = s / (1 - 0.999**t)
                    w[key] -= np.where(keep, rate * m_hat / (np.sqrt(s_hat) + 1e-8), 0)
        history[:, epoch] = np.where(alive, total / n, np.nan)
    return history


def sweep(
    grids: dict, X, y, seeds, epochs: int = 100, perturb: float = 0.0, perturb_seed=0
) -> dict:
    """Final-epoch losses of every (optimiser, learning rate) on every seed.

    ``grids`` maps a name to ``(kind, learning rates)``; seed ``s`` starts from
    ``spiral_net(s)`` and shuffles with ``default_rng(100 + s)``. Returns
    ``{(name, lr): (len(seeds),) array}``, NaN for a run that diverged. All settings
    of one kind train together in one call of :func:`train_many`. ``perturb`` and
    ``perturb_seed`` as for :func:`initial_weights`.
    """
    seeds = list(seeds)
    w0 = initial_weights(seeds, perturb, perturb_seed)
    out = {}
    for name, (kind, lrs) in grids.items():
        weights = {k: np.concatenate([v] * len(lrs)) for k, v in w0.items()}
        rates = np.repeat(lrs, len(seeds))
        shuffles = [100 + s for s in seeds] * len(lrs)
        loss = train_many(weights, X, y, kind, rates, shuffles, epochs)
        for i, lr in enumerate(lrs):
            out[name, lr] = loss[i * len(seeds) : (i + 1) * len(seeds), -1]
    return out


def heavy_ball_diverges(
    eta: float, curvature: float, mu: float = 0.0, steps: int = 500
) -> bool:
    """Whether gradient descent with momentum grows on the quadratic ``h x^2 / 2``.

    Iterates ``v <- mu v - eta h x; x <- x + v`` from x = 1, v = 0 (``mu = 0`` is
    plain gradient descent); True when ``|x|`` after ``steps`` steps exceeds 1 (or
    passes 1e6 on the way).
    """
    x, v = 1.0, 0.0
    for _ in range(steps):
        v = mu * v - eta * curvature * x
        x = x + v
        if abs(x) > 1e6:  # clearly diverging; stop before it overflows
            return True
    return bool(abs(x) > 1.0)


def dead_units(net, X: np.ndarray) -> int:
    """How many hidden ReLU units of a :func:`spiral_net`-shaped ``net`` are dead on X.

    A unit is dead when it outputs 0 on every row of ``X``
    (:func:`bp_lib.book.diagnostics.dead_units` gives the fraction).
    """
    width = net.params["0.W"].shape[1]
    return round(layer_dead_fractions(net, X)[0] * width)
