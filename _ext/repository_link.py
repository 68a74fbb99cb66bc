"""Sphinx extension: the repository and issue buttons point at the repository the book is built from.

A fork that publishes the book should link to itself, so the address is not written in
``_config.yml``. It is found at build time: on GitHub Actions from the variables every job
has (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``); elsewhere from ``git remote get-url
origin`` when that is a web address (``git@host:owner/name.git`` is read as
``https://host/owner/name``). With neither, as in a clone of a local folder, the book is
built without the two buttons.

When the repository is on github.com, each notebook page also gets sphinx-book-theme's launch
buttons: "Binder" (mybinder.org builds the repository from ``binder/requirements.txt`` and opens
the chapter in JupyterLab) and "Colab" (opens the chapter from GitHub). Colab opens notebooks
from GitHub only, and the theme warns (an error under ``-W``) when asked for Colab elsewhere,
so a repository on another host gets the repository buttons and no launch buttons.
sphinx-book-theme knows GitHub, GitLab and Bitbucket addresses only (it stops the build on any
other, "Provider not recognized"), so an address elsewhere gets no buttons.
"""

from __future__ import annotations

import os
import re
import subprocess

SSH_REMOTE = re.compile(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?$")
WEB_REMOTE = re.compile(r"^(https?://[^/]+/.+?)(?:\.git)?/?$")
GITHUB = "https://github.com/"
# The theme infers the provider from these words in the address (and stops on any other).
KNOWN_HOSTS = re.compile(r"^https?://[^/]*(github|gitlab|bitbucket)[^/]*/", re.IGNORECASE)
LAUNCH_BUTTONS = {
    "binderhub_url": "https://mybinder.org",
    "colab_url": "https://colab.research.google.com",
    "notebook_interface": "jupyterlab",  # Binder opens the chapter in JupyterLab (lab/tree/...)
}


def web_address(remote: str) -> str | None:
    """The web page of a git remote address, or ``None`` if it has none (a local path, say)."""
    remote = remote.strip()
    if match := SSH_REMOTE.match(remote):
        return f"https://{match[1]}/{match[2]}"
    if match := WEB_REMOTE.match(remote):
        return re.sub(r"//[^/@]+@", "//", match[1])  # drop credentials embedded in the address
    return None


def repository_address(source_dir: str, environ=os.environ) -> str | None:
    """The repository's web page: from GitHub Actions' variables, else from the ``origin`` remote."""
    if environ.get("GITHUB_SERVER_URL") and environ.get("GITHUB_REPOSITORY"):
        return f"{environ['GITHUB_SERVER_URL']}/{environ['GITHUB_REPOSITORY']}"
    try:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=source_dir, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return web_address(remote.stdout) if remote.returncode == 0 else None


def button_options(address: str | None, theme_options: dict) -> dict:
    """The theme options with the buttons the address allows.

    None without an address or on a host the theme does not know; the repository and issue
    buttons on GitHub, GitLab or Bitbucket; the launch buttons too for a github.com address.
    """
    if address is None or not KNOWN_HOSTS.match(address):
        return theme_options
    options = {
        **theme_options,
        "repository_url": address,
        "repository_branch": "main",
        "use_repository_button": True,
        "use_issues_button": True,
    }
    if address.startswith(GITHUB):
        options["launch_buttons"] = {**theme_options.get("launch_buttons", {}), **LAUNCH_BUTTONS}
    return options


def add_repository_buttons(app, config) -> None:
    """Turn on sphinx-book-theme's repository, issue and launch buttons when the address is known."""
    config.html_theme_options = button_options(repository_address(app.srcdir), config.html_theme_options)


def setup(app):
    """Register the handler that runs once the configuration is read."""
    app.connect("config-inited", add_repository_buttons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
