"""The residual (skip) connection: ``out = X + block(X)``.

Backward, by the sum rule (the identity's Jacobian is I):

    dX = dout + block.backward(dout)

so the upstream gradient reaches X unchanged along the skip, whatever the block does
to it. The block's output must have the shape of its input, (..., n) -> (..., n).
``Residual``'s ``params`` and ``grads`` are the block's own dicts (same keys, same
arrays), so an optimiser updating them updates the block.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array
from .core import Module


class Residual(Module):
    """``out = X + block(X)`` around any module ``block`` that keeps the shape.

    ``train()`` and ``eval()`` switch the block too. A block whose output shape differs
    from its input's is refused at the first forward pass with a ``ValueError``.
    """

    def __init__(self, block: Module) -> None:
        # No Module.__init__: params and grads are properties over the block's.
        if not isinstance(block, Module):
            raise TypeError(
                f"block must be a bp_lib Module, got {type(block).__name__}"
            )
        self.block = block
        self.training = block.training
        self._cache = None

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self.block.params

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return self.block.grads

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``X + block(X)``; ``ValueError`` if the block changes the shape."""
        X = as_float_array("X", X)
        inner = self.block.forward(X)
        if np.shape(inner) != X.shape:
            raise ValueError(
                f"Residual: the block maps X of shape {X.shape} to shape "
                f"{np.shape(inner)}; out = X + block(X) needs the block's output to "
                f"have the shape of its input, {X.shape}"
            )
        self._cache = X.shape
        return X + inner

    def _checked_upstream(self, dout: np.ndarray) -> np.ndarray:
        shape = self._forward_cache()
        dout = as_float_array("dout", dout)
        if dout.shape != shape:
            raise ValueError(
                f"dout has shape {dout.shape}, expected {shape} "
                "(the shape of the forward pass's X)"
            )
        return dout

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Store the block's gradients; return ``dout + block.backward(dout)``."""
        dout = self._checked_upstream(dout)
        return dout + self.block.backward(dout)

    def backward_params(self, dout: np.ndarray) -> None:
        """Store the block's gradients only (the skip carries no parameter)."""
        self.block.backward_params(self._checked_upstream(dout))

    def train(self) -> Residual:
        """Switch the block to training mode too."""
        self.training = True
        self.block.train()
        return self

    def eval(self) -> Residual:
        """Switch the block to evaluation mode too."""
        self.training = False
        self.block.eval()
        return self

    def __repr__(self) -> str:
        inner = repr(self.block).replace("\n", "\n  ")
        return f"Residual(\n  {inner}\n)"
