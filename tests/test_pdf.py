"""The PDF edition: `make pdf` built once, strictly (-W -n), then read back.

The build needs TeX and poppler-utils (the Debian packages in ``TEX_DEBS``). Without them
the tests are skipped, with the install line as the reason; under CI (``CI`` set) they fail
instead, because CI must check the PDF (``.ci/run`` installs the packages). The build goes to
``_build/pdf/`` (Jupyter Book's own tree in ``_build/pdf/_build/``: doctrees and notebook
outputs apart from the HTML build's), so it can run beside tests/test_book.py's HTML build.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "backpropagation-derived-and-verified.pdf"
PDF = ROOT / "_build" / "pdf" / PDF_NAME
LOG = ROOT / "_build" / "pdf" / "_build" / "latex" / PDF_NAME.replace(".pdf", ".log")
TEX_DEBS = "texlive-xetex texlive-latex-extra texlive-fonts-recommended latexmk fonts-freefont-otf poppler-utils"
TOOLS = ("make", "xelatex", "latexmk", "kpsewhich", "pdftotext", "pdfinfo")
PAGES = range(150, 401)  # 214 pages when this was written; far outside means chapters missing or run away
CONTINUATION_MARK = "\N{RIGHTWARDS ARROW WITH HOOK}"  # Sphinx's mark at the start of a wrapped code line
EXERCISE_TITLE = re.compile(r"^Exercise ([0-9A-Z]+)\.\d+\.\d+")  # a line starting so: an exercise's title
SOLUTION_TITLE = re.compile(r"^Solution to Exercise ([0-9A-Z]+)\.\d+\.\d+")
SOLUTION_DIRECTIVE = re.compile(r"\{solution(?:-start)?\}")


def _toc_files() -> list[str]:
    """The files of _toc.yml (the root page excluded), without their suffix: what the PDF holds."""
    return re.findall(r"^\s*-?\s*file:\s*(\S+)", (ROOT / "_toc.yml").read_text(), flags=re.M)


def _toc_titles() -> dict[str, str]:
    """The title (first `# ` heading) of every file in _toc.yml, root page excluded."""
    titles = {}
    for name in _toc_files():
        notebook = ROOT / f"{name}.ipynb"
        if notebook.exists():
            cells = json.loads(notebook.read_text())["cells"]
            text = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
        else:
            text = (ROOT / f"{name}.md").read_text()
        titles[name] = re.search(r"^# (.+)$", text, flags=re.M).group(1).strip()
    return titles


def _normalised(text: str) -> str:
    """Whitespace, typographic quotes and hyphens folded, to compare titles with the PDF's text."""
    text = text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'").replace("\N{HYPHEN}", "-")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf_build():
    """`make pdf` with warnings as errors: the finished process and the build time in seconds."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"the PDF needs {', '.join(missing)}: apt-get install {TEX_DEBS}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required under CI; .ci/run installs them)")
        pytest.skip(reason)
    command = [
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.installed",  # use the environment running these tests, never reinstall it
        "pdf",
        f"BIN={Path(sys.executable).parent}",
        "PDF_FLAGS=-W -n --keep-going",
    ]
    PDF.unlink(missing_ok=True)  # a PDF left by an earlier run must not pass for this one
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    PDF.parent.mkdir(parents=True, exist_ok=True)
    (PDF.parent / "build_seconds.txt").write_text(f"{seconds:.0f}\n")
    return result, seconds


@pytest.fixture(scope="module")
def pdf_text(pdf_build):
    """The PDF's text (pdftotext), or a failure pointing at the build's test."""
    result, _ = pdf_build
    if result.returncode != 0 or not PDF.exists():
        pytest.fail("the PDF did not build; see test_pdf_builds_without_warnings")
    return subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_builds_without_warnings(pdf_build):
    result, seconds = pdf_build
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"make pdf (jupyter-book -W -n) failed after {seconds:.0f} s:\n{log[-6000:]}"
    assert PDF.exists(), f"make pdf succeeded but wrote no {PDF.relative_to(ROOT)}"


def test_page_count_is_sane(pdf_text):
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    assert pages in PAGES, f"{pages} pages, expected {PAGES.start}-{PAGES.stop - 1}"


def test_every_chapter_title_is_in_the_text(pdf_text):
    """Each page of _toc.yml opens a chapter whose heading is a line of its own (in capitals)."""
    lines = {_normalised(line) for line in pdf_text.splitlines()}
    missing = [f"{name}: {title}" for name, title in _toc_titles().items() if _normalised(title.upper()) not in lines]
    assert not missing, "chapter headings not found in the PDF's text:\n" + "\n".join(missing)


def test_latex_log_has_no_errors_and_no_undefined_references(pdf_text):
    log = LOG.read_text(errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!") or "LaTeX Error" in line]
    assert not errors, "LaTeX errors:\n" + "\n".join(errors[:20])
    undefined = [line for line in log.splitlines() if "undefined" in line.lower()]
    assert not undefined, "undefined references or citations:\n" + "\n".join(undefined[:20])


def test_no_code_line_is_wrapped(pdf_text):
    """88 columns fit the text width (`_config.yml`'s latex_elements); a wrapped line shows Sphinx's mark."""
    wrapped = [line for line in pdf_text.splitlines() if CONTINUATION_MARK in line]
    assert not wrapped, f"{len(wrapped)} wrapped code lines, continuing with:\n" + "\n".join(wrapped[:10])


def test_solutions_follow_all_exercises_of_their_chapter(pdf_text):
    """On paper a chapter's solutions sit in its closing "Solutions" section, after every exercise."""
    exercises, solutions = defaultdict(list), defaultdict(list)
    for number, line in enumerate(pdf_text.splitlines()):
        if match := EXERCISE_TITLE.match(line):
            exercises[match[1]].append(number)
        elif match := SOLUTION_TITLE.match(line):
            solutions[match[1]].append(number)
    notebooks = [ROOT / f"{name}.ipynb" for name in _toc_files()]
    written = sum(len(SOLUTION_DIRECTIVE.findall(path.read_text())) for path in notebooks if path.exists())
    assert sum(map(len, solutions.values())) == written, f"{dict(solutions)} in the PDF, {written} in the chapters"
    early = [chapter for chapter, lines in solutions.items() if min(lines) < max(exercises[chapter], default=-1)]
    assert not early, f"chapters whose solutions come before one of their exercises: {early}"
