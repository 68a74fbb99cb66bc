"""Checkers for the exploding/vanishing-gradient exercises (chapter 10).

Clipping updates the caller's arrays in place and returns the norm measured before
clipping: the answer judged is ``(the arrays after the call, the returned norm)``,
on copies of the inputs, so the reference is always computed from the originals.
"""

from __future__ import annotations

import numpy as np

from .feedback import AnswerError, Case, Feedback, Hyperparameter, checks, diagnose

HINT = (
    "Measure the global norm of all arrays together, sqrt(sum of every squared "
    "entry); only if it exceeds max_norm, multiply every array in place by "
    "max_norm / (norm + 1e-6); return the norm measured before."
)


def _cases() -> list[Case]:
    """(grads, max_norm): max_norm differs, and so does which side of it the norm is."""
    rng = np.random.default_rng(11)
    big = [rng.normal(size=(3, 4)) * 3, rng.normal(size=4) * 3]  # global norm ~ 10
    small = [rng.normal(size=(2, 2)) * 0.1, rng.normal(size=3) * 0.1]  # norm < 1
    single = [rng.normal(size=5) * 4]  # norm ~ 9
    return [Case((big, 1.0)), Case((small, 1.0)), Case((single, 2.5))]


def _flat(arrays) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays])


def _norm(arrays) -> float:
    return float(np.linalg.norm(_flat(arrays)))


def _right(grads, max_norm):
    norm = _norm(grads)
    scale = max_norm / (norm + 1e-6) if norm > max_norm else 1.0
    return _flat([g * scale for g in grads]), np.array(norm)


def _clipped_by(measure):
    """Clipping right in every way but the norm, which is ``measure(grads)``."""

    def wrong(grads, max_norm):
        norm = measure(grads)
        scale = max_norm / (norm + 1e-6) if norm > max_norm else 1.0
        return _flat([g * scale for g in grads]), np.array(norm)

    return wrong


@checks("clip_grad_norm", ("grads", "max_norm"))
def check_clip_grad_norm(fn) -> Feedback:
    """Check ``fn(grads, max_norm) -> norm``, clipping by the global norm.

    ``fn`` scales the list of arrays ``grads`` in place so that their global norm is
    at most ``max_norm`` (by max_norm / (norm + 1e-6)), and returns the norm measured
    *before* clipping. The tolerance (1e-6) accepts the factor max_norm / norm
    without the 1e-6 as well.
    """

    def user(grads, max_norm):
        arrays = list(grads)
        norm = fn(grads, max_norm)  # grads is already the checker's copy
        if norm is None:
            raise AnswerError(
                "returned None: return the global norm measured before clipping "
                "(a number), after scaling the arrays of grads in place."
            )
        if isinstance(norm, (list, tuple)):
            raise AnswerError(
                f"returned a {type(norm).__name__}: return the global norm measured "
                "before clipping (a number); the clipped arrays stay in grads, "
                "scaled in place."
            )
        if len(grads) == len(arrays) and any(
            new is not old for new, old in zip(grads, arrays)
        ):
            raise AnswerError(
                "an entry of grads was replaced by a new array (grads[i] = "
                "grads[i] * scale): the caller's arrays, e.g. a model's gradients, "
                "keep their old values. Scale each array in place, g *= scale."
            )
        return _flat(grads), norm

    def per_array(grads, max_norm):
        clipped = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
        return _flat(clipped), np.array(_norm(grads))

    mistakes = [
        (
            "Each array was clipped by its own norm: clip by the global norm of all "
            "arrays together, sqrt(sum of every squared entry), so their relative "
            "sizes are kept.",
            per_array,
        ),
        (
            "The norm is the sum of the arrays' norms: the global norm is "
            "sqrt(sum of every squared entry), the norm of all arrays as one vector "
            "(the square root of the sum of the squared norms).",
            _clipped_by(lambda grads: float(sum(np.linalg.norm(g) for g in grads))),
        ),
        (
            "The norm is the sum of squares without the square root: "
            "norm = sqrt(sum of every squared entry).",
            _clipped_by(lambda grads: _norm(grads) ** 2),
        ),
        (
            "Each element was clipped to [-max_norm, max_norm]: that changes the "
            "direction of the gradient. Scale all arrays by one factor, max_norm / "
            "norm.",
            lambda grads, max_norm: (
                _flat([np.clip(g, -max_norm, max_norm) for g in grads]),
                np.array(_norm(grads)),
            ),
        ),
        (
            "Small gradients were scaled up to max_norm: clip only when the norm "
            "exceeds max_norm.",
            lambda grads, max_norm: (
                _flat([g * max_norm / (_norm(grads) + 1e-6) for g in grads]),
                np.array(_norm(grads)),
            ),
        ),
        (
            "The returned norm is the one after clipping; return the norm measured "
            "before, which is what a training log wants to see.",
            lambda grads, max_norm: (
                _right(grads, max_norm)[0],
                np.array(np.linalg.norm(_right(grads, max_norm)[0])),
            ),
        ),
        (
            "The arrays were not changed in place: the caller's list still holds the "
            "old values. Scale each array in place, g *= scale; g = g * scale only "
            "rebinds a name inside the loop.",
            lambda grads, max_norm: (_flat(grads), np.array(_norm(grads))),
        ),
        (
            "The scale is inverted: multiply by max_norm / norm (below 1 when "
            "clipping), not by norm / max_norm.",
            lambda grads, max_norm: (
                _flat([g * _norm(grads) / max_norm for g in grads]),
                np.array(_norm(grads)),
            ),
        ),
    ]
    return diagnose(
        "clip_grad_norm",
        user,
        _cases(),
        _right,
        mistakes,
        tol=1e-6,
        hint=HINT,
        hyperparameters=[Hyperparameter("max_norm", 1, (1.0, 5.0, 0.5, 10.0))],
        updates_in_place=True,
    )
