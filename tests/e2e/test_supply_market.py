"""The supply marketplace in the browser, the whole story: a supplier publishes a SKU in 我的供货;
another shop adopts it in 分销市场 (a price below the supply price is refused on its field) and
takes 10 units; a member buys them; the supplier ships with a tracking number; the seller's order
drawer and the member's H5 order page show it; after the after-sales window the seller settles in
分销结算 and the supplier sees it settled. Screens saved as market-*.png."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.catalog.tests.factories import SkuFactory
from tuangou.market import services as market_services
from tuangou.market.models import DropshipOrder, MarketLink, MarketSettlement
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import CampaignItemFactory, given_live_campaign, paid_order
from tuangou.shops.tests.factories import ShopFactory, StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, log_out, settled
from .test_h5_leader import sms_login


def test_a_supplier_publishes_a_seller_sells_it_the_supplier_ships_and_the_ledger_settles(desktop, phone):
    page = desktop
    supplier = ShopFactory(name="山野源头供应链")
    supplier_owner = StaffFactory(shop=supplier, role="owner", user__display_name="赵山野")
    sku = SkuFactory(product__shop=supplier, product__name="散养土鸡蛋", spec="30枚", stock=200, price_fen=3990)
    world = given_live_campaign()
    seller_owner = StaffFactory(shop=world.shop, role="owner")

    # The supplier publishes its eggs at ¥20.00, 50 boxes offered.
    log_in(page, supplier_owner.user.username)
    page.goto("/console/supply")
    page.locator("[data-test=publish]").click()
    form = page.locator("[data-test=publish-form]")
    form.locator("[data-test=publish-product]").click()
    page.keyboard.type("散养")
    page.locator(".el-select-dropdown__item", has_text="散养土鸡蛋").click()
    expect(form.locator("[data-test=publish-sku]")).to_contain_text("30枚")
    form.locator("input[name=supply]").fill("20")
    form.locator("input[name=units]").fill("50")
    page.locator("[data-test=publish-submit]").click()
    offers = page.locator("[data-test=supply-offers]")
    expect(offers).to_contain_text("散养土鸡蛋 30枚")
    expect(offers).to_contain_text("¥20.00")
    shot(settled(page), "market-console-supply-offers")
    log_out(page)

    # The seller finds it in the market; ¥19 is refused on the price, ¥32.90 with 10 boxes taken.
    log_in(page, seller_owner.user.username)
    page.goto("/console/market-offers")
    card = page.locator("[data-test=market-offers] .offer", has_text="散养土鸡蛋")
    expect(card).to_contain_text("山野源头供应链")
    expect(card).to_contain_text("可供数量 50")
    shot(settled(page), "market-console-browse")
    card.locator("[data-test=adopt]").click()
    adopt = page.locator("[data-test=adopt-form]")
    adopt.locator("input[name=price]").fill("19")
    adopt.locator("input[name=units]").fill("10")
    page.locator("[data-test=adopt-submit]").click()
    expect(adopt.locator(".el-form-item__error")).to_contain_text("售价不能低于供货价")
    assert MarketLink.objects.count() == 0
    adopt.locator("input[name=price]").fill("32.9")
    page.locator("[data-test=adopt-submit]").click()
    expect(card.get_by_role("button", name="已采购")).to_be_visible()
    page.get_by_role("tab", name="我的分销商品").click()
    links = page.locator("[data-test=market-links]")
    expect(links).to_contain_text("¥32.90")
    expect(links).to_contain_text("山野源头供应链")
    shot(settled(page), "market-console-my-items")
    link = MarketLink.objects.select_related("sku").get()
    sku.refresh_from_db()
    assert (link.sku.stock, link.sku.price_fen, sku.stock) == (10, 3290, 190)
    log_out(page)

    # A member buys two boxes in the seller's campaign.
    item = CampaignItemFactory(campaign=world.campaign, sku=link.sku, price_fen=3290, stock_allotted=10)
    order = paid_order(world, 2, item=item)

    # The supplier ships it: a bad tracking number is refused on its field, then 顺丰 SF….
    log_in(page, supplier_owner.user.username)
    page.goto("/console/supply")
    page.get_by_role("tab", name="代发订单").click()
    dropships = page.locator("[data-test=dropships]")
    expect(dropships).to_contain_text(order.number)
    expect(dropships).to_contain_text(world.leader.pickup_point.name)
    expect(dropships).not_to_contain_text(world.member.phone)
    shot(settled(page), "market-console-dropships")
    dropships.locator("[data-test=ship]").click()
    ship = page.locator("[data-test=ship-form]")
    ship.locator("input[name=tracking_no]").fill("SF 1")
    page.locator("[data-test=ship-submit]").click()
    expect(ship.locator(".el-form-item__error")).to_contain_text("运单号")
    ship.locator("input[name=tracking_no]").fill("SF1234567890")
    page.locator("[data-test=ship-submit]").click()
    page.locator(".el-radio-button", has_text="已发货").click()
    expect(dropships).to_contain_text("顺丰速运 SF1234567890")
    log_out(page)

    # The seller's order drawer and the member's order page show the supplier's shipping.
    log_in(page, seller_owner.user.username)
    page.goto("/console/orders")
    page.locator(f"[data-test=order-{order.number}]").click()
    drawer = page.locator("[data-test=order-drawer]")
    expect(drawer.locator("[data-test=order-dropships]")).to_contain_text("顺丰速运 SF1234567890")
    expect(drawer.locator("[data-test=order-dropships]")).to_contain_text("山野源头供应链")
    expect(drawer.locator("[data-test=order-events]")).to_contain_text("供货商已发货")
    shot(settled(page), "market-console-order-drawer")

    sms_login(phone, world.member.phone, f"/h5/s/{world.shop.id}/orders/{order.id}")
    expect(phone.locator("[data-test=dropship-line]")).to_have_text("供货商已发货 · 顺丰速运 SF1234567890")
    shot(phone, "market-h5-order")

    # Picked up, the after-sales window passed: due, then the seller settles it.
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.PICKED_UP, picked_up_at=timezone.now() - timedelta(days=8)
    )
    order_services.orders_complete_due()
    assert market_services.settlements_advance() == {"due": 1, "settled": 0}
    page.goto("/console/dropship-settlements")
    totals = page.locator("[data-test=seller-totals]")
    expect(totals).to_contain_text("¥40.00")  # 2 × ¥20.00 due to the supplier
    expect(totals).to_contain_text("¥25.80")  # the margin: 2 × (¥32.90 − ¥20.00)
    page.locator("[data-test=settle-all]").click()
    page.locator(".el-message-box").get_by_role("button", name=re.compile("确定|OK")).click()
    expect(page.locator("[data-test=seller-ledger]")).to_contain_text("已结算")
    shot(settled(page), "market-console-ledger")
    assert list(MarketSettlement.objects.values_list("status", "supply_due_fen")) == [("settled", 4000)]
    assert DropshipOrder.objects.get().status == "shipped"
    log_out(page)

    log_in(page, supplier_owner.user.username)
    page.goto("/console/dropship-settlements")
    page.get_by_role("tab", name=re.compile("我供货的")).click()
    expect(page.locator("[data-test=supplier-ledger]")).to_contain_text("已结算")
    expect(page.locator("[data-test=supplier-totals]")).to_contain_text("¥40.00")
    expect(page.locator("[data-test=supplier-ledger]")).not_to_contain_text("¥25.80")
    shot(settled(page), "market-console-supplier-ledger")
