"""_ext/repository_link.py: which address the book's repository and issue buttons get."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from repository_link import repository_address, web_address  # noqa: E402


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
