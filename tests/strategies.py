"""Hypothesis strategies and seeded array makers for the gradient tests.

Shapes are small and drawn independently (so 3x5 and 5x3 both occur); arrays come from
``np.random.default_rng(seed)`` with the seed drawn by hypothesis, so a failure prints
a seed that reproduces it. The array makers keep inputs away from the places where a
centred difference or a relative error stops meaning anything: kinks, and gradients
that are ~0 because the operation annihilates the upstream gradient.
"""

import numpy as np
from hypothesis import strategies as st

batches = st.integers(1, 8)
features = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


@st.composite
def shapes(draw, min_batch=1):
    """A (batch, features) shape, batch in [min_batch, 8] and features in [1, 6]."""
    return draw(st.integers(min_batch, 8)), draw(features)


def away_from_zero(rng, shape, margin=0.1):
    """Normal draws pushed at least ``margin`` away from 0 (keeps ReLU off its kink)."""
    Z = rng.normal(size=shape)
    return Z + np.sign(Z) * margin + (Z == 0) * margin


def upstream(rng, shape):
    """A random upstream gradient: never ones, which would hide transposes and sums."""
    return rng.normal(size=shape)


def spread_upstream(rng, shape, margin=0.1):
    """A random upstream gradient whose entries differ by at least ``margin`` within each row.

    Softmax maps a constant row of upstream gradient to 0 (it is invariant to a shift of
    the logits), so a nearly constant row would make the true gradient ~0 and its
    relative error meaningless. Rows are random increasing sequences with steps of at
    least ``margin``, centred and shuffled.
    """
    steps = np.abs(rng.normal(size=shape)) + margin
    rows = np.cumsum(steps, axis=-1)
    rows -= rows.mean(axis=-1, keepdims=True)
    return rng.permuted(rows, axis=-1)
