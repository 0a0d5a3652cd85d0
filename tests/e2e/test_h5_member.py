"""The member half of the phone H5: log in, find the nearest leader by location, open a live
campaign, add two items, check out, pay on the sandbox page, see the pickup code and its QR; a
second phone watching the campaign sees the purchase in 他们都在买 without reloading.
Every screen is saved as h5-<screen>.png."""

import io
import re

from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from tuangou.catalog.models import ProductImage
from tuangou.leaders.tests.factories import SOFTWARE_PARK_2, XIAMEN_UNIVERSITY, ZHONGSHAN_ROAD, LeaderFactory
from tuangou.notifications.services import notification_send
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import CampaignFactory, CampaignItemFactory, given_member, pay
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

from .conftest import shot as save_shot
from .test_h5_leader import sms_login

MEMBER_PHONE = "13800000077"


def product_image(product, color):
    buffer = io.BytesIO()
    Image.new("RGB", (240, 240), color).save(buffer, "PNG")
    image = ProductImage(shop=product.shop, product=product)
    image.image.save(f"p{product.id}.png", ContentFile(buffer.getvalue()), save=True)


def given_shop_with_a_live_campaign():
    """鹭岛鲜生 with three leaders around Xiamen and a live fast-template campaign of two goods;
    王小明 already bought, so the feed and the buyers list are not empty."""
    shop = ShopFactory(name="鹭岛鲜生")
    nearest = LeaderFactory(
        shop=shop,
        name="黄美玲",
        point__name="西村快递驿站",
        point__community="西村社区",
        point__address="思明区大学路168号",
        point__at=XIAMEN_UNIVERSITY,
    )
    LeaderFactory(
        shop=shop,
        name="林小红",
        point__name="中山路便利店",
        point__community="中山社区",
        point__address="思明区中山路88号",
        point__at=ZHONGSHAN_ROAD,
    )
    LeaderFactory(
        shop=shop,
        name="陈志强",
        point__name="软件园驿站",
        point__community="软件园二期",
        point__address="思明区观日路22号",
        point__at=SOFTWARE_PARK_2,
    )
    campaign = CampaignFactory(
        shop=shop, title="周末鲜果鲜蛋团", description="当天现摘，次日到自提点。", threshold_value=10
    )
    eggs = CampaignItemFactory(
        campaign=campaign,
        price_fen=3290,
        sku__price_fen=3990,
        sku__product__name="土鸡蛋",
        sku__spec="30枚",
        stock_allotted=50,
    )
    fruit = CampaignItemFactory(
        campaign=campaign,
        price_fen=1990,
        sku__price_fen=2590,
        sku__product__name="红心火龙果",
        sku__spec="2个装",
        stock_allotted=50,
    )
    product_image(eggs.sku.product, (236, 196, 120))
    product_image(fruit.sku.product, (214, 51, 108))
    earlier = given_member(shop, nearest)
    earlier.display_name = "王小明"
    earlier.save(update_fields=["display_name"])
    pay(
        order_services.order_place(
            shop=shop, member=earlier, campaign_id=campaign.id, items=[{"campaign_item_id": fruit.id, "quantity": 1}]
        )
    )
    return shop, nearest, campaign


def shot(page, name: str):
    """A screenshot once toasts are gone; a page that fits the screen is taken as the screen (the
    fixed tab and submit bars then sit where the phone shows them)."""
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.van-toast')].some((toast) => getComputedStyle(toast).display !== 'none')",
        timeout=6000,
    )
    page.wait_for_timeout(300)
    fits = page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    save_shot(page, name, full_page=not fits)


