"""Service goods in the browser: the member sees their car-wash codes with QR on the order page; a
partner store opens its redeem link with the PIN on a phone and redeems one use; the merchant sees
the redemption and makes a product a service in the console. Screens saved as service-*.png."""

from playwright.sync_api import expect

from tuangou.orders import services as order_services
from tuangou.orders.tests.factories import CampaignItemFactory, paid_order, pay
from tuangou.shops.tests.factories import StaffFactory
from tuangou.vouchers import services as voucher_services
from tuangou.vouchers.models import Redemption, VoucherCode
from tuangou.vouchers.tests.world import given_service_campaign

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled
from .test_h5_leader import sms_login


def test_member_sees_codes_a_store_redeems_one_use_and_the_console_shows_it(phone, new_phone, desktop):
    world = given_service_campaign(uses=3, valid_days=90)
    order = paid_order(world, 2)
    first = VoucherCode.objects.filter(order=order).order_by("id").first()
    owner = StaffFactory(shop=world.shop, role="owner")
    store = voucher_services.store_create(shop=world.shop, actor=owner.user, name="阳光洗车行", pin="2468")

    # The member: two codes, each with its QR and 3 uses left
    sms_login(phone, world.member.phone, f"/h5/s/{world.shop.id}/orders/{order.id}")
    codes = phone.locator("[data-test=voucher-codes]")
    expect(codes.locator("[data-test=voucher-code]")).to_have_count(2)
    expect(codes.locator("img.qr")).to_have_count(2)
    expect(codes).to_contain_text("剩余3/3次")
    # Nothing to pick up: no pickup code, no pickup point
    expect(phone.locator("[data-test=pickup-code]")).to_have_count(0)
    expect(phone.locator("[data-test=order-pickup-point]")).to_have_count(0)
    shot(phone, "service-h5-order-codes")

    # The store's phone: PIN, code, redeem one of three
    store_phone = new_phone()
    store_phone.goto(f"/h5/redeem/{store.link_token}")
    store_phone.fill("input[name=pin]", "1111")
    store_phone.click("[data-test=store-open]")
    expect(store_phone.locator(".van-field__error-message")).to_contain_text("PIN")
    store_phone.fill("input[name=pin]", "2468")
    store_phone.click("[data-test=store-open]")
    store_phone.fill("input[name=code]", first.code)
    store_phone.click("[data-test=voucher-lookup]")
    expect(store_phone.locator("[data-test=voucher-found]")).to_contain_text("剩余3/3次")
    store_phone.click("[data-test=voucher-redeem]")
    expect(store_phone.locator("[data-test=voucher-done]")).to_contain_text("已核销1次，剩余2次")
    shot(store_phone, "service-h5-store-redeemed")
    assert list(Redemption.objects.values_list("store__name", "uses")) == [("阳光洗车行", 1)]

    # The merchant: the code with its redemption, the partner store, and a product made a service
    log_in(desktop, owner.user.username)
    desktop.goto("/console/vouchers")
    table = desktop.locator("[data-test=voucher-table]")
    expect(table).to_contain_text("2 / 3")
    shot(settled(desktop), "service-console-vouchers")
    desktop.get_by_role("tab", name="核销门店").click()
    expect(desktop.locator("[data-test=store-table]")).to_contain_text("阳光洗车行")

    # The order's detail lists its codes and no pickup fields
    desktop.goto("/console/orders")
    desktop.locator(f"[data-test=order-{order.number}]").click()
    drawer = desktop.locator("[data-test=order-drawer]")
    expect(drawer.locator("[data-test=order-voucher-code]")).to_have_count(2)
    expect(drawer.locator("[data-test=order-vouchers]")).to_contain_text("2 / 3")
    expect(drawer.locator("[data-test=order-pickup-code]")).to_have_count(0)
    expect(drawer).not_to_contain_text("提货码")
    shot(settled(desktop), "service-console-order-vouchers")
    desktop.keyboard.press("Escape")

    desktop.goto("/console/products")
    desktop.get_by_role("button", name="新建商品").click()
    dialog = desktop.locator("[data-test=product-dialog]")
    dialog.locator("input[name=product-name]").fill("洗车5次卡")
    dialog.locator("[data-test=product-kind]").get_by_text("本地服务").click()
    expect(dialog.locator("[data-test=service-fields]")).to_be_visible()
    dialog.locator("input[name=sku-0-price]").fill("129")
    shot(settled(desktop), "service-console-product-form")


def test_a_mixed_order_shows_its_pickup_code_and_point_beside_its_voucher_codes(phone):
    world = given_service_campaign(kind="voucher", uses=1)
    eggs = CampaignItemFactory(campaign=world.campaign, price_fen=1290, sku__product__name="土鸡蛋")
    order = order_services.order_place(
        shop=world.shop,
        member=world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": world.item.id, "quantity": 1}, {"campaign_item_id": eggs.id, "quantity": 2}],
    )
    pay(order)
    order.refresh_from_db()

    sms_login(phone, world.member.phone, f"/h5/s/{world.shop.id}/orders/{order.id}")
    expect(phone.locator("[data-test=voucher-code]")).to_have_count(1)
    expect(phone.locator("[data-test=pickup-code]")).to_have_text(order.pickup_code)
    expect(phone.locator("[data-test=order-pickup-point]")).to_contain_text(world.leader.pickup_point.name)
    shot(phone, "service-h5-mixed-order")
