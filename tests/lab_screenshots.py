"""Chapter 3 in JupyterLab, as a learner opens it: screenshots of the book's notebook and
of its workbook edition, with jupyterlab-myst rendering the book's MyST.

    .venv/bin/python tests/lab_screenshots.py      # after `make lab` installed JupyterLab

It writes the workbook to a temporary folder, runs its chapter 3 unanswered (so the
checker cell shows its "not written yet" feedback), starts JupyterLab on 127.0.0.1 (with
--allow-root when run as root), opens each notebook in headless Chromium (every request
to another host is refused), moves to the exercise and saves a screenshot in
``_build/lab_screenshots/``. It then checks the page: no MyST source left as text
(``:label:``, ``{eq}``, ``{exercise-start}``), the exercise rendered as a numbered
exercise, and, in the workbook, the stub and the "not written yet" message shown. It
prints what it found and exits non-zero if a check fails.

A script rather than a test of ``make test``: it needs JupyterLab (installed by
``make lab``, not by requirements.txt) and a server and a browser that take about half a
minute to start.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from browser_check import CHROMIUM_FLAGS, block_outside_requests  # noqa: E402

OUT = ROOT / "_build" / "lab_screenshots"
NOTEBOOK = ".jp-Notebook:visible"  # the notebook of the open tab
RAW_MYST = (":label:", "{eq}`", "{exercise-start}", "{solution-start}", ":class: dropdown")
# Settings that keep JupyterLab quiet and render every cell (no windowing, no news toast).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(folder: Path) -> None:
    """book/ with chapters 3 and 12 as stored; workbook/ with chapter 3 run unanswered."""
    import nbformat
    from nbclient import NotebookClient

    from bp_lib.book import workbook

    (folder / "book").mkdir()
    for name in ("03_dense_layer.ipynb", "12_dropout.ipynb"):
        shutil.copy(ROOT / "chapters" / name, folder / "book" / name)
    workbook.build(ROOT, folder / "workbook")
    path = folder / "workbook" / "03_dense_layer.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nbformat.write(notebook, path)
    settings = folder / "settings"
    for name, values in SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))


def _start_lab(folder: Path, port: int, token: str) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("jupyter-lab")),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.user_settings_dir={folder / 'settings'}",
        f"--LabApp.workspaces_dir={folder / 'workspaces'}",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(folder / "lab.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=1)
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"JupyterLab did not start; its log:\n{(folder / 'lab.log').read_text()[-3000:]}")


def _cell_index(path: Path, predicate) -> int:
    cells = json.loads(path.read_text())["cells"]
    return next(i for i, cell in enumerate(cells) if predicate(cell))


def _shoot(page, url: str, cell: int, shot: Path) -> str:
    """Open ``url``, select cell ``cell`` (so it scrolls into view), save a screenshot;
    the rendered notebook's text."""
    page.goto(url, wait_until="load")
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=60000)
    page.wait_for_selector(f"{NOTEBOOK} .jp-MarkdownCell.jp-mod-rendered", timeout=60000)
    page.wait_for_timeout(3000)  # math and MyST render after the cells appear
    page.click(f"{NOTEBOOK} .jp-Cell >> nth=0")
    page.keyboard.press("Escape")
    for _ in range(cell):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(1500)
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    return page.inner_text(NOTEBOOK)


def main() -> int:
    from browser_check import find_chromium
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    folder = Path(tempfile.mkdtemp(prefix="lab-shots-"))
    port, token = _free_port(), secrets.token_hex(16)
    _prepare(folder)
    lab = _start_lab(folder, port, token)
    problems, outside = [], []  # outside: filled by block_outside_requests
    book3 = folder / "book" / "03_dense_layer.ipynb"
    work3 = folder / "workbook" / "03_dense_layer.ipynb"
    views = [
        (  # the book: an exercise with {eq} references, and its solution directive
            "book/03_dense_layer.ipynb",
            _cell_index(book3, lambda c: "ex-ch03-cost" in "".join(c["source"])),
            OUT / "lab_book_03_exercise.png",
        ),
        (
            "book/12_dropout.ipynb",
            _cell_index(folder / "book" / "12_dropout.ipynb", lambda c: "{warning}" in "".join(c["source"])),
            OUT / "lab_book_12_warning.png",
        ),
        (  # the workbook: the stub and its checker's feedback
            "workbook/03_dense_layer.ipynb",
            _cell_index(work3, lambda c: "workbook-checker" in c["metadata"].get("tags", [])) + 1,
            OUT / "lab_workbook_03_stub.png",
        ),
    ]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            outside = block_outside_requests(context)
            for name, cell, shot in views:
                page = context.new_page()
                text = _shoot(page, f"http://127.0.0.1:{port}/lab/tree/{name}?reset&token={token}", cell, shot)
                raw = [token_ for token_ in RAW_MYST if token_ in text]
                found = {
                    "numbered exercise": "Exercise" in text,
                    "no MyST source as text": not raw,
                }
                if name.startswith("workbook"):
                    found["stub"] = "raise NotImplementedError" in text
                    found["not written yet"] = "dense_backward is not written yet" in text
                if name.startswith("book/03"):
                    found["solution directive"] = "Solution to" in text
                if name.startswith("book/12"):
                    found["warning admonition"] = "Warning" in text
                print(f"{shot.relative_to(ROOT)}: " + ", ".join(f"{k}: {v}" for k, v in found.items()))
                problems += [f"{name}: {k} not found" for k, v in found.items() if not v]
                if raw:
                    problems.append(f"{name}: MyST left as text: {raw}")
                page.close()
            browser.close()
    finally:
        lab.terminate()
        lab.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    problems += [f"request to an outside host: {url}" for url in outside]
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
