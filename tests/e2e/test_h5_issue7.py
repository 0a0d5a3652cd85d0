"""Issue 7 on the phone: what members and leaders read after paying, on their money page, in their
messages, on the nearby-leaders page and on a campaign's live feed. Screens saved as h5-i7-*.png."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.campaigns.models import Campaign
from tuangou.commissions import services as commission_services
from tuangou.commissions.tasks import commissions_settle_due
from tuangou.commissions.tests.test_ledger import make_due, picked_up_order
from tuangou.fulfilment.models import Shipment
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import CampaignFactory, CampaignItemFactory, given_member, pay
from tuangou.payments import sandbox
from tuangou.payments import services as payment_services
from tuangou.payments.models import Payment, PaymentNotification, SandboxTrade

from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign, no_horizontal_overflow, shot


def test_back_from_paying_the_order_says_confirming_until_the_notify_lands(phone, live_server, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    shop, leader, campaign = given_shop_with_a_live_campaign()
    member = given_member(shop, leader)
    item = campaign.items.order_by("id").first()
    order = order_services.order_place(
        shop=shop, member=member, campaign_id=campaign.id, items=[{"campaign_item_id": item.id, "quantity": 1}]
    )
    # The gateway is slow to tell us: its notify is held until the test lets it go, and it does
    # not answer questions about the trade either (busy), so the page cannot learn it otherwise.
    held: list[int] = []
    monkeypatch.setattr(sandbox, "_queue_notify", held.append)

    def gateway_busy(**kwargs):
        raise sandbox.GatewayBusy("sandbox gateway busy")

    monkeypatch.setattr(sandbox, "gateway_query", gateway_busy)
    order_path = f"/h5/s/{shop.id}/orders/{order.id}"

    sms_login(phone, member.phone, order_path)
    expect(phone.locator("[data-test=order-status]")).to_have_text("待付款")
    phone.locator("[data-test=pay]").click()
    phone.wait_for_url("**/pay/sandbox/**")
    phone.get_by_role("button", name="确认支付").click()

    phone.wait_for_url(re.compile(rf".*{order_path}\?from=pay$"))
    status = phone.locator("[data-test=order-status]")
    expect(status).to_have_text("支付确认中")
    expect(phone.locator("[data-test=confirming-hint]")).to_have_text("正在等待支付结果，请勿重复支付")
    phone.wait_for_timeout(2500)  # a few looks at the order later: still confirming, still nothing to pay
    expect(status).to_have_text("支付确认中")
    expect(phone.locator("[data-test=pay]")).to_have_count(0)
    expect(phone.locator("[data-test=cancel-order]")).to_have_count(0)
    no_horizontal_overflow(phone)
    shot(phone, "h5-i7-order-confirming")

    # The notify lands: the page follows without a reload.
    assert held == [Payment.objects.get(order=order).id]
    assert sandbox.gateway_deliver_notify(payment_id=held[0]) == "delivered"
    expect(status).to_have_text("已付款", timeout=12_000)
    order.refresh_from_db()
    expect(phone.locator("[data-test=pickup-code]")).to_have_text(order.pickup_code)
    expect(phone.locator("[data-test=pay]")).to_have_count(0)
    phone.wait_for_url(re.compile(rf".*{order_path}$"))
    assert Order.objects.get(pk=order.pk).status == "paid"
    shot(phone, "h5-i7-order-paid")

    # A refund later: the member's messages say so, and the message opens the order
    order_services.order_refund(order=order, actor=None, reason="商家缺货")
    phone.goto(f"/h5/s/{shop.id}/messages")
    message = phone.locator("[data-test=message]").first
    expect(message).to_contain_text("退款成功")
    expect(message).to_contain_text("已退款¥32.90")
    expect(message.locator("[data-test=message-link]")).to_have_text("查看订单 ›")
    shot(phone, "h5-i7-messages")
    message.click()
    phone.wait_for_url(re.compile(rf".*{order_path}$"))
    expect(phone.locator("[data-test=order-status]")).to_have_text("已退款")


def an_unpaid_order_on_the_phone(phone, live_server, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    shop, leader, campaign = given_shop_with_a_live_campaign()
    member = given_member(shop, leader)
    item = campaign.items.order_by("id").first()
    order = order_services.order_place(
        shop=shop, member=member, campaign_id=campaign.id, items=[{"campaign_item_id": item.id, "quantity": 1}]
    )
    held: list[int] = []
    monkeypatch.setattr(sandbox, "_queue_notify", held.append)  # the gateway's notify never comes by itself
    order_path = f"/h5/s/{shop.id}/orders/{order.id}"
    sms_login(phone, member.phone, order_path)
    expect(phone.locator("[data-test=order-status]")).to_have_text("待付款")
    phone.locator("[data-test=pay]").click()
    phone.wait_for_url("**/pay/sandbox/**")
    return order, order_path, held


def test_cancelled_on_the_pay_page_the_order_reads_unpaid_with_pay_again_within_seconds(
    phone, live_server, settings, monkeypatch
):
    order, order_path, held = an_unpaid_order_on_the_phone(phone, live_server, settings, monkeypatch)

    phone.get_by_role("button", name="取消", exact=True).click()

    phone.wait_for_url(re.compile(rf".*{order_path}$"), timeout=5000)  # the confirming wait is over
    expect(phone.locator("[data-test=order-status]")).to_have_text("待付款", timeout=5000)
    expect(phone.locator("[data-test=pay]")).to_have_text("去支付 ¥32.90")
    expect(phone.locator("[data-test=confirming-hint]")).to_have_count(0)
    no_horizontal_overflow(phone)
    shot(phone, "h5-i7-order-pay-cancelled")
    assert held == []
    assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == ["closed"]

    # Paying again opens a new trade at the gateway, and this time it is paid
    phone.locator("[data-test=pay]").click()
    phone.wait_for_url("**/pay/sandbox/**")
    phone.get_by_role("button", name="确认支付").click()
    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款", timeout=5000)
    assert list(Payment.objects.filter(order=order).order_by("id").values_list("status", flat=True)) == [
        "closed",
        "succeeded",
    ]


def test_paid_with_the_notify_held_back_the_order_reads_paid_and_a_refund_not_yet_taken_reads_refunding(
    phone, live_server, settings, monkeypatch
):
    order, order_path, held = an_unpaid_order_on_the_phone(phone, live_server, settings, monkeypatch)

    phone.get_by_role("button", name="确认支付").click()

    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款", timeout=5000)
    order.refresh_from_db()
    expect(phone.locator("[data-test=pickup-code]")).to_have_text(order.pickup_code)
    expect(phone.locator("[data-test=pay]")).to_have_count(0)
    phone.wait_for_url(re.compile(rf".*{order_path}$"))
    payment = Payment.objects.get(order=order)
    assert held == [payment.id]  # the notify never went out
    assert not PaymentNotification.objects.filter(out_trade_no=payment.out_trade_no).exists()
    assert (order.status, order.events.filter(type="paid").count()) == ("paid", 1)

    # The shop refunds while the gateway is busy: the refund waits in the outbox, the page says so
    SandboxTrade.objects.filter(payment__order=order).update(refund_failures_planned=1)
    order_services.order_refund(order=order, actor=None, reason="商家缺货")
    phone.reload()
    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款")
    expect(phone.locator("[data-test=refunding]")).to_have_text("退款中 ¥32.90，将原路退回")
    refund_row = phone.locator("[data-test=pending-refund]")
    expect(refund_row).to_contain_text("退款中")
    expect(refund_row).to_contain_text("¥32.90")
    no_horizontal_overflow(phone)
    shot(phone, "h5-i7-order-refunding")

    # The job sends it again and the gateway takes it: 已退款, nothing pending
    assert payment_services.refunds_redrive(now=timezone.now() + timedelta(minutes=4))["sent"] == 1
    phone.reload()
    expect(phone.locator("[data-test=order-status]")).to_have_text("已退款")
    expect(phone.locator("[data-test=refunding]")).to_have_count(0)
    expect(phone.locator("[data-test=pending-refund]")).to_have_count(0)


def test_nearby_leaders_are_found_by_searching_a_place_not_by_typing_coordinates(phone, live_server):
    shop, _, _ = given_shop_with_a_live_campaign()  # points at 西村社区, 中山社区, 软件园二期

    phone.goto(f"/h5/s/{shop.id}/leaders")  # no location permission: the browser cannot tell
    expect(phone.locator("[data-test=locate-status]")).to_contain_text("无法获取定位")
    expect(phone.locator("[data-test=place-suggestion]")).to_have_text(["中山社区", "西村社区", "软件园二期"])
    expect(phone.locator("input[type=number]")).to_have_count(0)
    expect(phone.get_by_text("集美学村")).to_have_count(0)  # no fixed Xiamen landmarks
    phone.locator("[data-test=place-search] input").fill("中山路")
    phone.locator("[data-test=place-search] input").press("Enter")
    candidates = phone.locator("[data-test=place-candidate]")
    expect(candidates).to_have_count(1)
    expect(candidates.first).to_contain_text("中山社区")
    expect(candidates.first).to_contain_text("思明区中山路88号")
    no_horizontal_overflow(phone)
    shot(phone, "h5-i7-nearby-search")
    candidates.first.click()

    points = phone.locator("[data-test=nearby-point]")
    expect(points).to_have_count(3)
    expect(points.nth(0)).to_contain_text("中山社区")
    expect(points.nth(0)).to_contain_text("0m")
    expect(phone.locator("[data-test=locate-status]")).to_contain_text("距中山社区")
    shot(phone, "h5-i7-nearby-found")


def test_the_campaign_page_follows_the_feed_on_one_line_and_a_failed_campaign_says_why(phone, live_server, settings):
    settings.SITE_URL = live_server.url
    shop, nearest, campaign = given_shop_with_a_live_campaign()
    apples = CampaignItemFactory(
        campaign=campaign,
        price_fen=5990,
        sku__product__name="新疆阿克苏冰糖心苹果特级大果礼盒装",
        sku__spec="5斤装约12-15个",
        stock_allotted=30,
    )
    campaign_path = f"/h5/s/{shop.id}/campaigns/{campaign.id}"
    phone.goto(campaign_path)
    expect(phone.locator("[data-test=progress]")).to_contain_text("已有 1 人参团，10 人成团")
    expect(phone.locator("[data-test=feed-item]")).to_have_count(1)

    # Someone with a long name buys the long-named apples while the page is open
    buyer = given_member(shop, nearest)
    buyer.display_name = "欧阳娜娜娜娜娜娜"
    buyer.save(update_fields=["display_name"])
    pay(
        order_services.order_place(
            shop=shop, member=buyer, campaign_id=campaign.id, items=[{"campaign_item_id": apples.id, "quantity": 3}]
        )
    )

    feed = phone.locator("[data-test=feed-item]")
    expect(feed).to_have_count(2, timeout=12_000)
    expect(feed.first).to_contain_text("欧*")
    expect(phone.locator("[data-test=progress]")).to_contain_text("已有 2 人参团，10 人成团")
    expect(phone.locator("[data-test=campaign-item]").nth(2)).to_contain_text("已售 3")
    expect(phone.locator("[data-test=buyers]")).to_contain_text("欧*******")
    expect(phone.locator("[data-test=buyers]")).to_contain_text("(2)")
    row = feed.first.bounding_box()
    assert row["height"] < 30, row  # one line, however long the name and the goods
    phone.wait_for_timeout(4000)  # the feed reconnects (WSGI catch-up) at least once: still no repeat
    expect(feed).to_have_count(2)
    no_horizontal_overflow(phone)
    phone.locator("[data-test=live-feed]").scroll_into_view_if_needed()
    shot(phone, "h5-i7-campaign-feed")

    # The campaign fails at cut-off: its link says so, items say 已结束, every order refunded
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.FAILED)
    order_services.orders_refund_for_failed_campaign(campaign=Campaign.objects.get(pk=campaign.pk))
    phone.goto(campaign_path)
    expect(phone.locator("[data-test=ended-notice]")).to_have_text(
        "本团未达到成团条件（10 人成团），已结束，所有订单已全额原路退款。"
    )
    expect(phone.locator("[data-test=item-unavailable]")).to_have_text(["已结束", "已结束", "已结束"])
    expect(phone.get_by_text("已抢光")).to_have_count(0)
    shot(phone, "h5-i7-campaign-failed")

    # The leader's orders page says why nothing ships
    sms_login(phone, nearest.user.phone, f"/h5/s/{shop.id}/leader/orders")
    expect(phone.locator(f"[data-test=group-{campaign.id}] [data-test=no-shipment]")).to_have_text(
        "未达到成团条件，订单已全额退款，无需发货"
    )
    expect(phone.get_by_text("商家尚未发货")).to_have_count(0)
    shot(phone, "h5-i7-leader-orders-failed")


def test_leader_money_reads_in_withdrawal_withdrawn_and_owed_with_its_reason(phone, live_server):
    first = picked_up_order(lines=[(2, 0)])
    leader = first.leader
    second = picked_up_order(point=leader.pickup_point, lines=[(2, 0)])
    for order in (first, second):
        commission_services.commission_accrue_for_order(order=order)
        make_due(order)
    commissions_settle_due()  # ¥20.00 withdrawable
    paid = commission_services.withdrawal_request(leader=leader, amount_fen=1500, account="微信 chenli")
    commission_services.withdrawal_approve(shop=leader.shop, withdrawal_id=paid.id, actor=None)
    commission_services.withdrawal_mark_paid(shop=leader.shop, withdrawal_id=paid.id, actor=None)
    commission_services.withdrawal_request(leader=leader, amount_fen=500, account="微信 chenli")
    commission_services.commission_reverse_for_refund(order=first, refunded_fen_by_line={first.lines.get().id: 10000})

    sms_login(phone, leader.user.phone, f"/h5/s/{leader.shop_id}/leader/commission")

    expect(phone.locator("[data-test=withdrawable]")).to_have_text("¥0.00")
    expect(phone.locator("[data-test=open-withdraw]")).to_be_disabled()
    expect(phone.locator("[data-test=figure-inWithdrawal]")).to_contain_text("¥5.00")
    expect(phone.locator("[data-test=figure-inWithdrawal]")).to_contain_text("提现中")
    expect(phone.locator("[data-test=figure-withdrawn]")).to_contain_text("¥15.00")
    offset = phone.locator("[data-test=offset]")
    expect(offset).to_contain_text("待抵扣")
    expect(offset).to_contain_text("¥10.00")
    expect(offset).to_contain_text(f"订单{first.number}退款，已结算的佣金被冲回")
    lines = phone.locator("[data-test=ledger-line]")
    expect(lines.first).to_contain_text("退款冲回佣金")
    expect(lines.first).to_contain_text("-¥10.00")
    expect(phone.get_by_text("待结算转出至可提现").first).to_be_visible()
    expect(phone.get_by_text(re.compile("分$"))).to_have_count(0)
    no_horizontal_overflow(phone)
    shot(phone, "h5-i7-leader-commission")
    phone.goto(f"/h5/s/{leader.shop_id}/leader")
    expect(phone.locator("[data-test=commission-summary]")).to_contain_text("待抵扣")
    shot(phone, "h5-i7-leader-center")


def test_a_leader_with_more_than_a_hundred_shipments_sees_each_campaigns_own(phone, live_server):
    shop, nearest, campaign = given_shop_with_a_live_campaign()  # 王小明 bought through 黄美玲
    point = nearest.pickup_point
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SUCCEEDED)
    Order.objects.filter(campaign=campaign).update(status=Order.Status.SHIPPED)
    now = timezone.now()
    Shipment.objects.create(shop=shop, campaign=campaign, pickup_point=point, shipped_at=now)  # the oldest one
    older = CampaignFactory.create_batch(100, shop=shop, status="succeeded", cutoff_at=now - timedelta(days=30))
    Shipment.objects.bulk_create([Shipment(shop=shop, campaign=c, pickup_point=point, shipped_at=now) for c in older])

    sms_login(phone, nearest.user.phone, f"/h5/s/{shop.id}/leader/orders")

    group = phone.locator(f"[data-test=group-{campaign.id}]")
    expect(group).to_contain_text("发货状态：已发货")
    expect(group.locator("[data-test=confirm-arrival]")).to_be_visible()
    expect(group.locator("[data-test=no-shipment]")).to_have_count(0)
    shot(phone, "h5-i7-leader-orders-shipped")
