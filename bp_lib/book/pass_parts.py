"""Chapter 14's breakdown of a backward pass into its parts, each timed alone.

``backward_parts`` builds, for a ``Dense -> ReLU -> ... -> Dense`` network and a batch,
one function per kind of work that :meth:`Sequential.backward_params` does (the dW
products written in place, the dX products of the hidden layers, the ReLU masks and the
bias sums) beside the forward products, with the shapes and dtype of the real pass.
``part_times`` times each with :func:`bp_lib.book.cost.median_time`. Times are shown by
the book, never asserted.
"""

from __future__ import annotations

import numpy as np

from ..activations import ReLU
from ..core import Sequential
from ..dense import Dense
from .cost import median_time


def backward_parts(model: Sequential, X: np.ndarray, rng: np.random.Generator) -> dict:
    """Functions running each part of ``model``'s forward and backward pass alone.

    ``model`` alternates ``Dense`` and ``ReLU``; ``X`` is a batch (m, n_in). Keys:
    ``"forward products"`` (``A @ W`` per layer), ``"dW products"``
    (``np.matmul(A.T, dZ, out=G)`` per layer, as ``Dense`` writes its gradient),
    ``"dX products"`` (``dZ @ W.T``, every layer but the first), ``"ReLU masks"``
    (``dA * (Z > 0)`` per ReLU) and ``"bias sums"`` (``dZ.sum(axis=0, out=g)``).
    The upstream gradients ``dZ`` are standard normal draws from ``rng``.
    """
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    relus = [layer for layer in model.layers if isinstance(layer, ReLU)]
    if len(dense) != len(relus) + 1:
        raise ValueError(
            "model must alternate Dense and ReLU layers, Dense at both ends"
        )
    inputs, upstream, A = [], [], X
    for layer in dense:
        W = layer.params["W"]
        inputs.append(A)
        upstream.append(rng.standard_normal((A.shape[0], W.shape[1])))
        A = np.maximum(A @ W, 0)
    weights = [layer.params["W"] for layer in dense]
    grads = [np.empty_like(W) for W in weights]
    sums = [np.empty(W.shape[1]) for W in weights]
    masks = [(inputs[i + 1], upstream[i]) for i in range(len(relus))]

    def forward_products():
        for A, W in zip(inputs, weights):
            A @ W

    def weight_products():
        for A, dZ, G in zip(inputs, upstream, grads):
            np.matmul(A.T, dZ, out=G)

    def input_products():
        for dZ, W in zip(upstream[1:], weights[1:]):
            dZ @ W.T

    def relu_masks():
        for A, dZ in masks:
            dZ * (A > 0)

    def bias_sums():
        for dZ, g in zip(upstream, sums):
            dZ.sum(axis=0, out=g)

    return {
        "forward products": forward_products,
        "dW products": weight_products,
        "dX products": input_products,
        "ReLU masks": relu_masks,
        "bias sums": bias_sums,
    }


def part_times(parts: dict, repeats: int = 51, warmup: int = 5) -> dict:
    """Median seconds of each function of ``parts`` (name -> function)."""
    return {name: median_time(fn, repeats, warmup) for name, fn in parts.items()}
