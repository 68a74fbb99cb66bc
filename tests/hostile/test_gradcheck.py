"""Hostile input to gradient checking: low precision, read-only arrays, bad functions."""

import numpy as np
from probes import Probe, Raises, Returns, close_to, table_test

import bp_lib as bp


def square_sum_gradient(dtype=np.float64):
    x = np.array([1.0, -2.0, 3.0], dtype=dtype)
    return bp.numerical_gradient(lambda: float(np.sum(x * x)), x)


def restored_after_raise():
    x = np.array([1.0, 2.0])
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("f failed")
        return float(np.sum(x))

    try:
        bp.numerical_gradient(f, x)
    except RuntimeError:
        pass
    return np.array_equal(x, [1.0, 2.0])


def read_only():
    x = np.ones(3)
    x.flags.writeable = False
    return bp.numerical_gradient(lambda: float(np.sum(x)), x)


def f_returning(value):
    x = np.ones(2)
    return bp.numerical_gradient(lambda: value, x)


PROBES = [
    Probe("numerical_gradient float64", square_sum_gradient, Returns(close_to([2.0, -4.0, 6.0], rtol=1e-8))),
    Probe(
        "numerical_gradient float32",
        lambda: square_sum_gradient(np.float32),
        Raises(TypeError, "x must be float64", "float32"),
    ),
    Probe(
        "numerical_gradient float16",
        lambda: square_sum_gradient(np.float16),
        Raises(TypeError, "x must be float64", "float16"),
    ),
    Probe(
        "numerical_gradient longdouble",
        lambda: square_sum_gradient(np.longdouble),
        Returns(close_to([2.0, -4.0, 6.0], rtol=1e-8)),
    ),
    Probe(
        "numerical_gradient int",
        lambda: bp.numerical_gradient(lambda: 0.0, np.ones(2, dtype=int)),
        Raises(TypeError, "x must be a floating-point numpy array", "int64"),
    ),
    Probe(
        "numerical_gradient list",
        lambda: bp.numerical_gradient(lambda: 0.0, [1.0, 2.0]),
        Raises(TypeError, "x must be a floating-point numpy array", "list"),
    ),
    Probe(
        "numerical_gradient complex",
        lambda: bp.numerical_gradient(lambda: 0.0, np.ones(2) * 1j),
        Raises(TypeError, "x must be a floating-point"),
    ),
    Probe("numerical_gradient read-only", read_only, Raises(ValueError, "x must be writable", "copy")),
    Probe("numerical_gradient restores after raise", restored_after_raise, Returns(lambda ok: ok)),
    Probe(
        "f returns an array",
        lambda: f_returning(np.ones(2)),
        Raises(TypeError, "f must return one real number", "shape (2,)"),
    ),
    Probe("f returns None", lambda: f_returning(None), Raises(TypeError, "f must return one real number", "NoneType")),
    Probe("f returns str", lambda: f_returning("1.0"), Raises(TypeError, "f must return one real number", "str")),
    Probe("f returns complex", lambda: f_returning(1j), Raises(TypeError, "f must return one real number", "complex")),
    Probe("f returns a 1-element array", lambda: f_returning(np.array([3.0])), Returns(close_to([0.0, 0.0]))),
    Probe(
        "f not callable",
        lambda: bp.numerical_gradient(3.0, np.ones(2)),
        Raises(TypeError, "f must be a function of no arguments", "float"),
    ),
    Probe(
        "eps 0",
        lambda: bp.numerical_gradient(lambda: 0.0, np.ones(2), eps=0),
        Raises(ValueError, "eps must be in (0, inf), got 0"),
    ),
    Probe(
        "eps NaN",
        lambda: bp.numerical_gradient(lambda: 0.0, np.ones(2), eps=np.nan),
        Raises(ValueError, "eps must be a finite number"),
    ),
    Probe("relative_error opposite 1e200", lambda: bp.relative_error([1e200], [-1e200]), Returns(close_to(1.0))),
    Probe(
        "relative_error 1e300 near",
        lambda: bp.relative_error([1e300, 1e300], [1e300, 1.0000001e300]),
        Returns(lambda e: 0 < e < 1e-7),
    ),
    Probe("relative_error tiny", lambda: bp.relative_error([1e-300], [-1e-300]), Returns(close_to(1.0))),
    Probe("relative_error both 0", lambda: bp.relative_error([0.0], [0.0]), Returns(lambda e: e == 0.0)),
    Probe(
        "relative_error NaN fails any tol",
        lambda: bp.relative_error([np.nan], [1.0]),
        Returns(lambda e: not e < 1e300, finite=False),
    ),
    Probe(
        "relative_error shapes",
        lambda: bp.relative_error(np.ones((2, 1)), np.ones(2)),
        Raises(ValueError, "a has shape (2, 1) but b has shape (2,)"),
    ),
    Probe("relative_error complex", lambda: bp.relative_error([1j], [1.0]), Raises(TypeError, "a must be a real")),
    Probe("relative_error str", lambda: bp.relative_error(["x"], [1.0]), Raises(TypeError, "a must be a numeric")),
    Probe(
        "compare tol -1",
        lambda: bp.compare("W", np.ones(2), np.ones(2), tol=-1),
        Raises(ValueError, "tol must be in (0, inf), got -1"),
    ),
    Probe(
        "compare tol NaN",
        lambda: bp.compare("W", np.ones(2), np.ones(2), tol=np.nan),
        Raises(ValueError, "tol must be a finite number"),
    ),
    Probe(
        "compare atol -1",
        lambda: bp.compare("W", np.ones(2), np.ones(2), atol=-1),
        Raises(ValueError, "atol must be in [0, inf), got -1"),
    ),
    Probe(
        "compare NaN analytic fails",
        lambda: bp.compare("W", np.array([np.nan]), np.ones(1)).passed,
        Returns(lambda passed: passed is False),
    ),
    Probe(
        "compare 1e200 opposite fails",
        lambda: bp.compare("W", np.array([1e200]), np.array([-1e200])).passed,
        Returns(lambda passed: passed is False),
    ),
    Probe(
        "check_gradients keys",
        lambda: bp.check_gradients(lambda: 0.0, {"W": np.ones(2)}, {"b": np.ones(2)}),
        Raises(ValueError, "arrays and analytic must have the same keys"),
    ),
]

test_probe = table_test(PROBES)
