"""Headless Chromium for the browser tests: Debian's, driven by Playwright's sync API.

Playwright's own browser download is not available here, so the tests use
/usr/bin/chromium. Without it they skip, except in CI (REQUIRE_INTEROP_DATA=1),
where a missing browser must fail rather than pass unnoticed.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test's thread, and
# Django refuses database access from such a thread unless told it is safe:
# here it is, the loop only waits for the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/defcore-screenshots"))

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}
# The narrowest phone the layout is meant for.
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (make browser installs it)"
        if os.environ.get("REQUIRE_INTEROP_DATA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, options):
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def small_phone(browser):
    context, page = _page(browser, SMALL_PHONE)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot():
    """Save a screenshot under SCREENSHOTS (outside the repository) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # A full page of a large diff takes long to paint on a busy machine; the
        # picture is for a person, so it waits for the paint rather than fail.
        page.screenshot(path=str(path), full_page=full_page, timeout=120_000)
        return path

    return take
