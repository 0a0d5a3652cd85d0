"""Home delivery end to end: a member saves an address and checks out with 送货上门 (the fee on
the bill), pays; after the cut-off the merchant plans the routes on the delivery sheet and gives
one to a courier, whose phone confirms the stop by the member's code. Screens: delivery-*.png."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.leaders.models import Membership
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import CampaignFactory, CampaignItemFactory
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, ShopFactory, StaffFactory
from tuangou.warehouses import services as warehouse_services
from tuangou.warehouses.models import OrderDelivery, Warehouse, WarehouseStock

from .conftest import shot as save_shot
from .test_h5_leader import sms_login

MEMBER_PHONE = "13800000088"
COURIER_PHONE = "13800000099"


def shot(page, name: str):
    page.wait_for_timeout(400)
    save_shot(page, name)


def given_delivery_shop():
    shop = ShopFactory(name="鹭岛鲜生")
    owner = StaffFactory(shop=shop).user
    leader = LeaderFactory(shop=shop, name="黄美玲", point__name="西村快递驿站", point__community="西村社区")
    campaign = CampaignFactory(
        shop=shop,
        title="社区到家·次日达",
        fulfilment_mode="both",
        delivery_fee_fen=500,
        delivery_free_above_fen=5900,
        delivery_slots=["09:00-12:00", "17:00-20:00"],
        threshold_value=1,
    )
    item = CampaignItemFactory(
        campaign=campaign, price_fen=3290, sku__product__name="土鸡蛋", sku__spec="30枚", stock_allotted=50
    )
    warehouse = Warehouse.objects.create(
        shop=shop, name="西村前置仓", address="思明区大学路1号", lat=Decimal("24.441000"), lng=Decimal("118.099000")
    )
    WarehouseStock.objects.create(shop=shop, warehouse=warehouse, sku=item.sku, quantity=10)
    member = MemberUserFactory(phone=MEMBER_PHONE, display_name="林小姐")
    Membership.objects.create(shop=shop, user=member, leader=leader, via_leader=leader)
    return shop, owner, campaign, warehouse


def test_member_orders_home_delivery_merchant_routes_it_and_the_courier_confirms(
    phone, new_phone, desktop, live_server, settings
):
    settings.SITE_URL = live_server.url  # the sandbox gateway's notify comes back to this server
    shop, owner, campaign, warehouse = given_delivery_shop()
    home = f"/h5/s/{shop.id}"

    # A saved address (its location: my leader's point, the 小区 I live in)
    sms_login(phone, MEMBER_PHONE, f"{home}/addresses")
    phone.locator("[data-test=address-add]").click()
    phone.fill("input[name=recipient_name]", "林小姐")
    phone.fill("input[name=recipient_phone]", MEMBER_PHONE)
    phone.fill("input[name=community]", "西村社区")
    phone.fill("input[name=address]", "3号楼2单元101")
    phone.locator("[data-test=address-save]").click()
    expect(phone.locator("[data-test=address]")).to_contain_text("3号楼2单元101")
    shot(phone, "delivery-addresses")

    # Checkout with home delivery: the ¥5 fee is on the bill (32.90 < the free-above 59.00)
    phone.goto(f"{home}/campaigns/{campaign.id}")
    phone.locator("[data-test=campaign-item]").first.locator("[data-test=add]").click()
    phone.locator("[data-test=submit-bar] button").click()
    phone.locator("[data-test=mode-delivery]").click()
    expect(phone.locator("[data-test=delivery-address]")).to_contain_text("3号楼2单元101")
    expect(phone.locator("[data-test=delivery-fee]")).to_contain_text("5.00")
    expect(phone.locator("[data-test=place-order]")).to_contain_text("37.90")
    shot(phone, "delivery-checkout")
    phone.locator("[data-test=place-order] button").click()
    phone.wait_for_url("**/pay/sandbox/**")
    phone.get_by_role("button", name="确认支付").click()
    phone.wait_for_url(re.compile(rf".*{home}/orders/\d+$"))
    expect(phone.locator("[data-test=order-delivery]")).to_contain_text("3号楼2单元101")
    expect(phone.locator("[data-test=order-delivery-fee]")).to_contain_text("5.00")
    shot(phone, "delivery-order")
    order = Order.objects.get(shop=shop, delivery_mode="delivery")
    assert (order.total_fen, order.status, WarehouseStock.objects.get(warehouse=warehouse).quantity) == (
        3790,
        "paid",
        9,
    )

    # Cut-off: the group formed, orders confirmed
    Campaign.objects.filter(pk=campaign.pk).update(cutoff_at=timezone.now() - timedelta(seconds=1))
    campaign_services.campaign_close(campaign=Campaign.objects.get(pk=campaign.pk), actor=None)
    campaign_services.campaign_decide(campaign=Campaign.objects.get(pk=campaign.pk), actor=None)
    courier_user = MemberUserFactory(phone=COURIER_PHONE, display_name="李师傅")
    warehouse_services.courier_create(shop=shop, actor=owner, phone=COURIER_PHONE, name="李师傅")

    # The merchant plans the routes on the delivery sheet and gives the route to 李师傅
    desktop.goto("/console/login")
    desktop.fill("input[name=username]", owner.username)
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("button[type=submit]")
    desktop.wait_for_url(re.compile(r"/console/dashboard$"))
    desktop.goto(f"/console/delivery?campaign_id={campaign.id}")
    desktop.locator("[data-test=plan-routes]").click()
    route = desktop.locator("[data-test=delivery-route]")
    expect(route).to_have_count(1)
    expect(route).to_contain_text("西村前置仓")
    expect(route.locator("[data-test=route-stops]")).to_contain_text("3号楼2单元101")
    desktop.locator("[data-test=route-courier]").click()
    desktop.get_by_role("option", name="李师傅").click()
    expect(desktop.get_by_text("已指派配送员")).to_be_visible()
    shot(desktop, "delivery-console-sheet")
    desktop.goto("/console/warehouses")
    expect(desktop.locator("[data-test=warehouse-table]")).to_contain_text("西村前置仓")
    desktop.locator("[data-test=warehouse-stock]").first.click()
    expect(desktop.locator("[data-test=stock-table]")).to_contain_text("土鸡蛋")
    shot(desktop, "delivery-console-warehouse")

    # At the door: the courier types the member's code
    courier = new_phone()
    sms_login(courier, COURIER_PHONE, f"{home}/courier")
    expect(courier.locator("[data-test=courier-stop]")).to_have_count(1)
    courier.locator("[data-test=courier-code] input").fill(order.pickup_code)
    courier.locator("[data-test=courier-confirm]").click()
    expect(courier.locator("[data-test=courier-delivered]")).to_be_visible()
    shot(courier, "delivery-courier")

    delivery = OrderDelivery.objects.get(order=order)
    order.refresh_from_db()
    assert (order.status, delivery.delivered_by_id) == ("picked_up", courier_user.id)
