"""Book-level checks: the table of contents, notebook hygiene and a strict build.

The build runs as a test so that `make test` is one pytest run ending on pytest's
own summary line.
"""

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
COLUMN = 88  # characters of code that fit the text column of the HTML book
ABSOLUTE_PATH = re.compile(r"(/home/|/root/|/work/|/tmp/|/Users/|[A-Z]:\\\\)")


def _toc_files() -> list[str]:
    return re.findall(r"^\s*-?\s*file:\s*(\S+)", (ROOT / "_toc.yml").read_text(), flags=re.M)


def _code_cells(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text())
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def _text_of(output: dict) -> str:
    if output["output_type"] == "stream":
        return "".join(output["text"])
    if output["output_type"] == "error":
        return "\n".join(output["traceback"])
    return "".join(output.get("data", {}).get("text/plain", ""))


def test_toc_lists_every_chapter_and_only_existing_files():
    listed = _toc_files()
    for name in listed:
        assert (ROOT / f"{name}.ipynb").exists() or (ROOT / f"{name}.md").exists(), f"{name} in _toc.yml is missing"
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is not listed in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_ran_top_to_bottom_in_one_kernel(path):
    counts = [cell["execution_count"] for cell in _code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; run `make notebooks NOTEBOOKS=chapters/{path.name}`"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_outputs_are_clean(path):
    for index, cell in enumerate(_code_cells(path)):
        tags = cell["metadata"].get("tags", [])
        for output in cell["outputs"]:
            where = f"{path.name}, code cell {index + 1}"
            if output["output_type"] == "error":
                assert "raises-exception" in tags, f"{where}: an error output in a cell not tagged raises-exception"
            if output["output_type"] == "stream":
                assert output["name"] != "stderr", f"{where}: stored stderr output (a warning?)"
            assert not ABSOLUTE_PATH.search(_text_of(output)), f"{where}: an absolute path in the output"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_what_the_reader_sees_fits_the_column(path):
    """Code and printed text wider than the column are clipped in the HTML (and the PDF)."""
    too_wide = []
    for index, cell in enumerate(_code_cells(path)):
        shown = ["".join(cell["source"])] + [_text_of(o) for o in cell["outputs"] if o["output_type"] != "error"]
        for kind, text in zip(["code", *["output"] * (len(shown) - 1)], shown):
            too_wide += [
                f"code cell {index + 1}, {kind}: {len(line)} characters: {line[:60]}..."
                for line in text.splitlines()
                if len(line) > COLUMN
            ]
    assert not too_wide, f"{path.name}: lines wider than {COLUMN} characters:\n" + "\n".join(too_wide)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_kernel_is_python3(path):
    kernelspec = json.loads(path.read_text())["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{path.name}: kernelspec {kernelspec}"


@pytest.fixture(scope="module")
def book_build():
    """Build the book once, strictly (-W -n), into _build/html; the result and its log."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_book_builds_without_warnings(book_build):
    log = book_build.stdout + book_build.stderr
    assert book_build.returncode == 0, f"jupyter-book build -W failed:\n{log[-6000:]}"
    assert (ROOT / "_build" / "html" / "index.html").exists()


@pytest.fixture(scope="module")
def site_report(book_build):
    """What headless Chromium saw on every page of the built book (browser_check)."""
    if book_build.returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    from browser_check import check_site

    report = check_site(ROOT / "_build" / "html", ROOT / "_build" / "screenshots")
    (ROOT / "_build" / "browser_report.json").write_text(json.dumps(dataclasses.asdict(report), indent=1))
    return report


def test_browser_renders_every_page(site_report):
    """Every page in headless Chromium: math typeset, images loaded, nothing fetched from outside."""
    report = site_report
    assert report.pages, "no page was checked"
    assert not report.problems, "\n".join(report.problems)
    assert report.search_hits > 0, "the search page found nothing for 'gradient'"


def test_the_browser_checked_every_chapter_page(site_report):
    """Every notebook of chapters/ (Part V's included) was opened and checked in the browser."""
    missing = [p.stem for p in CHAPTERS if f"chapters/{p.stem}.html" not in site_report.pages]
    assert not missing, f"pages the browser did not check: {missing}"


@pytest.mark.parametrize(
    "page, links",
    [
        ("intro.html", ["workbook.zip"]),
        ("chapters/03_dense_layer.html", ["workbook/03_dense_layer.ipynb", "workbook.zip"]),
    ],
)
def test_the_intro_and_a_chapter_link_to_the_workbook(site_report, page, links):
    """The workbook's links, found in the browser and fetched (a zip, a notebook): a
    broken one is in ``problems``, which test_browser_renders_every_page asserts empty."""
    found = [url.split("/", 3)[3] for url in site_report.workbook_links.get(page, [])]
    assert found == links, f"{page}: workbook links {found}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_a_chapter_with_exercises_links_to_its_workbook_notebook(path):
    """A cell tagged workbook-link (dropped from the workbook itself) before the exercises."""
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells]
    exercises = [i for i, s in enumerate(sources) if "{exercise-start}" in s]
    if not exercises:
        return
    links = [i for i, c in enumerate(cells) if "workbook-link" in c["metadata"].get("tags", [])]
    assert links and links[0] < exercises[0], f"{path.name}: no workbook-link cell before the first exercise"
    assert f'href="../workbook/{path.name}"' in sources[links[0]] and 'href="../workbook.zip"' in sources[links[0]]
