"""Browser tests: Playwright drives the OS's Chromium against the live test server, which serves
the built front ends (frontend/dist) and the API. Screenshots land in test-artifacts/screenshots/."""

import os
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the test body's ORM calls are still
# plain synchronous calls, which Django would otherwise refuse next to a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(message: str):
    if os.environ.get("REQUIRE_POSTGRES") or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# Package scope: Playwright runs an event loop in this thread while the browser is open, and the
# tests after tests/e2e/ call async views (the live feed) through the sync test client, which
# refuses to run beside a running loop. The browser closes when the last browser test is done.
@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    if not (settings.FRONTEND_DIST / "console" / "index.html").exists():
        _missing("browser tests need the built front end: run `make frontend`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


# A phone says so in its user agent (the H5 pays by the gateway's page there, by a QR code on a computer).
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def desktop(browser, live_server, transactional_db):
    """A merchant's desktop browser (1440×900)."""
    context = _context(browser, live_server, viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A phone (390×844, touch), as leaders and members use the H5."""
    context = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_UA,
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def new_phone(browser, live_server, transactional_db):
    """Another phone, for a second person in the same test."""
    contexts = []

    def make():
        context = _context(
            browser,
            live_server,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            user_agent=PHONE_UA,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot as a test artifact (look at them: Chinese renders, nothing overflows)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wechat_app_posts(context) -> None:
    """What the WeChat app itself sends (its pay sheet paying, its transfer confirmation) is native,
    not the page's: the page's CSP (connect-src 'self') does not govern it. A bridge stub standing
    for the app calls window.__wechatAppPost(url, body), and the test process sends the POST."""

    def post(url: str, body: str) -> int:
        request = urllib.request.Request(
            url, data=body.encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (a local simulator)
            return response.status

    context.expose_function("__wechatAppPost", post)
