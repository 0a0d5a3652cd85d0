"""The built console and H5 work under the Content-Security-Policy (tuangou/core/security.py):
no script, style, image or connection is refused on the pages a merchant and a member open first."""

import re

from playwright.sync_api import expect

from tuangou.shops.tests.factories import PASSWORD, StaffFactory

from .conftest import shot

# Vant's icon font is inline (a data: woff2) with a woff on Alibaba's CDN as its fallback, which
# Chromium also asks for: refused on purpose (the pages fetch nothing from a third party), and the
# icons draw from the inline one.
VANT_CDN_FONT = "http://at.alicdn.com/t/c/font_2553510_"


def _refusals(page) -> list[str]:
    refused: list[str] = []

    def seen(message):
        if "Content Security Policy" in message.text and VANT_CDN_FONT not in message.text:
            refused.append(message.text)

    page.on("console", seen)
    return refused


def test_console_and_h5_run_under_the_csp(desktop, phone):
    staff = StaffFactory(shop__name="鹭岛鲜生")
    for page in (desktop, phone):  # the first page of a fresh server under a loaded machine is slow
        page.set_default_timeout(60_000)
    refused = _refusals(desktop)
    answer = desktop.goto("/console/")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    desktop.wait_for_url("**/console/login**")
    desktop.fill("input[name=username]", staff.user.username)
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("button[type=submit]")
    expect(desktop).to_have_url(re.compile(r"/console/dashboard$"))
    expect(desktop.get_by_text("鹭岛鲜生").first).to_be_visible()
    desktop.wait_for_load_state("networkidle")
    shot(desktop, "csp-console-dashboard")

    phone_refused = _refusals(phone)
    phone.goto(f"/h5/s/{staff.shop_id}/")
    phone.wait_for_load_state("networkidle")
    phone.goto("/h5/login")
    expect(phone.locator("input[name=phone]")).to_be_visible()
    shot(phone, "csp-h5-login")

    assert refused == [] and phone_refused == []
