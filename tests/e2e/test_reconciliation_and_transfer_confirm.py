"""Issue 8: finance reconciles a day of WeChat Pay orders in the console (对账: the day's run,
its mismatches, one resolved with a note), and a leader confirms receipt of a WeChat transfer
(待确认收款 → requestMerchantTransfer through a WeixinJSBridge stub → paid). Against the WeChat
Pay simulator. Screens: console-reconciliation*.png, h5-transfer-confirm*.png."""

import re

import pytest
from playwright.sync_api import expect

from tuangou.accounts.models import WechatIdentity
from tuangou.commissions import services as commission_services
from tuangou.commissions.tests.test_withdrawals import leader_with_withdrawable
from tuangou.payments import reconciliation
from tuangou.payments.models import ReconciliationMismatch
from tuangou.payments.tests.test_reconciliation import TODAY, given_a_day_of_orders
from tuangou.payments.tests.wechatpay_world import APPID, given_wechatpay
from tuangou.shops.tests.factories import StaffFactory

from .conftest import shot, wechat_app_posts
from .test_console_leaders_and_finance import log_in, settled
from .test_h5_leader import sms_login

# WeChat's app: the page runs in its browser (user agent) and requestMerchantTransfer opens its
# confirmation page — here the payee's tap is the simulator's /sim/transfers/confirm.
WECHAT_BRIDGE = """
Object.defineProperty(navigator, "userAgent", { get: () => "%(ua)s MicroMessenger/8.0.47" });
window.__wx = [];
window.WeixinJSBridge = {
  invoke(name, args, callback) {
    window.__wx.push({ name, args });
    if (name !== "requestMerchantTransfer") return callback && callback({ err_msg: name + ":ok" });
    window.__wechatAppPost("%(sim)s/sim/transfers/confirm", JSON.stringify({ package: args.package }))
      .then(() => callback({ err_msg: "requestMerchantTransfer:ok" }));
  },
  on() {},
  call() {},
};
"""


@pytest.fixture
def wechat(settings):
    world = given_wechatpay(settings)
    world.sim.bill_today_allowed = True
    world.sim.transfer_user_confirm = True
    settings.WITHDRAWAL_PAYOUT = "wechat_transfer"
    yield world
    world.sim.stop()


def test_finance_sees_the_days_reconciliation_and_resolves_a_mismatch_with_a_note(desktop, wechat):
    world, _, payments = given_a_day_of_orders(wechat)
    wechat.sim.fault("bill_amount")
    wechat.sim.fault("bill_extra")
    run = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY())
    assert run.open_mismatches == 2
    finance = StaffFactory(shop=world.shop, role="finance", user__display_name="周会计")
    page = desktop

    log_in(page, finance.user.username)
    page.get_by_role("menuitem", name="对账").click()
    expect(page).to_have_url(re.compile(r"/console/reconciliation$"))
    runs = page.locator("[data-test=reconciliation-runs]")
    expect(runs).to_contain_text("有差异")
    expect(runs).to_contain_text("支付 4 笔 ¥89.75")  # the bill: three trades, one 1 fen more, one stranger
    expect(runs).to_contain_text("支付 3 笔 ¥77.40")
    shot(settled(page), "console-reconciliation")

    page.locator(f"[data-test=open-run-{run.id}]").click()
    mismatches = page.locator("[data-test=mismatches]")
    expect(mismatches).to_contain_text("金额不符")
    expect(mismatches).to_contain_text("我方缺失（渠道已收款）")
    shot(settled(page), "console-reconciliation-mismatches")
    stranger = ReconciliationMismatch.objects.get(run=run, kind="missing_ours")
    page.locator(f"[data-test=resolve-mismatch-{stranger.id}]").click()
    page.locator("[data-test=resolve-submit]").click()
    expect(page.get_by_text("请填写处理说明")).to_be_visible()  # a note is required
    page.locator("textarea[data-test=resolve-note]").fill("非本平台交易，已与微信支付核实")
    shot(settled(page), "console-reconciliation-resolve")
    page.locator("[data-test=resolve-submit]").click()

    expect(mismatches.locator(".el-table__row")).to_have_count(1)  # the open list: the amount left
    stranger.refresh_from_db()
    assert (stranger.status, stranger.note, stranger.resolved_by_id) == (
        "resolved",
        "非本平台交易，已与微信支付核实",
        finance.user.id,
    )


def test_a_leader_confirms_receipt_in_wechat_and_the_withdrawal_reads_paid(phone, wechat):
    leader = leader_with_withdrawable()
    WechatIdentity.objects.create(app_id=APPID, openid="oLEADER000000000000000001", user=leader.user)
    withdrawal = commission_services.withdrawal_request(leader=leader, amount_fen=600, account="微信零钱")
    finance = StaffFactory(shop=leader.shop, role="finance")
    commission_services.withdrawal_approve(shop=leader.shop, withdrawal_id=withdrawal.id, actor=finance.user)
    withdrawal.refresh_from_db()
    assert withdrawal.transfer_state == "WAIT_USER_CONFIRM"
    path = f"/h5/s/{leader.shop_id}/leader/commission"

    sms_login(phone, leader.user.phone, path)
    user_agent = phone.evaluate("navigator.userAgent")
    phone.context.add_init_script(WECHAT_BRIDGE % {"ua": user_agent, "sim": wechat.sim.base_url})
    wechat_app_posts(phone.context)
    phone.reload()
    phone.get_by_role("tab", name="提现记录").click()
    row = phone.locator("[data-test=withdrawal]")
    expect(row).to_contain_text("待确认收款")
    shot(phone, "h5-transfer-confirm-waiting")

    row.locator("[data-test=confirm-receipt]").click()

    expect(row).to_contain_text("已打款")
    expect(row.locator("[data-test=confirm-receipt]")).to_have_count(0)
    shot(phone, "h5-transfer-confirm-paid")
    (args,) = [call["args"] for call in phone.evaluate("window.__wx") if call["name"] == "requestMerchantTransfer"]
    assert args == {"mchId": wechat.merchant.mchid, "appId": APPID, "package": withdrawal.transfer_package}
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.transfer_state) == ("paid", "SUCCESS")
