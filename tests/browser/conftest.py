"""A real Chromium driven by Playwright, against the dashboard of a local stack (linkcheck dev).

The system's Chromium is used (``/usr/bin/chromium``, or ``LINKCHECK_CHROMIUM``); Playwright never
downloads a browser here. When either is missing, every browser test is SKIPPED with a reason
that says how to install them. Everything the browser asks for is recorded, and each test ends by
checking that it all went to 127.0.0.1 and that no page error or console error happened.
Screenshots go to ``tests/browser/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.devstack import stack_options

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from linkcheck.local.stack import DevStack

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
LOOPBACK = {"127.0.0.1"}


def chromium_path() -> str | None:
    wanted = os.environ.get("LINKCHECK_CHROMIUM", "/usr/bin/chromium")
    if os.path.isfile(wanted) and os.access(wanted, os.X_OK):
        return wanted
    return shutil.which("chromium")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, and how to fix it; None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return (
            "BROWSER TESTS SKIPPED: Playwright for Python is not installed. Install the dev "
            "extra (.venv/bin/pip install -e '.[dev]') or `.venv/bin/pip install playwright`; "
            "do not run `playwright install`: the tests use the system's Chromium."
        )
    if chromium_path() is None:
        return (
            "BROWSER TESTS SKIPPED: Chromium is not installed (looked for /usr/bin/chromium, "
            "LINKCHECK_CHROMIUM and chromium on PATH). On Debian/Ubuntu, as root: "
            "`apt-get update && apt-get install -y chromium`."
        )
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = missing_browser()
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One Chromium with a fresh profile for this module; each test opens its own tab.

    Module-scoped: while Playwright's sync API runs, its event loop is the running loop of this
    thread, so no test after it could run one of its own (``asyncio.run``)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert executable is not None
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1100, "height": 900},
            service_workers="block",
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def dev_stack(moto_endpoint: str) -> Iterator[DevStack]:
    """One local stack for a module's browser tests (each uses links of its own)."""
    from linkcheck.local.stack import DevStack

    stack = DevStack(**stack_options(moto_endpoint)).start()
    try:
        yield stack
    finally:
        stack.stop()


@dataclass
class Tab:
    """A browser tab on the dashboard, with everything it asked for and everything it said."""

    page: Page
    base_url: str
    api_key: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self) -> None:
        self.page.goto(f"{self.base_url}/ui")

    def sign_in(self) -> None:
        self.open()
        self.page.get_by_label("API key", exact=True).fill(self.api_key)
        self.page.get_by_role("button", name="Open the dashboard").click()
        self.page.get_by_role("heading", name="Links", exact=True).wait_for()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            trust_env=False,
            timeout=30,
        )


@pytest.fixture()
def tab(browser_context: BrowserContext, dev_stack: DevStack) -> Iterator[Tab]:
    page = browser_context.new_page()
    opened = Tab(page=page, base_url=dev_stack.base_url, api_key=dev_stack.api_key)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
    page.on("console", lambda message: _console(opened, message))
    page.on("dialog", lambda dialog: _dialog(opened, dialog))
    try:
        yield opened
    finally:
        page.close()
    assert opened.requests, "the browser made no request at all"
    elsewhere = [url for url in opened.requests if not _local(url)]
    assert not elsewhere, f"the browser reached beyond 127.0.0.1: {elsewhere}"
    assert not opened.page_errors, opened.page_errors
    assert not opened.dialogs, opened.dialogs


def _console(tab: Tab, message: Any) -> None:
    if message.type == "error":
        tab.console_errors.append(message.text)


def _dialog(tab: Tab, dialog: Any) -> None:
    tab.dialogs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    return parts.scheme in {"http", "https"} and parts.hostname in LOOPBACK
