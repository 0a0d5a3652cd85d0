"""Merchant console, issue 11: a refund above the shop's line waits on 待审批 until a second person
approves it; the 操作日志 shows who did what from where, before → after. Screens: console-i11-*.png."""

from playwright.sync_api import expect

from tuangou.accounts.testing import ApiClient
from tuangou.audit.models import ApprovalPolicy, ApprovalRequest, AuditRecord
from tuangou.orders.tests.factories import given_live_campaign, paid_order
from tuangou.payments.models import Refund
from tuangou.shops.tests.factories import PASSWORD, StaffFactory

from .conftest import shot
from .test_console_leaders_and_finance import log_in, settled


def test_a_second_person_approves_a_large_refund_and_the_log_shows_both(desktop):
    page = desktop
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)  # ¥25.80
    ApprovalPolicy.objects.create(shop=world.shop, refund_over_fen=2000)
    finance = StaffFactory(shop=world.shop, role="finance")
    owner = StaffFactory(shop=world.shop, role="owner")

    cashier = ApiClient()
    cashier.login_password(finance.user.username, PASSWORD)
    asked = cashier.post(f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "整箱坏了"})
    assert asked.json()["code"] == "approval_pending"
    approval = ApprovalRequest.objects.get(shop=world.shop)

    log_in(page, owner.user.username)
    page.goto("/console/approvals")
    table = page.locator("[data-test=approval-table]")
    expect(table).to_contain_text(f"订单{order.number}退款¥25.80")
    expect(page.locator("input[name=refund_over]")).to_have_value("20.00")
    shot(settled(page), "console-i11-approvals")
    page.locator(f"[data-test=approve-{approval.id}]").click()
    page.locator(".el-message-box").get_by_role("button", name="通过").click()
    expect(page.locator(".el-message")).to_contain_text("已通过并执行")
    assert Refund.objects.filter(order=order).count() == 1

    page.goto("/console/audit")
    rows = page.locator("[data-test=audit-table] .el-table__body tr")
    expect(rows.first).to_contain_text("复核通过")
    expect(page.locator("[data-test=audit-table]")).to_contain_text("提交复核")
    expect(page.locator("[data-test=audit-table]")).to_contain_text("金额：— → ¥25.80")
    shot(settled(page), "console-i11-audit-log")
    assert AuditRecord.objects.filter(shop=world.shop, action="refund", actor=finance.user).exists()
