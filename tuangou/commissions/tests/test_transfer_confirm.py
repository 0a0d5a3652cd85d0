"""Issue 8: the current 商家转账 asks the leader to confirm receipt in WeChat (WAIT_USER_CONFIRM +
package_info, then requestMerchantTransfer in WeChat); and 服务商 (partner) transfers from the
shop's sub-merchant. Against the local simulator (simulators/wechatpay), on PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.accounts.models import WechatIdentity
from tuangou.commissions import selectors, services
from tuangou.commissions.models import Withdrawal
from tuangou.commissions.tests.test_withdrawals import leader_with_withdrawable
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client
from tuangou.payments.models import ShopPaymentSettings
from tuangou.payments.providers import get_provider
from tuangou.payments.tests.wechatpay_world import SP_APPID, SUB_MCHID, given_wechatpay, to_our_server

from .test_payouts import OPENID, approve, given_a_withdrawal_of_a_wechat_leader, messages

pytestmark = [pytest.mark.postgres]
W = Withdrawal.Status


@pytest.fixture
def wechat(settings, require_postgres):
    world = given_wechatpay(settings)
    world.sim.transfer_user_confirm = True  # the current API: the payee confirms in WeChat
    settings.WITHDRAWAL_PAYOUT = "wechat_transfer"
    yield world
    world.sim.stop()


def leader_client(leader):
    """One login per leader per test (a second SMS code within a minute is rate-limited)."""
    if not hasattr(leader.user, "test_client"):
        leader.user.test_client = phone_client(leader.user)
    return leader.user.test_client


def my_withdrawals(leader) -> list[dict]:
    return ok(leader_client(leader).get(f"shops/{leader.shop_id}/leader/withdrawals"))["items"]


def test_the_leader_sees_confirm_receipt_confirms_in_wechat_and_is_paid(wechat):
    leader, withdrawal = given_a_withdrawal_of_a_wechat_leader(amount_fen=800)

    ok(approve(withdrawal))
    withdrawal.refresh_from_db()
    bill = wechat.sim.transfers[(wechat.merchant.mchid, withdrawal.out_bill_no)]

    assert (withdrawal.status, withdrawal.transfer_state, bill.state) == (
        W.TRANSFERRING,
        "WAIT_USER_CONFIRM",
        "WAIT_USER_CONFIRM",
    )
    assert withdrawal.transfer_package == bill.package_info != ""
    [shown] = my_withdrawals(leader)
    assert (shown["status"], shown["status_label"]) == ("transferring", "待确认收款")
    assert shown["confirm"] == {
        "mch_id": wechat.merchant.mchid,
        "app_id": wechat.config["APPID"],
        "package": bill.package_info,
    }
    assert wechat.sim.transfers_finish() == 0  # nothing moves until the leader confirms

    # The leader taps 确认收款: WeChat's page (requestMerchantTransfer) confirms; the notify is lost,
    # and the H5 asks about the transfer when WeChat hands back.
    wechat.sim.fault("lost")
    assert wechat.sim.transfer_confirm(withdrawal.out_bill_no) == "SUCCESS"
    followed = ok(
        leader_client(leader).post(f"shops/{leader.shop_id}/leader/withdrawals/{withdrawal.id}/transfer-sync")
    )

    assert (followed["status"], followed["status_label"], followed["confirm"]) == ("paid", "已打款", None)
    withdrawal.refresh_from_db()
    assert (withdrawal.transfer_state, withdrawal.transfer_package) == ("SUCCESS", "")
    assert selectors.commission_balances(leader=leader)["withdrawn_fen"] == 800
    assert messages(leader, "提现已到账") == 1


def test_a_transfer_never_confirmed_is_cancelled_and_the_money_returns_with_the_reason(wechat):
    leader, withdrawal = given_a_withdrawal_of_a_wechat_leader(amount_fen=1000)
    ok(approve(withdrawal))
    assert services.withdrawal_transfers_sync(now=timezone.now() + timedelta(minutes=3)) == 1
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.transfer_state) == (W.TRANSFERRING, "WAIT_USER_CONFIRM")
    assert withdrawal.transfer_package  # still what the leader confirms with

    assert wechat.sim.transfers_expire() == 1  # 24 hours without a confirmation
    wechat.sim.deliver_all(to_our_server)
    withdrawal.refresh_from_db()

    assert (withdrawal.status, withdrawal.transfer_state) == (W.FAILED, "CANCELLED")
    assert withdrawal.reason == "团长未在微信中确认收款，转账已撤销（CANCELLED）"
    assert selectors.commission_balances(leader=leader)["withdrawable_fen"] == 1000
    [shown] = my_withdrawals(leader)
    assert (shown["status_label"], shown["confirm"]) == ("转账失败", None)
    assert messages(leader, "提现转账失败") == 1


def test_another_leaders_withdrawal_cannot_be_followed(wechat):
    _, withdrawal = given_a_withdrawal_of_a_wechat_leader()
    other = leader_with_withdrawable()

    response = phone_client(other.user).post(f"shops/{other.shop_id}/leader/withdrawals/{withdrawal.id}/transfer-sync")

    assert response.status_code == 404


def test_a_partner_pays_the_withdrawal_from_the_shops_sub_merchant(settings, require_postgres):
    world = given_wechatpay(settings, mode="partner")
    settings.WITHDRAWAL_PAYOUT = "wechat_transfer"
    try:
        leader = leader_with_withdrawable()
        settings.WECHATPAY["SUB_MCHIDS"] = {str(leader.shop_id): SUB_MCHID}
        WechatIdentity.objects.create(app_id=SP_APPID, openid=OPENID, user=leader.user)
        withdrawal = services.withdrawal_request(leader=leader, amount_fen=700, account="微信零钱")

        ok(approve(withdrawal))
        bill = world.sim.transfers[(world.merchant.mchid, f"WD{withdrawal.id:010d}")]
        assert (bill.sub_mchid, bill.appid, bill.amount) == (SUB_MCHID, SP_APPID, 700)
        assert ("POST", "/v3/fund-app/mch-transfer/partner/transfer-bills") in [
            (r["method"], r["path"]) for r in world.sim.requests
        ]
        world.sim.transfers_finish()
        world.sim.deliver_all(to_our_server)
        withdrawal.refresh_from_db()

        assert (withdrawal.status, withdrawal.transfer_state) == (W.PAID, "SUCCESS")
        known = get_provider("wechatpay").transfer_query(withdrawal.out_bill_no, leader.shop_id)  # partner query
        assert (known["state"], known["transfer_bill_no"]) == ("SUCCESS", withdrawal.transfer_bill_no)
    finally:
        world.sim.stop()


def test_a_shop_that_entered_its_sub_mchid_in_payment_settings_pays_from_it(settings, require_postgres):
    """The sub_mchid the owner saved in 支付设置 (not the platform's configuration) is where the transfer
    goes from, and its notify is read with that shop's configuration."""
    world = given_wechatpay(settings, mode="partner")
    settings.WITHDRAWAL_PAYOUT = "wechat_transfer"
    try:
        leader = leader_with_withdrawable()
        ShopPaymentSettings.objects.create(
            shop_id=leader.shop_id, provider="wechatpay", wechatpay_mode="partner", wechatpay_sub_mchid=SUB_MCHID
        )
        WechatIdentity.objects.create(app_id=SP_APPID, openid=OPENID, user=leader.user)
        withdrawal = services.withdrawal_request(leader=leader, amount_fen=600, account="微信零钱")

        ok(approve(withdrawal))
        bill = world.sim.transfers[(world.merchant.mchid, f"WD{withdrawal.id:010d}")]
        assert (bill.sub_mchid, bill.openid, bill.amount) == (SUB_MCHID, OPENID, 600)
        world.sim.transfers_finish()
        world.sim.deliver_all(to_our_server)
        withdrawal.refresh_from_db()

        assert (withdrawal.status, withdrawal.transfer_state) == (W.PAID, "SUCCESS")
    finally:
        world.sim.stop()
