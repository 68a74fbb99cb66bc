import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bp_lib.book.plot import PALETTE, STYLE_PATH, plot_decision_boundary, use_book_style  # noqa: E402


def test_book_style_is_applied():
    assert STYLE_PATH.exists()
    style = matplotlib.rc_params_from_file(STYLE_PATH, use_default_template=False)
    assert len(style) > 3
    with matplotlib.rc_context():  # restore the defaults for the other tests
        matplotlib.rcdefaults()
        use_book_style()
        for key, value in style.items():
            assert plt.rcParams[key] == value, key
        colours = [c["color"].lower() for c in plt.rcParams["axes.prop_cycle"]]
        assert colours[:3] == [c.lower() for c in PALETTE[:3]]


def test_decision_boundary_draws_regions_points_and_labels():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    y = np.array([0, 1, 1])
    fig, ax = plt.subplots()
    plot_decision_boundary(ax, lambda P: (P.sum(axis=1) > 0.5).astype(int), X, y, resolution=20)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.collections) >= 3  # the filled regions and one scatter per class
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    x_low, x_high = ax.get_xlim()
    assert x_low <= -0.5 + 1e-9 and x_high >= 1.5 - 1e-9  # the padded grid covers the data
    fig.canvas.draw()  # renders without error on the Agg backend
    plt.close(fig)


def test_draw_network_draws_every_unit_and_edge():
    from bp_lib.book.plot import draw_network

    fig, ax = plt.subplots()
    draw_network(ax, [4, 5, 3, 2], labels=["in", "h1", "h2", "out"])
    assert len(ax.lines) == 4 * 5 + 5 * 3 + 3 * 2
    assert sum(len(c.get_offsets()) for c in ax.collections) == 4 + 5 + 3 + 2
    assert [t.get_text().split("\n")[0] for t in ax.texts] == ["in", "h1", "h2", "out"]
    plt.close(fig)


def test_draw_shape_equation_sizes_blocks_by_shape():
    from bp_lib.book.plot import draw_shape_equation

    fig, ax = plt.subplots()
    end = draw_shape_equation(ax, [("Z", (5, 7)), "=", ("W", (5, 4)), "@", ("A", (4, 7))], unit=0.5, gap=0.3)
    blocks = [p for p in ax.patches if p.get_gid() == "block"]
    assert [(b.get_width(), b.get_height()) for b in blocks] == [(3.5, 2.5), (2.0, 2.5), (3.5, 2.0)]
    assert "(5, 4)" in [t.get_text() for t in ax.texts] and "=" in [t.get_text() for t in ax.texts]
    assert end == pytest.approx(3.5 + 2.0 + 3.5 + 3 * 0.1 + 2 * 0.3)
    plt.close(fig)


def test_draw_shape_equation_takes_a_colour_per_name():
    from matplotlib.colors import to_rgb

    from bp_lib.book.plot import draw_shape_equation

    fig, ax = plt.subplots()
    draw_shape_equation(ax, [("A", (2, 3)), "@", ("W", (3, 4))], colours={"W": "#000000"})
    blocks = [p for p in ax.patches if p.get_gid() == "block"]
    assert to_rgb(blocks[1].get_facecolor()) == (0.0, 0.0, 0.0)
    assert to_rgb(blocks[0].get_facecolor()) == to_rgb(PALETTE[0])
    plt.close(fig)
