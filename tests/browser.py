"""A live server and a real headless Chromium (Debian's), for tests that walk pages as people do."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from titiktemu.demo.seed import DEMO_PASSWORD

from .conftest import skip_or_fail

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        skip_or_fail("Debian's chromium is not installed (apt-get install chromium)")
    assert path is not None
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch Debian's Chromium headless; close it on leaving, failed test or not."""
    from playwright.sync_api import sync_playwright  # imported here: callers skip without it

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def phone_page(*, javascript: bool = False) -> Iterator[Any]:
    """Yield a page at phone size in its own Chromium; an error it logged fails the test on leaving.

    JavaScript is off by default: every page must work without it.
    """
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if _page_fault(m) else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield _LoadedAfterClick(page)
        context.close()
        assert errors == [], errors  # nothing refused by the CSP, no script failing


class _LoadedAfterClick:
    """A page whose ``click`` and ``press`` return once the page they lead to has loaded.

    Playwright's click waits only until a navigation *commits*: the next line may then read a
    document still being parsed, and a ``count() == 1`` on it saw 0 once on CI. Every test reads
    the page a click led to, so the wait belongs here, not in each test. Reading ``load`` after a
    click that did not navigate returns at once.
    """

    def __init__(self, page: Any) -> None:
        self._page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)

    def click(self, selector: str, **options: Any) -> None:
        self._page.click(selector, **options)
        self._page.wait_for_load_state("load")

    def press(self, selector: str, key: str, **options: Any) -> None:
        self._page.press(selector, key, **options)
        self._page.wait_for_load_state("load")


def _page_fault(message: Any) -> bool:
    """An error logged by the page, not Chromium's own ask for /favicon.ico (JSON names no icon)."""
    url = str(message.location.get("url", ""))
    return bool(message.type == "error" and not url.endswith("/favicon.ico"))


def sign_in(page: Any, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form, as a person does; it lands on the home page."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    assert page.url == f"{base}/"


def fits_the_phone(page: Any, what: str, *, scroll_boxes: bool = False) -> None:
    """Fail if ``what`` scrolls sideways at phone width.

    With ``scroll_boxes``, no ``.scroll`` box (the guard around wide tables) may scroll either.
    Measured once the page has loaded: a click's navigation may still be fetching the style sheets,
    and a page without them is as wide as its widest table.
    """
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways on a phone ({width}px)"
    if scroll_boxes:
        inner = page.evaluate(
            "Array.from(document.querySelectorAll('.scroll'))"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
        )
        assert inner == 0, f"a table on {what} scrolls sideways on a phone"


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of the page under artifacts/ for people to look at (CI keeps them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
