"""A tiny reverse-mode automatic differentiation engine on scalars.

Each :class:`Value` records the operation that made it and its inputs, so the
expression forms a graph. ``backward()`` visits the graph in reverse
topological order and applies the chain rule at every node:

    child.grad += (d node / d child) * node.grad

Gradients *accumulate* (``+=``): a node used twice, as in ``x * x``, receives
both contributions. Calling ``backward()`` again adds the same gradients a
second time; reset with ``zero_grad()``, which zeroes every node of the graph.
"""

from __future__ import annotations

import math
import numbers

from ._checks import require_number


class Value:
    """A scalar ``data`` with its gradient ``grad`` and the graph that produced it."""

    def __init__(
        self, data: float, children: tuple = (), op: str = "", label: str = ""
    ):
        self.data = require_number("data", data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self.label = label
        self._local_grads: tuple[float, ...] = ()

    @staticmethod
    def _lift(other) -> Value:
        if isinstance(other, Value):
            return other
        if isinstance(other, bool) or not isinstance(other, numbers.Real):
            raise TypeError(
                "a Value combines with real numbers and Values, "
                f"got {type(other).__name__}"
            )
        return Value(other)

    def _result(
        self, data: float, children: tuple, op: str, local_grads: tuple
    ) -> Value:
        if not math.isfinite(data):
            inputs = ", ".join(repr(child.data) for child in children)
            raise OverflowError(f"{op} of {inputs} overflows a float (got {data})")
        out = Value(data, children, op)
        out._local_grads = local_grads  # d out / d child, one per child
        return out

    def __add__(self, other) -> Value:
        other = self._lift(other)
        return self._result(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other) -> Value:
        other = self._lift(other)
        local_grads = (other.data, self.data)  # d(ab)/da = b, d(ab)/db = a
        return self._result(self.data * other.data, (self, other), "*", local_grads)

    def __pow__(self, exponent) -> Value:
        if not isinstance(exponent, (int, float)):
            raise TypeError(
                f"the exponent must be an int or a float, got {type(exponent).__name__}"
            )
        if self.data == 0 and exponent < 0:
            raise ZeroDivisionError(f"0 ** {exponent:g} is a division by zero")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(
                f"{self.data!r} ** {exponent:g} is not a real number "
                "(a negative base needs an integer exponent)"
            )
        grad = exponent * self.data ** (exponent - 1)
        return self._result(self.data**exponent, (self,), f"**{exponent:g}", (grad,))

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other) -> Value:
        return self + (-self._lift(other))

    def __truediv__(self, other) -> Value:
        return self * self._lift(other) ** -1

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return self._lift(other) - self

    def __rtruediv__(self, other) -> Value:
        return self._lift(other) / self

    def exp(self) -> Value:
        """Exponential ``e**x``; its derivative is itself."""
        try:
            value = math.exp(self.data)
        except OverflowError:  # above log(largest float) = 709.78...
            raise OverflowError(f"exp({self.data!r}) overflows a float") from None
        return self._result(value, (self,), "exp", (value,))

    def log(self) -> Value:
        """Natural logarithm (x > 0); derivative ``1 / x``."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive value, got {self.data!r}")
        return self._result(math.log(self.data), (self,), "log", (1 / self.data,))

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 minus the output squared."""
        value = math.tanh(self.data)
        return self._result(value, (self,), "tanh", (1 - value * value,))

    def relu(self) -> Value:
        """Rectifier ``max(x, 0)``; derivative 1 for x > 0, 0 otherwise (also at 0)."""
        slope = float(self.data > 0)
        return self._result(max(self.data, 0.0), (self,), "relu", (slope,))

    def sigmoid(self) -> Value:
        """Logistic sigmoid ``s = 1 / (1 + e**-x)``; derivative ``s (1 - s)``."""
        if self.data >= 0:
            value = 1 / (1 + math.exp(-self.data))
        else:
            e = math.exp(self.data)
            value = e / (1 + e)
        return self._result(value, (self,), "sigmoid", (value * (1 - value),))

    def topological_order(self) -> list[Value]:
        """Every node of the graph, each after all of its children (inputs first)."""
        order: list[Value] = []
        visited: set[int] = set()
        stack = [(self, False)]
        # iterative depth-first search: deep graphs do not hit the recursion limit
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node.children)
        return order

    def backward(self) -> None:
        """Add ``d self / d node`` to ``node.grad`` for every node of the graph.

        This pass's gradients are gathered apart and added at the end, so a second
        call adds exactly the same amounts again (it does not re-propagate the
        first).
        """
        order = self.topological_order()
        pass_grads = {id(self): 1.0}
        for node in reversed(order):
            upstream = pass_grads.get(id(node), 0.0)
            for child, local in zip(node.children, node._local_grads):
                so_far = pass_grads.get(id(child), 0.0)
                pass_grads[id(child)] = so_far + local * upstream
        for node in order:
            node.grad += pass_grads.get(id(node), 0.0)

    def zero_grad(self) -> None:
        """Reset ``grad`` to 0 on every node of the graph that ends here."""
        for node in self.topological_order():
            node.grad = 0.0

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.6g}, grad={self.grad:.6g})"


def forward_mode_derivative(root: Value, wrt: Value) -> float:
    """``d root / d wrt`` by one *forward-mode* sweep over the graph of ``root``.

    Visits the nodes inputs first and carries each node's tangent
    ``t(node) = d node / d wrt``, starting from ``t(wrt) = 1`` and 0 for the other
    leaves:

        t(node) = sum over children c of (d node / d c) * t(c)

    It uses the same stored local derivatives as :meth:`Value.backward` and touches
    every edge once, but gives the derivative with respect to *one* input per sweep.
    It reads no ``grad`` and changes none. ``wrt`` may be an inner node (the result
    then equals the ``grad`` that ``backward`` gives it); a ``wrt`` outside the graph
    gives 0.0.
    """
    tangent: dict[int, float] = {id(wrt): 1.0}
    for node in root.topological_order():  # children before the nodes that use them
        if node.children and node is not wrt:
            tangent[id(node)] = sum(
                local * tangent.get(id(child), 0.0)
                for child, local in zip(node.children, node._local_grads)
            )
    return tangent.get(id(root), 0.0)
