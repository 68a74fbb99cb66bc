import math

import pytest

from bp_lib.scalar import Value

EPS = 1e-6


def _centred(f, x):
    return (f(x + EPS) - f(x - EPS)) / (2 * EPS)


UNARY = {
    "exp": (lambda v: v.exp(), math.exp),
    "log": (lambda v: v.log(), math.log),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0)),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
    "pow 3": (lambda v: v**3, lambda x: x**3),
    "pow -0.5": (lambda v: v**-0.5, lambda x: x**-0.5),
    "neg": (lambda v: -v, lambda x: -x),
    "rsub": (lambda v: 2.0 - v, lambda x: 2.0 - x),
    "rtruediv": (lambda v: 3.0 / v, lambda x: 3.0 / x),
    "radd and rmul": (lambda v: 1.5 + 2.0 * v, lambda x: 1.5 + 2.0 * x),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [0.7, 2.3])
def test_unary_operations_against_centred_differences(name, x):
    on_value, on_float = UNARY[name]
    v = Value(x)
    out = on_value(v)
    out.backward()
    assert out.data == pytest.approx(on_float(x))
    assert v.grad == pytest.approx(_centred(on_float, x), rel=1e-6)


@pytest.mark.parametrize(
    ("op", "f"),
    [
        ("+", lambda a, b: a + b),
        ("-", lambda a, b: a - b),
        ("*", lambda a, b: a * b),
        ("/", lambda a, b: a / b),
    ],
)
def test_binary_operations(op, f):
    a, b = Value(1.3), Value(-0.4)
    out = f(a, b)
    out.backward()
    assert a.grad == pytest.approx(_centred(lambda x: f(x, -0.4), 1.3), rel=1e-6)
    assert b.grad == pytest.approx(_centred(lambda y: f(1.3, y), -0.4), rel=1e-6)


def test_a_node_used_twice_accumulates_both_contributions():
    x = Value(3.0)
    y = x * x  # dy/dx = 2x: one contribution of x from each factor
    y.backward()
    assert x.grad == 6.0


def test_two_input_neuron():
    x1, x2, w1, w2, b = Value(2.0), Value(-1.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    n = (x1 * w1 + x2 * w2 + b).tanh()
    n.backward()
    local = 1 - n.data**2
    assert w1.grad == pytest.approx(local * 2.0)
    assert x1.grad == pytest.approx(local * -3.0)
    assert b.grad == pytest.approx(local)


def test_backward_twice_adds_the_same_amount_and_zero_grad_resets():
    x, y = Value(0.5), Value(-2.0)
    z = (x * y + x.exp()).tanh()
    z.backward()
    once = (x.grad, y.grad)
    z.backward()
    assert (x.grad, y.grad) == pytest.approx((2 * once[0], 2 * once[1]))
    z.zero_grad()
    assert all(node.grad == 0 for node in z.topological_order())


def test_topological_order_puts_children_first():
    a = Value(1.0)
    b = a * 2
    c = b + a
    order = c.topological_order()
    assert order.index(a) < order.index(b) < order.index(c)


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_sigmoid_of_large_negative_input_is_finite():
    v = Value(-1000.0)
    out = v.sigmoid()
    out.backward()
    assert out.data == 0.0 and v.grad == 0.0
