"""Hypothesis strategies for the gradient tests: small asymmetric shapes and seeded arrays."""

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
