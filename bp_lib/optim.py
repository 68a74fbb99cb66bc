"""Optimisers with one interface, ``step(params, grads)``, and gradient clipping.

``params`` and ``grads`` are dicts with the same keys (``model.params``,
``model.grads``); parameters are updated in place and the gradients are left as they
are. Each optimiser keeps its own state per key (velocities, moments; SGD also a
work array, so that its step allocates nothing), so one optimiser serves one model.

    SGD with momentum   v <- mu v - lr g,         p <- p + v        (mu = 0: plain SGD)
    Adam                m <- b1 m + (1 - b1) g,   s <- b2 s + (1 - b2) g**2,
                        p <- p - lr m_hat / (sqrt(s_hat) + eps),
                        m_hat = m / (1 - b1**t),  s_hat = s / (1 - b2**t)
"""

from __future__ import annotations

import numpy as np

from ._checks import require_number


def _check_keys(params: dict, grads: dict) -> None:
    if params.keys() != grads.keys():
        raise ValueError(
            "params and grads must have the same keys, "
            f"got {sorted(params)} and {sorted(grads)}"
        )
    for name, p in params.items():
        if grads[name].shape != p.shape:
            raise ValueError(
                f"grads[{name!r}] has shape {grads[name].shape}, expected {p.shape} "
                "(the shape of the parameter)"
            )


class Optimizer:
    """Base class: ``step(params, grads)`` checks the dicts, updates each parameter."""

    def __init__(self, lr: float) -> None:
        self.lr = require_number("lr", lr, low=0, low_open=True)
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self, params: dict, grads: dict) -> None:
        """Update every array of ``params`` in place from the matching ``grads``."""
        _check_keys(params, grads)
        self._begin_step()
        for name, p in params.items():
            state = self.state.setdefault(name, {})
            self._update(p, grads[name], state)

    def _begin_step(self) -> None:
        """Hook called once per step before the per-parameter updates."""

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError  # pragma: no cover


class SGD(Optimizer):
    """Stochastic gradient descent with (optional) classical momentum.

    ``v <- momentum * v - lr * g``; ``p <- p + v``. With ``momentum=0`` this is
    ``p <- p - lr * g``.
    """

    def __init__(self, lr: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(lr)
        self.momentum = require_number(
            "momentum", momentum, low=0, high=1, high_open=True
        )

    def _update(self, p, g, state) -> None:
        step = _scratch(state, p)
        np.multiply(g, self.lr, out=step)  # lr * g
        if self.momentum == 0:
            p -= step
            return
        v = state.setdefault("velocity", np.zeros_like(p))
        v *= self.momentum
        v -= step
        p += v

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias-corrected first and second moments."""

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ):
        super().__init__(lr)
        self.beta1 = require_number("beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = require_number("beta2", beta2, low=0, high=1, high_open=True)
        self.eps = require_number("eps", eps, low=0, low_open=True)
        self.t = 0

    def _begin_step(self) -> None:
        self.t += 1

    def _update(self, p, g, state) -> None:
        m = state.setdefault("m", np.zeros_like(p))
        s = state.setdefault("s", np.zeros_like(p))
        m *= self.beta1
        m += (1 - self.beta1) * g
        s *= self.beta2
        s += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        s_hat = s / (1 - self.beta2**self.t)
        p -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g})"


def _scratch(state: dict, p: np.ndarray) -> np.ndarray:
    """A work array shaped like ``p``, kept in ``state`` so no step allocates one."""
    work = state.get("scratch")
    if work is None or work.shape != p.shape or work.dtype != p.dtype:
        work = state["scratch"] = np.empty_like(p)
    return work


def global_norm(grads) -> float:
    """``sqrt(sum of squares of every entry of every array)`` of ``grads``.

    ``grads`` is a dict or a list of arrays.
    """
    arrays = grads.values() if isinstance(grads, dict) else grads
    total = sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)
    return float(np.sqrt(total))


def clip_grad_norm(grads, max_norm: float) -> float:
    """Scale all gradients in place so their global norm is at most ``max_norm``.

    With ``N = global_norm(grads)``: if ``N > max_norm`` every array is multiplied
    by ``max_norm / (N + 1e-6)`` (the direction is kept, the length capped just
    below ``max_norm``). Returns N, the norm *before* clipping.
    ``grads``: a dict of arrays (e.g. ``model.grads``) or a list of arrays.
    """
    max_norm = require_number("max_norm", max_norm, low=0, low_open=True)
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    norm = global_norm(arrays)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in arrays:
            g *= scale
    return norm
