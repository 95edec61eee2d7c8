"""Headless Chromium (Debian's package) driven by Playwright, against a live bridge.

Every page a test opens is watched: a console error or a request to anything but 127.0.0.1 fails
the test. Screenshots go to test-artifacts/web/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from tests.support.live import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "web"
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and tests elsewhere that call asyncio.run() must not find one.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = "chromium is not installed (scripts/ensure-chromium.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def bridge(app: FastAPI) -> Iterator[LiveServer]:
    """The bridge over HTTP on 127.0.0.1, with one in-process worker (webhooks, imports)."""
    app.state.worker_count = 1
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


class Watched:
    """A browser page plus what it did that a test must not see."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.outside: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _on_request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.outside.append(request.url)

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def screenshot(self, label: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{label}-{self.name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def watched(browser: Any, request: pytest.FixtureRequest) -> Iterator[Watched]:
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(15_000)
    callspec = getattr(request.node, "callspec", None)
    backend = re.sub(r"\W+", "-", callspec.id if callspec else "run")
    watched = Watched(context.new_page(), backend)
    yield watched
    context.close()
    assert watched.outside == [], f"requests left 127.0.0.1: {watched.outside}"
    assert watched.console_errors == [], f"console errors: {watched.console_errors}"


def sign_in_browser(watched: Watched, base_url: str, email: str, password: str) -> None:
    page = watched.page
    page.goto(f"{base_url}/app/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/app/stores"))
