"""Sphinx extension that keeps the built book self-contained.

1. MathJax is served from the build itself: the MathJax 3 files shipped by the
   PyPI package ``django-static-mathjax`` (pure static files, no Django needed)
   are copied to ``_build/html/mathjax/`` and ``mathjax_path`` points there, so
   no page asks a CDN for anything.
2. Sphinx 7.4 with sphinx-thebe lists thebe's inline configuration script twice,
   which makes every page throw ``Identifier 'THEBE_JS_URL' has already been
   declared``; duplicate scripts are dropped from each page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

# The parts of MathJax's es5 folder that a page typeset with tex-chtml.js may load.
MATHJAX_PARTS = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre", "adaptors")


def mathjax_source() -> Path:
    """The es5 folder of the MathJax 3 distribution installed with django-static-mathjax."""
    import mathjax

    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").exists():
        raise FileNotFoundError(f"MathJax not found at {source}; pip install django-static-mathjax")
    return source


def copy_mathjax(app, exception) -> None:
    """After an HTML build, copy MathJax next to the pages (``<outdir>/mathjax``)."""
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of identical ``<script>`` entries of a page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # An inline script's filename is None or "" depending on who added it.
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    """Register the two event handlers."""
    mathjax_source()  # fail early, with a clear message, if MathJax is not installed
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)  # after sphinx-thebe adds its own
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
