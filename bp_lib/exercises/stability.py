"""Checkers for the exploding/vanishing-gradient exercises (chapter 10)."""

from __future__ import annotations

import numpy as np

from .feedback import Case, Feedback, diagnose


def _cases() -> list[Case]:
    rng = np.random.default_rng(11)
    big = [rng.normal(size=(3, 4)) * 3, rng.normal(size=4) * 3]  # global norm ~ 10
    small = [rng.normal(size=(2, 2)) * 0.1, rng.normal(size=3) * 0.1]  # global norm < 1
    return [Case((big, 1.0)), Case((small, 1.0)), Case(([rng.normal(size=5) * 4], 2.5))]


def _flat(arrays) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays])


def _norm(arrays) -> float:
    return float(np.linalg.norm(_flat(arrays)))


def _right(grads, max_norm):
    norm = _norm(grads)
    scale = max_norm / (norm + 1e-6) if norm > max_norm else 1.0
    return _flat([g * scale for g in grads]), np.array(norm)


def check_clip_grad_norm(fn) -> Feedback:
    """Check ``fn(grads, max_norm) -> norm``, clipping by the global norm.

    ``fn`` scales the list of arrays ``grads`` in place so that their global norm is at most
    ``max_norm`` (by max_norm / (norm + 1e-6)), and returns the norm measured *before* clipping.
    The tolerance (1e-6) accepts the factor max_norm / norm without the 1e-6 as well.
    """

    def user(grads, max_norm):
        grads = [g.copy() for g in grads]
        norm = fn(grads, max_norm)
        return _flat(grads), np.array(float(norm))

    def per_array(grads, max_norm):
        clipped = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
        return _flat(clipped), np.array(_norm(grads))

    mistakes = [
        (
            "Each array was clipped by its own norm: clip by the global norm of all arrays together, "
            "sqrt(sum of every squared entry), so their relative sizes are kept.",
            per_array,
        ),
        (
            "Each element was clipped to [-max_norm, max_norm]: that changes the direction of the "
            "gradient. Scale all arrays by one factor, max_norm / norm.",
            lambda grads, max_norm: (
                _flat([np.clip(g, -max_norm, max_norm) for g in grads]),
                np.array(_norm(grads)),
            ),
        ),
        (
            "Small gradients were scaled up to max_norm: clip only when the norm exceeds max_norm.",
            lambda grads, max_norm: (
                _flat([g * max_norm / (_norm(grads) + 1e-6) for g in grads]),
                np.array(_norm(grads)),
            ),
        ),
        (
            "The returned norm is the one after clipping; return the norm measured before, which is "
            "what a training log wants to see.",
            lambda grads, max_norm: (
                _right(grads, max_norm)[0],
                np.array(_norm([_right(grads, max_norm)[0]])),
            ),
        ),
    ]
    return diagnose("clip_grad_norm", user, _cases(), _right, mistakes, tol=1e-6)