def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_member_finds_nearest_leader_buys_two_items_pays_and_sees_pickup_code(phone, new_phone, live_server, settings):
    settings.SITE_URL = live_server.url  # the sandbox gateway's notify comes back to this server
    shop, nearest, campaign = given_shop_with_a_live_campaign()
    MemberUserFactory(phone=MEMBER_PHONE, username=f"p{MEMBER_PHONE}", display_name="赵小兰")
    home = f"/h5/s/{shop.id}"
    campaign_path = f"{home}/campaigns/{campaign.id}"
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 24.4376, "longitude": 118.0963})  # 厦门大学

    # Another phone already has the campaign open (nobody logged in there)
    watcher = new_phone()
    watcher.goto(campaign_path)
    expect(watcher.locator("[data-test=feed-item]")).to_have_count(1)
    expect(watcher.locator("[data-test=feed-item]").first).to_contain_text("王**")

    # The member logs in with an SMS code and has no pickup point yet
    phone.goto("/h5/login")
    shot(phone, "h5-login")
    sms_login(phone, MEMBER_PHONE, home)
    expect(phone.locator("[data-test=choose-point]")).to_be_visible()
    expect(phone.locator("[data-test=tabbar]")).to_contain_text("首页")
    shot(phone, "h5-home-no-leader")

    # Nearby leaders, nearest first, from the browser's location
    phone.click("[data-test=choose-point]")
    points = phone.locator("[data-test=nearby-point]")
    expect(points).to_have_count(3)
    expect(points.nth(0)).to_contain_text("西村社区")
    expect(points.nth(0)).to_contain_text("0m")
    expect(points.nth(0)).to_contain_text("黄美玲")
    expect(points.nth(0)).to_contain_text(re.compile(r"1\d\d\*\*\*\*\d{4}"))
    expect(points.nth(2)).to_contain_text("软件园二期")
    no_horizontal_overflow(phone)
    shot(phone, "h5-leaders")
    points.nth(0).locator("[data-test=choose-leader]").click()

    # Home: my pickup point and the campaigns I can buy through my leader
    phone.wait_for_url(f"**{home}")
    expect(phone.locator("[data-test=pickup-card]")).to_contain_text("西村快递驿站")
    expect(phone.locator("[data-test=campaign-card]")).to_contain_text("周末鲜果鲜蛋团")
    shot(phone, "h5-home")

    # The campaign page: countdown, progress, feed, buyers; two items into the cart
    phone.locator("[data-test=campaign-card]").click()
    expect(phone.locator("[data-test=countdown]")).to_contain_text("距截单")
    expect(phone.locator("[data-test=progress]")).to_contain_text("已有 1 人参团，10 人成团")
    expect(phone.locator("[data-test=buyers]")).to_contain_text("王**")
    items = phone.locator("[data-test=campaign-item]")
    items.nth(0).locator("[data-test=add]").click()
    items.nth(0).locator(".van-stepper__plus").click()
    items.nth(1).locator("[data-test=add]").click()
    expect(phone.locator("[data-test=submit-bar]")).to_contain_text("85.70")  # 2 × 32.90 + 19.90
    no_horizontal_overflow(phone)
    shot(phone, "h5-campaign")

    # Checkout at my pickup point, then the sandbox pay page, then back to the order
    phone.locator("[data-test=submit-bar] button").click()
    expect(phone.locator("[data-test=cart-line]")).to_have_count(2)
    expect(phone.locator("[data-test=pickup-card]")).to_contain_text("西村快递驿站")
    phone.get_by_placeholder("选填，默认用你的昵称").fill("赵小兰")
    no_horizontal_overflow(phone)
    shot(phone, "h5-cart")
    phone.locator("[data-test=place-order] button").click()
    phone.wait_for_url("**/pay/sandbox/**")
    expect(phone.get_by_text("¥85.70")).to_be_visible()
    shot(phone, "h5-pay")
    phone.get_by_role("button", name="确认支付").click()

    phone.wait_for_url(re.compile(rf".*{home}/orders/\d+$"))
    order = Order.objects.get(shop=shop, contact_name="赵小兰")
    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款")
    expect(phone.locator("[data-test=pickup-code]")).to_have_text(order.pickup_code)
    qr = phone.locator("[data-test=pickup-qr]")
    expect(qr).to_have_attribute("data-value", order.pickup_code)
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    assert order.leader_id == nearest.id and order.total_fen == 8570
    no_horizontal_overflow(phone)
    shot(phone, "h5-order")

    # The watching phone got the purchase live, without a reload
    feed = watcher.locator("[data-test=feed-item]")
    expect(feed).to_have_count(2)
    expect(feed.first).to_contain_text("赵**")
    expect(feed.first).to_contain_text("土鸡蛋(30枚)×2")
    shot(watcher, "h5-campaign-feed")

    # My orders by status, and a pickup notice in the message center
    phone.goto(f"{home}/orders")
    expect(phone.locator("[data-test=order-card]")).to_have_count(1)
    expect(phone.locator("[data-test=order-card]")).to_contain_text("¥85.70")
    shot(phone, "h5-orders")
    notification_send(
        shop=shop,
        user=order.member,
        kind="pickup_notice",
        title="您的商品已到自提点",
        body=f"周末鲜果鲜蛋团的商品已到西村快递驿站，凭提货码 {order.pickup_code} 提货。",
        data={"order_id": order.id},
    )
    phone.goto(f"{home}/messages")
    message = phone.locator("[data-test=message]")
    expect(message).to_contain_text("您的商品已到自提点")
    shot(phone, "h5-messages")
    message.click()
    phone.wait_for_url(f"**{home}/orders/{order.id}")
    assert order.member.messages.get().read_at is not None

    # Me: the leader center entry is only for leaders; this member sees the application instead
    phone.goto(f"{home}/me")
    expect(phone.get_by_text("138****0077")).to_be_visible()
    expect(phone.locator("[data-test=leader-center]")).to_have_count(0)
    shot(phone, "h5-me")
