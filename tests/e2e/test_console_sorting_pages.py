"""Merchant console, issue 10: a sorting list of more pickup points than a page shows them 20 at
a time, with the whole list's totals and a pager that loads the next points when asked.
Screen saved as console-i10-sorting-pages.png."""

from playwright.sync_api import expect

from tuangou.fulfilment.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    PickupPointFactory,
    order_with_lines,
)
from tuangou.shops.tests.factories import ShopFactory, StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_a_sorting_list_of_22_points_comes_20_points_a_page(desktop):
    page = desktop
    shop = ShopFactory(name="鲜果小铺")
    campaign = CampaignFactory(shop=shop, title="周末鲜果团")
    eggs = CampaignItemFactory(campaign=campaign, sku__product__name="土鸡蛋", sku__spec="30枚")
    for n in range(1, 23):
        point = PickupPointFactory(leader__shop=shop, route="思明线", name=f"第{n:02d}号自提点")
        order_with_lines(campaign=campaign, point=point, lines=[(eggs, 2)], pickup_code=f"2000{n:02d}")
    owner = StaffFactory(shop=shop, role="owner")
    log_in(page, owner.user.username)

    page.goto(f"/console/fulfilment?campaign_id={campaign.id}")
    page.get_by_role("tab", name="分拣单").click()

    points = page.locator("[data-test=sorting-points] .el-collapse-item")
    expect(points).to_have_count(20)
    expect(points.first).to_contain_text("第01号自提点")
    expect(page.get_by_text("22个自提点 · 22单")).to_be_visible()  # the whole list's totals
    expect(page.get_by_text("200001")).to_be_visible()  # the first points are open
    pager = page.locator("[data-test=sorting-pager]")
    pager.scroll_into_view_if_needed()
    shot(settled(page), "console-i10-sorting-pages", full_page=False)

    pager.get_by_text("2", exact=True).click()

    expect(points).to_have_count(2)
    expect(points.first).to_contain_text("第21号自提点")
    expect(points.nth(1)).to_contain_text("第22号自提点")
    expect(page.get_by_text("200021")).to_be_visible()
    expect(page.get_by_text("22个自提点 · 22单")).to_be_visible()
