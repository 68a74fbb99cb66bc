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


def test_forward_mode_gives_the_same_derivatives_as_one_reverse_pass():
    from bp_lib.scalar import forward_mode_derivative

    inputs = [Value(v) for v in (0.3, -1.2, 0.8, 2.0)]
    a, b, c, d = inputs
    inner = a * b + c
    out = (inner.tanh() * d + (a * d).sigmoid()) / (1 + b**2)
    out.backward()
    for node in [*inputs, inner]:  # one forward sweep per node asked for
        assert forward_mode_derivative(out, node) == pytest.approx(node.grad, rel=1e-12)
    assert forward_mode_derivative(out, Value(1.0)) == 0.0  # not in the graph
    grads = [v.grad for v in inputs]
    forward_mode_derivative(out, a)
    assert [v.grad for v in inputs] == grads  # forward mode leaves grad alone


@pytest.mark.parametrize(
    ("name", "f"),
    [
        ("v + 2", lambda v: v + 2.0),
        ("v - 2", lambda v: v - 2.0),
        ("v * 2", lambda v: v * 2.0),
        ("v / 2", lambda v: v / 2.0),
        ("2 - v", lambda v: 2.0 - v),
        ("2 / v", lambda v: 2.0 / v),
        ("2 * v + 1", lambda v: 2 * v + 1),
    ],
)
@pytest.mark.parametrize("x", [-1.7, 0.6])
def test_operations_with_plain_numbers_on_either_side(name, f, x):
    v = Value(x)
    out = f(v)
    out.backward()
    assert out.data == pytest.approx(f(x))
    assert v.grad == pytest.approx(_centred(f, x), rel=1e-6)


@pytest.mark.parametrize(("x", "slope"), [(-0.8, 0.0), (0.0, 0.0), (1.9, 1.0)])
def test_relu_slope_is_zero_for_negative_inputs_and_at_zero(x, slope):
    v = Value(x)
    v.relu().backward()
    assert v.grad == slope


@pytest.mark.parametrize("x", [-2.5, -0.3, 1.1])
def test_tanh_and_sigmoid_at_negative_inputs(x):
    for op, f in (("tanh", math.tanh), ("sigmoid", lambda t: 1 / (1 + math.exp(-t)))):
        v = Value(x)
        getattr(v, op)().backward()
        assert v.grad == pytest.approx(_centred(f, x), rel=1e-6), op


def test_a_mixed_expression_of_two_variables_against_centred_differences():
    def f(a, b):
        return ((a * b + a.exp() / b) ** 2).log() - (b - a).tanh() * 3

    def g(a, b):
        return math.log((a * b + math.exp(a) / b) ** 2) - math.tanh(b - a) * 3

    a, b = Value(0.4), Value(1.3)
    out = f(a, b)
    out.backward()
    assert out.data == pytest.approx(g(0.4, 1.3))
    assert a.grad == pytest.approx(_centred(lambda t: g(t, 1.3), 0.4), rel=1e-6)
    assert b.grad == pytest.approx(_centred(lambda t: g(0.4, t), 1.3), rel=1e-6)


def test_a_node_used_in_two_branches_accumulates_both():
    x = Value(0.5)
    y = x.exp() + x.tanh() * x  # dy/dx = e^x + (1 - tanh^2 x) x + tanh x
    y.backward()
    assert x.grad == pytest.approx(math.exp(0.5) + (1 - math.tanh(0.5) ** 2) * 0.5 + math.tanh(0.5))


def test_zero_grad_resets_every_node_and_a_fresh_backward_gives_the_first_result():
    x, y = Value(0.3), Value(1.2)
    z = x * y + y.sigmoid()
    z.backward()
    once = (x.grad, y.grad, z.grad)
    z.zero_grad()
    assert [node.grad for node in z.topological_order()] == [0.0] * len(z.topological_order())
    z.backward()
    assert (x.grad, y.grad, z.grad) == once


def test_topological_order_lists_each_node_once_after_all_its_children():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c + b.tanh()
    order = e.topological_order()
    assert len(order) == len({id(node) for node in order})
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is e and {id(a), id(b)} <= set(position)
