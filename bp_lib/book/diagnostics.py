"""Look inside a network: what each layer outputs and what gradient reaches it."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ..activations import ReLU
from ..core import Sequential


@dataclass
class LayerTrace:
    """Per layer of a ``Sequential``: its output and the gradient reaching it.

    The gradient is that of the loss w.r.t. the layer's output.
    """

    outputs: list[np.ndarray]
    output_gradients: list[np.ndarray]

    def std_of_outputs(self, layer_type) -> np.ndarray:
        """Standard deviation of the output of each ``layer_type`` layer, in order."""
        pairs = zip(self.outputs, self._layers)
        stds = [out.std() for out, layer in pairs if isinstance(layer, layer_type)]
        return np.array(stds)

    def std_of_gradients(self, layer_type) -> np.ndarray:
        """Standard deviation of dL/d(output) of each ``layer_type`` layer, in order."""
        pairs = zip(self.output_gradients, self._layers)
        stds = [g.std() for g, layer in pairs if isinstance(layer, layer_type)]
        return np.array(stds)


def trace(model: Sequential, X: np.ndarray, dout: np.ndarray) -> LayerTrace:
    """Run ``model`` forward on ``X`` and backward from ``dout``, keeping intermediates.

    ``outputs[i]`` is the output of ``model.layers[i]``; ``output_gradients[i]`` the
    gradient that reached it (``dout`` for the last layer). The layers' ``grads`` are
    filled as usual.
    """
    outputs, A = [], X
    for layer in model.layers:
        A = layer.forward(A)
        outputs.append(A)
    gradients = [None] * len(model.layers)
    grad = dout
    for index in reversed(range(len(model.layers))):
        gradients[index] = grad
        grad = model.layers[index].backward(grad)
    result = LayerTrace(outputs, gradients)
    result._layers = list(model.layers)
    return result


def difference_errors(
    f, df, x0: float, steps, kind: str = "centred", dtype=np.float64
) -> np.ndarray:
    """Relative error of a finite-difference estimate of ``f'(x0)`` for each step ``h``.

    The estimate, computed in ``dtype``, and its error:

    forward:  ``(f(x + h) - f(x)) / w``
              error ``O(h)`` (truncation) + ``O(u / h)`` (round-off)
    centred:  ``(f(x + h) - f(x - h)) / w``
              error ``O(h**2)`` + ``O(u / h)``

    ``w`` is the width of the step actually taken in ``dtype`` (``(x + h) - x`` or
    ``(x + h) - (x - h)``), so only the rounding of ``f``'s values remains; a step
    too small to move ``x`` gives NaN. ``f`` must keep the dtype of its argument
    (numpy ufuncs do); ``df`` is the exact derivative, evaluated in float64.
    Shapes: ``steps`` (k,) -> errors (k,), ``|estimate - f'(x0)| / |f'(x0)|``.
    """
    if kind not in ("forward", "centred"):
        raise ValueError(f"kind must be 'forward' or 'centred', got {kind!r}")
    exact = float(df(np.float64(x0)))
    if exact == 0:
        raise ValueError(
            f"f'(x0) is 0 at x0 = {x0}: a relative error is undefined there; "
            "pick another x0"
        )
    x = dtype(x0)
    errors = []
    for h in np.asarray(steps, dtype=np.float64):
        h = dtype(h)
        lower_x = x if kind == "forward" else x - h
        width = float((x + h) - lower_x)
        estimate = float(f(x + h) - f(lower_x)) / width if width > 0 else np.nan
        errors.append(abs(estimate - exact) / abs(exact))
    return np.array(errors)


def dead_units(model: Sequential, X: np.ndarray) -> np.ndarray:
    """Fraction of the units of each ReLU layer that output 0 on every row of ``X``.

    The forward pass runs on a copy of ``model`` in training mode (a batch-norm layer
    normalises with the statistics of ``X``), so ``model`` and its running statistics
    are left as they were. Returns shape (number of ReLU layers,).
    """
    probe = copy.deepcopy(model).train()
    fractions, A = [], X
    for layer in probe.layers:
        A = layer.forward(A)
        if isinstance(layer, ReLU):
            fractions.append(float(np.mean(~np.any(A > 0, axis=0))))
    return np.array(fractions)
