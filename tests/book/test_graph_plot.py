import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from bp_lib.book.graph_plot import draw_graph, node_depths  # noqa: E402
from bp_lib.scalar import Value  # noqa: E402


def _expression():
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    q = x * y
    q.label = "q"
    f = q + x.exp()
    f.label = "f"
    return x, y, f


def test_depths_put_inputs_first_and_the_output_last():
    x, y, f = _expression()
    depth = node_depths(f)
    assert depth[id(x)] == depth[id(y)] == 0
    assert depth[id(f)] == max(depth.values()) == 2


def test_draw_graph_writes_one_box_per_node_with_gradients():
    x, y, f = _expression()
    f.backward()
    fig, ax = plt.subplots()
    draw_graph(f, ax)
    texts = [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]  # arrows are texts too
    assert len(texts) == len(f.topological_order())
    assert any(t.startswith("x\n2") and "grad" in t for t in texts)
    plt.close(fig)


def test_draw_graph_labels_each_edge_with_its_local_derivative():
    x, y, f = _expression()  # f = x*y + exp(x) at x = 2, y = -1
    fig, ax = plt.subplots()
    draw_graph(f, ax, show_local=True)
    locals_ = sorted(t.get_text() for t in ax.texts if t.get_gid() == "local-derivative")
    # edges: x -> q (dq/dx = y = -1), y -> q (dq/dy = x = 2), x -> exp (e^2), q -> f and exp -> f (1 each)
    assert locals_ == sorted(["-1", "2", "7.389", "1", "1"])
    assert len([t for t in ax.texts if t.get_gid() == "node"]) == 5  # x, y, q, exp(x), f
    plt.close(fig)
    fig, ax = plt.subplots()
    draw_graph(f, ax)
    assert not [t for t in ax.texts if t.get_gid() == "local-derivative"]
    plt.close(fig)
