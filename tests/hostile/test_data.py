"""Hostile input to the data helpers: sizes, generators, tables with holes."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

from bp_lib.data import load_digits_split, spirals, standardize, xor

T = np.array([[1.0, 10.0], [3.0, 10.0]])


def gen():
    return np.random.default_rng(0)


PROBES = [
    Probe(
        "spirals n 0", lambda: spirals(0, 3, gen()), Raises(ValueError, "n_per_class must be a positive integer, got 0")
    ),
    Probe(
        "spirals classes 1.5",
        lambda: spirals(5, 1.5, gen()),
        Raises(ValueError, "n_classes must be a positive integer"),
    ),
    Probe("spirals rng int", lambda: spirals(5, 3, 0), Raises(TypeError, "rng must be a numpy.random.Generator")),
    Probe(
        "spirals noise -1",
        lambda: spirals(5, 3, gen(), noise=-1),
        Raises(ValueError, "noise must be in [0, inf), got -1"),
    ),
    Probe(
        "spirals noise NaN",
        lambda: spirals(5, 3, gen(), noise=np.nan),
        Raises(ValueError, "noise must be a finite number"),
    ),
    Probe("spirals shape", lambda: spirals(5, 3, gen())[0].shape, Returns(lambda shape: shape == (15, 2))),
    Probe("xor targets", lambda: xor()[1].ravel(), Returns(close_to([0, 1, 1, 0]))),
    Probe("standardize constant column", lambda: standardize(T)[0], Returns(close_to([[-1.0, 0.0], [1.0, 0.0]]))),
    Probe(
        "standardize NaN",
        lambda: standardize(np.array([[np.nan, 1.0], [2.0, 3.0]])),
        Raises(ValueError, "X_train must be finite", "NaN at index (0, 0)"),
    ),
    Probe("standardize 1-D", lambda: standardize(np.ones(3)), Raises(ValueError, "X_train must be 2-D")),
    Probe("standardize empty", lambda: standardize(np.ones((0, 2))), Raises(ValueError, "X_train has no rows")),
    Probe(
        "standardize columns differ",
        lambda: standardize(T, np.ones((1, 3))),
        Raises(ValueError, "others[0] has 3 columns but X_train has 2"),
    ),
    Probe(
        "standardize other NaN",
        lambda: standardize(T, np.array([[np.inf, 0.0]])),
        Raises(ValueError, "others[0] must be finite", "inf"),
    ),
    Probe("standardize str", lambda: standardize(np.array([["a"]])), Raises(TypeError, "X_train must be a numeric")),
    Probe(
        "standardize uses training statistics",
        lambda: standardize(T, np.array([[5.0, 10.0]]))[1],
        Returns(close_to([[3.0, 0.0]])),
    ),
    Probe(
        "digits fraction 0",
        lambda: load_digits_split(0.0),
        Raises(ValueError, "test_fraction must be in (0, 1), got 0.0"),
    ),
    Probe(
        "digits fraction 1.5",
        lambda: load_digits_split(1.5),
        Raises(ValueError, "test_fraction must be in (0, 1), got 1.5"),
    ),
]

test_probe = table_test(PROBES)
