"""Merchant console, issue 7: a refund the payment provider has not taken yet reads 退款中 on the
order (and is not refundable again); one it refused reads 退款失败 with the provider's message.
Screens saved as console-i7-*.png."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.orders.tests.factories import given_live_campaign, paid_order
from tuangou.payments import services as payment_services
from tuangou.payments.models import Refund, SandboxTrade
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_a_refund_the_provider_has_not_taken_reads_refunding_and_a_refused_one_says_why(desktop):
    page = desktop
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)  # ¥25.80
    SandboxTrade.objects.filter(payment__order=order).update(refund_failures_planned=1)  # the gateway is busy once
    owner = StaffFactory(shop=world.shop, role="owner")
    log_in(page, owner.user.username)

    page.goto("/console/orders")
    page.locator(f"[data-test=order-{order.number}]").click()
    drawer = page.locator("[data-test=order-drawer]")
    drawer.locator("[data-test=refund-button]").click()
    dialog = page.locator("[data-test=refund-dialog]")
    expect(dialog.locator("[data-test=refundable]")).to_have_text("¥25.80")
    dialog.locator("[data-test=mode-amount]").click()
    dialog.locator("input[name=refund-amount]").fill("10")
    dialog.locator("input[name=refund-reason]").fill("少发一盒")
    dialog.locator("[data-test=submit-refund]").click()
    page.locator(".el-message-box").get_by_role("button", name="确定退款").click()

    # Asked, not yet taken: the order is still paid, ¥10.00 is refunding
    expect(drawer.locator("[data-test=order-refunding]")).to_have_text("退款中 ¥10.00")
    expect(drawer.locator("[data-test=order-status]")).to_have_text("已付款")
    drawer.get_by_role("tab", name="退款记录 (1)").click()
    expect(drawer.locator("[data-test=refund-status]")).to_have_text("退款中")
    expect(drawer.locator("[data-test=refund-retrying]")).to_have_text("支付渠道繁忙，系统将自动重试")
    shot(settled(page), "console-i7-order-refunding")

    # The refundable maximum leaves the pending refund out
    drawer.locator("[data-test=refund-button]").click()
    expect(dialog.locator("[data-test=refundable]")).to_have_text("¥15.80")
    expect(dialog.locator("[data-test=refundable-pending]")).to_have_text("另有 ¥10.00 退款中，不可重复退")
    shot(settled(page), "console-i7-refund-dialog-pending")
    dialog.get_by_role("button", name="取消").click()

    # The gateway refuses it when the job sends it again: 退款失败 with its message, nothing refunding
    SandboxTrade.objects.filter(payment__order=order).update(state=SandboxTrade.State.CLOSED)
    payment_services.refunds_redrive(now=timezone.now() + timedelta(minutes=4))
    assert Refund.objects.get(order=order).status == "failed"
    page.reload()
    page.locator(f"[data-test=order-{order.number}]").click()
    drawer.get_by_role("tab", name="退款记录 (1)").click()
    expect(drawer.locator("[data-test=refund-status]")).to_have_text("退款失败")
    expect(drawer.locator("[data-test=refund-error]")).to_have_text(
        "支付渠道：退款失败：sandbox trade not paid or already refunded"
    )
    expect(drawer.locator("[data-test=order-refunding]")).to_have_count(0)
    shot(settled(page), "console-i7-refund-failed")
