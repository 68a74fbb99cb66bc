"""Look inside a network: what each layer outputs and what gradient reaches it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import Sequential


@dataclass
class LayerTrace:
    """Per layer of a ``Sequential``: its output and the gradient of the loss w.r.t. that output."""

    outputs: list[np.ndarray]
    output_gradients: list[np.ndarray]

    def std_of_outputs(self, layer_type) -> np.ndarray:
        """Standard deviation of the outputs of every layer of ``layer_type``, in order."""
        return np.array([out.std() for out, layer in zip(self.outputs, self._layers) if isinstance(layer, layer_type)])

    def std_of_gradients(self, layer_type) -> np.ndarray:
        """Standard deviation of dL/d(output) of every layer of ``layer_type``, in order."""
        return np.array(
            [g.std() for g, layer in zip(self.output_gradients, self._layers) if isinstance(layer, layer_type)]
        )


def trace(model: Sequential, X: np.ndarray, dout: np.ndarray) -> LayerTrace:
    """Run ``model`` forward on ``X`` and backward from ``dout``, keeping every intermediate array.

    ``outputs[i]`` is the output of ``model.layers[i]``; ``output_gradients[i]`` the gradient
    that reached it (``dout`` for the last layer). The layers' ``grads`` are filled as usual.
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
