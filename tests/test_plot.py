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
