"""A real headless Chromium for tests: Playwright driving the Debian package's /usr/bin/chromium.

No browser is downloaded (the machines reach only the package registries): Playwright
launches the system's Chromium through `executable_path`, with a fresh profile and every
background call to the network turned off. `.ci/run` installs the package when it is
missing; a machine without it skips the tests that need it (`needs_chromium`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("SHEETSYNC_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)")


@contextmanager
def page(width: int = 1100, height: int = 900) -> Iterator[Any]:
    """A Playwright page of a headless Chromium with its own new profile, closed after."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="sheetsync-chromium-") as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": width, "height": height}, offline=True)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def requests_made(opened: Any, url: str) -> list[str]:
    """Every URL the page asks for while `url` loads (itself included)."""
    asked: list[str] = []
    opened.on("request", lambda request: asked.append(request.url))
    opened.goto(url, wait_until="load")
    return asked


def screenshot(html: Path, png: Path, width: int = 1100) -> None:
    """A full-page PNG of the local HTML file `html`."""
    with page(width) as opened:
        opened.goto(html.resolve().as_uri(), wait_until="load")
        opened.screenshot(path=str(png), full_page=True)
