"""Chapter 13's measurements: a width scan over seeds with intervals, and a line count.

``width_scan`` trains one network per (width, seed) pair with the chapter's schedule
and returns the test accuracies (``bp_lib.book.stats.mean_interval`` gives their mean
and t-interval); ``code_lines`` counts the lines of a module that are code
(neither blank, nor a comment, nor a docstring), so that the chapter can say how much
library code its classifier rests on.
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize

import numpy as np

from ..optim import Adam
from ..train import accuracy, fit


def width_scan(
    build, widths, seeds, data, *, epochs: int, batch_size: int = 32, lr: float = 1e-3
) -> np.ndarray:
    """Test accuracy of ``build(width, seed)`` trained with Adam, per width and seed.

    ``build(width, seed)`` returns a fresh network; it is trained on ``data.X_train``,
    ``data.y_train`` for ``epochs`` epochs of mini-batches of ``batch_size``, shuffled
    by ``default_rng(1000 + seed)``, then evaluated in eval mode on ``data.X_test``.
    Shapes: ``widths`` (k,), ``seeds`` (s,) -> accuracies (k, s).
    """
    result = np.empty((len(widths), len(seeds)))
    for i, width in enumerate(widths):
        for j, seed in enumerate(seeds):
            net = build(width, seed)
            fit(
                net,
                data.X_train,
                data.y_train,
                optimizer=Adam(lr),
                epochs=epochs,
                batch_size=batch_size,
                rng=np.random.default_rng(1000 + seed),
            )
            net.eval()
            result[i, j] = accuracy(net.forward(data.X_test), data.y_test)
    return result


def code_lines(module) -> tuple[int, int]:
    """(all lines, code lines) of ``module``'s source file.

    Code lines are those holding a token other than a comment, a newline or the strings
    that are docstrings (of the module, a class or a function).
    """
    source = inspect.getsource(module)
    docstring_lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(
            node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
            ):
                if isinstance(body[0].value.value, str):
                    docstring_lines.update(
                        range(body[0].lineno, body[0].end_lineno + 1)
                    )
    skip = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
    }
    skip.add(tokenize.ENDMARKER)
    code = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            code.update(
                n
                for n in range(token.start[0], token.end[0] + 1)
                if n not in docstring_lines
            )
    return len(source.splitlines()), len(code)


def stable_round(value: float, decimals: int, margin: float) -> str:
    """``value`` formatted to ``decimals`` places, refused if it sits near a boundary.

    A printed number that depends on many epochs of floating-point training can move
    slightly from one BLAS build to another; rounded, it stays the same as long as it
    is more than the distance it moves from the nearest rounding boundary (a multiple of
    ``10**-decimals`` plus a half). This raises ``ValueError`` when ``value`` is within
    ``margin`` of such a boundary, so that the stored output of a notebook is never one
    that a small perturbation would change.
    """
    step = 10.0**-decimals
    boundary = (np.floor(value / step - 0.5) + 0.5) * step
    distance = min(abs(value - boundary), abs(value - boundary - step))
    if distance < margin:
        raise ValueError(
            f"{value!r} is {distance:.2g} from the rounding boundary of {decimals} "
            f"decimals, closer than the margin {margin}: print it coarser"
        )
    return f"{value:.{decimals}f}"
