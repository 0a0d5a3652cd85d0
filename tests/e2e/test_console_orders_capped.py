"""Merchant console, issue 10: a shop with more orders than the list counts (KeysetPagination's
COUNT_CAP, lowered here) sees the newest ones, a pager of that many, and a note saying how to
reach the rest. Screen saved as console-i10-orders-capped.png."""

from playwright.sync_api import expect

from tuangou.core.pagination import KeysetPagination
from tuangou.orders.tests.factories import given_live_campaign, place
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_past_the_counted_orders_the_list_says_how_to_narrow_it(desktop, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "COUNT_CAP", 30)  # the server runs in this process
    page = desktop
    world = given_live_campaign(stock=100)
    orders = [place(world, 1) for _ in range(33)]
    owner = StaffFactory(shop=world.shop, role="owner")
    log_in(page, owner.user.username)

    page.goto("/console/orders")
    expect(page.locator(f"[data-test=order-{orders[-1].number}]")).to_be_visible()
    expect(page.locator("[data-test=orders-capped]")).to_contain_text("订单超过 30 条，只列出最新的 30 条")
    expect(page.locator(".el-pagination__total")).to_contain_text("30")
    page.locator("[data-test=orders-capped]").scroll_into_view_if_needed()
    shot(settled(page), "console-i10-orders-capped", full_page=False)
