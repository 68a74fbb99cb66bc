"""Sphinx extension: the repository and issue buttons point at the repository the book is built from.

A fork that publishes the book should link to itself, so the address is not written in
``_config.yml``. It is found at build time: on GitHub Actions from the variables every job
has (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``); elsewhere from ``git remote get-url
origin`` when that is a web address (``git@host:owner/name.git`` is read as
``https://host/owner/name``). With neither, as in a clone of a local folder, the book is
built without the two buttons.
"""

from __future__ import annotations

import os
import re
import subprocess

SSH_REMOTE = re.compile(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?$")
WEB_REMOTE = re.compile(r"^(https?://[^/]+/.+?)(?:\.git)?/?$")


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


def add_repository_buttons(app, config) -> None:
    """Turn on sphinx-book-theme's repository and issue buttons when the address is known."""
    address = repository_address(app.srcdir)
    if address is None:
        return
    config.html_theme_options = {
        **config.html_theme_options,
        "repository_url": address,
        "repository_branch": "main",
        "use_repository_button": True,
        "use_issues_button": True,
    }


def setup(app):
    """Register the handler that runs once the configuration is read."""
    app.connect("config-inited", add_repository_buttons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
