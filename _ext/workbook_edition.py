"""Sphinx extension: the workbook edition, built with the HTML book.

After an HTML build, ``bp_lib.book.workbook`` writes the workbook (every chapter with
its solutions taken out, ``bp_lib`` and a README) to ``<outdir>/workbook/`` and zips it
to ``<outdir>/workbook.zip``. The links in ``intro.md`` and in each chapter's
``workbook-link`` cell are relative (``workbook.zip``, ``../workbook/NN_x.ipynb``), so
they work offline and from a copy of the site, like the rest of the book.
"""

from __future__ import annotations

from pathlib import Path


def write_workbook(app, exception) -> None:
    """Write ``workbook/`` and ``workbook.zip`` next to the pages."""
    if exception is not None or app.builder.format != "html":
        return
    from bp_lib.book import workbook

    out = Path(app.outdir)
    workbook.build(Path(app.srcdir), out / "workbook")
    workbook.write_zip(out / "workbook", out / "workbook.zip")


def setup(app):
    """Register the build-finished handler."""
    app.connect("build-finished", write_workbook)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
