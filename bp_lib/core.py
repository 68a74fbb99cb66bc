"""The module base class and ``Sequential``.

A module wraps a pure forward/backward pair: ``forward(X)`` calls the pair's
forward and keeps its cache; ``backward(dout)`` calls the pair's backward and
returns ``dX``. ``backward`` *overwrites* ``grads`` (it does not add to what an
earlier call left there), so there is nothing to zero between steps. Modules with
parameters write the new gradients into the same arrays (``grads["W"]`` is the same
array object after every step), so copy one to keep it past the next ``backward``.

``backward_params(dout)`` stores the same parameter gradients but need not compute
dL/dX, the gradient with respect to the data, which training never uses; it returns
``None``. By default it calls ``backward``; ``Dense`` skips its ``dX`` product and
parameter-free layers do nothing. ``Sequential.backward_params`` runs ``backward``
through every layer but the first, and ``backward_params`` on the first.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array


class Module:
    """Base class: ``forward``, ``backward``, ``params``/``grads``, ``train``/``eval``.

    ``params`` and ``grads`` are dicts with the same keys; parameters are updated in
    place by the optimisers. ``training`` is True after ``train()`` (the default)
    and False after ``eval()``.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True
        self._cache = None

    def forward(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Compute the output for a batch ``X`` and keep what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Given dL/d(output), store the parameter gradients and return dL/dX."""
        raise NotImplementedError

    def backward_params(self, dout: np.ndarray) -> None:
        """Store the parameter gradients for dL/d(output) = ``dout``.

        dL/dX is not needed.
        """
        self.backward(dout)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)

    def train(self) -> Module:
        """Switch to training mode (batch statistics, dropout on); returns self."""
        self.training = True
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (running statistics, dropout off); returns self."""
        self.training = False
        return self

    def _forward_cache(self):
        """The cache of the last forward pass; ``RuntimeError`` if there was none."""
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: "
                "run forward on a batch first"
            )
        return self._cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Elementwise(Module):
    """A parameter-free module over a pure pair ``(forward_fn, backward_fn)``."""

    forward_fn = None
    backward_fn = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Apply ``forward_fn`` and keep its cache."""
        out, self._cache = type(self).forward_fn(X)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return ``backward_fn(dout, cache)``."""
        return type(self).backward_fn(dout, self._forward_cache())

    def backward_params(self, dout: np.ndarray) -> None:
        """No parameters, so nothing to store (the cache is still required)."""
        self._forward_cache()


class Sequential(Module):
    """Layers applied in order; ``backward`` runs them in reverse.

    ``params``/``grads`` are views over the layers' own dicts with keys
    ``"<layer index>.<name>"`` (e.g. ``"0.W"``, ``"3.gamma"``); the arrays are
    the layers' own, so an optimiser updating ``params`` in place updates the layers.
    """

    def __init__(self, *layers: Module) -> None:
        # No Module.__init__: params and grads are properties over the layers.
        self.training = True
        self._cache = None
        for index, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"layer {index} must be a bp_lib Module, got {type(layer).__name__}"
                )
        _refuse_reuse(layers)
        self.layers = list(layers)

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self._collect("params")

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return self._collect("grads")

    def _collect(self, attribute: str) -> dict[str, np.ndarray]:
        return {
            f"{index}.{name}": array
            for index, layer in enumerate(self.layers)
            for name, array in getattr(layer, attribute).items()
        }

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Feed ``X`` through every layer; an error names the layer it came from."""
        X = as_float_array("X", X)
        for index, layer in enumerate(self.layers):
            X = _with_layer_context(index, layer, layer.forward, X)
        return X

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Feed ``dout`` back through the layers in reverse order; return dL/dX."""
        for index in reversed(range(len(self.layers))):
            layer = self.layers[index]
            dout = _with_layer_context(index, layer, layer.backward, dout)
        return dout

    def backward_params(self, dout: np.ndarray) -> None:
        """As ``backward``, but the first layer skips dL/dX; returns ``None``.

        The first layer runs ``backward_params`` instead of ``backward``.
        """
        for index in reversed(range(1, len(self.layers))):
            layer = self.layers[index]
            dout = _with_layer_context(index, layer, layer.backward, dout)
        if self.layers:
            _with_layer_context(0, self.layers[0], self.layers[0].backward_params, dout)

    def train(self) -> Sequential:
        """Switch every layer to training mode."""
        super().train()
        for layer in self.layers:
            layer.train()
        return self

    def eval(self) -> Sequential:
        """Switch every layer to evaluation mode."""
        super().eval()
        for layer in self.layers:
            layer.eval()
        return self

    def __repr__(self) -> str:
        inner = ",\n".join(
            f"  ({i}) " + repr(layer).replace("\n", "\n  ")
            for i, layer in enumerate(self.layers)
        )
        return f"Sequential(\n{inner}\n)"


def _modules_within(module: Module):
    """``module`` and every module it holds (a Sequential's layers, recursively)."""
    yield module
    for inner in getattr(module, "layers", ()):
        yield from _modules_within(inner)
    if isinstance(getattr(module, "block", None), Module):
        yield from _modules_within(module.block)


def _refuse_reuse(layers) -> None:
    """``ValueError`` if one module object appears twice among ``layers``.

    A module keeps the cache of its *last* forward pass and overwrites its ``grads``
    in ``backward``; used twice, its first use would be differentiated with the
    second use's cache and its gradients would hold only one use's share.
    """
    seen = {}
    for index, layer in enumerate(layers):
        for module in _modules_within(layer):
            if id(module) in seen:
                raise ValueError(
                    f"layer {index} reuses {module!r}, already used in layer "
                    f"{seen[id(module)]}: a module can appear once per model (its "
                    "cache and gradients hold one use); create a second module, or "
                    "share weights by assigning the same arrays to both"
                )
            seen[id(module)] = index


def _with_layer_context(index: int, layer: Module, method, array):
    """Call ``method(array)``; an error it raises names the layer it came from.

    The error itself is re-raised (its type, traceback and attributes kept): for
    ValueError, TypeError and RuntimeError whose message is their first argument,
    the message is prefixed with the layer; for any other error (e.g. numpy's own
    exception types) the layer is added as a note.
    """
    try:
        return method(array)
    except Exception as error:
        where = f"layer {index} ({layer!r})"
        plain_message = type(error).__str__ is BaseException.__str__
        if isinstance(error, (ValueError, TypeError, RuntimeError)) and plain_message:
            error.args = (f"{where}: {error}", *error.args[1:])
        else:
            error.add_note(f"raised in {where}")
        raise
