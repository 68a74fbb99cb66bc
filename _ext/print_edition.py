r"""Sphinx extension: what reads badly on paper is rearranged for the PDF (``make pdf``).

It acts only on the LaTeX builder's doctree (one tree for the whole book, assembled from
every page); the HTML book is untouched.

1. The solutions of a chapter's exercises move from under each exercise (a dropdown in
   the HTML, closed until the reader opens it) to a section "Solutions" at the end of the
   chapter. Each keeps its title, "Solution to Exercise 3.9.1", linked to its exercise.
2. A part's title loses the "Part I: " of its toctree caption, which LaTeX already prints
   ("Part I" above the title): "Part I: From the chain rule ..." is "From the chain rule ...".
3. The chapters of the part "Appendices" are lettered (Appendix A, B, C) by LaTeX's
   ``\appendix``, as in print books, instead of continuing the chapter numbers; their
   figures and equations are numbered A.1, A.2, ...
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import solution_node

PART_PREFIX = re.compile(r"^Part [IVXLC]+:\s*")
APPENDICES = "Appendices"
SOLUTIONS_TITLE = "Solutions"
# \appendix letters the chapters, but Sphinx numbers figures, tables, code listings and
# equations with \arabic{chapter} (sphinxlatexnumfig.sty): A.1, not 1.1, needs them redefined.
APPENDIX_LATEX = "\n".join(
    [r"\appendix"]
    + [
        rf"\renewcommand{{\the{c}}}{{\thechapter.\arabic{{{c}}}}}"
        for c in ("figure", "table", "equation", "literalblock")
    ]
    + [""]
)


def part_title(caption: str) -> str:
    """The title of a part without its "Part <roman>: " prefix, which LaTeX prints itself."""
    return PART_PREFIX.sub("", caption, count=1)


def solutions_by_chapter(node: nodes.Element, chapter=None, found=None) -> list[tuple]:
    """Every solution with its parent and its chapter: ``(solution, parent, chapter)``.

    The tree is walked from the top, because the LaTeX transforms of sphinx-jupyterbook-latex
    move children between nodes without updating their ``parent``: a node's ancestors
    cannot be trusted. A chapter is the top section of a page (``start_of_file``).
    """
    found = [] if found is None else found
    if isinstance(node, addnodes.start_of_file):
        chapter = next((child for child in node.children if isinstance(child, nodes.section)), chapter)
    for child in node.children:
        if isinstance(child, solution_node):
            found.append((child, node, chapter))
        elif isinstance(child, nodes.Element):
            solutions_by_chapter(child, chapter, found)
    return found


def solutions_to_chapter_ends(document: nodes.document) -> int:
    """Move every solution to a "Solutions" section closing its chapter; the number moved."""
    sections: dict[int, nodes.section] = {}
    moved = 0
    for solution, parent, chapter in solutions_by_chapter(document):
        if chapter is None:
            continue
        if id(chapter) not in sections:
            section = nodes.section("", nodes.title("", SOLUTIONS_TITLE))
            section["ids"] = [f"solutions-{chapter['ids'][0]}" if chapter["ids"] else "solutions"]
            chapter += section
            sections[id(chapter)] = section
        parent.remove(solution)
        sections[id(chapter)] += solution
        moved += 1
    return moved


def part_sections(document: nodes.document) -> list[nodes.section]:
    """The parts: sections that sphinx-jupyterbook-latex made from the toctree captions.

    It puts each in a ``start_of_file`` of its own and names both after the caption
    (``docname``); a page's section is named after the page's file instead.
    """
    return [
        section
        for page in document.findall(addnodes.start_of_file)
        for section in page.children
        if isinstance(section, nodes.section)
        and section.children
        and isinstance(section[0], nodes.title)
        and section.get("docname") == section[0].astext()
    ]


def retitle_parts(document: nodes.document) -> None:
    """Drop "Part I: " from each part's title; letter the chapters after "Appendices"."""
    for section in part_sections(document):
        caption = section[0].astext()
        section[0].replace_self(nodes.title("", part_title(caption)))
        if caption == APPENDICES:
            section.insert(1, nodes.raw("", APPENDIX_LATEX, format="latex"))


class PrintEdition(SphinxPostTransform):
    """Rearrange the assembled LaTeX doctree for paper (see the module's docstring)."""

    builders = ("latex",)
    # After sphinx-exercise titles the solutions (20-22) and sphinx-jupyterbook-latex
    # makes the parts (700).
    default_priority = 750

    def run(self, **kwargs) -> None:
        retitle_parts(self.document)
        solutions_to_chapter_ends(self.document)


def setup(app):
    """Register the post-transform."""
    app.add_post_transform(PrintEdition)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
