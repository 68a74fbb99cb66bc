"""_ext/repository_link.py: which address the book's repository and issue buttons get, and
which pages get Binder and Colab buttons (a real Sphinx build of a one-notebook book)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from repository_link import button_options, repository_address, web_address  # noqa: E402

# What Jupyter Book 1.x passes the theme before the extension runs (its default _config.yml).
JUPYTER_BOOK_DEFAULTS = {
    "launch_buttons": {"notebook_interface": "classic", "binderhub_url": "", "colab_url": "", "thebe": False},
    "repository_url": "https://github.com/executablebooks/jupyter-book",
    "repository_branch": "master",
}


@pytest.mark.parametrize(
    ("remote", "page"),
    [
        ("git@github.com:owner/backprop-book.git", "https://github.com/owner/backprop-book"),
        ("ssh://git@github.com/owner/backprop-book.git", "https://github.com/owner/backprop-book"),
        ("https://github.com/owner/backprop-book.git\n", "https://github.com/owner/backprop-book"),
        ("https://github.com/owner/backprop-book/", "https://github.com/owner/backprop-book"),
        ("https://user:token@gitlab.com/group/book.git", "https://gitlab.com/group/book"),
        ("/work/main", None),
        ("../book.git", None),
        ("", None),
    ],
)
def test_web_address_of_a_remote(remote, page):
    assert web_address(remote) == page


def test_github_actions_variables_win_over_the_remote(tmp_path):
    environ = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "fork/backprop-book"}
    assert repository_address(str(tmp_path), environ) == "https://github.com/fork/backprop-book"


def test_a_folder_that_is_not_a_repository_has_no_address(tmp_path):
    assert repository_address(str(tmp_path), environ={}) is None


def test_a_github_address_turns_on_every_button():
    options = button_options("https://github.com/fork/backprop-book", JUPYTER_BOOK_DEFAULTS)
    assert options["repository_url"] == "https://github.com/fork/backprop-book"
    assert options["repository_branch"] == "main"
    assert options["use_repository_button"] and options["use_issues_button"]
    assert options["launch_buttons"] == {
        "notebook_interface": "jupyterlab",
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "thebe": False,
    }


def test_no_address_leaves_the_options_as_they_were():
    assert button_options(None, JUPYTER_BOOK_DEFAULTS) == JUPYTER_BOOK_DEFAULTS


def test_another_host_gets_the_repository_buttons_without_launch_buttons():
    """Colab opens GitHub notebooks only (the theme warns, a -W error, if asked elsewhere)."""
    options = button_options("https://gitlab.com/group/book", JUPYTER_BOOK_DEFAULTS)
    assert options["use_repository_button"] and options["repository_url"] == "https://gitlab.com/group/book"
    assert options["launch_buttons"] == JUPYTER_BOOK_DEFAULTS["launch_buttons"]


def test_a_host_the_theme_does_not_know_gets_no_buttons():
    """sphinx-book-theme stops the build ("Provider not recognized") on such an address."""
    assert button_options("https://codeberg.org/owner/book", JUPYTER_BOOK_DEFAULTS) == JUPYTER_BOOK_DEFAULTS


NOTEBOOK = """{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# A chapter"]}],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4, "nbformat_minor": 5}"""


def build_small_book(folder: Path, remote: str | None) -> dict[str, list[str]]:
    """Build a book of one page and one chapter notebook with -W; each page's launch links."""
    (folder / "chapters").mkdir(parents=True)
    (folder / "chapters" / "01_one.ipynb").write_text(NOTEBOOK)
    (folder / "intro.md").write_text("# Intro\n")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/01_one\n")
    extension = Path(__file__).resolve().parents[1] / "_ext"
    (folder / "_config.yml").write_text(
        f"title: t\nexecute:\n  execute_notebooks: 'off'\nsphinx:\n  local_extensions:\n"
        f"    repository_link: {extension}\n"
    )
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    build = subprocess.run(
        [str(jupyter_book), "build", str(folder), "-W", "-n", "--keep-going"], capture_output=True, text=True, env=env
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    html = folder / "_build" / "html"
    return {
        page: re.findall(
            r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"', (html / page).read_text()
        )
        for page in ("intro.html", "chapters/01_one.html")
    }


def test_a_book_built_from_a_github_clone_has_launch_links_on_its_notebook_pages(tmp_path):
    links = build_small_book(tmp_path, "git@github.com:example/bp-book.git")
    assert links["chapters/01_one.html"] == [
        "https://mybinder.org/v2/gh/example/bp-book/main?urlpath=lab/tree/chapters/01_one.ipynb",
        "https://colab.research.google.com/github/example/bp-book/blob/main/chapters/01_one.ipynb",
    ]
    assert links["intro.html"] == [], "a Markdown page has no notebook to launch"


@pytest.mark.parametrize("remote", [None, "https://codeberg.org/owner/bp-book"], ids=["local clone", "other host"])
def test_a_book_built_without_a_github_address_has_no_launch_links(tmp_path, remote):
    """A clone of a local folder (as CI's), or a host the theme cannot tell: a clean build."""
    assert build_small_book(tmp_path, remote) == {"intro.html": [], "chapters/01_one.html": []}


def test_binder_installs_the_books_requirements_and_bp_lib():
    """mybinder.org runs `pip install -r binder/requirements.txt` from the repository root."""
    binder = Path(__file__).resolve().parents[1] / "binder"
    lines = [line.split("#")[0].split() for line in (binder / "requirements.txt").read_text().splitlines()]
    included = [binder / words[1] for words in lines if words[:1] == ["-r"]]
    assert included and all(path.exists() for path in included), f"binder/requirements.txt includes {included}"
    assert (binder.parent / "requirements.txt").resolve() in [path.resolve() for path in included]
    assert ["-e", "."] in lines and (binder.parent / "pyproject.toml").exists(), "bp_lib is not installed on Binder"
