"""Open every page of a built book in headless Chromium and list what is wrong.

Used by tests/test_book.py. The site is served on 127.0.0.1 by a thread of this
process; every request to any other host is aborted and reported.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RAW_MATH = ("$$", "\\begin{", "\\frac", "\\partial")
# The links to the workbook edition: its .zip and a chapter's own notebook (resolved URLs).
WORKBOOK_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => /(^|\\/)workbook\\.zip$|(^|\\/)workbook\\/[^/]+\\.ipynb$/.test(a.getAttribute('href')))
    .map(a => a.href)"""


@dataclass
class SiteReport:
    """What the browser saw: pages checked, equations typeset, search hits, problems."""

    pages: list[str] = field(default_factory=list)
    equations: int = 0
    search_hits: int = 0
    problems: list[str] = field(default_factory=list)
    workbook_links: dict[str, list[str]] = field(default_factory=dict)  # page -> hrefs, each fetched


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def find_chromium() -> str:
    """The Chromium executable; skip locally, fail in CI, when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    message = "no Chromium found: install it (Debian: apt-get install chromium) to run the browser test"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _is_redirect(page: Path) -> bool:
    """True for Jupyter Book's index.html, a bare meta-refresh to the root page."""
    return 'http-equiv="Refresh"' in page.read_text()[:500]


def _serve(directory: Path) -> ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _visible_text_outside_code(page) -> str:
    return page.evaluate(
        """() => {
            const clone = document.querySelector('main') ? document.querySelector('main').cloneNode(true)
                                                         : document.body.cloneNode(true);
            clone.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
            return clone.innerText;
        }"""
    )


def block_outside_requests(context) -> list[str]:
    """Let ``context`` reach 127.0.0.1 only; returns the list the blocked addresses go to."""
    outside: list[str] = []

    def only_local(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    return outside


def _check_page(page, url: str, name: str, report: SiteReport, screenshots: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"JavaScript error: {error}"))
    page.on("console", lambda m: errors.append(f"console error: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda request: errors.append(f"failed request: {request.url}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    if page.evaluate("() => !!document.querySelector('script[src*=mathjax]')"):
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("() => MathJax.startup.promise")
        report.equations += page.evaluate("() => document.querySelectorAll('mjx-container').length")
    page.wait_for_load_state("networkidle")
    text = _visible_text_outside_code(page)
    errors += [f"raw math left in the text: {token!r}" for token in RAW_MATH if token in text]
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    errors += [f"image not loaded: {src}" for src in broken]
    links = page.evaluate(WORKBOOK_LINKS)
    if links:
        report.workbook_links[name] = links
    if name.startswith("chapters/") or name == "intro.html":
        shot = screenshots / (name.replace("/", "_").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot), full_page=False)
    report.pages.append(name)
    report.problems += [f"{name}: {error}" for error in errors]


def _fetch_workbook_links(context, links: dict[str, list[str]]) -> list[str]:
    """Problems with the workbook links: each must serve a zip or a notebook."""
    problems = []
    for url in sorted({url for urls in links.values() for url in urls}):
        response = context.request.get(url)
        body = response.body() if response.ok else b""
        if url.endswith(".zip") and not body.startswith(b"PK"):
            problems.append(f"workbook link {url}: HTTP {response.status}, not a zip")
        if url.endswith(".ipynb") and b'"cells"' not in body:
            problems.append(f"workbook link {url}: HTTP {response.status}, not a notebook")
    return problems


def check_site(site: Path, screenshots: Path) -> SiteReport:
    """Check every HTML page under ``site``; save a screenshot per chapter in ``screenshots``."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    screenshots.mkdir(parents=True, exist_ok=True)
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_port}/"
    report = SiteReport()
    names = sorted(
        str(path.relative_to(site))
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith(("_", "mathjax")) and not _is_redirect(path)
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            outside = block_outside_requests(context)
            page = context.new_page()
            page.goto(base + "index.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            if not page.title():
                report.problems.append("index.html: does not lead to a titled page")
            page.close()
            for name in names:
                page = context.new_page()
                _check_page(page, base + name, name, report, screenshots)
                page.close()
            page = context.new_page()
            page.goto(base + "search.html?q=gradient", wait_until="load")
            page.wait_for_function(
                "() => document.querySelector('#search-results p, .search-summary') !== null", timeout=20000
            )
            report.search_hits = page.evaluate("() => document.querySelectorAll('ul.search li').length")
            page.close()
            report.problems += _fetch_workbook_links(context, report.workbook_links)
            browser.close()
            report.problems += [f"request to an outside host: {url}" for url in outside]
    finally:
        server.shutdown()
        server.server_close()
    return report
