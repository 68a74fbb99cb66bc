"""_ext/print_edition.py: how the PDF's doctree is rearranged (solutions, part titles, appendices)."""

import sys
from pathlib import Path

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx import addnodes
from sphinx_exercise.nodes import solution_node

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from print_edition import (  # noqa: E402
    PrintEdition,
    part_title,
    retitle_parts,
    solutions_to_chapter_ends,
)


def _document() -> nodes.document:
    return new_document("<test>", get_default_settings(Parser))


def _section(title: str, *children, **attributes) -> nodes.section:
    section = nodes.section("", nodes.title("", title), *children, **attributes)
    section["ids"] = [title.lower().replace(" ", "-")]
    return section


def _solution(label: str) -> solution_node:
    return solution_node("", nodes.paragraph("", f"answer {label}"), label=label)


def _page(chapter: nodes.section) -> addnodes.start_of_file:
    return addnodes.start_of_file("", chapter, docname=chapter[0].astext())


def _book_of_two_chapters():
    """Chapter one: two exercises each followed by its solution; chapter two: one, inside a container."""
    one = _section(
        "Chapter one",
        _section("Exercises", nodes.paragraph("", "exercise 1"), _solution("s1"), nodes.paragraph("", "exercise 2")),
    )
    one[1] += _solution("s2")
    two = _section("Chapter two", _section("Exercises", nodes.container("", _solution("s3"))))
    document = _document()
    document += nodes.compound("", _page(one), _page(two), classes=["toctree-wrapper"])
    return document, one, two


def _texts(section: nodes.Element) -> list[str]:
    return [child.astext() for child in section.children]


def test_solutions_move_to_a_closing_section_of_their_own_chapter():
    document, one, two = _book_of_two_chapters()
    assert solutions_to_chapter_ends(document) == 3
    assert [child[0].astext() for child in one.children[1:]] == ["Exercises", "Solutions"]
    assert _texts(one[-1])[1:] == ["answer s1", "answer s2"], "solutions in their order, after the title"
    assert _texts(one[1]) == ["Exercises", "exercise 1", "exercise 2"], "the exercises stay where they were"
    assert _texts(two[-1]) == ["Solutions", "answer s3"]
    assert not list(two[1].findall(solution_node)), "the solution left its container"
    assert one[-1]["ids"] != two[-1]["ids"], "each Solutions section has its own id"


def test_a_solution_outside_any_chapter_page_stays():
    document = _document()
    document += _section("Preface", _solution("s0"))
    assert solutions_to_chapter_ends(document) == 0
    assert _texts(document[0]) == ["Preface", "answer s0"]


def test_solutions_are_found_even_when_parent_pointers_are_stale():
    """sphinx-jupyterbook-latex assigns ``children`` lists without updating ``parent``."""
    document, one, _ = _book_of_two_chapters()
    exercises = one[1]
    orphaned = nodes.container()
    orphaned.children = exercises.children  # what its replace_node_cls does
    one.children[1] = orphaned
    assert solutions_to_chapter_ends(document) == 3
    assert _texts(one[-1]) == ["Solutions", "answer s1", "answer s2"]


def test_part_titles_lose_their_part_number_and_appendices_are_lettered():
    assert part_title("Part I: From the chain rule to a trained network") == "From the chain rule to a trained network"
    assert part_title("Part IV: Backpropagation at work") == "Backpropagation at work"
    assert part_title("Appendices") == "Appendices"
    document = _document()
    for caption in ["Part II: Making backpropagation trustworthy", "Appendices"]:
        part = nodes.section("", nodes.title("", caption), docname=caption)
        document += addnodes.start_of_file("", part, docname=caption)
    chapter = _section("Chapter one", docname="chapters/01")  # a page's section: not a part
    document += addnodes.start_of_file("", chapter, docname="chapters/01")
    retitle_parts(document)
    part, appendices = document[0][0], document[1][0]
    assert part[0].astext() == "Making backpropagation trustworthy"
    assert not list(part.findall(nodes.raw))
    assert appendices[0].astext() == "Appendices"
    (raw,) = appendices.findall(nodes.raw)
    assert raw.astext().startswith("\\appendix\n") and raw["format"] == "latex"
    assert "\\renewcommand{\\thefigure}{\\thechapter.\\arabic{figure}}" in raw.astext(), "figures A.1, not 1.1"
    assert chapter[0].astext() == "Chapter one" and not list(chapter.findall(nodes.raw))


def test_only_the_latex_builder_is_touched():
    assert PrintEdition.builders == ("latex",)
