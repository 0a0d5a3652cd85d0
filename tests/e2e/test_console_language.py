"""The console ships Chinese in its first script and fetches English (its messages and Element
Plus's own) only when a merchant picks it (frontend/console/src/locale.ts): the switch turns the
page English, pager included, a reload starts in English (fetched before the app mounts), the order
drawer (loaded on the first click) opens in English, and switching back returns to Chinese."""

import json

from django.conf import settings
from playwright.sync_api import expect

from tuangou.orders.tests.factories import given_live_campaign, place
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def english_file() -> str:
    """The built chunk of console/src/english.ts, by Vite's manifest."""
    manifest = json.loads((settings.FRONTEND_DIST / ".vite" / "manifest.json").read_text())
    return manifest["console/src/english.ts"]["file"].rsplit("/", 1)[-1]


def test_english_is_fetched_when_chosen_and_kept_after_a_reload(desktop):
    page = desktop
    world = given_live_campaign(stock=100)
    orders = [place(world, 1) for _ in range(3)]
    owner = StaffFactory(shop=world.shop, role="owner")
    english = english_file()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url.rsplit("/", 1)[-1]))
    log_in(page, owner.user.username)
    page.goto("/console/orders")
    expect(page.locator(f"[data-test=order-{orders[0].number}]")).to_be_visible()
    expect(page.locator(".el-pagination__total")).to_have_text("共 3 条")
    assert english not in fetched  # a Chinese console never downloads the English messages

    page.get_by_role("button", name="English").click()
    expect(page.locator("h2")).to_have_text("Orders")
    expect(page.locator(".el-pagination__total")).to_have_text("Total 3")
    assert english in fetched

    page.reload()
    expect(page.locator("h2")).to_have_text("Orders")
    expect(page.locator(".el-pagination__total")).to_have_text("Total 3")
    page.locator(f"[data-test=order-{orders[0].number}]").click()
    drawer = page.locator("[data-test=order-drawer]")
    expect(drawer).to_contain_text(f"Order {orders[0].number}")
    expect(drawer.locator("[data-test=order-status]")).to_have_text("Unpaid")  # placed, not paid
    shot(settled(page), "console-orders-english", full_page=False)

    page.keyboard.press("Escape")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("h2")).to_have_text("订单管理")
    expect(page.locator(".el-pagination__total")).to_have_text("共 3 条")
