"""A shared link to a campaign the shop does not have: the page says so in Vant's empty state, whose
component (and its illustration) the campaign page loads only then, off the first screen."""

from playwright.sync_api import expect

from tuangou.shops.tests.factories import ShopFactory

from .conftest import shot


def test_a_missing_campaign_shows_the_error_state(phone):
    shop = ShopFactory(name="鹭岛鲜生")
    phone.goto(f"/h5/s/{shop.id}/campaigns/999999")
    empty = phone.locator(".van-empty")
    expect(empty.locator(".van-empty__image")).to_be_visible()
    expect(empty.locator(".van-empty__description")).not_to_be_empty()
    expect(phone.locator(".van-nav-bar__title")).to_have_text("团购详情")
    shot(phone, "h5-campaign-missing")
