"""Plotting helpers shared by the chapters, all in the book's one style."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: The style file every figure of the book uses.
STYLE_PATH = Path(__file__).with_name("book.mplstyle")

#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def use_book_style() -> None:
    """Apply the book's matplotlib style (sizes, fonts, colour-blind-safe colours).

    In a notebook, figures are also stored at twice their pixel density ("retina"),
    about 220 dpi at their printed width in the PDF edition; the HTML shows them at
    their usual size, and the text a figure prints (``<Figure size 704x330 ...>``)
    does not change.
    """
    import matplotlib.pyplot as plt

    plt.style.use(STYLE_PATH)
    _store_figures_at_retina_density()


def _store_figures_at_retina_density() -> None:
    """Ask IPython's inline backend for 2x PNGs; a no-op outside IPython."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - IPython ships with the book's tools
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def draw_network(ax, sizes, labels=None) -> None:
    """Draw a fully connected network: one column of units per layer.

    Every edge between neighbouring columns is drawn. ``sizes`` lists the number
    of units per layer, input first; ``labels`` (optional) names each column, e.g.
    ``["input", "hidden 1", "output"]``.
    """
    tallest = max(sizes)
    columns = [np.linspace(-(n - 1) / 2, (n - 1) / 2, n) for n in sizes]
    for layer, (left, right) in enumerate(zip(columns[:-1], columns[1:])):
        for y0 in left:
            for y1 in right:
                ax.plot([layer, layer + 1], [y0, y1], color="0.75", lw=0.7, zorder=1)
    for layer, ys in enumerate(columns):
        colour = (
            PALETTE[0]
            if 0 < layer < len(sizes) - 1
            else PALETTE[1 if layer == 0 else 2]
        )
        ax.scatter(
            np.full(len(ys), layer),
            ys,
            s=260,
            color=colour,
            edgecolor="black",
            zorder=2,
        )
        name = labels[layer] if labels else f"layer {layer}"
        ax.text(
            layer,
            -tallest / 2 - 0.6,
            f"{name}\n$n_{layer} = {sizes[layer]}$",
            ha="center",
            va="top",
        )
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-tallest / 2 - 1.8, tallest / 2 + 0.5)
    ax.set_axis_off()


def plot_decision_boundary(
    ax,
    predict,
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 200,
    padding: float = 0.5,
) -> None:
    """Shade each class's region and scatter the labelled points on top.

    ``predict`` maps points (k, 2) to labels (k,); ``X`` is (m, 2) and ``y`` (m,).
    """
    from matplotlib.colors import ListedColormap

    y = np.asarray(y).ravel()
    classes = np.unique(y)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(classes))]
    (x_min, y_min), (x_max, y_max) = X.min(axis=0) - padding, X.max(axis=0) + padding
    grid_x, grid_y = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    grid_points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    labels = np.asarray(predict(grid_points)).reshape(grid_x.shape)
    ax.contourf(
        grid_x,
        grid_y,
        labels,
        levels=np.arange(len(classes) + 1) - 0.5,
        cmap=ListedColormap(colours),
        alpha=0.25,
    )
    for colour, label in zip(colours, classes):
        chosen = y == label
        ax.scatter(
            X[chosen, 0],
            X[chosen, 1],
            color=colour,
            edgecolor="black",
            linewidth=0.5,
            label=f"class {label:g}",
            zorder=3,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    # outside: the corners hold data
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))


def draw_shape_equation(
    ax,
    items,
    y: float = 0.0,
    x: float = 0.0,
    unit: float = 0.25,
    gap: float = 0.3,
    colours: dict | None = None,
) -> float:
    """Draw a matrix equation, left to right, as blocks proportional to the shapes.

    ``items`` mixes strings, drawn as operators (``"="``, ``"+"``, ``"@"``), and
    ``(name, (rows, cols))`` pairs, drawn as a rectangle ``cols * unit`` wide and
    ``rows * unit`` tall with the name inside and the shape under it. Blocks are
    centred vertically on ``y`` and start at ``x``; returns the x where the row ends.
    ``colours`` maps a name to its fill colour (so that the same matrix has the same
    colour in several equations); other blocks take the palette's colours in turn.
    """
    from matplotlib.patches import Rectangle

    colour = 0
    for item in items:
        if isinstance(item, str):
            ax.text(x + gap / 2, y, item, ha="center", va="center", fontsize=13)
            x += gap
            continue
        name, (rows, cols) = item
        width, height = cols * unit, rows * unit
        ax.add_patch(
            Rectangle(
                (x, y - height / 2),
                width,
                height,
                facecolor=(colours or {}).get(name, PALETTE[colour % len(PALETTE)]),
                alpha=0.35,
                edgecolor="0.2",
                gid="block",
            )
        )
        ax.text(x + width / 2, y, name, ha="center", va="center", fontsize=11)
        ax.text(
            x + width / 2,
            y - height / 2 - 0.08,
            f"({rows}, {cols})",
            ha="center",
            va="top",
            fontsize=9,
        )
        colour += 1
        x += width + gap / 3
    return x
