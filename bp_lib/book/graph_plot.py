"""Draw the computational graph of a :class:`bp_lib.scalar.Value` with matplotlib alone.

Nodes are placed in columns by depth (inputs on the left, the output on the right);
each box shows the node's label or operation, its value and, after ``backward()``,
its gradient; optionally each edge carries the local derivative of the operation it
feeds. No graphviz is needed.
"""

from __future__ import annotations

from ..scalar import Value
from .plot import PALETTE


def node_depths(root: Value) -> dict[int, int]:
    """Column of every node: 0 for inputs, else 1 + its children's largest column."""
    depth: dict[int, int] = {}
    for node in root.topological_order():  # children come first
        depth[id(node)] = 1 + max((depth[id(c)] for c in node.children), default=-1)
    return depth


def _layout(root: Value) -> dict[int, tuple[float, float]]:
    """(x, y) of every node: x its depth, rows spread evenly within a column."""
    depth = node_depths(root)
    columns: dict[int, list[Value]] = {}
    for node in root.topological_order():
        columns.setdefault(depth[id(node)], []).append(node)
    positions = {}
    for column, nodes in columns.items():
        for row, node in enumerate(nodes):
            positions[id(node)] = (float(column), (len(nodes) - 1) / 2 - row)
    return positions


def _caption(node: Value, show_grad: bool) -> str:
    name = node.label or node.op or "input"
    text = f"{name}\n{node.data:.4g}"
    return text + (f"\ngrad {node.grad:.4g}" if show_grad else "")


def draw_graph(
    root: Value, ax, show_grad: bool = True, show_local: bool = False
) -> None:
    """Draw the graph that produced ``root`` on the matplotlib axes ``ax``.

    Edges run from each input to the node it feeds; leaves (inputs and constants)
    are drawn in one colour and operations in another. With ``show_local`` each edge
    child -> node is labelled with the local derivative ``d node / d child`` stored
    by the operation, the factor the chain rule multiplies along that edge.
    """
    positions = _layout(root)
    for node in root.topological_order():
        x1, y1 = positions[id(node)]
        for child, local in zip(node.children, node._local_grads):
            x0, y0 = positions[id(child)]
            start, end = (x0 + 0.22, y0), (x1 - 0.22, y1)
            arrow = {"arrowstyle": "->", "color": "0.35", "lw": 1.2}
            ax.annotate("", xy=end, xytext=start, arrowprops=arrow)
            if show_local:
                ax.text(
                    start[0] + 0.45 * (end[0] - start[0]),
                    start[1] + 0.45 * (end[1] - start[1]),
                    f"{local:.4g}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=PALETTE[3],
                    bbox={
                        "boxstyle": "round,pad=0.15",
                        "facecolor": "white",
                        "edgecolor": "none",
                    },
                    gid="local-derivative",
                )
    for node in root.topological_order():
        x, y = positions[id(node)]
        colour = PALETTE[5] if not node.children else PALETTE[1]
        ax.text(
            x,
            y,
            _caption(node, show_grad),
            ha="center",
            va="center",
            fontsize=8,
            bbox={
                "boxstyle": "round,pad=0.4",
                "facecolor": colour,
                "alpha": 0.35,
                "edgecolor": "0.3",
            },
            gid="node",
        )
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_axis_off()
