"""Hostile input to the initialisers: fans, generators, names."""

import numpy as np
from probes import Probe, Raises, Returns, table_test

import bp_lib as bp


def gen():
    return np.random.default_rng(0)


PROBES = [
    Probe(
        "he_normal n_in 0",
        lambda: bp.he_normal(0, 3, gen()),
        Raises(ValueError, "n_in must be a positive integer, got 0"),
    ),
    Probe(
        "he_normal n_out float",
        lambda: bp.he_normal(3, 2.0, gen()),
        Raises(ValueError, "n_out must be a positive integer, got 2.0"),
    ),
    Probe(
        "xavier_uniform rng None",
        lambda: bp.xavier_uniform(3, 2, None),
        Raises(TypeError, "rng must be a numpy.random.Generator", "NoneType"),
    ),
    Probe(
        "lecun_normal rng legacy",
        lambda: bp.lecun_normal(3, 2, np.random.RandomState(0)),
        Raises(TypeError, "rng must be a numpy.random.Generator", "RandomState"),
    ),
    Probe(
        "he_uniform numpy ints",
        lambda: bp.he_uniform(np.int32(3), np.int64(2), gen()).shape,
        Returns(lambda shape: shape == (3, 2)),
    ),
    Probe(
        "xavier_normal huge fan variance",
        lambda: float(np.var(bp.xavier_normal(4000, 4000, gen()))),
        Returns(lambda v: abs(v - 2 / 8000) < 2e-6),
    ),
    Probe(
        "lecun_uniform limit",
        lambda: float(np.max(np.abs(bp.lecun_uniform(300, 100, gen())))),
        Returns(lambda v: v <= np.sqrt(3 / 300)),
    ),
    Probe("Dense init name None", lambda: bp.Dense(3, 2, init=None), Raises(ValueError, "init must be one of", "None")),
    Probe("Dense init list", lambda: bp.Dense(3, 2, init=["he"]), Raises(ValueError, "init must be one of", "['he']")),
    Probe("Dense init zeros", lambda: bp.Dense(3, 2, init="zeros").params["W"], Returns(lambda W: not W.any())),
]

test_probe = table_test(PROBES)
