"""Hostile input to the scalar engine ``Value``: non-numbers, overflow, undefined powers."""

import math

from probes import Probe, Raises, Returns, table_test

from bp_lib.scalar import Value


def gradient_of_x_times_x():
    x = Value(3.0)
    (x * x).backward()
    return x.grad


PROBES = [
    Probe("Value str", lambda: Value("a"), Raises(TypeError, "data must be a real number", "'a'")),
    Probe("Value None", lambda: Value(None), Raises(TypeError, "data must be a real number", "None")),
    Probe("Value complex", lambda: Value(1 + 1j), Raises(TypeError, "data must be a real number")),
    Probe("Value NaN", lambda: Value(math.nan), Raises(ValueError, "data must be a finite number", "nan")),
    Probe("Value inf", lambda: Value(math.inf), Raises(ValueError, "data must be a finite number", "inf")),
    Probe(
        "Value + str",
        lambda: Value(1.0) + "a",
        Raises(TypeError, "a Value combines with real numbers and Values", "str"),
    ),
    Probe("Value * list", lambda: Value(1.0) * [1], Raises(TypeError, "a Value combines", "list")),
    Probe("1 / Value(0)", lambda: 1 / Value(0.0), Raises(ZeroDivisionError, "0 ** -1 is a division by zero")),
    Probe(
        "Value(-1) ** 0.5",
        lambda: Value(-1.0) ** 0.5,
        Raises(ValueError, "-1.0 ** 0.5 is not a real number", "integer exponent"),
    ),
    Probe("Value(-2) ** 3", lambda: (Value(-2.0) ** 3).data, Returns(lambda v: v == -8.0)),
    Probe(
        "Value ** Value",
        lambda: Value(2.0) ** Value(2.0),
        Raises(TypeError, "the exponent must be an int or a float", "Value"),
    ),
    Probe("exp overflow", lambda: Value(1000.0).exp(), Raises(OverflowError, "exp(1000.0) overflows a float")),
    Probe("exp 709", lambda: Value(709.0).exp().data, Returns(lambda v: v > 1e307)),
    Probe(
        "product overflow", lambda: Value(1e200) * Value(1e200), Raises(OverflowError, "* of 1e+200, 1e+200 overflows")
    ),
    Probe("log 0", lambda: Value(0.0).log(), Raises(ValueError, "log needs a positive value, got 0.0")),
    Probe("sigmoid -1000", lambda: Value(-1000.0).sigmoid().data, Returns(lambda v: v == 0.0)),
    Probe("tanh 1e300", lambda: Value(1e300).tanh().data, Returns(lambda v: v == 1.0)),
    Probe("x * x gradient", gradient_of_x_times_x, Returns(lambda g: g == 6.0)),
]

test_probe = table_test(PROBES)
