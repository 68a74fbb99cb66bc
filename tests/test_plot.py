import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bp_lib.plot import PALETTE, STYLE_PATH, plot_decision_boundary, use_book_style  # noqa: E402


def test_book_style_is_applied():
    use_book_style()
    assert STYLE_PATH.exists()
    colours = [c["color"].lower() for c in plt.rcParams["axes.prop_cycle"]]
    assert colours[:3] == [c.lower() for c in PALETTE[:3]]


def test_decision_boundary_draws_regions_points_and_labels():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    y = np.array([0, 1, 1])
    fig, ax = plt.subplots()
    plot_decision_boundary(ax, lambda P: (P.sum(axis=1) > 0.5).astype(int), X, y, resolution=20)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.collections) >= 3  # the filled regions and one scatter per class
    plt.close(fig)


def test_draw_network_draws_every_unit_and_edge():
    from bp_lib.plot import draw_network

    fig, ax = plt.subplots()
    draw_network(ax, [4, 5, 3, 2], labels=["in", "h1", "h2", "out"])
    assert len(ax.lines) == 4 * 5 + 5 * 3 + 3 * 2
    assert sum(len(c.get_offsets()) for c in ax.collections) == 4 + 5 + 3 + 2
    assert [t.get_text().split("\n")[0] for t in ax.texts] == ["in", "h1", "h2", "out"]
    plt.close(fig)
