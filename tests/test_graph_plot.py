import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from bp_lib.graph_plot import draw_graph, node_depths  # noqa: E402
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
