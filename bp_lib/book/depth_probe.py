"""Per-layer statistics of a deep dense + activation stack, forward and backward.

A stack of ``depth`` blocks ``Dense(width, width) -> activation`` is run forward on a
batch ``X`` (m, width) and backward from an upstream gradient ``dout`` (m, width).
For block ``l = 1..depth`` the probe keeps

    Z[l]   the dense output (pre-activation),        (m, width)
    A[l]   the activation's output,                  (m, width)
    dZ[l]  dL/dZ[l], the gradient reaching Z[l],     (m, width)

With weights of variance ``Var(w)``, zero biases and ReLU, the variance-preservation
argument predicts the gain ``g = width * Var(w) / 2`` per block, in both directions:

    Var(Z[1]) = width * Var(w) * E[x**2],     Var(Z[l]) = g * Var(Z[l-1])
    Var(dZ[depth]) = Var(dout) / 2,           Var(dZ[l-1]) = g * Var(dZ[l])

Nothing here changes the model's parameters; its ``grads`` are filled as by
``backward``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import require_number, require_positive_int
from ..activations import ReLU
from ..core import Sequential
from ..dense import Dense
from .diagnostics import trace


def scaled_normal(scale: float):
    """An initialiser ``(n_in, n_out, rng) -> scale * N(0, 1)`` draws.

    The scale is e.g. the classic ``0.01``. The variance it gives is ``scale**2``
    whatever the layer's width.
    """
    scale = require_number("scale", scale, low=0)

    def init(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
        return scale * rng.standard_normal((n_in, n_out))

    init.__name__ = f"scaled_normal({scale:g})"
    return init


def relu_stack(
    depth: int, width: int, init, rng: np.random.Generator, activation=ReLU
) -> Sequential:
    """``depth`` blocks ``Dense(width, width, init) -> activation()``.

    The weights are drawn from ``rng``.
    """
    depth = require_positive_int("depth", depth)
    width = require_positive_int("width", width)
    layers = []
    for _ in range(depth):
        layers += [Dense(width, width, init=init, rng=rng), activation()]
    return Sequential(*layers)


@dataclass
class DepthProbe:
    """Per-block arrays of a probed stack (index 0 is block 1).

    ``z`` is Z[l], ``a`` is A[l], ``dz`` is dZ[l].
    """

    z: list[np.ndarray]
    a: list[np.ndarray]
    dz: list[np.ndarray]

    def preactivation_std(self) -> np.ndarray:
        """Standard deviation of ``Z[l]``, per block: shape (depth,).

        It is taken over the batch and the units.
        """
        return np.array([z.std() for z in self.z])

    def activation_std(self) -> np.ndarray:
        """Standard deviation of ``A[l]``, per block: shape (depth,)."""
        return np.array([a.std() for a in self.a])

    def gradient_std(self) -> np.ndarray:
        """Standard deviation of ``dZ[l]``, per block: shape (depth,)."""
        return np.array([g.std() for g in self.dz])


def probe(model: Sequential, X: np.ndarray, dout: np.ndarray) -> DepthProbe:
    """Run ``model`` forward on ``X`` and backward from ``dout``.

    Returns the :class:`DepthProbe` of every block. ``ValueError`` if the layers do
    not alternate ``Dense``, activation, ``Dense``, activation, ...
    """
    layers = model.layers
    kinds = [isinstance(layer, Dense) for layer in layers]
    if len(layers) % 2 or kinds != [True, False] * (len(layers) // 2):
        names = ", ".join(type(layer).__name__ for layer in layers)
        raise ValueError(
            "model must alternate Dense and activation layers "
            f"(Dense, ReLU, Dense, ...), got {names}"
        )
    t = trace(model, X, dout)
    return DepthProbe(z=t.outputs[0::2], a=t.outputs[1::2], dz=t.output_gradients[0::2])


def relu_moments(var_z: float) -> tuple[float, float, float]:
    """Mean, second moment and std of ``a = max(z, 0)`` for ``z ~ N(0, var_z)``.

    ``E[a] = sqrt(var_z / (2 pi))``, ``E[a**2] = var_z / 2`` (half of z's mass is
    zeroed, the other half keeps its square),
    ``std(a) = sqrt(var_z * (1/2 - 1/(2 pi)))``.
    """
    var_z = require_number("var_z", var_z, low=0)
    mean = np.sqrt(var_z / (2 * np.pi))
    second = var_z / 2
    return float(mean), float(second), float(np.sqrt(second - mean**2))


def relu_gain(width: int, var_w: float) -> float:
    """Factor by which one ReLU block multiplies the variance, forward and backward.

    ``g = width * Var(w) / 2``.
    """
    width = require_positive_int("width", width)
    var_w = require_number("var_w", var_w, low=0)
    return width * var_w / 2


def predicted_forward_variance(
    depth: int, width: int, var_w: float, second_moment_x: float
) -> np.ndarray:
    """Predicted ``Var(Z[l])`` for l = 1..depth; shape (depth,).

    ``width * Var(w) * E[x**2] * g**(l-1)``, ``g`` the :func:`relu_gain`.
    """
    depth = require_positive_int("depth", depth)
    g = relu_gain(width, var_w)
    return width * var_w * second_moment_x * g ** np.arange(depth)


def predicted_backward_variance(
    depth: int, width: int, var_w: float, var_dout: float
) -> np.ndarray:
    """Predicted ``Var(dZ[l])`` for l = 1..depth; shape (depth,).

    ``Var(dout) / 2 * g**(depth-l)``, ``g`` the :func:`relu_gain`.
    """
    depth = require_positive_int("depth", depth)
    g = relu_gain(width, var_w)
    return var_dout / 2 * g ** np.arange(depth - 1, -1, -1)
